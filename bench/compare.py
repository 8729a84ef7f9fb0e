"""Two versions of the API, side by side: the read path's speed before and after a change.

    python -m bench.compare BASE_DIR BASE_DATABASE_URL [ROUNDS]

BASE_DIR is a checkout of the earlier version with its own `.venv` (`git worktree add ../base
<ref>`, then `make install` there) and BASE_DATABASE_URL the benchmark database migrated to
*its* schema; this checkout serves DATABASE_URL (the same data, migrated to this schema). Both
servers run at once, one worker each, pinned to the same core (only one is under load at a
time). For each of the scenarios of `bench/run.py` that a change could slow down, wrk loads one
version and then the other for BENCH_SECONDS each, ROUNDS times (default 5), alternating which
goes first. The machine's speed drifts by a factor of two over a minute here, so the figure to
read is the median of the ratios of such adjacent pairs (this / base), given with its lowest
and highest pair, for requests/s and for the server's CPU time per request (which other work
on a shared machine moves less); the sides' own medians and wrk's errors (non-2xx/3xx
answers and socket errors, base/this, all rounds) are there too.

SCENARIOS (comma-separated names from the list below) runs only those: more pairs of the
scenarios in question in the same time, where five pairs of all seven can differ by 7%.

TOGETHER=1 loads both servers at once instead of in turn, each with its own wrk on the other
core: the two share their one core by the scheduler's fair shares, so each gets the same CPU
time over the same seconds, and whatever slows the machine then slows both alike. Their
requests/s are then in the inverse ratio of what a request costs each (each is about half of
what it serves alone).
"""

import os
import statistics
import sys
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from api.config import PROJECT_ROOT, Settings
from bench import run as bench

SCENARIOS = [
    "item by slug",
    "news: country + window (cold)",
    "news: same URL (hot)",
    "304 revalidation",
    "events overlapping a window",
    "field operations in a bbox",
    "main menu tree",
]


THIS_PORT = bench.API_PORT + 10


def start(project: Path, database_url: str, port: int) -> Any:
    """The API of `project` serving `database_url` on `port`, as `content-api serve` runs it."""
    env = {
        "DATABASE_URL": database_url,
        "HOST": "127.0.0.1",
        "PORT": str(port),
        "WORKERS": "1",
        "LOG_LEVEL": "warning",
        "ACCESS_LOG": "false",
        "PYTHONPATH": str(project),
    }
    python = str(project / ".venv" / "bin" / "python")
    # In `project`: the server finds its alembic.ini and seed data where it runs.
    return bench.server([python, "-m", "api", "serve"], port, env, "/readyz", cwd=project)


def load(port: int, pid: int, scenario: str, scripts: dict[str, str | None]) -> bench.Result:
    """wrk's result for one scenario against the server on `port`."""
    url = f"http://127.0.0.1:{port}"
    path = {"main menu tree": "/api/v1/menus/main"}.get(scenario, bench.HOT_PATH)
    headers = None
    if scenario == "304 revalidation":
        headers = {"If-None-Match": urllib.request.urlopen(url + path).headers["ETag"]}
    script = scripts.get(scenario)
    return bench.wrk(url + ("/" if script else path), script, headers, pid)


def chosen() -> list[str]:
    """The scenarios to run: SCENARIOS, if set, else all."""
    names = [n.strip() for n in os.environ.get("SCENARIOS", "").split(",") if n.strip()]
    unknown = [n for n in names if n not in SCENARIOS]
    if unknown:
        sys.exit(f"unknown scenarios {unknown}; the scenarios are {SCENARIOS}")
    return names or SCENARIOS


