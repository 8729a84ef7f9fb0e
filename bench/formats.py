"""The other formats of a full page (100 items) against the same page as JSON, in process.

`python -m bench.formats` fills a temporary SQLite database with `bench.generate` (NEWS and
EVENTS, 2,000 and 500 by default), then times each URL through the whole app with the response
cache off, ROUNDS times (default 200), and prints the median per request and its ratio to the
JSON list of the same query. The target (docs/formats.md) is at most 2x. `make bench` measures
the same URLs over HTTP with wrk (bench/run.py's FORMAT_SCENARIOS).
"""

import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from fastapi.testclient import TestClient

from api.config import PROJECT_ROOT, Settings
from api.main import create_app

ROUNDS = int(os.environ.get("ROUNDS", "200"))
PAIRS = [
    ("/api/v1/news?limit=100", ["/api/v1/news.rss?limit=100", "/api/v1/news.atom?limit=100",
                                 "/api/v1/news.geojson?limit=100"]),
    ("/api/v1/events?limit=100", ["/api/v1/events.ics?limit=100",
                                   "/api/v1/events.geojson?limit=100"]),
    ("/api/v1/states?limit=100", ["/api/v1/states.geojson?limit=100"]),
]  # fmt: skip


def median_ms(client: TestClient, url: str) -> float:
    for _ in range(10):
        assert client.get(url).status_code == 200, url
    times = []
    for _ in range(ROUNDS):
        start = time.perf_counter()
        client.get(url)
        times.append(time.perf_counter() - start)
    return statistics.median(times) * 1000


def main() -> None:
    with tempfile.TemporaryDirectory() as directory:
        url = f"sqlite:///{Path(directory) / 'formats.db'}"
        env = {**os.environ, "DATABASE_URL": url}
        env.setdefault("NEWS", "2000")
        env.setdefault("EVENTS", "500")
        subprocess.run([sys.executable, "-m", "bench.generate"], env=env, check=True,
                       cwd=PROJECT_ROOT, capture_output=True)  # fmt: skip
        settings = Settings(database_url=url, response_cache_mb=0, trusted_hosts="testserver")
        with TestClient(create_app(settings)) as client:
            print("| request (100 items, no response cache) | median ms | vs JSON |")
            print("|---|---:|---:|")
            for json_url, others in PAIRS:
                base = median_ms(client, json_url)
                print(f"| `{json_url}` | {base:.2f} | 1.00 |")
                for other in others:
                    took = median_ms(client, other)
                    print(f"| `{other}` | {took:.2f} | {took / base:.2f} |")


if __name__ == "__main__":
    main()
