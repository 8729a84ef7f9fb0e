"""Machine instructions per request, this checkout against another: a count that the machine's
other work does not move, where CPU time here moves by a factor of two within seconds.

    python -m bench.instructions BASE_DIR BASE_DATABASE_URL [REQUESTS]

Each side runs under Valgrind's callgrind (Debian: `apt-get install valgrind`) with
instrumentation off while Python starts and the app is built: `bench/instructions.py --side`
builds the app (that checkout's `.venv` and code, as `bench.inprocess` does), sends each
scenario's warm-up, switches instrumentation on (`callgrind_control -i on`), sends 50 more,
zeroes the counters, sends REQUESTS (default 300) and dumps them: the dump's total divided by
REQUESTS is the figure. Requests go without `Accept-Encoding`, as wrk sends them (with gzip,
the compressor's work would hide the rest). A count is not a time: it leaves out what the
kernel does (system calls, page faults) and weighs all instructions alike (SHA-256 runs in
software under Valgrind, in hardware natively), so it tells where work was added or removed,
and `bench.inprocess` and `bench.compare` tell what that costs. The cyclic garbage collector is
off while a side counts (after a full collection): whether one of its full collections fell
inside the 300 requests or not moved a count by a fifth.

With HTTP=1 each side is instead `content-api serve` (one worker, as served: `served_app`, the
bounded httptools protocol) under callgrind, sent the same requests over one keep-alive
connection from this process: the count then includes uvicorn, the protocol and the event loop.
"""

import asyncio
import gc
import importlib.util
import json
import os
import random
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

# By its path: in a side, `bench` is the measured checkout's package, which may not have it.
_spec = importlib.util.spec_from_file_location("inprocess", Path(__file__).parent / "inprocess.py")
assert _spec is not None
assert _spec.loader is not None
inprocess = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(inprocess)
call, scenarios = inprocess.call, inprocess.scenarios

REQUESTS = 300


def side(database_url: str, scenario: str, requests: int) -> None:
    """Runs in the checkout being measured, under callgrind."""
    from api.config import Settings
    from api.main import create_app

    app = create_app(Settings(database_url=database_url, trusted_hosts="testserver"))
    pid = str(os.getpid())

    async def run() -> None:
        async with app.router.lifespan_context(app):
            rng = random.Random(1)
            make = scenarios(rng, int(os.environ["NEWS_COUNT"]))[scenario]

            async def get(request: tuple[str, tuple[Any, ...]]) -> None:
                await call(app, request[0], request[1], gzip=False)

            for _ in range(200):
                await get(make())
            # The cyclic collector's full collections come every few thousand requests and
            # walk every object: one falling inside the counted span or not moved a count by
            # 300,000 instructions a request. Counted without it; `bench.inprocess` times it.
            gc.collect()
            gc.disable()
            subprocess.run(["callgrind_control", "-i", "on", pid], capture_output=True, check=True)
            for _ in range(50):
                await get(make())
            batch = [make() for _ in range(requests)]
            subprocess.run(["callgrind_control", "-z", pid], capture_output=True, check=True)
            for request in batch:
                await get(request)
            subprocess.run(["callgrind_control", "-d", pid], capture_output=True, check=True)

    asyncio.run(run())


# The functions that hash a body for its ETag, by the name callgrind gives them: base
# checkouts used SHA-256, which Valgrind runs in software (no SHA extensions), 240,000
# instructions for a cold page of news that the processor's hardware does in a few
# microseconds; today's XXH3 runs alike in both. The table also gives each count without them.
ETAG_HASHES = ("_hashlib_openssl_sha256", "xxh3_128_hexdigest")


def _per_request(directory: Path, requests: int) -> tuple[float, float]:
    """The instructions of the zeroed span's dump, per request, and those of its ETag hash."""
    dump = sorted(directory.glob("callgrind.out.*"))[0]
    found = re.search(r"^summary: (\d+)", dump.read_text(), re.MULTILINE)
    assert found, dump
    annotated = subprocess.run(
        ["callgrind_annotate", "--inclusive=yes", "--threshold=100", str(dump)],
        capture_output=True, text=True, check=True,
    ).stdout  # fmt: skip
    hashed = sum(
        int(line.split()[0].replace(",", ""))
        for line in annotated.splitlines()
        if re.search(rf":({'|'.join(ETAG_HASHES)}) \[", line)
    )
    return int(found.group(1)) / requests, hashed / requests


def measure(
    project: Path, database_url: str, scenario: str, news: int, requests: int
) -> tuple[float, float]:
    """Instructions per request of `scenario` against the app of `project`."""
    python = project / ".venv" / "bin" / "python"
    env = {**os.environ, "PYTHONPATH": str(project), "NEWS_COUNT": str(news)}
    with tempfile.TemporaryDirectory() as directory:
        out = Path(directory) / "callgrind.out"
        subprocess.run(
            ["valgrind", "--tool=callgrind", "--instr-atstart=no", f"--callgrind-out-file={out}",
             str(python), str(Path(__file__).resolve()), "--side", database_url, scenario,
             str(requests)],
            cwd=project, env=env, capture_output=True, check=True,
        )  # fmt: skip
        return _per_request(Path(directory), requests)


