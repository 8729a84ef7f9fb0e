"""Hostile clients against `content-api serve` over real sockets: each test is a row of the
attack table of issue 13, with the bound it proves (memory, seconds, status, bytes).

One server serves the module (SQLite, one worker) with short timeouts so that the time bounds
are quick to prove: KEEP_ALIVE_S=1, REQUEST_TIMEOUT_S=2, MAX_CONNECTIONS=64.
"""

import contextlib
import json
import statistics
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx2 as httpx
import pytest

from tests.server.clients import Connection, LivezProbe, assert_problem
from tests.server.conftest import Server, rss_mb, serve

KEEP_ALIVE_S = 1
REQUEST_TIMEOUT_S = 2
MAX_CONNECTIONS = 64


@pytest.fixture(scope="module")
def server(seeded_file: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    with serve(
        f"sqlite:///{seeded_file}",
        tmp_path_factory.mktemp("attacks"),
        KEEP_ALIVE_S=str(KEEP_ALIVE_S),
        REQUEST_TIMEOUT_S=str(REQUEST_TIMEOUT_S),
        MAX_CONNECTIONS=str(MAX_CONNECTIONS),
    ) as running:
        yield running


# --- memory ------------------------------------------------------------------------------------


def test_pipelined_requests_from_clients_that_never_read_cost_bounded_memory(
    server: Server,
) -> None:
    """Before: 20 connections sending 2.26 M pipelined GETs grew the worker by 3.7 GB."""
    request = b"GET /api/v1/topics HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"
    burst = request * 2000  # 100 kB
    before = rss_mb(server.pid)
    connections = [Connection(server) for _ in range(20)]
    accepted = [0] * len(connections)
    for connection in connections:
        connection.sock.setblocking(False)
    deadline = time.monotonic() + 4
    with LivezProbe(server) as probe:
        while time.monotonic() < deadline:
            for i, connection in enumerate(connections):
                with contextlib.suppress(BlockingIOError):
                    accepted[i] += connection.sock.send(burst)
            time.sleep(0.001)
        peak = rss_mb(server.pid)
    for connection in connections:
        connection.close()
    time.sleep(0.5)
    after = rss_mb(server.pid)
    # The kernel's socket buffers take a few MB each; the server stops reading past 16 waiting
    # requests, so little of what the clients tried to send got in.
    assert max(accepted) < 20_000_000, accepted
    assert peak - before < 60, (before, peak)
    assert after - before < 60, (before, after)
    assert max(probe.latencies) < 1.0, probe.latencies
    assert httpx.get(server.base + "/api/v1/topics").status_code == 200


def test_pipelined_requests_are_all_answered_in_order(server: Server) -> None:
    with Connection(server) as connection:
        connection.send(
            b"".join(
                f"GET /api/v1/topics?limit={n} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".encode()
                for n in range(1, 21)
            )
            * 3
        )
        for n in list(range(1, 21)) * 3:
            status, _, body = connection.response()
            assert status == 200
            assert len(json.loads(body)["data"]) == n


# --- heads -------------------------------------------------------------------------------------


def _send_header(server: Server, size: int, results: list[tuple[int, float]]) -> None:
    """Stream a header of `size` bytes until the server answers; (status, seconds)."""
    started = time.monotonic()
    with Connection(server) as connection:
        connection.send(b"GET /api/v1/topics HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Big: ")
        piece = b"a" * 65536
        for _ in range(size // len(piece)):
            try:
                connection.sock.sendall(piece)
            except (BrokenPipeError, ConnectionResetError):
                break  # the server answered and closed: read the answer
        status, headers, body = connection.response()
    assert_problem(status, headers, body, 431)
    results.append((status, time.monotonic() - started))


def test_huge_headers_are_refused_at_16_kb_without_stalling_anyone(server: Server) -> None:
    """Before: a 100 MB header got a 200; four 40 MB ones stalled /livez for up to 12.9 s."""
    before = rss_mb(server.pid)
    results: list[tuple[int, float]] = []
    sizes = [40_000_000] * 4 + [100_000_000]
    with LivezProbe(server) as probe:
        threads = [threading.Thread(target=_send_header, args=(server, n, results)) for n in sizes]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)
        time.sleep(0.3)
    assert [status for status, _ in results] == [431] * 5
    assert max(seconds for _, seconds in results) < 2
    assert max(probe.latencies) < 0.5, probe.latencies
    assert rss_mb(server.pid) - before < 20


def test_too_many_header_fields_are_a_431(server: Server) -> None:
    fields = b"".join(b"X-%d: 1\r\n" % i for i in range(101))
    with Connection(server) as connection:
        connection.send(b"GET /livez HTTP/1.1\r\nHost: 127.0.0.1\r\n" + fields + b"\r\n")
        document = assert_problem(*connection.response(), 431)
    assert document["detail"] == "Requests are limited to 100 header fields."


def test_a_63_kb_url_is_a_small_414_and_nobody_waits(server: Server) -> None:
    """Before: a 63 kB URL of 8,000 unknown parameters from 8 connections was a 1.44 MB 422
    each (85 ms of CPU) and everyone else waited 4.8 s at p50."""
    query = "&".join(f"p{i}=1" for i in range(8000))
    assert len(query) > 60_000
    request = f"GET /api/v1/news?{query} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".encode()
    answers: list[tuple[int, int]] = []

    def hammer() -> None:
        for _ in range(20):
            with Connection(server) as connection:
                connection.send(request)
                status, _, body = connection.response()
                answers.append((status, len(body)))

    with LivezProbe(server) as probe:
        threads = [threading.Thread(target=hammer) for _ in range(8)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)
    assert [status for status, _ in answers] == [414] * 160
    assert max(size for _, size in answers) < 512
    assert statistics.median(probe.latencies) < 0.05, probe.latencies


def test_more_than_100_parameters_is_a_short_422(server: Server) -> None:
    response = httpx.get(server.base + "/api/v1/news?" + "&".join(f"p{i}=1" for i in range(101)))
    assert response.status_code == 422
    assert response.json()["detail"] == "Requests are limited to 100 query parameters."


def test_a_422_lists_ten_of_its_errors_and_counts_the_rest(server: Server) -> None:
    response = httpx.get(server.base + "/api/v1/news?" + "&".join(f"p{i}=1" for i in range(99)))
    assert response.status_code == 422
    problem = response.json()
    assert len(problem["errors"]) == 10
    assert problem["detail"].endswith("; and 89 more")
    assert len(response.content) < 4096  # the instance repeats the (bounded) URL


def test_malformed_requests_get_a_400_problem_with_the_security_headers(server: Server) -> None:
    """Before: uvicorn's own 400 was plain text without any security header."""
    with Connection(server) as connection:
        connection.send(b"GET /livez HTTP/1.1\r\nHost: 127.0.0.1\r\nBad Header\r\n\r\n")
        document = assert_problem(*connection.response(), 400)
    assert document["type"] == "/problems/bad-request"


# --- time --------------------------------------------------------------------------------------


def test_a_connection_that_sends_nothing_is_closed_after_the_keep_alive_timeout(
    server: Server,
) -> None:
    """Before: idle connections were still open after 902 s."""
    with Connection(server) as connection:
        seconds = connection.closed_within(10)
    assert KEEP_ALIVE_S - 0.1 < seconds < KEEP_ALIVE_S + 0.5


def test_a_half_sent_head_gets_a_408_at_the_request_timeout(server: Server) -> None:
    started = time.monotonic()
    with Connection(server) as connection:
        connection.send(b"GET /api/v1/topics HTTP/1.1\r\nHost: 127.0.0.1\r\n")
        document = assert_problem(*connection.response(), 408)
    assert document["type"] == "/problems/request-timeout"
    assert REQUEST_TIMEOUT_S - 0.1 < time.monotonic() - started < REQUEST_TIMEOUT_S + 0.5


def test_a_head_trickled_a_byte_at_a_time_still_times_out(server: Server) -> None:
    """Slowloris: each byte arrives well within the keep-alive timeout, the head never ends."""
    started = time.monotonic()
    with Connection(server) as connection:
        connection.send(b"GET /api/v1/topics HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ")
        stop = threading.Event()

        def trickle() -> None:
            while not stop.wait(0.2):
                connection.send(b"a")

        thread = threading.Thread(target=trickle)
        thread.start()
        try:
            assert_problem(*connection.response(), 408)
            answered = time.monotonic() - started
        finally:
            stop.set()
            thread.join()
    assert REQUEST_TIMEOUT_S - 0.1 < answered < REQUEST_TIMEOUT_S + 0.5


def test_connections_past_the_cap_get_a_503_and_the_idle_ones_go(server: Server) -> None:
    """Before: 1,100 idle connections locked every client out."""
    idle = [Connection(server) for _ in range(MAX_CONNECTIONS)]
    time.sleep(0.2)
    with Connection(server) as extra:
        document = assert_problem(*extra.response(), 503)
    assert document["type"] == "/problems/service-unavailable"
    # The idle ones are closed by the keep-alive timeout; then everyone is served again.
    for connection in idle:
        assert connection.closed_within(KEEP_ALIVE_S + 2) < KEEP_ALIVE_S + 1
        connection.close()
    assert httpx.get(server.base + "/api/v1/topics").status_code == 200


# --- bodies, hosts, types ----------------------------------------------------------------------


CHUNKED = b"GET /api/v1/topics HTTP/1.1\r\nHost: 127.0.0.1\r\nTransfer-Encoding: chunked\r\n\r\n"


def test_a_1_mb_chunked_body_is_refused_with_413(server: Server) -> None:
    """Before: 200, the body limit read only Content-Length."""
    with Connection(server) as connection:
        connection.send(CHUNKED + (b"10000\r\n" + b"x" * 65536 + b"\r\n") * 16 + b"0\r\n\r\n")
        document = assert_problem(*connection.response(), 413)
    assert document["type"] == "/problems/content-too-large"


def test_a_small_chunked_body_passes(server: Server) -> None:
    with Connection(server) as connection:
        connection.send(CHUNKED + b"5\r\nhello\r\n0\r\n\r\n")
        assert connection.response()[0] == 200


@pytest.mark.parametrize(
    "host",
    [
        'a>; rel="canonical", <https://evil.example/x',
        "evil.example",
        "127.0.0.1.evil.example",
    ],
)
def test_a_host_the_api_does_not_serve_is_a_400_and_never_a_link(server: Server, host: str) -> None:
    """Before: the Host header went into `Link` as it came, relations and all."""
    response = httpx.get(server.base + "/api/v1/news?limit=1", headers={"Host": host})
    assert response.status_code == 400
    assert response.headers["content-type"] == "application/problem+json"
    assert "link" not in response.headers
    assert "evil" not in response.text


def test_links_use_the_trusted_host_as_sent(server: Server) -> None:
    response = httpx.get(server.base + "/api/v1/news?limit=1", headers={"Host": "localhost:8080"})
    assert response.status_code == 200
    assert response.headers["link"].startswith("<http://localhost:8080/api/v1/news?limit=1>")


@pytest.mark.parametrize(
    ("accept", "status"),
    [
        (None, 200),
        ("*/*", 200),
        ("application/*", 200),
        ("application/json", 200),
        ("text/html, application/json;q=0.1", 200),
        ("application/json;q=0", 406),
        ("application/json;q=0, */*", 406),
        ("application/rss+xml", 406),
        ("text/calendar, application/geo+json", 406),
    ],
)
def test_the_api_answers_json_or_a_406_naming_what_it_can_produce(
    server: Server, accept: str | None, status: int
) -> None:
    headers = {"Accept": accept} if accept is not None else {}
    response = httpx.get(server.base + "/api/v1/topics", headers=headers)
    assert response.status_code == status
    if status == 406:
        problem = response.json()
        assert response.headers["content-type"] == "application/problem+json"
        assert problem["type"] == "/problems/not-acceptable"
        assert problem["detail"] == "This resource is available as application/json only."
