"""Search, suggest and lists in another language, on the benchmark data (`make bench-search`).

    DATABASE_URL=... python -m bench.search

The API runs as in `bench/run.py` (one worker pinned to a core), without its response cache so
that every request reaches the database, and wrk asks for a different query each time:
- a ranked search over all collections for a word of the generated texts and a capital (a few
  thousand matches among 220,000 entries at 200,000 news, 1.1 million at a million), and for
  one word alone (the generated texts draw 90 words from 34: nine entries in ten hold any one
  of them, the worst case);
- completions of two to five letters of the words and capitals;
- the first page of States and of news in English and in Russian, the same requests otherwise.
Prints a Markdown table (BENCH_OUT also gets it).
"""

import os
import random
import sys
import time
import urllib.request
from typing import Any
from urllib.parse import quote

from sqlalchemy import create_engine, text

from api.config import Settings
from bench.generate import WORDS
from bench.run import UNCACHED_PORT, Result, api_server, lua_requests, wrk

SETTLE_S = 5  # for the queries wrk left running to end


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
        "states: first page, en": "/api/v1/states?limit=20",
        "states: first page, lang=ru": "/api/v1/states?limit=20&lang=ru",
        "news: first page, en": "/api/v1/news?limit=20",
        "news: first page, lang=ru": "/api/v1/news?limit=20&lang=ru",
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


def latencies(settings: Settings, count: int = 200) -> dict[str, tuple[float, float]]:
    """p50 and p99 in ms of one client asking one query after another (a different one each
    time), for the search and suggest: the time one query takes, without queueing."""
    rng = random.Random(12)
    words = [w for w in WORDS if len(w) > 3]
    cities = capitals(settings)
    paths = {
        "search: word + capital, one client": lambda: (
            "/api/v1/search?q=" + quote(f"{rng.choice(words)} {rng.choice(cities)}")
        ),
        "search: one word, one client": lambda: "/api/v1/search?q=" + rng.choice(words),
        "suggest: 2-5 letters, one client": lambda: (
            "/api/v1/suggest?q=" + quote(rng.choice(words + cities)[: rng.randint(2, 5)])
        ),
    }
    found = {}
    for name, path in paths.items():
        times = []
        for _ in range(count):
            started = time.perf_counter()
            urllib.request.urlopen(f"http://127.0.0.1:{UNCACHED_PORT}{path()}").read()
            times.append((time.perf_counter() - started) * 1000)
        times.sort()
        found[name] = (times[len(times) // 2], times[int(len(times) * 0.99)])
    return found


def main() -> None:
    settings = Settings()
    results: list[Result] = []
    with api_server(settings, UNCACHED_PORT, 0):
        for name, request in scenarios(settings).items():
            script, path = (None, request) if request.startswith("/") else (request, "/")
            result = wrk(f"http://127.0.0.1:{UNCACHED_PORT}{path}", script)
            result.scenario, result.server = name, "content API, no cache"
            results.append(result)
            print(f"  {name:<32} {result.requests_per_second:>9,.0f}/s", file=sys.stderr)
        time.sleep(SETTLE_S)
        one_client = latencies(settings)
    backend = "SQLite" if settings.is_sqlite else "PostgreSQL"
    by = {r.scenario: r for r in results}
    lines = [
        f"### {backend}: search and languages (wrk -t1 -c32, one worker, no response cache)",
        "",
        "| scenario | req/s | p50 ms | p99 ms | errors |",
        "|---|---:|---:|---:|---:|",
        *(
            f"| {r.scenario} | {r.requests_per_second:,.0f} | {r.p50_ms:.2f} | {r.p99_ms:.2f} "
            f"| {r.errors} |"
            for r in results
        ),
        "",
    ]
    lines += ["", "| one client, 200 queries | p50 ms | p99 ms |", "|---|---:|---:|"]
    lines += [f"| {name} | {p50:.1f} | {p99:.1f} |" for name, (p50, p99) in one_client.items()]
    lines.append("")
    for what in ("states", "news"):
        en, ru = by[f"{what}: first page, en"], by[f"{what}: first page, lang=ru"]
        ratio = ru.requests_per_second / en.requests_per_second
        lines.append(f"{what}: lang=ru serves {ratio:.0%} of the English rate.")
    report = "\n".join(lines) + "\n"
    print(report)
    if os.environ.get("BENCH_OUT"):
        with open(os.environ["BENCH_OUT"], "a", encoding="utf-8") as out:
            out.write(report)


if __name__ == "__main__":
    main()