def main() -> None:
    scenarios = chosen()
    base_dir, base_url = Path(sys.argv[1]).resolve(), sys.argv[2]
    rounds = int(sys.argv[3]) if len(sys.argv) > 3 else 5
    settings = Settings()
    ref = bench.reference(settings)
    codes = "{" + ",".join(f'"{c}"' for c in ref["codes"]) + "}"
    scripts: dict[str, str | None] = {
        "item by slug": bench.lua_requests(
            f'"/api/v1/news/bench-news-" .. math.random(10, {ref["news"]})'
        ),
        "news: country + window (cold)": bench.lua_requests(
            "(function() local s = math.random(0, 3560); local c = "
            f'{codes}; return "/api/v1/news?country=" .. c[math.random(#c)] .. "&date_from=" '
            '.. day(s) .. "&date_to=" .. day(s + math.random(30, 90)) .. "&offset=" '
            ".. (20 * math.random(0, 2)) end)()"
        ),
        "events overlapping a window": bench.lua_requests(
            '(function() local s = math.random(0, 3640); return "/api/v1/events?date_from=" '
            '.. day(s) .. "&date_to=" .. day(s + math.random(7, 30)) end)()'
        ),
        "field operations in a bbox": bench.lua_requests(
            "(function() local w = math.random(-10, 60); local s = math.random(30, 55); "
            'return "/api/v1/field-operations?bbox=" .. w .. "," .. s .. "," '
            '.. (w + math.random(5, 30)) .. "," .. (s + math.random(3, 15)) end)()'
        ),
    }
    bench.prewarm(settings)
    bench.prewarm(Settings(database_url=base_url))
    sides = {
        "base": (base_dir, base_url, bench.API_PORT),
        "this": (PROJECT_ROOT, settings.database_url, THIS_PORT),
    }
    results: dict[str, dict[str, list[bench.Result]]] = {
        scenario: {"base": [], "this": []} for scenario in scenarios
    }
    with start(*sides["base"]) as base_pid, start(*sides["this"]) as this_pid:
        pids = {"base": base_pid, "this": this_pid}
        together = os.environ.get("TOGETHER") == "1"
        for round_ in range(rounds):
            for scenario in scenarios:
                order = ["base", "this"] if round_ % 2 == 0 else ["this", "base"]
                if together:
                    with ThreadPoolExecutor(2) as pool:
                        loads = {side: pool.submit(load, sides[side][2], pids[side], scenario,
                                                   scripts) for side in order}  # fmt: skip
                    measured = {side: loads[side].result() for side in order}
                else:
                    measured = {
                        side: load(sides[side][2], pids[side], scenario, scripts) for side in order
                    }
                for side, result in measured.items():
                    results[scenario][side].append(result)
                    rate, cost = result.requests_per_second, result.cpu_us_per_request
                    print(f"  {round_ + 1} {side:<5} {scenario:<32} {rate:>9,.0f}/s"
                          f" {cost:>7,.0f} µs CPU a request, {result.errors} errors",
                          file=sys.stderr)  # fmt: skip
    lines = [
        f"| scenario ({rounds} pairs of {bench.SECONDS} s{', together' if together else ''})"
        " | base req/s | this req/s "
        "| this / base: median pair (lowest, highest) | base CPU µs/request | this "
        "| this / base: median pair (lowest, highest) | errors |",
        "|---|---:|---:|---|---:|---:|---|---|",
    ]
    for scenario, by_side in results.items():
        base, this = by_side["base"], by_side["this"]
        pairs = list(zip(base, this, strict=True))
        rates = [t.requests_per_second / b.requests_per_second for b, t in pairs]
        costs = [t.cpu_us_per_request / b.cpu_us_per_request for b, t in pairs]
        errors = f"{sum(r.errors for r in base)}/{sum(r.errors for r in this)}"
        lines.append(
            f"| {scenario} | {statistics.median(r.requests_per_second for r in base):,.0f} "
            f"| {statistics.median(r.requests_per_second for r in this):,.0f} "
            f"| {statistics.median(rates):.2f} ({min(rates):.2f}, {max(rates):.2f}) "
            f"| {statistics.median(r.cpu_us_per_request for r in base):,.0f} "
            f"| {statistics.median(r.cpu_us_per_request for r in this):,.0f} "
            f"| {statistics.median(costs):.2f} ({min(costs):.2f}, {max(costs):.2f}) | {errors} |"
        )
    bench.publish("\n".join(lines))


if __name__ == "__main__":
    main()
