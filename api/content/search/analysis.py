"""How text becomes search terms, and how a snippet shows what matched; in Python, so the
SQLite index, its queries and the snippets of both databases agree.

A word is folded first (case and accents: `Élections` → `elections`), then stemmed by the
Snowball stemmer of its language (PyStemmer: `elections` → `elect`); the stop words of
PostgreSQL's configuration of the language are left out (`stopwords/`). PostgreSQL gets the
folded text and stems it with its own Snowball configuration of the same language (`english`,
`french`, ...), so both databases match the same words.
"""

import html
import re
from functools import cache, lru_cache
from pathlib import Path

import Stemmer

from api.text import fold

# The Snowball stemmer and the PostgreSQL text-search configuration of each language.
STEMMERS = {
    "en": "english",
    "fr": "french",
    "de": "german",
    "it": "italian",
    "ru": "russian",
    "es": "spanish",
}
STOP_WORDS = Path(__file__).parent / "stopwords"
_WORD = re.compile(r"\w+", re.UNICODE)
_APOSTROPHES = re.compile("['\u2019]")
SNIPPET_WORDS = 30
MAX_TERMS = 16  # of a query; the rest is ignored


@cache
def _stemmer(lang: str) -> Stemmer.Stemmer:
    return Stemmer.Stemmer(STEMMERS[lang])


@cache
def stop_words(lang: str) -> frozenset[str]:
    """The words PostgreSQL's configuration of the language leaves out, folded."""
    path = STOP_WORDS / f"{STEMMERS[lang]}.stop"
    return frozenset(fold(line.strip()) for line in path.read_text(encoding="utf-8").splitlines())


def _kept(found: list[str], lang: str) -> list[str]:
    stop = stop_words(lang)
    return [word for word in found if word not in stop]


def words(text: str) -> list[str]:
    """Folded words; an apostrophe joins the letters around it (`Iceland's` → `icelands`), an
    underscore separates them."""
    return _WORD.findall(_APOSTROPHES.sub("", fold(text)).replace("_", " "))


def stems(text: str, lang: str) -> list[str]:
    """The stems of the words of `text` that are not stop words of the language."""
    stemmer = _stemmer(lang)
    return [stem for stem in stemmer.stemWords(_kept(words(text), lang)) if stem]


# What the SQLite index holds in place of a stop word, so that phrases keep their positions
# as PostgreSQL's do ("rights and human" is not the phrase "rights human"). Words never fold
# to it: `words` keeps letters and digits only, and no stemmer makes a word of these.
GAP = "0gap0"


def _stems_with_gaps(found: list[str], lang: str) -> list[str]:
    stop, stemmer = stop_words(lang), _stemmer(lang)
    return [GAP if word in stop else stemmer.stemWord(word) for word in found]


def terms(text: str, lang: str) -> str:
    """What the SQLite index holds for a text: its stems, a gap for each stop word."""
    return " ".join(s for s in _stems_with_gaps(words(text), lang) if s)


def folded(text: str) -> str:
    """What PostgreSQL's configurations stem: the folded words."""
    return " ".join(words(text))


_QUERY = re.compile(r'"([^"]*)"|(\S+)')


def query_groups(q: str) -> list[list[str]]:
    """The words of a query as groups: a quoted phrase is one group, any other word its own.
    Punctuation is ignored, as it is in the index."""
    groups = []
    for phrase, word in _QUERY.findall(q):
        found = words(phrase or word)
        if found:
            groups.append(found)
    return groups[:MAX_TERMS]


def fts5_match(q: str, langs: tuple[str, ...], *, prefix: bool = False) -> str | None:
    """An FTS5 MATCH expression for `q`: every group must match, in any of `langs`' stems;
    each stem is quoted (raw text in MATCH is FTS5 syntax: `AND`, `-`, `:` would be
    operators). None when nothing is left to search for."""
    clauses = []
    for group in query_groups(q):
        options = []
        for lang in langs:
            kept = _stems_with_gaps(group, lang)
            while kept and kept[0] == GAP:
                kept.pop(0)
            while kept and kept[-1] == GAP:
                kept.pop()
            stemmed = " ".join(s for s in kept if s)
            if stemmed:
                # One quoted string is a phrase (stems hold only word characters).
                options.append(f'"{stemmed}"' + (" *" if prefix else ""))
        # A stop word of any of the languages constrains nothing (as in PostgreSQL).
        if len(options) == len(langs):
            unique = list(dict.fromkeys(options))
            clauses.append(unique[0] if len(unique) == 1 else "(" + " OR ".join(unique) + ")")
    return " AND ".join(clauses) or None


@lru_cache(maxsize=65_536)
def _stem_of(token: str, lang: str) -> str:
    """The stem of one word of a text, as the index holds it ("" for none). Cached: a page of
    hits stems a few thousand words, most of them the same few hundred."""
    found = words(token)
    return _stemmer(lang).stemWord(found[0]) if found else ""


@lru_cache(maxsize=1024)
def _wanted(q: str, langs: tuple[str, ...]) -> frozenset[str]:
    """The stems of a query's words in `langs`: what a snippet marks (the same for every hit
    of a page)."""
    return frozenset(
        stem
        for group in query_groups(q)
        for lang in langs
        for stem in _stemmer(lang).stemWords(_kept(group, lang))
    )


def snippet(text: str, q: str, langs: tuple[str, ...], words_around: int = SNIPPET_WORDS) -> str:
    """`text` HTML-escaped, cut to about `words_around` words around its first match, with
    every word that matches a query term in `<mark>`."""
    wanted = _wanted(q, langs)
    tokens = re.split(r"(\w+)", text)  # words at odd positions
    word_count = len(tokens) // 2

    def marked(index: int) -> bool:
        word = tokens[2 * index + 1]
        return any(_stem_of(word, lang) in wanted for lang in langs)

    # Only the words up to the first match and those shown are stemmed, not the whole text,
    # and the text between marks is escaped in one piece: a news body of 170 words took
    # 117 µs, ten hits a page.
    first = next((index for index in range(word_count) if marked(index)), 0)
    start = max(0, first - words_around // 3)
    end = min(word_count, start + words_around)
    out = ["…"] if start > 0 else []
    plain: list[str] = []  # the text since the last mark, unescaped
    for index in range(start, end):
        position = 2 * index + 1
        if index > start:
            plain.append(tokens[position - 1])
        if index >= first and marked(index):
            out.append(html.escape("".join(plain)))
            out.append(f"<mark>{html.escape(tokens[position])}</mark>")
            plain = []
        else:
            plain.append(tokens[position])
    if end == word_count and tokens:
        plain.append(tokens[-1])
    out.append(html.escape("".join(plain)))
    if end < word_count:
        out.append("…")
    return "".join(out).strip()
