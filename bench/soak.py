"""Sustained mixed load: `make soak` (see bench/README.md).

Starts the API with two workers on DATABASE_URL (PostgreSQL), then for SOAK_SECONDS (default
300) sends mixed traffic from CONCURRENCY (default 16) connections: every collection with
random filters, sorts and sparse fields, items by slug, cursor pages followed from links.next,
revalidations with If-None-Match, and a share of bad requests whose 4xx answer is known in
advance. Prints what was served, answers by status (expected and unexpected apart), latency
per minute and the workers' memory each minute, then stops the server.

Every answer is checked against what that request should get: a good request expects 200 (or
304 for a revalidation), a bad one its particular 4xx. Anything else, any 5xx, any socket error
or timeout is unexpected; the target is none, and memory growth under 10 % from the end of the
warm-up (the first WARMUP_SECONDS, default 30, which fill the bounded response cache) to the end.
"""

import asyncio
import os
import random
import re
import socket
import statistics
import subprocess
import sys
import time
from collections import Counter, defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import httpx2 as httpx

from api.config import PROJECT_ROOT, Settings

SECONDS = int(os.environ.get("SOAK_SECONDS", "300"))
WARMUP = int(os.environ.get("WARMUP_SECONDS", "30"))
CONCURRENCY = int(os.environ.get("CONCURRENCY", "16"))
TIMEOUT_S = 10.0
# Share of requests after which the client closes its connection and opens a new one, as mobile
# clients do; it also lets the kernel spread connections over both workers.
RECONNECT = 0.02

# (URL, expected status): requests that must be refused, each in its own way.
BAD = [
    ("/api/v1/news?limit=0", 422),
    ("/api/v1/news?limit=1000", 422),
    ("/api/v1/news?offset=50000", 422),
    ("/api/v1/news?date_from=2025-02-30", 422),
    ("/api/v1/news?colour=red", 422),
    ("/api/v1/news?cursor=not-a-cursor", 404),
    ("/api/v1/news?country=atlantis", 404),
    ("/api/v1/news?near=91,0&radius_km=10", 422),
    ("/api/v1/events?bbox=1,2,3", 422),
    ("/api/v1/news?q=" + "a" * 201, 422),
    ("/api/v1/news?sort=-nothing", 422),
    ("/api/v1/states/atlantis", 404),
    ("/api/v1/news/no-such-story", 404),
    ("/api/v1/menus/sidebar", 404),
    ("/api/v2/news", 404),
]
REGIONS = ["western-europe", "central-asia", "northern-america"]
SORTS = ["-published_at", "published_at"]


@dataclass
class Outcome:
    at: float  # seconds since the start of the run
    kind: str
    url: str
    status: int | str
    expected: int
    seconds: float


