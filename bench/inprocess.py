"""The app's own CPU time per request, in process: this checkout against another, or with the
garbage collector as `content-api serve` sets it (frozen) against the default.

    python -m bench.inprocess [BASE_DIR BASE_DATABASE_URL] [ROUNDS]

Each side runs as its own process (`python bench/inprocess.py --side`, with that checkout's
`.venv` and code), builds the app, sends every scenario's warm-up and then REQUESTS requests
(default 2,000) straight to it as ASGI calls, and reports the process's CPU time per request
(`time.process_time`) and the time the cyclic garbage collector took (`gc.callbacks`). No socket,
no server, no client: CPU time of one process moves far less with other work on a shared machine
than requests/s over HTTP do, which is what `bench/compare.py` measures. The sides take turns,
ROUNDS times (default 3), each pinned to the machine's last core, and the table gives the
medians, the fastest runs (what other work on the machine disturbs least) and their ratios.

Without BASE_DIR the two sides are this checkout with the collector frozen after start-up
(`api.main.served_app`, as served) and as Python leaves it. DATABASE_URL is the benchmark data
(`make bench-data`); BASE_DATABASE_URL the same data migrated to the other checkout's schema.
"""

import asyncio
import gc
import json
import os
import random
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

REQUESTS = int(os.environ.get("REQUESTS", "2000"))
CODES = ["AT", "DE", "FR", "KZ", "UA", "US", "RU", "MD", "RS", "AL", "BA", "ME", "GE", "AM"]


def scenarios(rng: random.Random, news: int) -> dict[str, Any]:
    """Each scenario's next request (path, headers)."""

    def cold_list() -> tuple[str, tuple[Any, ...]]:
        year, month = rng.randint(2016, 2025), rng.randint(1, 10)
        return (
            f"/api/v1/news?country={rng.choice(CODES)}&date_from={year}-{month:02d}-01"
            f"&date_to={year}-{month + 2:02d}-28&offset={rng.choice([0, 20, 40])}",
            (),
        )

    return {
        "news: same URL (hot)": lambda: ("/api/v1/news?limit=20", ()),
        "main menu tree (hot)": lambda: ("/api/v1/menus/main", ()),
        "item by slug (cold)": lambda: (f"/api/v1/news/bench-news-{rng.randint(1, news)}", ()),
        "news: country + window (cold)": cold_list,
    }


async def call(app: Any, url: str, headers: tuple[Any, ...] = ()) -> int:
    """GET `url` from the app called directly as ASGI: its status (bench/formats.py too)."""
    path, _, query = url.partition("?")
    scope = {
        "type": "http", "http_version": "1.1", "method": "GET", "scheme": "http",
        "path": path, "raw_path": path.encode(), "query_string": query.encode(),
        "headers": [(b"host", b"testserver"), (b"accept-encoding", b"gzip"), *headers],
        "server": ("testserver", 80), "client": ("127.0.0.1", 1), "root_path": "",
        "state": {},
    }  # fmt: skip
    status = []

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: dict[str, Any]) -> None:
        if message["type"] == "http.response.start":
            status.append(message["status"])

    await app(scope, receive, send)
    return int(status[0])


def side(database_url: str, freeze: bool) -> None:
    """One side's measurement, printed as JSON: runs in the checkout being measured."""
    from api.config import Settings
    from api.main import create_app

    settings = Settings(database_url=database_url, trusted_hosts="testserver")
    app = create_app(settings)
    if freeze:
        gc.collect()
        gc.freeze()

    async def get(path: str, headers: tuple[Any, ...]) -> int:
        return await call(app, path, headers)

    collecting = {"seconds": 0.0, "started": 0.0}

    def timed(phase: str, _info: dict[str, Any]) -> None:
        if phase == "start":
            collecting["started"] = time.perf_counter()
        else:
            collecting["seconds"] += time.perf_counter() - collecting["started"]

    async def run() -> dict[str, Any]:
        async with app.router.lifespan_context(app):
            rng = random.Random(1)
            news = int(os.environ.get("NEWS_COUNT", "900000"))
            made = scenarios(rng, news)
            for make in made.values():
                for _ in range(200):
                    await get(*make())
            gc.callbacks.append(timed)
            result: dict[str, Any] = {}
            for name, make in made.items():
                requests = [make() for _ in range(REQUESTS)]
                collecting["seconds"] = 0.0
                started = time.process_time()
                statuses = {await get(*request) for request in requests}
                took = time.process_time() - started
                assert statuses == {200}, (name, statuses)
                result[name] = {
                    "cpu_us": took / REQUESTS * 1e6,
                    "gc_us": collecting["seconds"] / REQUESTS * 1e6,
                }
            return result

    print(json.dumps(asyncio.run(run())))


