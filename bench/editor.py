"""The editor scenario (`make bench-editor`): does publishing slow reading, and how soon is a
write seen on the public API?

Starts the API with two workers on DATABASE_URL (PostgreSQL; `make bench-data` filled it), then,
BENCH_ROUNDS times (default 3), runs the same public read load twice for BENCH_SECONDS each
(default 15): once alone (the baseline) and once while WRITERS editors (default 3) save news
items, alternating which goes first, so that the machine's drift hits both alike.

The read load is wrk (`-t1 -c32`, after a 2-second warm-up) over a mix of URLs (`READ_MIX`):
items by slug over the whole table, cold country + window pages that no cache can help, and a
few pages every visitor asks for (the response cache answers them until a write moves the
content version).

Each writer, in a loop: `PATCH /api/v1/editor/news/{slug}` of a random item of its own
working set (`bench-editor-N`, EDITOR_ITEMS items created at the start), a new title, with
`If-Match` (the ETag of its last save, re-read after a 412); then, from the 200 on, it polls
the item's public URL on each worker every POLL_MS (default 10) until the new title is in the
answer, and only then writes again, as an editor who checks the site after saving. Each worker is
polled on connections known to be its own: a connection's answering worker is the process
holding the server's end of that TCP connection (read from /proc), so "visible" means visible
on every worker, and the delay of a write is that of its slowest worker, measured up to the
arrival of the first answer showing it.

Linux only (taskset-free, but /proc). Prints one Markdown table, and appends it to BENCH_OUT.
"""

import asyncio
import math
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import httpx2 as httpx
from sqlalchemy import create_engine, text

from api.config import PROJECT_ROOT, Settings
from bench import run as bench
from bench.soak import worker_pids

PORT = 8811
SECONDS = bench.SECONDS
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "3"))
WRITERS = int(os.environ.get("WRITERS", "3"))
ITEMS = int(os.environ.get("EDITOR_ITEMS", "100"))
POLL_S = int(os.environ.get("POLL_MS", "10")) / 1000
# A write not seen on a worker by then counts as never seen (and the writer moves on).
GIVE_UP_S = 10.0
HOT_URLS = [
    "/api/v1/news?limit=20",
    bench.HOT_PATH,
    "/api/v1/events?limit=20",
    "/api/v1/menus/main",
]
READ_MIX = "40% items by slug, 30% cold country + window pages, 30% four hot pages"


def read_load(first: int, last: int, codes: list[str]) -> str:
    """The wrk script of the read mix (READ_MIX)."""
    countries = "{" + ",".join(f'"{c}"' for c in codes) + "}"
    hot = "{" + ",".join(f'"{url}"' for url in HOT_URLS) + "}"
    return bench.lua_requests(
        "(function() local r = math.random(); "
        f'if r < 0.4 then return "/api/v1/news/bench-news-" .. math.random({first}, {last}) end; '
        f"if r < 0.7 then local s = math.random(0, 3560); local c = {countries}; "
        'return "/api/v1/news?country=" .. c[math.random(#c)] .. "&date_from=" .. day(s) '
        '.. "&date_to=" .. day(s + math.random(30, 90)) .. "&offset=" .. (20 * math.random(0, 2)) '
        f"end; local h = {hot}; return h[math.random(#h)] end)()"
    )


# --- the answering worker of a connection ----------------------------------------------------


def _socket_inode(server_port: int, client_port: int) -> str | None:
    """The inode of the server's end of the loopback connection from `client_port`."""
    for line in Path("/proc/net/tcp").read_text().splitlines()[1:]:
        fields = line.split()
        local, remote = fields[1], fields[2]
        if int(local.rsplit(":", 1)[1], 16) == server_port and (
            int(remote.rsplit(":", 1)[1], 16) == client_port
        ):
            return fields[9]
    return None


def answering_worker(workers: list[int], server_port: int, client_port: int) -> int | None:
    """Which of `workers` holds (has accepted) the server's end of the connection."""
    inode = _socket_inode(server_port, client_port)
    if inode is None:
        return None
    target = f"socket:[{inode}]"
    for pid in workers:
        try:
            descriptors = list(Path(f"/proc/{pid}/fd").iterdir())
        except OSError:
            continue
        for descriptor in descriptors:
            try:
                if os.readlink(descriptor) == target:
                    return pid
            except OSError:
                continue  # closed while we looked
    return None


