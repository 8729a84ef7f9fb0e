"""Search, suggest and lists in another language, on the benchmark data (`make bench-search`).

    DATABASE_URL=... python -m bench.search

The API runs as in `bench/run.py` (one worker pinned to a core), without its response cache so
that every request reaches the database. In turn:
- the first page of States, partners and news in `lang=en` on one server and in `lang=ru` on
  a twin, both loaded at once, LANG_ROUNDS pairs, swapping the servers each time
  (`language_pairs`: this machine's speed moves too much between runs in turn to tell 5%);
- the same pages in `lang=en`, then in `lang=ru`, LANG_ROUNDS times (wrk, 4 s each), with the
  server's CPU time a request: the medians of each;
- under wrk, a different query each time: a ranked search over all collections for a word of
  the generated texts and a capital (a few thousand matches among 220,000 entries at 200,000
  news, 1.1 million at a million), and for one word alone (the generated texts draw 90 words
  from 34: nine entries in ten hold any one of them, the worst case); completions of two to
  five letters of the words and capitals;
- one client asking 200 different queries of each kind, one after another: the time one query
  takes, without queueing.
On SQLite, when `.venv-bench` has Datasette (`make bench-search` installs it), the peer runs the
same searches: FTS5 over the same index, ranked by the same BM25, as a Datasette canned query
(the English entries, every match ranked, no facets or snippets); one client asks it the first
PEER_QUERIES (default 50) of each kind, then wrk.
Prints Markdown tables (BENCH_OUT also gets them).
"""

import json
import os
import random
import sys
import tempfile
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from statistics import median
from typing import Any
from urllib.parse import quote

from sqlalchemy import create_engine, make_url, text

from api.config import Settings
from api.content.search.analysis import fts5_match
from bench.generate import WORDS
from bench.run import (
    DATASETTE,
    DATASETTE_PORT,
    UNCACHED_PORT,
    Result,
    api_server,
    lua_requests,
    server,
    wrk,
)

# The peer's canned query: what the API's English search does to rank, without its facets,
# snippets and visibility rules, and ranking every match (the API ranks the first COUNT_CAP).
PEER_SQL = (
    "SELECT e.collection, e.slug, e.title, bm25(search_fts, 4.0, 1.0) AS score"
    " FROM search_fts JOIN search_entry AS e ON e.id = search_fts.rowid"
    " WHERE search_fts MATCH :q AND e.lang = 'en'"
    " ORDER BY score LIMIT CAST(:limit AS INTEGER) OFFSET CAST(:offset AS INTEGER)"
)

SETTLE_S = 5  # for the queries wrk left running to end
TIMEOUT_S = 30  # a one-client query without an answer by then counts as failed
PEER_QUERIES = int(os.environ.get("PEER_QUERIES", "50"))  # of each kind: the peer is slow
LANG_ROUNDS = int(os.environ.get("LANG_ROUNDS", "7"))  # English, then Russian, in turn
LANG_SECONDS = 4
LISTS = {  # asked with `&lang=en`, then with `&lang=ru`
    "states": "/api/v1/states?limit=20",
    "partners": "/api/v1/partners?limit=20",
    "news": "/api/v1/news?limit=20",
}


def capitals(settings: Settings) -> list[str]:
    with create_engine(settings.database_url).connect() as connection:
        rows = connection.execute(text("SELECT capital FROM country ORDER BY id"))
        return [row[0].split(",")[0].split()[0] for row in rows]


def lua_list(values: list[str]) -> str:
    return "{" + ",".join(f'"{v}"' for v in values) + "}"


