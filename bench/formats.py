"""The other formats of a full page (100 items) against the same page as JSON, in process.

`python -m bench.formats` fills a temporary SQLite database with `bench.generate` (NEWS and
EVENTS, 2,000 and 500 by default), then times each URL through the whole app, called directly
as ASGI, with the response cache off, ROUNDS times (default 200; the URLs of a group take
turns), and prints the median per request and its ratio to the JSON list of the same query.
The target (docs/formats.md) is at most 2x. `make bench` measures the same URLs over HTTP with
wrk (bench/run.py's FORMAT_SCENARIOS).
"""

import asyncio
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from fastapi import FastAPI

from api.config import PROJECT_ROOT, Settings
from api.main import create_app
from bench.inprocess import call

ROUNDS = int(os.environ.get("ROUNDS", "200"))
PAIRS = [
    ("/api/v1/news?limit=100", ["/api/v1/news.rss?limit=100", "/api/v1/news.atom?limit=100",
                                 "/api/v1/news.geojson?limit=100"]),
    ("/api/v1/events?limit=100", ["/api/v1/events.ics?limit=100",
                                   "/api/v1/events.geojson?limit=100"]),
    ("/api/v1/states?limit=100", ["/api/v1/states.geojson?limit=100"]),
]  # fmt: skip


async def get(app: FastAPI, url: str) -> float:
    """Seconds the app took to answer one GET, called directly as ASGI: a test client's
    thread hops cost several milliseconds a request, which would hide the formats' own cost."""
    start = time.perf_counter()
    status = await call(app, url)
    took = time.perf_counter() - start
    assert status == 200, (url, status)
    return took


async def medians_ms(app: FastAPI, urls: list[str]) -> list[float]:
    """The median time of each URL; the URLs take turns, so the machine's drift hits all."""
    times: list[list[float]] = [[] for _ in urls]
    for _ in range(10):
        for url in urls:
            await get(app, url)
    for _ in range(ROUNDS):
        for url, kept in zip(urls, times, strict=True):
            kept.append(await get(app, url))
    return [statistics.median(kept) * 1000 for kept in times]


async def report(settings: Settings) -> None:
    app = create_app(settings)
    async with app.router.lifespan_context(app):
        print("| request (100 items, no response cache) | median ms | vs JSON |")
        print("|---|---:|---:|")
        for json_url, others in PAIRS:
            base, *took = await medians_ms(app, [json_url, *others])
            print(f"| `{json_url}` | {base:.2f} | 1.00 |")
            for other, ms in zip(others, took, strict=True):
                print(f"| `{other}` | {ms:.2f} | {ms / base:.2f} |")


def main() -> None:
    with tempfile.TemporaryDirectory() as directory:
        url = f"sqlite:///{Path(directory) / 'formats.db'}"
        env = {**os.environ, "DATABASE_URL": url}
        env.setdefault("NEWS", "2000")
        env.setdefault("EVENTS", "500")
        subprocess.run([sys.executable, "-m", "bench.generate"], env=env, check=True,
                       cwd=PROJECT_ROOT, capture_output=True)  # fmt: skip
        settings = Settings(database_url=url, response_cache_mb=0, trusted_hosts="testserver")
        asyncio.run(report(settings))


if __name__ == "__main__":
    main()
