"""The attack table of issue 13 against a running server, with what a client outside sees.

    python -m bench.attacks --url http://127.0.0.1:8000 --pid <the worker's pid>

Each row reports the statuses, the worker's resident memory (from /proc, so on this machine)
and the latency of `/livez` measured by curl on fresh connections while the attack runs. It
sends traffic only to --url (a loopback address) and stops by itself. tests/server/ proves the
same rows with fixed bounds; this prints the figures (docs/production.md quotes them).
"""

import argparse
import socket
import statistics
import subprocess
import threading
import time
from collections.abc import Callable
from contextlib import suppress
from pathlib import Path
from urllib.parse import urlsplit


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


class Probe(threading.Thread):
    """`curl /livez` every 50 ms until stopped; curl's own timings, in seconds."""

    def __init__(self, url: str) -> None:
        super().__init__(daemon=True)
        self.url, self.latencies, self.stopping = url + "/livez", list[float](), threading.Event()

    def run(self) -> None:
        while not self.stopping.is_set():
            out = subprocess.run(["curl", "-s", "-o", "/dev/null", "-m", "30", "-w",
                                  "%{time_total}", self.url], capture_output=True, text=True,
                                 check=False).stdout  # fmt: skip
            self.latencies.append(float(out or 30))
            time.sleep(0.05)

    def summary(self) -> str:
        self.stopping.set()
        self.join()
        return (f"/livez p50 {statistics.median(self.latencies) * 1000:.0f} ms, "
                f"max {max(self.latencies) * 1000:.0f} ms")  # fmt: skip


def status_of(host: str, port: int, data: bytes, *, stream: int = 0) -> str:
    """Send `data` (then `stream` more bytes of header), read the status line."""
    with socket.create_connection((host, port), timeout=30) as sock:
        with suppress(OSError):
            sock.sendall(data)
            piece = b"a" * 65536
            for _ in range(stream // len(piece)):
                sock.sendall(piece)
        try:
            line = sock.makefile("rb").readline().decode("latin-1").split()
        except OSError as exc:
            return type(exc).__name__
        return line[1] if len(line) > 1 else "closed"


def row(name: str, url: str, pid: int, attack: Callable[[], str]) -> None:
    before = rss_mb(pid)
    probe = Probe(url)
    probe.start()
    started = time.monotonic()
    result = attack()
    seconds = time.monotonic() - started
    peak = rss_mb(pid)
    print(f"| {name} | {result} | {seconds:.1f} s | RSS {before:.0f} → {peak:.0f} MB | "
          f"{probe.summary()} |", flush=True)  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", default="http://127.0.0.1:8000")
    parser.add_argument("--pid", type=int, required=True)
    args = parser.parse_args()
    url, pid = args.url, args.pid
    host, port = urlsplit(url).hostname or "127.0.0.1", urlsplit(url).port or 80
    get = f"GET /api/v1/topics HTTP/1.1\r\nHost: {host}\r\n\r\n".encode()

    def pipelined() -> str:
        sockets = [socket.create_connection((host, port)) for _ in range(20)]
        for sock in sockets:
            sock.setblocking(False)
        sent, burst, deadline = 0, get * 2000, time.monotonic() + 10
        while time.monotonic() < deadline:
            for sock in sockets:
                with suppress(BlockingIOError):
                    sent += sock.send(burst)
            time.sleep(0.001)
        for sock in sockets:
            sock.close()
        time.sleep(1)
        return f"{sent / 1e6:.0f} MB accepted; RSS 1 s after close {rss_mb(pid):.0f} MB"

    def headers() -> str:
        statuses: list[str] = []
        sizes = [100_000_000] + [40_000_000] * 4
        threads = [
            threading.Thread(target=lambda n=n: statuses.append(
                status_of(host, port, get[:-2] + b"X-Big: ", stream=n)))
            for n in sizes
        ]  # fmt: skip
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        return "statuses " + ", ".join(sorted(statuses))

    def long_url() -> str:
        query = "&".join(f"p{i}=1" for i in range(8000))
        request = f"GET /api/v1/news?{query} HTTP/1.1\r\nHost: {host}\r\n\r\n".encode()
        statuses: list[str] = []

        def hammer() -> None:
            statuses.extend(status_of(host, port, request) for _ in range(50))

        threads = [threading.Thread(target=hammer) for _ in range(8)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        return f"{len(statuses)} x " + ", ".join(sorted(set(statuses)))

    def idle() -> str:
        sockets = []
        with suppress(OSError):
            for _ in range(1100):
                sockets.append(socket.create_connection((host, port), timeout=5))
        time.sleep(7)
        still_open = answered = 0
        for sock in sockets:
            sock.setblocking(False)
            try:
                answered += sock.recv(65536).startswith(b"HTTP/1.1 503")
            except BlockingIOError:
                still_open += 1
            except OSError:
                pass
            sock.close()
        return (f"{len(sockets)} opened; after 7 s {still_open} still open, "
                f"{answered} refused at once with a 503")  # fmt: skip

    def chunked() -> str:
        head = get[:-2] + b"Transfer-Encoding: chunked\r\n\r\n"
        body = (b"10000\r\n" + b"x" * 65536 + b"\r\n") * 16 + b"0\r\n\r\n"
        return "status " + status_of(host, port, head + body)

    def injected_host() -> str:
        request = b'GET /api/v1/news?limit=1 HTTP/1.1\r\nHost: a>; rel="canonical", <https://evil.example/x\r\n\r\n'
        return "status " + status_of(host, port, request)

    print("| attack | result | time | memory | liveness during it |")
    print("|---|---|---|---|---|")
    row("20 connections pipelining GETs for 10 s, never reading", url, pid, pipelined)
    row("one 100 MB header and four 40 MB headers at once", url, pid, headers)
    row("63 kB URL of 8,000 parameters, 8 connections x 50", url, pid, long_url)
    row("1,100 idle connections", url, pid, idle)
    row("1 MB chunked body", url, pid, chunked)
    row("Host with injected link relations", url, pid, injected_host)


if __name__ == "__main__":
    main()