def scenarios(settings: Settings) -> dict[str, Any]:
    words = lua_list([w for w in WORDS if len(w) > 3])
    cities = lua_list(capitals(settings))
    pick = f"local w = {words}; local c = {cities}; "
    # The lists first: a search scenario leaves queries running on threads past its end.
    return {
        "search: word + capital (cold)": lua_requests(
            f'(function() {pick}return "/api/v1/search?q=" .. w[math.random(#w)] .. "%20" '
            '.. c[math.random(#c)] .. "&limit=" .. math.random(5, 20) end)()'
        ),
        "search: one word (cold)": lua_requests(
            f'(function() {pick}return "/api/v1/search?q=" .. w[math.random(#w)] '
            '.. "&limit=" .. math.random(5, 20) .. "&offset=" .. (10 * math.random(0, 5)) end)()'
        ),
        "suggest: 2-5 letters (cold)": lua_requests(
            f"(function() {pick}local s = (math.random(2) == 1) and w[math.random(#w)] "
            'or c[math.random(#c)]; return "/api/v1/suggest?q=" '
            ".. string.sub(s, 1, math.random(2, 5)) end)()"
        ),
    }


TWIN_PORT = UNCACHED_PORT + 3


def language_pairs(settings: Settings) -> dict[str, list[float]]:
    """By list, ru / en of each pair: the first page in English from one server and in Russian
    from a twin (the same code and database), both under wrk at once. The two share their
    core by the scheduler's fair shares, so each gets the same CPU time in the same seconds
    and their requests/s are in the inverse ratio of what a request costs; the servers swap
    languages every pair."""
    found: dict[str, list[float]] = {}
    with api_server(settings, UNCACHED_PORT, 0), api_server(settings, TWIN_PORT, 0):
        for what, path in LISTS.items():
            ratios = []
            for pair in range(LANG_ROUNDS):
                ports = [UNCACHED_PORT, TWIN_PORT][:: 1 if pair % 2 == 0 else -1]
                with ThreadPoolExecutor(2) as pool:
                    en, ru = (
                        pool.submit(
                            wrk, f"http://127.0.0.1:{port}{path}&lang={lang}", seconds=LANG_SECONDS
                        )
                        for port, lang in zip(ports, ("en", "ru"), strict=True)
                    )
                    ratios.append(ru.result().requests_per_second / en.result().requests_per_second)
            found[what] = ratios
            print(f"  {what}: ru / en at once {[round(r, 3) for r in ratios]}", file=sys.stderr)
    return found


def language_rounds(pid: int) -> dict[str, tuple[float, float, float, float]]:
    """A list's first page in English and in `lang=ru`, asked in turn LANG_ROUNDS times: by
    list, the medians of requests/s and of the server's CPU µs a request, English then
    Russian. Interleaved, so that the machine's other load weighs on both alike."""
    found = {}
    for what, path in LISTS.items():
        rates: dict[str, list[float]] = {"en": [], "ru": []}
        cpu: dict[str, list[float]] = {"en": [], "ru": []}
        for _ in range(LANG_ROUNDS):
            for lang in ("en", "ru"):
                url = f"{path}&lang={lang}"
                result = wrk(f"http://127.0.0.1:{UNCACHED_PORT}{url}", cpu_group=pid,
                             seconds=LANG_SECONDS)  # fmt: skip
                rates[lang].append(result.requests_per_second)
                cpu[lang].append(result.cpu_us_per_request)
        found[what] = (
            median(rates["en"]), median(rates["ru"]), median(cpu["en"]), median(cpu["ru"])
        )  # fmt: skip
        print(f"  {what}: en / ru {found[what]}", file=sys.stderr)
    return found


def search_words() -> list[str]:
    return [w for w in WORDS if len(w) > 3]


def peer_match(q: str) -> str:
    """The FTS5 expression the API's English search makes of `q`, URL-encoded."""
    return quote(fts5_match(q, ("en",)) or "")