class Connection:
    """A keep-alive HTTP/1.1 connection to one known worker: a plain GET client, so that the
    connection, and so the worker, is the one chosen (not a pool's). The server closes a
    connection idle for KEEP_ALIVE_S (5 s); it is then opened again, to the same worker."""

    def __init__(self, workers: list[int]) -> None:
        self.workers = workers
        self.worker: int | None = None
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def open(self) -> None:
        self.reader, self.writer = await asyncio.open_connection("127.0.0.1", PORT)
        await self._get("/api/v1")  # accepted and answered: some worker holds it now
        client_port = self.writer.get_extra_info("sockname")[1]
        self.worker = answering_worker(self.workers, PORT, client_port)

    async def reopen(self) -> None:
        """Open connections until one is answered by this connection's worker again."""
        wanted = self.worker
        for _ in range(200):
            self.close()
            await self.open()
            if self.worker == wanted:
                return
        raise RuntimeError(f"no new connection reached worker {wanted}")

    async def get(self, path: str) -> tuple[int, bytes]:
        try:
            return await self._get(path)
        except (asyncio.IncompleteReadError, ConnectionError):
            await self.reopen()
            return await self._get(path)

    async def _get(self, path: str) -> tuple[int, bytes]:
        assert self.reader is not None
        assert self.writer is not None
        self.writer.write(f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".encode())
        head = await self.reader.readuntil(b"\r\n\r\n")
        status = int(head.split(b" ", 2)[1])
        length = next(
            int(line.split(b":", 1)[1])
            for line in head.split(b"\r\n")
            if line.lower().startswith(b"content-length:")
        )
        return status, await self.reader.readexactly(length)

    def close(self) -> None:
        if self.writer is not None:
            self.writer.close()


async def connections_to(workers: list[int], per_worker: int) -> dict[int, list[Connection]]:
    """`per_worker` connections answered by each worker: open connections until each has its
    share (the kernel hands each to whichever worker accepts first) and close the rest."""
    found: dict[int, list[Connection]] = {pid: [] for pid in workers}
    for _ in range(50 * per_worker * len(workers)):
        if all(len(held) >= per_worker for held in found.values()):
            return found
        connection = Connection(workers)
        await connection.open()
        held = found.get(connection.worker or -1)
        if held is None or len(held) >= per_worker:
            connection.close()
        else:
            held.append(connection)
    counts = {pid: len(held) for pid, held in found.items()}
    raise RuntimeError(f"could not reach every worker: connections by worker {counts}")


# --- writers ------------------------------------------------------------------------------


@dataclass
class Writes:
    """What the writers of one phase did."""

    seconds: float = 0.0
    saved: int = 0
    conflicts: int = 0  # 412: another writer saved the item first
    write_s: list[float] = field(default_factory=list)  # PATCH sent → 200 received
    visible_s: list[float] = field(default_factory=list)  # 200 → seen on every worker
    by_worker: dict[int, list[float]] = field(default_factory=dict)
    never_seen: int = 0  # not seen on some worker within GIVE_UP_S
    stale: list[int] = field(default_factory=list)  # old answers before the new, per worker


async def _seen_on(
    connection: Connection, path: str, title: bytes, acked: float
) -> tuple[float, int]:
    """Seconds from `acked` to the first answer of this worker that shows `title`, and how
    many answers before it did not (none: the worker had it by the first request after the
    200, and the delay is that request's own time)."""
    stale = 0
    while time.monotonic() - acked < GIVE_UP_S:
        status, body = await connection.get(path)
        if status == 200 and title in body:
            return time.monotonic() - acked, stale
        stale += 1
        await asyncio.sleep(POLL_S)
    return float("inf"), stale


async def _writer(
    number: int, client: httpx.AsyncClient, slugs: list[str], pollers: dict[int, Connection],
    writes: Writes, label: str,
) -> None:  # fmt: skip
    """Save, wait until seen on every worker, save again: until cancelled."""
    rng = random.Random(f"{label}-{number}")
    etags: dict[str, str] = {}
    saves = 0
    while True:
        slug = rng.choice(slugs)
        url = f"/api/v1/editor/news/{slug}"
        if slug not in etags:
            etags[slug] = (await client.get(url)).raise_for_status().headers["etag"]
        saves += 1
        title = f"Edited {label} by writer {number}, save {saves}"
        sent = time.monotonic()
        response = await client.patch(
            url,
            content=f'{{"document": {{"title": "{title}"}}}}',
            headers={"If-Match": etags[slug], "Content-Type": "application/merge-patch+json"},
        )
        acked = time.monotonic()
        if response.status_code == 412:
            writes.conflicts += 1
            del etags[slug]
            continue
        etags[slug] = response.raise_for_status().headers["etag"]
        writes.saved += 1
        writes.write_s.append(acked - sent)
        seen = await asyncio.gather(
            *(_seen_on(connection, f"/api/v1/news/{slug}", title.encode(), acked)
              for connection in pollers.values())
        )  # fmt: skip
        delays = [delay for delay, _ in seen]
        for worker, (delay, stale) in zip(pollers, seen, strict=True):
            writes.by_worker.setdefault(worker, []).append(delay)
            writes.stale.append(stale)
        writes.never_seen += max(delays) == float("inf")
        writes.visible_s.append(max(delays))


async def write_while(reading: "asyncio.Task[bench.Result]", key: str, slugs: list[str],
                      workers: list[int], label: str) -> Writes:  # fmt: skip
    """Run the writers until the read load `reading` is over."""
    writes = Writes()
    pollers = await connections_to(workers, WRITERS)
    headers = {"Authorization": f"Bearer {key}"}
    limits = httpx.Limits(max_connections=WRITERS)
    async with httpx.AsyncClient(
        base_url=f"http://127.0.0.1:{PORT}", headers=headers, timeout=30, limits=limits
    ) as client:
        started = time.monotonic()
        tasks = []
        for n in range(WRITERS):
            own = {pid: held[n] for pid, held in pollers.items()}
            tasks.append(asyncio.create_task(_writer(n, client, slugs, own, writes, label)))
        try:
            await asyncio.wait([reading, *tasks], return_when=asyncio.FIRST_COMPLETED)
            for task in tasks:
                if task.done():
                    task.result()  # a writer failed: raise its error
        finally:
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)
            writes.seconds = time.monotonic() - started
            for held in pollers.values():
                for connection in held:
                    connection.close()
    return writes


