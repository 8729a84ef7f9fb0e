"""What the bounded protocol (api/http/server.py) changes in how uvicorn answers.

uvicorn's checks of response header fields, remembered: the same answers as its patterns, a
bound on what is remembered, and a field with CR LF still refused by a real server. A response
head held until its body: one write to the socket where uvicorn made two, and every kind of
answer (streamed, HEAD, 100 Continue, given up after the head, pipelined) still whole and in
order on a real server.
"""

import random
import re
import socket
import threading
import time
from collections.abc import Iterator
from typing import Any

import pytest
import uvicorn
from uvicorn.protocols.http import httptools_impl

from api.http.server import (
    BoundedHttpToolsProtocol,
    HeadHeld,
    RememberedCheck,
    remember_header_checks,
)

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


async def app(scope: dict, receive: Any, send: Any) -> None:  # type: ignore[type-arg]
    """/good and /bad: a header value that passes, one that does not; /parts: a body in three
    messages; /echo: the request's body; /gives-up: a head, then an error."""
    if scope["type"] != "http":
        return
    path = scope["path"]
    if path == "/echo":
        message = await receive()
        body = message["body"]
        headers = [(b"content-length", str(len(body)).encode())]
        await send({"type": "http.response.start", "status": 200, "headers": headers})
        await send({"type": "http.response.body", "body": body})
        return
    if path == "/gives-up":
        headers = [(b"content-length", b"10")]
        await send({"type": "http.response.start", "status": 200, "headers": headers})
        raise RuntimeError("the answer fails after its head")
    if path == "/parts":
        await send({"type": "http.response.start", "status": 200, "headers": []})
        for part in (b"one ", b"two "):
            await send({"type": "http.response.body", "body": part, "more_body": True})
        await send({"type": "http.response.body", "body": b"three"})
        return
    value = b"ok" if path == "/good" else b"x\r\nX-Injected: 1"
    headers = [(b"content-type", b"text/plain"), (b"x-value", value), (b"content-length", b"4")]
    await send({"type": "http.response.start", "status": 200, "headers": headers})
    await send({"type": "http.response.body", "body": b"body"})


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


def exchange(port: int, request: bytes) -> bytes:
    """All the server sends on one connection for `request` (which ends with Connection: close)."""
    with socket.create_connection(("127.0.0.1", port), timeout=5) as connection:
        connection.sendall(request)
        answer = b""
        while chunk := connection.recv(65536):
            answer += chunk
    return answer


def head_of(port: int, path: str) -> bytes:
    request = f"GET {path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
    return exchange(port, request.encode()).partition(b"\r\n\r\n")[0]


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


# --- the response head held until its body -------------------------------------------------------


class RecordedTransport:
    """What a response cycle's writes reach, in order."""

    def __init__(self) -> None:
        self.calls: list[tuple[object, ...]] = []

    def write(self, data: bytes) -> None:
        self.calls.append(("write", data))

    def writelines(self, parts: Any) -> None:
        self.calls.append(("writelines", *parts))

    def is_closing(self) -> bool:
        return False

    def close(self) -> None:
        self.calls.append(("close",))


def test_a_head_goes_out_with_the_first_part_of_its_body_and_the_rest_as_it_comes() -> None:
    transport = RecordedTransport()
    held = HeadHeld(transport)  # type: ignore[arg-type]
    held.write(b"HTTP/1.1 200 OK\r\n\r\n")
    assert transport.calls == []
    held.write(b"one")
    held.write(b"two")
    assert transport.calls == [
        ("writelines", b"HTTP/1.1 200 OK\r\n\r\n", b"one"),
        ("write", b"two"),
    ]


def test_a_head_with_an_empty_body_goes_alone_and_once() -> None:
    transport = RecordedTransport()
    held = HeadHeld(transport)  # type: ignore[arg-type]
    held.write(b"HTTP/1.1 304 Not Modified\r\n\r\n")
    held.write(b"")
    held.close()
    assert transport.calls == [("write", b"HTTP/1.1 304 Not Modified\r\n\r\n"), ("close",)]


def test_a_held_head_is_sent_before_the_connection_closes() -> None:
    transport = RecordedTransport()
    held = HeadHeld(transport)  # type: ignore[arg-type]
    held.write(b"HTTP/1.1 200 OK\r\n\r\n")
    held.close()
    held.close()
    assert transport.calls == [("write", b"HTTP/1.1 200 OK\r\n\r\n"), ("close",), ("close",)]


def test_pipelined_gets_heads_and_streamed_answers_come_whole_and_in_order(port: int) -> None:
    request = b"%s %s HTTP/1.1\r\nHost: x\r\n\r\n"
    answer = exchange(
        port,
        request % (b"GET", b"/good")
        + request % (b"HEAD", b"/good")
        + request % (b"GET", b"/parts")
        + b"GET /good HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
    )
    good, head, parts, last = answer.split(b"HTTP/1.1 200 OK\r\n")[1:]
    assert good.endswith(b"\r\ncontent-length: 4\r\n\r\nbody")
    assert head.endswith(b"\r\ncontent-length: 4\r\n\r\n")  # a head, and no body
    assert parts.endswith(b"\r\n4\r\none \r\n4\r\ntwo \r\n5\r\nthree\r\n0\r\n\r\n")
    assert last.endswith(b"\r\n\r\nbody")


def test_an_answer_given_up_after_its_head_sends_the_head_then_closes(port: int) -> None:
    answer = exchange(port, b"GET /gives-up HTTP/1.1\r\nHost: x\r\n\r\n")
    assert answer.startswith(b"HTTP/1.1 200 OK\r\n")
    assert answer.endswith(b"\r\ncontent-length: 10\r\n\r\n")


def test_100_continue_is_sent_at_once_while_the_client_waits_for_it(port: int) -> None:
    with socket.create_connection(("127.0.0.1", port), timeout=3) as connection:
        connection.sendall(
            b"POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n"
            b"Expect: 100-continue\r\nConnection: close\r\n\r\n"
        )
        assert connection.recv(65536) == b"HTTP/1.1 100 Continue\r\n\r\n"
        connection.sendall(b"hello")
        answer = b""
        while chunk := connection.recv(65536):
            answer += chunk
    assert answer.startswith(b"HTTP/1.1 200 OK\r\n")
    assert answer.endswith(b"\r\n\r\nhello")
