"""The app's own CPU time per request, in process: this checkout against another, or with the
garbage collector as `content-api serve` sets it (frozen) against the default.

    python -m bench.inprocess [BASE_DIR BASE_DATABASE_URL] [ROUNDS]

Each side is a process of its own (`python bench/inprocess.py --side`, with that checkout's
`.venv` and code, pinned to the machine's last core) that builds the app, sends every scenario's
warm-up, then waits for batches: for each batch it sends BATCH requests (default 500) straight
to the app as ASGI calls and reports its CPU time per request (`time.process_time`) and the
time the cyclic garbage collector took (`gc.callbacks`). No socket, no server, no client.

The two sides stay up and take turns batch by batch, ROUNDS times (default 20) per scenario,
the side that goes first alternating. On a shared machine whose speed moves by a factor of two
within seconds (it does here), two batches run a fraction of a second apart see the same
machine, so the figure that matters is the median of the ratios of such pairs; the table gives
it with its quartiles, next to each side's median and fastest batch.

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
from datetime import date, timedelta
from pathlib import Path
from typing import Any

BATCH = int(os.environ.get("BATCH", "500"))
ACCEPT_GZIP = ((b"accept-encoding", b"gzip"),)
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

    def events() -> tuple[str, tuple[Any, ...]]:
        start = date(2016, 1, 1) + timedelta(days=rng.randint(0, 3640))
        end = start + timedelta(days=rng.randint(7, 30))
        return f"/api/v1/events?date_from={start}&date_to={end}", ()

    def bbox() -> tuple[str, tuple[Any, ...]]:
        west, south = rng.randint(-10, 60), rng.randint(30, 55)
        east, north = west + rng.randint(5, 30), south + rng.randint(3, 15)
        return f"/api/v1/field-operations?bbox={west},{south},{east},{north}", ()

    return {
        "news: same URL (hot)": lambda: ("/api/v1/news?limit=20", ()),
        "main menu tree (hot)": lambda: ("/api/v1/menus/main", ()),
        # `*`: any ETag matches, so one request serves both sides (their ETags differ).
        "304 revalidation (hot)": lambda: ("/api/v1/news?limit=20", ((b"if-none-match", b"*"),)),
        "item by slug (cold)": lambda: (f"/api/v1/news/bench-news-{rng.randint(10, news)}", ()),
        "news: country + window (cold)": cold_list,
        "events overlapping a window (cold)": events,
        "field operations in a bbox (cold)": bbox,
    }


async def call(app: Any, url: str, headers: tuple[Any, ...] = (), gzip: bool = True) -> int:
    """GET `url` from the app called directly as ASGI: its status (bench/formats.py too).
    `gzip`: the request accepts it, as browsers' do (wrk's do not)."""
    path, _, query = url.partition("?")
    scope = {
        "type": "http", "http_version": "1.1", "method": "GET", "scheme": "http",
        "path": path, "raw_path": path.encode(), "query_string": query.encode(),
        "headers": [(b"host", b"testserver"), *(ACCEPT_GZIP if gzip else ()), *headers],
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
    """One side: runs in the checkout being measured; a batch per scenario name read from
    stdin, its figures printed as a line of JSON."""
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

    async def run() -> None:
        async with app.router.lifespan_context(app):
            rng = random.Random(1)
            news = int(os.environ.get("NEWS_COUNT", "900000"))
            made = scenarios(rng, news)
            for make in made.values():
                for _ in range(200):
                    await get(*make())
            gc.callbacks.append(timed)
            print("ready", flush=True)
            for line in sys.stdin:  # a scenario's name: run a batch of it
                make = made[line.strip()]
                requests = [make() for _ in range(BATCH)]
                collecting["seconds"] = 0.0
                started = time.process_time()
                statuses = {await get(*request) for request in requests}
                took = time.process_time() - started
                assert statuses == {200}, (line, statuses)
                answer = {
                    "cpu_us": took / BATCH * 1e6,
                    "gc_us": collecting["seconds"] / BATCH * 1e6,
                }
                print(json.dumps(answer), flush=True)

    asyncio.run(run())


class Side:
    """One side's process, built and warmed up, answering batches."""

    def __init__(self, project: Path, database_url: str, freeze: bool, news: int) -> None:
        python = project / ".venv" / "bin" / "python"
        env = {**os.environ, "PYTHONPATH": str(project), "NEWS_COUNT": str(news)}
        # Each side on the same core, the last one, away from what the machine runs on core 0.
        pinned = (
            ["taskset", "-c", str((os.cpu_count() or 1) - 1)] if shutil.which("taskset") else []
        )
        script = str(Path(__file__).resolve())
        self.process = subprocess.Popen(
            [*pinned, str(python), script, "--side", database_url, str(int(freeze))],
            cwd=project, env=env, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
        )  # fmt: skip
        if self._line() != "ready":
            raise SystemExit(f"{project}: the side did not start")

    def _line(self) -> str:
        assert self.process.stdout is not None
        line = self.process.stdout.readline()
        if not line:
            raise SystemExit(f"a side ended early (exit status {self.process.wait()})")
        return line.strip()

    def batch(self, scenario: str) -> dict[str, float]:
        assert self.process.stdin is not None
        self.process.stdin.write(scenario + "\n")
        self.process.stdin.flush()
        result: dict[str, float] = json.loads(self._line())
        return result

    def close(self) -> None:
        assert self.process.stdin is not None
        self.process.stdin.close()
        self.process.wait()