@dataclass
class Traffic:
    """What the generator knows about the data, and what it has seen so far."""

    countries: list[str]
    topics: list[str]
    states: list[str]
    operations: list[str]
    news: list[str] = field(default_factory=list)
    next_pages: list[str] = field(default_factory=list)
    etags: dict[str, str] = field(default_factory=dict)

    def request(self, rng: random.Random) -> tuple[str, str, dict[str, str], int]:
        """(kind, URL, headers, expected status) of the next request."""
        roll = rng.random()
        if roll < 0.05:
            url, status = rng.choice(BAD)
            return "bad", url, {}, status
        if roll < 0.12 and self.etags:
            url = rng.choice(list(self.etags))
            return "revalidate", url, {"If-None-Match": self.etags[url]}, 304
        if roll < 0.22 and self.next_pages:
            return "cursor", self.next_pages.pop(rng.randrange(len(self.next_pages))), {}, 200
        if roll < 0.30 and self.news:
            return "item", f"/api/v1/news/{rng.choice(self.news)}", {}, 200
        return "list", self._list(rng), {}, 200

    def _list(self, rng: random.Random) -> str:
        year = rng.randint(2016, 2025)
        month = rng.randint(1, 10)
        window = f"date_from={year}-{month:02d}-01&date_to={year}-{month + 2:02d}-28"
        choices = [
            f"/api/v1/news?country={rng.choice(self.countries)}&{window}",
            f"/api/v1/news?topic={rng.choice(self.topics)}&sort={rng.choice(SORTS)}",
            f"/api/v1/news?type={rng.choice(['news-item', 'press-release', 'story'])}&limit=50",
            f"/api/v1/news?country={rng.choice(self.countries)}&fields=slug,title,published_at",
            f"/api/v1/events?{window}",
            f"/api/v1/events?country={rng.choice(self.countries)}",
            f"/api/v1/states?region={rng.choice(REGIONS)}",
            f"/api/v1/states/{rng.choice(self.states)}",
            "/api/v1/partners?group=asian",
            f"/api/v1/field-operations/{rng.choice(self.operations)}",
            f"/api/v1/field-operations?near=48.2,16.4&radius_km={rng.randint(100, 3000)}",
            "/api/v1/field-operations?bbox=13,40,30,50&status=active",
            f"/api/v1/topics/{rng.choice(self.topics)}",
            f"/api/v1/menus/{rng.choice(['main', 'meta', 'footer', 'social'])}?depth=2",
            "/api/v1",
        ]
        return rng.choice(choices)

    def learn(self, url: str, response: httpx.Response) -> None:
        if response.status_code != 200 or "etag" not in response.headers:
            return
        if len(self.etags) < 2000:
            self.etags[url] = response.headers["etag"]
        if url.startswith("/api/v1/news?") and len(self.next_pages) < 500:
            body = response.json()
            following = (body.get("links") or {}).get("next")
            if following:
                self.next_pages.append("/" + following.split("://", 1)[-1].split("/", 1)[1])
            if len(self.news) < 2000:
                self.news += [item["slug"] for item in body["data"] if "slug" in item]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def serve(settings: Settings, port: int) -> Iterator[subprocess.Popen[bytes]]:
    env = {
        **os.environ,
        "DATABASE_URL": settings.database_url,
        "PORT": str(port),
        "WORKERS": "2",
        "LOG_LEVEL": "warning",
        "ACCESS_LOG": "false",
    }
    process = subprocess.Popen([sys.executable, "-m", "api", "serve"], env=env, cwd=PROJECT_ROOT)
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"http://127.0.0.1:{port}/readyz").status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.3)
        else:
            raise RuntimeError("the API did not become ready")
        yield process
    finally:
        process.terminate()
        process.wait(timeout=30)


def worker_pids(pid: int) -> list[int]:
    """The worker processes of the server `pid` (uvicorn's children, not the resource tracker)."""
    children = subprocess.run(["pgrep", "-P", str(pid)], capture_output=True, text=True).stdout
    workers = []
    for child in children.split():
        try:
            command = Path(f"/proc/{child}/cmdline").read_text(errors="replace")
        except OSError:
            continue  # it ended while we looked
        if "spawn_main" in command:
            workers.append(int(child))
    return workers


def _workers_rss_mb(pid: int) -> list[float]:
    """Resident memory of each worker process, in MB."""
    sizes = []
    for worker in worker_pids(pid):
        status = Path(f"/proc/{worker}/status")
        if status.exists():
            found = re.search(r"VmRSS:\s+(\d+) kB", status.read_text())
            if found:
                sizes.append(int(found.group(1)) / 1024)
    return sizes


async def _discover(client: httpx.AsyncClient) -> Traffic:
    async def slugs(url: str, key: str = "slug") -> list[str]:
        response = await client.get(url)
        response.raise_for_status()
        return [item[key] for item in response.json()["data"]]

    states = await slugs("/api/v1/states?limit=100")
    return Traffic(
        countries=await slugs("/api/v1/states?limit=100", "iso_alpha2"),
        topics=await slugs("/api/v1/topics?limit=100"),
        states=states,
        operations=await slugs("/api/v1/field-operations?limit=100"),
    )


async def _worker(
    client: httpx.AsyncClient, traffic: Traffic, seed: int, started: float, stop: float,
    outcomes: list[Outcome],
) -> None:  # fmt: skip
    rng = random.Random(seed)
    while time.monotonic() < stop:
        kind, url, headers, expected = traffic.request(rng)
        if rng.random() < RECONNECT:
            headers = {**headers, "Connection": "close"}
        begun = time.monotonic()
        try:
            response = await client.get(url, headers=headers)
            status: int | str = response.status_code
        except httpx.HTTPError as exc:
            status = type(exc).__name__
        else:
            if kind in ("list", "item", "cursor"):
                traffic.learn(url, response)
        elapsed = time.monotonic() - begun
        outcomes.append(Outcome(begun - started, kind, url, status, expected, elapsed))


