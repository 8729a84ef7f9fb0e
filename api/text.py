"""Text normalisation done in Python, so matching and ordering are identical on every database.

SQLite's `lower()` folds ASCII only and PostgreSQL's collations differ between installations, so
the API never asks the database to fold case or accents: rows carry pre-normalised key columns
(`sort_name`, `city_slug`, `search_text`) and query values go through the same functions.
"""

import re
import unicodedata
from functools import cache

import pyuca

_NON_ALNUM = re.compile(r"[^a-z0-9]+")
_APOSTROPHES = re.compile("['\u2019]")
_TERM = re.compile(r'"([^"]*)"|(\S+)')


def fold(text: str) -> str:
    """Case- and accent-insensitive form: `Türkiye` → `turkiye`, `Chișinău` → `chisinau`."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def slugify(text: str) -> str:
    """URL slug: `Cyber/ICT Security` → `cyber-ict-security`, apostrophes dropped."""
    return _NON_ALNUM.sub("-", _APOSTROPHES.sub("", fold(text))).strip("-")


def sort_key(name: str) -> str:
    """Key for alphabetical order: folded, leading "The " ignored (`The Netherlands` → N)."""
    words = _NON_ALNUM.sub(" ", fold(name)).split()
    if len(words) > 1 and words[0] == "the":
        words = words[1:]
    return " ".join(words)


def _words(text: str) -> list[str]:
    """Folded words; an apostrophe joins the letters around it (`Iceland's` → `icelands`)."""
    return _NON_ALNUM.sub(" ", _APOSTROPHES.sub("", fold(text))).split()


def search_text(*parts: str | None) -> str:
    """The searchable form of a row: folded words separated by single spaces, padded by spaces."""
    return f" {' '.join(_words(' '.join(p for p in parts if p)))} "


def search_terms(q: str) -> list[str]:
    """Split a `q` value into folded words and "quoted phrases"; punctuation is ignored."""
    terms = []
    for phrase, word in _TERM.findall(q):
        folded = " ".join(_words(phrase or word))
        if folded:
            terms.append(folded)
    return terms


def city_key(name: str) -> str:
    """The key a city is matched on: the slug of its name up to a comma, so that "Washington,
    D.C." is found by `washington` (and by its own name, which a comma splits in two)."""
    return slugify(name.partition(",")[0])


@cache
def _collator() -> pyuca.Collator:
    return pyuca.Collator()  # the DUCET of the Unicode Collation Algorithm, read once


def collation_key(name: str, lang: str) -> str:
    """A key whose byte order is the Unicode Collation Algorithm's order of `name` (DUCET, the
    root collation CLDR tailors; its order is right for the letters of the six languages):
    each weight as four hex digits, so SQLite (bytes) and PostgreSQL (collation "C") order
    the keys alike. English ignores a leading "The", as `sort_key` does."""
    if lang == "en" and name.lower().startswith("the "):
        name = name[4:]
    return "".join(f"{weight:04x}" for weight in _collator().sort_key(name))


_NOT_WORD = re.compile(r"[\W_]+")


def name_key(text: str) -> str:
    """The key a name in any script is matched on: folded, words joined by hyphens
    (`Allemagne` → `allemagne`, `Германия` → `германия`, `Türkiye` → `turkiye`); for Latin
    letters the same as `slugify`."""
    return _NOT_WORD.sub("-", _APOSTROPHES.sub("", fold(text))).strip("-")
