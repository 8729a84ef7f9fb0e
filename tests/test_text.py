"""Text normalisation shared by the seed loader and the filters."""

import pytest

from api.text import fold, search_terms, search_text, slugify, sort_key


@pytest.mark.parametrize(
    ("text", "slug"),
    [
        ("Türkiye", "turkiye"),
        ("Cyber/ICT Security", "cyber-ict-security"),
        ("How one training sparked Iceland’s largest", "how-one-training-sparked-icelands-largest"),
        ("  Chișinău ", "chisinau"),
        ("Reform and co-operation in the security sector",
         "reform-and-co-operation-in-the-security-sector"),
    ],
)  # fmt: skip
def test_slugify(text: str, slug: str) -> None:
    assert slugify(text) == slug


def test_fold_ignores_case_and_accents() -> None:
    assert fold("ÉCOLE Straße") == "ecole strasse"


@pytest.mark.parametrize(
    ("names", "ordered"),
    [
        (["Turkmenistan", "Türkiye"], ["Türkiye", "Turkmenistan"]),
        (["Norway", "The Netherlands", "North Macedonia"],
         ["The Netherlands", "North Macedonia", "Norway"]),
        (["Belgium", "Belarus"], ["Belarus", "Belgium"]),
    ],
)  # fmt: skip
def test_sort_key_orders_as_a_reader_expects(names: list[str], ordered: list[str]) -> None:
    assert sorted(names, key=sort_key) == ordered


def test_search_text_is_padded_folded_words() -> None:
    # An apostrophe joins the letters around it, as in a slug: "OSCE's" is one word.
    assert search_text("OSCE’s Mission", None, "in Kyïv!") == " osces mission in kyiv "


@pytest.mark.parametrize(
    ("q", "terms"),
    [
        ("judicial training", ["judicial", "training"]),
        ('"cold war" legacy', ["cold war", "legacy"]),
        ('"unclosed phrase', ["unclosed", "phrase"]),
        ("% _ * ( ) : AND", ["and"]),
        ("", []),
        ('""', []),
    ],
)
def test_search_terms(q: str, terms: list[str]) -> None:
    assert search_terms(q) == terms