def measure_http(
    project: Path, database_url: str, scenario: str, news: int, requests: int, port: int
) -> tuple[float, float]:
    """Instructions per request of `scenario` sent over HTTP to `content-api serve` of
    `project` (one worker) running under callgrind."""
    import http.client
    import time

    python = project / ".venv" / "bin" / "python"
    env = {
        **os.environ, "PYTHONPATH": str(project), "DATABASE_URL": database_url,
        "PORT": str(port), "WORKERS": "1", "ACCESS_LOG": "false", "LOG_LEVEL": "warning",
        "TRUSTED_HOSTS": "127.0.0.1",
    }  # fmt: skip
    make = scenarios(random.Random(1), news)[scenario]
    with tempfile.TemporaryDirectory() as directory:
        out = Path(directory) / "callgrind.out"
        server = subprocess.Popen(
            ["valgrind", "--tool=callgrind", "--instr-atstart=no", f"--callgrind-out-file={out}",
             str(python), "-m", "api", "serve"],
            cwd=project, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=600)
            for _ in range(600):  # Python under Valgrind starts in tens of seconds
                try:
                    connection.request("GET", "/livez")
                    connection.getresponse().read()
                    break
                except OSError:
                    connection.close()
                    time.sleep(0.5)

            def get(path: str, headers: tuple[Any, ...]) -> None:
                sent = {k.decode(): v.decode() for k, v in headers}
                connection.request("GET", path, headers={"Host": "127.0.0.1", **sent})
                response = connection.getresponse()
                response.read()
                expected = 304 if "if-none-match" in sent else 200
                assert response.status == expected, (path, response.status)

            def control(*flags: str) -> None:
                command = ["callgrind_control", *flags, str(server.pid)]
                subprocess.run(command, capture_output=True, check=True)

            for _ in range(200):
                get(*make())
            control("-i", "on")
            for _ in range(50):
                get(*make())
            batch = [make() for _ in range(requests)]
            control("-z")
            for request in batch:
                get(*request)
            control("-d")
        finally:
            server.terminate()
            server.wait()
        return _per_request(Path(directory), requests)


def main() -> None:
    from concurrent.futures import ThreadPoolExecutor

    from api.config import PROJECT_ROOT, Settings
    from bench import run as bench

    if not shutil.which("valgrind"):
        raise SystemExit("valgrind is not installed (Debian: apt-get install valgrind)")
    base_dir, base_url = Path(sys.argv[1]).resolve(), sys.argv[2]
    requests = int(sys.argv[3]) if len(sys.argv) > 3 else REQUESTS
    this_url = Settings().database_url
    over_http = os.environ.get("HTTP") == "1"
    news = inprocess.bench_news(this_url)
    names = list(scenarios(random.Random(1), news))
    counts: dict[str, dict[str, tuple[float, float]]] = {}
    with ThreadPoolExecutor(max_workers=os.cpu_count() or 1) as pool:
        for name in names:
            if over_http:
                runs = {
                    "base": pool.submit(
                        measure_http, base_dir, base_url, name, news, requests, bench.API_PORT
                    ),
                    "this": pool.submit(
                        measure_http, PROJECT_ROOT, this_url, name, news, requests,
                        bench.API_PORT + 10,
                    ),
                }  # fmt: skip
            else:
                runs = {
                    "base": pool.submit(measure, base_dir, base_url, name, news, requests),
                    "this": pool.submit(measure, PROJECT_ROOT, this_url, name, news, requests),
                }
            counts[name] = {side_: run.result() for side_, run in runs.items()}
            print(f"{name}: {json.dumps(counts[name])}", file=sys.stderr)
    lines = [
        f"| scenario ({requests} requests, no gzip{', over HTTP' if over_http else ''}) "
        "| base instructions/request | this | this / base "
        "| base without the ETag hash | this without it | this / base |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    for name, found in counts.items():
        (base, base_hash), (this, this_hash) = found["base"], found["this"]
        lines.append(
            f"| {name} | {base:,.0f} | {this:,.0f} | {this / base:.3f} "
            f"| {base - base_hash:,.0f} | {this - this_hash:,.0f} "
            f"| {(this - this_hash) / (base - base_hash):.3f} |"
        )
    bench.publish("\n".join(lines))


if __name__ == "__main__":
    if sys.argv[1:2] == ["--side"]:
        side(sys.argv[2], sys.argv[3], int(sys.argv[4]))
    else:
        main()