def quartiles(values: list[float]) -> tuple[float, float, float]:
    low, middle, high = statistics.quantiles(values, n=4)
    return low, middle, high


def bench_news(database_url: str) -> int:
    """How many generated news items (`bench-news-N`) the benchmark data holds."""
    from sqlalchemy import create_engine, text

    engine = create_engine(database_url)
    with engine.connect() as connection:
        news: int = connection.execute(
            text("SELECT count(*) FROM news WHERE slug LIKE 'bench-news-%'")
        ).scalar_one()
    engine.dispose()
    return news


def main() -> None:
    from api.config import PROJECT_ROOT, Settings
    from bench import run as bench

    arguments = sys.argv[1:]
    rounds = int(arguments.pop()) if len(arguments) in (1, 3) else 20
    this_url = Settings().database_url
    news = bench_news(this_url)
    if arguments:
        base_dir, base_url = Path(arguments[0]).resolve(), arguments[1]
        sides = {"base": (base_dir, base_url, False), "this": (PROJECT_ROOT, this_url, True)}
    else:
        sides = {
            "default": (PROJECT_ROOT, this_url, False),
            "frozen": (PROJECT_ROOT, this_url, True),
        }
    first, second = sides
    running = {name: Side(*sides[name], news) for name in sides}
    names = list(scenarios(random.Random(1), news))
    results: dict[str, dict[str, list[dict[str, float]]]] = {
        scenario: {name: [] for name in sides} for scenario in names
    }
    try:
        for round_ in range(rounds):
            for scenario in names:
                for name in list(sides)[:: 1 if round_ % 2 == 0 else -1]:
                    results[scenario][name].append(running[name].batch(scenario))
            print(f"round {round_ + 1} of {rounds} done", file=sys.stderr)
    finally:
        for side_ in running.values():
            side_.close()
    lines = [
        f"| scenario ({rounds} batches of {BATCH:,} a side) | {first} CPU µs/request, median "
        f"| {second} | {first}, fastest batch | {second} "
        f"| {second} / {first}, batch by batch: median | quartiles "
        f"| {first} GC µs/request | {second} GC |",
        "|---|---:|---:|---:|---:|---:|---|---:|---:|",
    ]
    for scenario, by_side in results.items():
        runs = {n: [r["cpu_us"] for r in by_side[n]] for n in sides}
        ratios = [b / a for a, b in zip(runs[first], runs[second], strict=True)]
        low, middle, high = quartiles(ratios)
        collected = {n: statistics.median(r["gc_us"] for r in by_side[n]) for n in sides}
        lines.append(
            f"| {scenario} | {statistics.median(runs[first]):,.1f} "
            f"| {statistics.median(runs[second]):,.1f} | {min(runs[first]):,.1f} "
            f"| {min(runs[second]):,.1f} | {middle:.3f} | {low:.3f} to {high:.3f} "
            f"| {collected[first]:,.1f} | {collected[second]:,.1f} |"
        )
    bench.publish("\n".join(lines))


if __name__ == "__main__":
    if sys.argv[1:2] == ["--side"]:
        side(sys.argv[2], sys.argv[3] == "1")
    else:
        main()