def peer_scenarios(settings: Settings) -> dict[str, str]:
    """The two searches of `scenarios`, asked of Datasette."""
    matches = lua_list([peer_match(w) for w in search_words()])
    cities = lua_list([peer_match(c) for c in capitals(settings)])
    pick = f"local w = {matches}; local c = {cities}; "
    return {
        "search: word + capital (cold)": lua_requests(
            f'(function() {pick}return "/bench/search.json?_shape=array&q=" '
            '.. w[math.random(#w)] .. "%20AND%20" .. c[math.random(#c)] '
            '.. "&offset=0&limit=" .. math.random(5, 20) end)()'
        ),
        "search: one word (cold)": lua_requests(
            f'(function() {pick}return "/bench/search.json?_shape=array&q=" '
            '.. w[math.random(#w)] .. "&limit=" .. math.random(5, 20) '
            '.. "&offset=" .. (10 * math.random(0, 5)) end)()'
        ),
    }


def one_client_queries(settings: Settings, count: int = 200) -> list[tuple[str, str, str]]:
    """(kind, the API's path, the peer's path or ""), `count` of each kind, the same for every
    run."""
    rng = random.Random(12)
    words, cities = search_words(), capitals(settings)
    found = []
    for _ in range(count):
        word, city = rng.choice(words), rng.choice(cities)
        found.append((
            "search: word + capital, one client",
            "/api/v1/search?q=" + quote(f"{word} {city}"),
            f"/bench/search.json?_shape=array&limit=10&offset=0&q={peer_match(f'{word} {city}')}",
        ))  # fmt: skip
    for _ in range(count):
        word = rng.choice(words)
        found.append((
            "search: one word, one client",
            "/api/v1/search?q=" + word,
            f"/bench/search.json?_shape=array&limit=10&offset=0&q={peer_match(word)}",
        ))  # fmt: skip
    for _ in range(count):
        typed = rng.choice(words + cities)[: rng.randint(2, 5)]
        found.append(("suggest: 2-5 letters, one client", "/api/v1/suggest?q=" + quote(typed), ""))
    return found


