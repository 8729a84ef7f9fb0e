"""Two versions of the API, side by side: the read path's speed before and after a change.

    python -m bench.compare BASE_DIR BASE_DATABASE_URL [ROUNDS]

BASE_DIR is a checkout of the earlier version with its own `.venv` (`git worktree add ../base
<ref>`, then `make install` there) and BASE_DATABASE_URL the benchmark database migrated to
*its* schema; this checkout serves DATABASE_URL (the same data, migrated to this schema). The
scenarios of `bench/run.py` that a change could slow down run against one version, then the
other, ROUNDS times (default 3), alternating which goes first, so that the machine's drift hits
both alike. Each scenario's table row gives the median requests/s of each side and the ratio of
the medians (this / base), the same for the server's CPU time per request (which other work on a
shared machine barely moves, unlike requests/s), and the errors wrk counted on each side
(base/this) in all rounds.
"""

import os
import statistics
import sys
import urllib.request
from pathlib import Path

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


def measure(
    project: Path, database_url: str, scripts: dict[str, str | None]
) -> dict[str, bench.Result]:
    """wrk's result for each scenario against the API of `project` serving `database_url`."""
    python = str(project / ".venv" / "bin" / "python")
    env = {
        "DATABASE_URL": database_url,
        "HOST": "127.0.0.1",
        "PORT": str(bench.API_PORT),
        "WORKERS": "1",
        "LOG_LEVEL": "warning",
        "ACCESS_LOG": "false",
        "PYTHONPATH": str(project),
    }
    results: dict[str, bench.Result] = {}
    original = os.getcwd()
    os.chdir(project)  # the server finds its alembic.ini and seed data where it runs
    try:
        with bench.server([python, "-m", "api", "serve"], bench.API_PORT, env, "/readyz") as pid:
            url = f"http://127.0.0.1:{bench.API_PORT}"
            etag = urllib.request.urlopen(url + bench.HOT_PATH).headers["ETag"]
            for scenario in SCENARIOS:
                script = scripts.get(scenario)
                path = {"main menu tree": "/api/v1/menus/main"}.get(scenario, bench.HOT_PATH)
                headers = {"If-None-Match": etag} if scenario == "304 revalidation" else None
                result = bench.wrk(url + ("/" if script else path), script, headers, pid)
                results[scenario] = result
                rate, cost = result.requests_per_second, result.cpu_us_per_request
                print(f"  {project.name:<10} {scenario:<32} {rate:>9,.0f}/s {cost:>7,.0f} µs CPU"
                      f" per request, {result.errors} errors", file=sys.stderr)  # fmt: skip
    finally:
        os.chdir(original)
    return results


def main() -> None:
    base_dir, base_url = Path(sys.argv[1]).resolve(), sys.argv[2]
    rounds = int(sys.argv[3]) if len(sys.argv) > 3 else 3
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
    sides = {"base": (base_dir, base_url), "this": (PROJECT_ROOT, settings.database_url)}
    results: dict[str, list[dict[str, bench.Result]]] = {"base": [], "this": []}
    for round_ in range(rounds):
        order = ["base", "this"] if round_ % 2 == 0 else ["this", "base"]
        for side in order:
            results[side].append(measure(*sides[side], scripts))
    lines = [
        f"| scenario | base req/s (median of {rounds}) | this req/s | this / base "
        "| base CPU µs/request | this | this / base | errors |",
        "|---|---:|---:|---:|---:|---:|---:|---|",
    ]
    for scenario in SCENARIOS:
        base = statistics.median(r[scenario].requests_per_second for r in results["base"])
        this = statistics.median(r[scenario].requests_per_second for r in results["this"])
        # wrk's non-2xx/3xx answers and socket errors (timeouts: a stalled machine) per side
        errors = "/".join(str(sum(r[scenario].errors for r in results[s])) for s in sides)
        cost = {
            side: statistics.median(r[scenario].cpu_us_per_request for r in results[side])
            for side in sides
        }
        lines.append(
            f"| {scenario} | {base:,.0f} | {this:,.0f} | {this / base:.2f} | {cost['base']:,.0f} "
            f"| {cost['this']:,.0f} | {cost['this'] / cost['base']:.2f} | {errors} |"
        )
    bench.publish("\n".join(lines))


if __name__ == "__main__":
    main()