def measure(project: Path, database_url: str, freeze: bool, news: int) -> dict[str, Any]:
    python = project / ".venv" / "bin" / "python"
    env = {**os.environ, "PYTHONPATH": str(project), "NEWS_COUNT": str(news)}
    # Each side on the same core, the last one, away from what the machine runs on core 0.
    pinned = ["taskset", "-c", str((os.cpu_count() or 1) - 1)] if shutil.which("taskset") else []
    command = [*pinned, str(python), str(Path(__file__).resolve()), "--side", database_url]
    done = subprocess.run(
        [*command, str(int(freeze))],
        cwd=project, env=env, capture_output=True, text=True, check=False,
    )  # fmt: skip
    if done.returncode != 0:
        raise SystemExit(f"{project}: {done.stderr[-2000:]}")
    result: dict[str, Any] = json.loads(done.stdout.splitlines()[-1])
    return result


def main() -> None:
    from sqlalchemy import create_engine, text

    from api.config import PROJECT_ROOT, Settings
    from bench import run as bench

    arguments = sys.argv[1:]
    rounds = int(arguments.pop()) if len(arguments) in (1, 3) else 3
    this_url = Settings().database_url
    engine = create_engine(this_url)
    with engine.connect() as connection:
        news = connection.execute(
            text("SELECT count(*) FROM news WHERE slug LIKE 'bench-news-%'")
        ).scalar_one()
    engine.dispose()
    if arguments:
        base_dir, base_url = Path(arguments[0]).resolve(), arguments[1]
        sides = {"base": (base_dir, base_url, False), "this": (PROJECT_ROOT, this_url, True)}
    else:
        sides = {
            "default": (PROJECT_ROOT, this_url, False),
            "frozen": (PROJECT_ROOT, this_url, True),
        }
    results: dict[str, list[dict[str, Any]]] = {name: [] for name in sides}
    for round_ in range(rounds):
        for name in list(sides)[:: 1 if round_ % 2 == 0 else -1]:
            results[name].append(measure(*sides[name], news))
            print(f"round {round_ + 1}: {name} done", file=sys.stderr)
    first, second = sides
    lines = [
        f"| scenario ({rounds} runs of {REQUESTS:,}) | {first} CPU µs/request, median "
        f"| {second} | {second} / {first} | {first}, fastest run | {second} | {second} / {first} "
        f"| {first} GC µs/request | {second} GC |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for scenario in results[first][0]:
        runs = {n: [r[scenario]["cpu_us"] for r in results[n]] for n in sides}
        cpu = {n: statistics.median(runs[n]) for n in sides}
        fastest = {n: min(runs[n]) for n in sides}
        collected = {n: statistics.median(r[scenario]["gc_us"] for r in results[n]) for n in sides}
        lines.append(
            f"| {scenario} | {cpu[first]:,.1f} | {cpu[second]:,.1f} "
            f"| {cpu[second] / cpu[first]:.2f} | {fastest[first]:,.1f} | {fastest[second]:,.1f} "
            f"| {fastest[second] / fastest[first]:.2f} | {collected[first]:,.1f} "
            f"| {collected[second]:,.1f} |"
        )
    bench.publish("\n".join(lines))


if __name__ == "__main__":
    if sys.argv[1:2] == ["--side"]:
        side(sys.argv[2], sys.argv[3] == "1")
    else:
        main()