# --- the read load ----------------------------------------------------------------------------


async def wrk(script: Path) -> bench.Result:
    """The read load: a warm-up, then SECONDS measured; wrk is killed if the run is cancelled."""
    url = f"http://127.0.0.1:{PORT}/"
    for seconds in (2, SECONDS):
        process = await asyncio.create_subprocess_exec(
            "wrk", "-t1", "-c32", f"-d{seconds}s", "--latency", "-s", str(script), url,
            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        try:
            output, _ = await process.communicate()
        finally:
            if process.returncode is None:
                process.kill()
                await process.wait()
    return bench.wrk_result(output.decode())


# --- set-up -------------------------------------------------------------------------------


def reference(settings: Settings) -> tuple[int, int, int, list[str]]:
    """The generated news' numbers (first, last), the events and the country codes."""
    engine = create_engine(settings.database_url)
    with engine.connect() as connection:
        first, last = connection.execute(
            text(
                "SELECT min(substr(slug, 12)::int), max(substr(slug, 12)::int) FROM news"
                " WHERE slug LIKE 'bench-news-%'"
            )
        ).one()
        events = connection.execute(text("SELECT count(*) FROM event")).scalar_one()
        codes = [r[0] for r in connection.execute(text("SELECT iso_alpha2 FROM country"))]
    engine.dispose()
    return first, last, events, codes


def create_key(settings: Settings) -> str:
    """A key with every scope, from the command line as an administrator would make one."""
    output = subprocess.run(
        [sys.executable, "-m", "api", "keys", "create", "--name", "bench editor", "--scope", "all"],
        env={**os.environ, "DATABASE_URL": settings.database_url},
        cwd=PROJECT_ROOT, capture_output=True, text=True, check=True,
    ).stdout  # fmt: skip
    return output.rsplit(": ", 1)[1].strip()


def working_set(key: str) -> list[str]:
    """The writers' items, `bench-editor-1` … `bench-editor-ITEMS`, created if missing."""
    slugs = [f"bench-editor-{n}" for n in range(1, ITEMS + 1)]
    headers = {"Authorization": f"Bearer {key}"}
    with httpx.Client(base_url=f"http://127.0.0.1:{PORT}", headers=headers, timeout=30) as client:
        for slug in slugs:
            if client.get(f"/api/v1/editor/news/{slug}").status_code == 200:
                continue
            document = {
                "slug": slug,
                "title": f"Editor benchmark item {slug}",
                "type": "news-item",
                "published_at": datetime.now(UTC).isoformat(),
                "summary": "An item the editor benchmark saves again and again.",
                "body": "Its title changes with every save.",
                "countries": ["AT"],
            }
            body = {"document": document, "status": "published"}
            client.post("/api/v1/editor/news", json=body).raise_for_status()
    return slugs


@contextmanager
def api(settings: Settings) -> Iterator[list[int]]:
    """The API with two workers, unpinned; yields the workers' pids."""
    env = {
        "DATABASE_URL": settings.database_url,
        "HOST": "127.0.0.1",
        "PORT": str(PORT),
        "WORKERS": "2",
        "LOG_LEVEL": "warning",
        "ACCESS_LOG": "false",
    }
    with bench.server([sys.executable, "-m", "api", "serve"], PORT, env, "/readyz", None) as pid:
        deadline = time.monotonic() + 30
        while len(workers := worker_pids(pid)) < 2:
            if time.monotonic() > deadline:
                raise RuntimeError("the API did not start two workers")
            time.sleep(0.2)
        yield workers


# --- the run ------------------------------------------------------------------------------


@dataclass
class Round:
    quiet: bench.Result
    writing: bench.Result
    writes: Writes
    client_cpu: float  # this process's CPU seconds a second of the writing phase


def quantile(values: list[float], q: float) -> float:
    """The nearest-rank quantile."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(q * len(ordered)) - 1)]


async def measure_round(number: int, script: Path, key: str, slugs: list[str],
                        workers: list[int]) -> Round:  # fmt: skip
    results: dict[str, bench.Result] = {}
    writes = Writes()
    client_cpu = 0.0
    order = ["quiet", "writing"] if number % 2 == 0 else ["writing", "quiet"]
    for phase in order:
        reading = asyncio.create_task(wrk(script))
        try:
            if phase == "writing":
                cpu = time.process_time()
                writes = await write_while(reading, key, slugs, workers, f"round {number + 1}")
                client_cpu = (time.process_time() - cpu) / writes.seconds
            results[phase] = await reading
        finally:
            reading.cancel()
        print(
            f"  round {number + 1}, {phase}: {results[phase].requests_per_second:,.0f} reads/s"
            + (f", {writes.saved / writes.seconds:.1f} writes/s" if phase == "writing" else ""),
            file=sys.stderr,
        )
    return Round(results["quiet"], results["writing"], writes, client_cpu)


async def measure(script: Path, key: str, slugs: list[str], workers: list[int]) -> list[Round]:
    return [await measure_round(n, script, key, slugs, workers) for n in range(ROUNDS)]


def _ms(seconds: float) -> str:
    return "never" if seconds == float("inf") else f"{seconds * 1000:.1f}"


def _rate(value: float) -> str:
    return f"{value:,.0f}" if value >= 100 else f"{value:.1f}"


# (heading, value of a round, format): one column of the table each.
COLUMNS: list[tuple[str, Callable[[Round], float], Callable[[float], str]]] = [
    ("reads/s quiet", lambda r: r.quiet.requests_per_second, _rate),
    ("reads/s writing", lambda r: r.writing.requests_per_second, _rate),
    ("ratio", lambda r: r.writing.requests_per_second / r.quiet.requests_per_second,
     "{:.2f}".format),
    ("read p50 ms quiet", lambda r: r.quiet.p50_ms, "{:.2f}".format),
    ("writing", lambda r: r.writing.p50_ms, "{:.2f}".format),
    ("read p99 ms quiet", lambda r: r.quiet.p99_ms, "{:.2f}".format),
    ("writing", lambda r: r.writing.p99_ms, "{:.2f}".format),
    ("p99 ratio", lambda r: r.writing.p99_ms / r.quiet.p99_ms, "{:.2f}".format),
    ("writes/s", lambda r: r.writes.saved / r.writes.seconds, "{:.1f}".format),
    ("412s", lambda r: r.writes.conflicts, "{:.0f}".format),
    ("write p50 ms", lambda r: quantile(r.writes.write_s, 0.5), _ms),
    ("write p99 ms", lambda r: quantile(r.writes.write_s, 0.99), _ms),
    ("200 → visible p50 ms", lambda r: quantile(r.writes.visible_s, 0.5), _ms),
    ("p99 ms", lambda r: quantile(r.writes.visible_s, 0.99), _ms),
    ("max ms", lambda r: max(r.writes.visible_s), _ms),
]  # fmt: skip


def _spread(delays: list[float]) -> str:
    return f"{_ms(quantile(delays, 0.5))} / {_ms(quantile(delays, 0.99))} / {_ms(max(delays))}"


def table(rounds: list[Round], news: int, events: int, workers: list[int]) -> str:
    def row(label: str, values: list[float]) -> str:
        cells = [show(value) for (_, _, show), value in zip(COLUMNS, values, strict=True)]
        return f"| {label} | " + " | ".join(cells) + " |"

    values = [[value(r) for _, value, _ in COLUMNS] for r in rounds]
    medians = [statistics.median(column) for column in zip(*values, strict=True)]
    every = [d for r in rounds for d in r.writes.visible_s]
    stale = [n for r in rounds for n in r.writes.stale]
    by_worker = {pid: [d for r in rounds for d in r.writes.by_worker[pid]] for pid in workers}
    return "\n".join([
        f"### Editor scenario: PostgreSQL, 2 workers, {news:,} news and {events:,} events",
        "",
        f"{ROUNDS} rounds of {SECONDS} s without writes and {SECONDS} s with {WRITERS} writers "
        f"(order alternating); reads: wrk -t1 -c32, {READ_MIX}; writes: PATCH of a title with "
        f"If-Match over {ITEMS} items, each followed by polling its public URL every "
        f"{POLL_S * 1000:.0f} ms on each worker until seen there.",
        "",
        "| round | " + " | ".join(heading for heading, _, _ in COLUMNS) + " |",
        "|---|" + "---:|" * len(COLUMNS),
        *(row(str(n), v) for n, v in enumerate(values, 1)),
        row("median", medians),
        "",
        f"200 → visible on every worker, all {len(every):,} writes (p50 / p99 / max ms): "
        f"{_spread(every)}; not seen within {GIVE_UP_S:.0f} s: "
        f"{sum(r.writes.never_seen for r in rounds)}. On each worker: "
        + "; ".join(f"pid {pid}: {_spread(d)}" for pid, d in by_worker.items())
        + f". The first request after the 200 already showed the change on "
        f"{stale.count(0) / len(stale):.0%} of (write, worker) pairs; old answers before the "
        f"new one: at most {max(stale)}.",
        f"wrk errors (non-2xx/3xx, socket) quiet / writing: "
        f"{sum(r.quiet.errors for r in rounds)} / {sum(r.writing.errors for r in rounds)}. "
        f"CPU of the writers and pollers while writing: "
        f"{statistics.median(r.client_cpu for r in rounds):.0%} of a core (median).",
        "",
    ])  # fmt: skip


def main() -> None:
    settings = Settings()
    if settings.is_sqlite:
        sys.exit("make bench-editor runs on PostgreSQL: set DATABASE_URL=postgresql://…")
    first, last, events, codes = reference(settings)
    key = create_key(settings)
    bench.prewarm(settings)
    with tempfile.TemporaryDirectory() as directory:
        script = Path(directory) / "reads.lua"
        script.write_text(read_load(first, last, codes))
        with api(settings) as workers:
            slugs = working_set(key)
            rounds = asyncio.run(measure(script, key, slugs, workers))
    bench.publish(table(rounds, last, events, workers))


if __name__ == "__main__":
    main()