def latencies(port: int, paths: list[tuple[str, str]]) -> dict[str, tuple[float, float, int]]:
    """p50 and p99 in ms, and the number of failures (an error or 30 s without an answer,
    counted as 30 s), by kind, of one client asking each (kind, path) in turn."""
    times: dict[str, list[float]] = {}
    failed: dict[str, int] = {}
    for kind, path in paths:
        started = time.perf_counter()
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=TIMEOUT_S).read()
        except OSError:
            failed[kind] = failed.get(kind, 0) + 1
        times.setdefault(kind, []).append((time.perf_counter() - started) * 1000)
    found = {}
    for kind, measured in times.items():
        measured.sort()
        p50, p99 = measured[len(measured) // 2], measured[int(len(measured) * 0.99)]
        found[kind] = (p50, p99, failed.get(kind, 0))
    return found


def run_peer(
    settings: Settings, results: list[Result], queries: list[tuple[str, str]]
) -> dict[str, tuple[float, float, int]]:
    """The peer's latencies for `queries` (kind, path), then its wrk scenarios (into
    `results`): in that order, as the queries wrk leaves running hold the server long after."""
    with tempfile.TemporaryDirectory() as directory:
        metadata = Path(directory) / "metadata.json"
        canned = {"search": {"sql": PEER_SQL}}
        metadata.write_text(json.dumps({"databases": {"bench": {"queries": canned}}}))
        database = Path(directory) / "bench.db"
        database.symlink_to(Path(make_url(settings.database_url).database or "").resolve())
        with server(
            [str(DATASETTE), "serve", str(database), "--metadata", str(metadata), "--port",
             str(DATASETTE_PORT), "--setting", "sql_time_limit_ms", str(TIMEOUT_S * 1000)],
            DATASETTE_PORT, {}, "/-/versions.json",
        ):  # fmt: skip
            found = latencies(DATASETTE_PORT, queries)
            for name, script in peer_scenarios(settings).items():
                result = wrk(f"http://127.0.0.1:{DATASETTE_PORT}/", script)
                result.scenario, result.server = name, "Datasette (peer)"
                results.append(result)
                print(f"  {name:<32} {result.requests_per_second:>9,.0f}/s (peer)", file=sys.stderr)
    return found


def main() -> None:
    settings = Settings()
    results: list[Result] = []
    queries = one_client_queries(settings)
    pairs = language_pairs(settings)
    with api_server(settings, UNCACHED_PORT, 0) as pid:
        languages = language_rounds(pid)
        for name, request in scenarios(settings).items():
            script, path = (None, request) if request.startswith("/") else (request, "/")
            result = wrk(f"http://127.0.0.1:{UNCACHED_PORT}{path}", script)
            result.scenario, result.server = name, "content API, no cache"
            results.append(result)
            print(f"  {name:<32} {result.requests_per_second:>9,.0f}/s", file=sys.stderr)
        time.sleep(SETTLE_S)
        one_client = latencies(UNCACHED_PORT, [(kind, api) for kind, api, _ in queries])
    print(f"  one client: {one_client}", file=sys.stderr)  # kept should the peer fail
    peer: dict[str, tuple[float, float, int]] = {}
    if settings.is_sqlite and DATASETTE.exists():
        kinds: dict[str, int] = {}
        asked = []
        for kind, _, path in queries:  # the first PEER_QUERIES of each kind
            if path and kinds.get(kind, 0) < PEER_QUERIES:
                kinds[kind] = kinds.get(kind, 0) + 1
                asked.append((kind, path))
        peer = run_peer(settings, results, asked)
    backend = "SQLite" if settings.is_sqlite else "PostgreSQL"
    lines = [
        f"### {backend}: search and languages (wrk -t1 -c32, one worker, no response cache)",
        "",
        "| scenario | server | req/s | p50 ms | p99 ms | errors |",
        "|---|---|---:|---:|---:|---:|",
        *(
            f"| {r.scenario} | {r.server} | {r.requests_per_second:,.0f} | {r.p50_ms:.2f} "
            f"| {r.p99_ms:.2f} | {r.errors} |"
            for r in results
        ),
        "",
    ]
    lines += [
        "",
        f"| one client, one query after another (API: 200 of each; Datasette: {PEER_QUERIES}) "
        "| content API p50 ms | p99 ms | failed | Datasette p50 ms | p99 ms | failed |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    for kind, (p50, p99, failed) in one_client.items():
        theirs = peer.get(kind)
        peer_cells = f"{theirs[0]:.1f} | {theirs[1]:.1f} | {theirs[2]}" if theirs else "n/a | | "
        lines.append(f"| {kind} | {p50:.1f} | {p99:.1f} | {failed} | {peer_cells} |")
    lines.append("")
    lines += [
        "",
        f"| first page, {LANG_ROUNDS} rounds of English then `lang=ru` (medians) | en req/s "
        "| ru req/s | ru / en | en CPU µs | ru CPU µs | ru / en |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    lines += [
        "",
        f"| first page, `lang=ru` on one server and English on its twin at once, {LANG_ROUNDS} "
        "pairs | ru / en: median pair | lowest | highest |",
        "|---|---:|---:|---:|",
        *(
            f"| {what} | {median(ratios):.3f} | {min(ratios):.3f} | {max(ratios):.3f} |"
            for what, ratios in pairs.items()
        ),
        "",
    ]
    for what, (en_rate, ru_rate, en_cpu, ru_cpu) in languages.items():
        lines.append(
            f"| {what} | {en_rate:,.0f} | {ru_rate:,.0f} | {ru_rate / en_rate:.2f} "
            f"| {en_cpu:,.0f} | {ru_cpu:,.0f} | {ru_cpu / en_cpu:.2f} |"
        )
    report = "\n".join(lines) + "\n"
    print(report)
    if os.environ.get("BENCH_OUT"):
        with open(os.environ["BENCH_OUT"], "a", encoding="utf-8") as out:
            out.write(report)


if __name__ == "__main__":
    main()