async def _run(base: str, pid: int) -> tuple[list[Outcome], list[tuple[int, list[float]]]]:
    limits = httpx.Limits(max_connections=CONCURRENCY, max_keepalive_connections=CONCURRENCY)
    async with httpx.AsyncClient(base_url=base, timeout=TIMEOUT_S, limits=limits) as client:
        traffic = await _discover(client)
        outcomes: list[Outcome] = []
        memory: list[tuple[int, list[float]]] = [(0, _workers_rss_mb(pid))]
        started = time.monotonic()
        stop = started + SECONDS
        tasks = [
            asyncio.create_task(_worker(client, traffic, n, started, stop, outcomes))
            for n in range(CONCURRENCY)
        ]
        marks = sorted({WARMUP, *range(60, SECONDS + 1, 60)})
        for mark in marks:
            await asyncio.sleep(max(0.0, started + mark - time.monotonic()))
            memory.append((mark, _workers_rss_mb(pid)))
        await asyncio.gather(*tasks)
        return outcomes, memory


def _ms(values: list[float], q: float) -> str:
    if not values:
        return "-"
    ordered = sorted(values)
    return f"{ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000:.1f}"


def report(outcomes: list[Outcome], memory: list[tuple[int, list[float]]]) -> str:
    expected = [o for o in outcomes if o.status == o.expected]
    unexpected = [o for o in outcomes if o.status != o.expected]
    server_errors = [o for o in unexpected if isinstance(o.status, int) and o.status >= 500]
    socket_errors = [o for o in unexpected if isinstance(o.status, str)]
    lines = [
        f"Mixed traffic for {SECONDS} s, {CONCURRENCY} connections, 2 workers.",
        "",
        f"requests served: {len(outcomes):,} ({len(outcomes) / SECONDS:,.0f}/s)",
        f"expected answers: {len(expected):,}",
        f"unexpected answers: {len(unexpected):,} (5xx: {len(server_errors)}, "
        f"socket errors and timeouts: {len(socket_errors)})",
        "",
        "| kind | requests | answers (status x count) |",
        "|---|---:|---|",
    ]
    by_kind: dict[str, Counter[int | str]] = defaultdict(Counter)
    for o in outcomes:
        by_kind[o.kind][o.status] += 1
    for kind, statuses in sorted(by_kind.items()):
        answers = ", ".join(f"{s} x {n:,}" for s, n in sorted(statuses.items(), key=str))
        lines.append(f"| {kind} | {sum(statuses.values()):,} | {answers} |")
    if unexpected:
        lines += ["", "Unexpected answers (first 10):"]
        lines += [f"  {o.kind} {o.url} at {o.at:.1f} s: {o.status} (expected {o.expected})"
                  for o in unexpected[:10]]  # fmt: skip
    lines += ["", "| minute | requests | p50 ms | p99 ms | max ms | workers' RSS MB |",
              "|---:|---:|---:|---:|---:|---|"]  # fmt: skip
    rss = dict(memory)
    for minute in range(max(1, -(-SECONDS // 60))):
        latencies = [o.seconds for o in outcomes if minute * 60 <= o.at < (minute + 1) * 60]
        sizes = rss.get((minute + 1) * 60) or rss.get(SECONDS) or []
        lines.append(
            f"| {minute + 1} | {len(latencies):,} | {_ms(latencies, 0.5)} | "
            f"{_ms(latencies, 0.99)} | {max(latencies, default=0) * 1000:.1f} | "
            f"{', '.join(f'{s:.0f}' for s in sizes)} |"
        )
    start, end = sum(rss.get(WARMUP, [])), sum(memory[-1][1])
    growth = (end - start) / start * 100 if start else float("nan")
    lines += [
        "",
        f"workers' RSS: {', '.join(f'{s:.0f}' for s in memory[0][1])} MB before traffic, "
        f"{sum(memory[0][1]):.0f} MB in all; {start:.0f} MB after the {WARMUP} s warm-up; "
        f"{end:.0f} MB at the end: {growth:+.1f} % since the warm-up.",
        f"median latency overall: {statistics.median(o.seconds for o in outcomes) * 1000:.1f} ms",
    ]
    return "\n".join(lines)


def main() -> None:
    settings = Settings()
    if settings.is_sqlite:
        sys.exit("make soak runs on PostgreSQL: set DATABASE_URL=postgresql://…")
    port = _free_port()
    with serve(settings, port) as process:
        outcomes, memory = asyncio.run(_run(f"http://127.0.0.1:{port}", process.pid))
    print(report(outcomes, memory))
    unexpected = sum(o.status != o.expected for o in outcomes)
    sys.exit(1 if unexpected else 0)


if __name__ == "__main__":
    main()
