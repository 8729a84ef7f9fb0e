"""uvicorn's checks of response header fields, remembered (api/http/server.py): the same
answers as its patterns, a bound on what is remembered, and a field with CR LF still refused
by a real server using the bounded protocol."""

import random
import re
import socket
import threading
import time
from collections.abc import Iterator

import pytest
import uvicorn
from uvicorn.protocols.http import httptools_impl

from api.http.server import BoundedHttpToolsProtocol, RememberedCheck, remember_header_checks

VALUE_PATTERN = re.compile(b"[\x00-\x08\x0a-\x1f\x7f]")  # uvicorn 0.54's HEADER_VALUE_RE


def test_a_remembered_check_answers_as_its_pattern_and_remembers_only_what_passed() -> None:
    check = RememberedCheck(VALUE_PATTERN, max_values=50, max_bytes=8)
    rng = random.Random(6)
    alphabet = [b"a", b" ", b"\t", b"\r", b"\n", b"\x00", b"\x7f", b"\xff", b"=", b";"]
    values = [b"".join(rng.choices(alphabet, k=rng.randint(0, 12))) for _ in range(2_000)]
    for value in values + values:  # each asked again once (maybe) remembered
        assert (check.search(value) is None) == (VALUE_PATTERN.search(value) is None), value
    assert 0 < len(check.passed) <= 50
    assert all(VALUE_PATTERN.search(v) is None and len(v) <= 8 for v in check.passed)


def test_uvicorn_reads_the_remembered_checks_from_its_module() -> None:
    remember_header_checks()
    remember_header_checks()  # once is enough; twice does not wrap a check in a check
    for name in ("HEADER_RE", "HEADER_VALUE_RE"):
        check = getattr(httptools_impl, name)
        assert isinstance(check, RememberedCheck)
        assert isinstance(check.pattern, re.Pattern)
    assert httptools_impl.HEADER_VALUE_RE.pattern.pattern == VALUE_PATTERN.pattern


async def app(scope: dict, receive: object, send: object) -> None:  # type: ignore[type-arg]
    if scope["type"] != "http":
        return
    value = b"ok" if scope["path"] == "/good" else b"x\r\nX-Injected: 1"
    headers = [(b"content-type", b"text/plain"), (b"x-value", value)]
    await send({"type": "http.response.start", "status": 200, "headers": headers})  # type: ignore[operator]
    await send({"type": "http.response.body", "body": b"body"})  # type: ignore[operator]


@pytest.fixture
def port() -> Iterator[int]:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = int(s.getsockname()[1])
    config = uvicorn.Config(
        app, host="127.0.0.1", port=port, http=BoundedHttpToolsProtocol, log_level="critical"
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.02)
    assert server.started
    yield port
    server.should_exit = True
    thread.join(10)


def head_of(port: int, path: str) -> bytes:
    with socket.create_connection(("127.0.0.1", port), timeout=5) as connection:
        connection.sendall(f"GET {path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n".encode())
        answer = b""
        while chunk := connection.recv(65536):
            answer += chunk
    return answer.partition(b"\r\n\r\n")[0]


def test_a_header_value_with_cr_lf_is_refused_every_time_by_the_bounded_server(
    port: int,
) -> None:
    """uvicorn raises before it writes the head, and closes the connection: nothing is sent,
    so nothing is injected."""
    for _ in range(3):  # a value that failed is never remembered as passed
        good = head_of(port, "/good")
        assert good.startswith(b"HTTP/1.1 200 OK\r\n")
        assert b"\r\nx-value: ok" in good
        assert head_of(port, "/bad") == b""
