"""Generated item functions with translated texts laid over the rows (api/read/fields.py)."""

from dataclasses import dataclass

import pytest
from pydantic import BaseModel

from api.read.fields import Computed, PublicFields, Texts


@dataclass(frozen=True)
class Col:
    name: str


class Thing(BaseModel):
    slug: str
    name: str
    label: dict[str, str]
    shout: str
    fallback: list[str]


NAME, SLUG, CITY = Col("name"), Col("slug"), Col("city")
FIELDS = PublicFields(
    Thing,
    {
        "slug": SLUG,
        "name": NAME,
        # An expression reading a translated column, and a function reading one.
        "label": Computed.of((NAME, CITY), "{'name': row['name'], 'city': row['city']}"),
        "shout": Computed((NAME,), lambda row, _: row["name"].upper()),
        "fallback": Computed.of((SLUG,), "texts.get('_fallback', ())"),
    },
)
ROWS = [
    {"slug": "austria", "name": "Austria", "city": "Vienna"},
    {"slug": "chad", "name": "Chad", "city": "N'Djamena"},
]


def built(
    slug: str, name: str, shout: str, city: str, fallback: tuple[str, ...] = ()
) -> dict[str, object]:
    """The item FIELDS should build: `name` read alone and through the label's expression."""
    return {
        "slug": slug,
        "name": name,
        "label": {"name": name, "city": city},
        "shout": shout,
        "fallback": fallback,
    }


CHAD = built("chad", "Chad", "CHAD", "N'Djamena")


def test_without_texts_every_field_reads_the_row() -> None:
    assert FIELDS.items(ROWS, None) == [built("austria", "Austria", "AUSTRIA", "Vienna"), CHAD]


def test_texts_are_laid_over_columns_expressions_and_functions_and_rows_stay_as_they_were() -> None:
    texts = Texts(
        [{"name": "Autriche", "_fallback": ()}, {"_fallback": ("name",)}],
        frozenset({"name", "_fallback"}),
    )
    assert FIELDS.items(ROWS, None, (), texts) == [
        built("austria", "Autriche", "AUTRICHE", "Vienna"),
        {**CHAD, "fallback": ("name",)},
    ]
    first = Texts(texts.overlays[:1], texts.names)
    assert FIELDS.item(ROWS[0], None, ["shout", "slug"], first) == {
        "slug": "austria",
        "shout": "AUTRICHE",
    }
    assert ROWS[0]["name"] == "Austria"
    with pytest.raises(ValueError, match="2 rows and 1 texts"):
        FIELDS.items(ROWS, None, (), first)  # a row without its texts is never built


def test_an_expression_that_reads_a_translated_column_other_than_by_subscript_is_refused() -> None:
    fields = PublicFields(
        Thing,
        {
            "slug": SLUG,
            "name": NAME,
            "label": Computed.of((NAME,), "{'name': row.get('name')}"),
            "shout": Computed((NAME,), lambda row, _: row["name"]),
            "fallback": Computed.of((SLUG,), "()"),
        },
    )
    with pytest.raises(TypeError, match="reads the translated 'name' other than as row"):
        fields.items(ROWS, None, (), Texts([{}, {}], frozenset({"name", "_fallback"})))
