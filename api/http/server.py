"""uvicorn's httptools protocol with the bounds it lacks: every connection costs bounded memory
and time, whatever its client sends or fails to read.

uvicorn (0.54, httptools) has no limit on the size of a request head, buffers every pipelined
request it has parsed (a client that sends without reading grew one worker to 3.8 GB), keeps a
connection that never sends a complete request open for ever, and has no cap on connections
below the file-descriptor limit. Its h11 protocol bounds the head (`h11_max_incomplete_event_size`)
and parses one request at a time, but it is a pure-Python parser, and it has no request timeout
either: switching would trade one missing bound for a slower parser on every request (not
measured here; the read path may lose at most 5%). `--limit-concurrency` answers
every request of every connection with a 503 once the cap is reached, in plain text. So this
subclass keeps httptools and adds:

- data is parsed in slices of `SLICE_BYTES`; before each slice, a connection with
  `max_pipelined` requests waiting stops reading (TCP back-pressure), so it holds at most that
  many requests, one slice's worth more, and the one chunk the transport had read;
- a request head is at most `max_header_bytes` (431), its URL at most `max_url_bytes` (414),
  with at most `max_headers` fields (431);
- a request must be complete (head and body) within `request_timeout` of its first byte (408;
  the timer is armed only for a request that does not arrive whole in one read), and a new
  connection must send one within the keep-alive timeout (closed);
- past `max_connections`, a new connection gets a 503 problem and is closed at once;
- every answer of the protocol itself is a problem document with the security headers;
- a response's head waits for the first part of its body, and both go to the socket in one
  write (`HeadHeld`): uvicorn writes them one at a time, two system calls and two TCP
  segments an answer; one write saves a cached answer about 6% of its CPU time (bench/README.md,
  "6 Dec, later").

Measured cost (bench/README.md, "The bounded HTTP edge"): a GET parsed and answered by the
protocol alone costs 17.4 µs against uvicorn's 16.0 µs (the fastest of seven runs of 30,000), so
about 1.3 µs of a cached answer's 55 to 80 µs of CPU; a timer per request, since made lazy, and
a Python override per header field had cost as much again.
"""

import asyncio
import logging
import re
from asyncio import TimerHandle
from dataclasses import dataclass
from typing import Any

import httptools
from uvicorn.config import Config
from uvicorn.protocols.http import httptools_impl
from uvicorn.protocols.http.httptools_impl import STATUS_LINE, HttpToolsProtocol
from uvicorn.server import ServerState

from api.config import Settings, get_settings
from api.http.middleware import SECURITY_HEADERS
from api.http.problems import problem_bytes

SLICE_BYTES = 1024
log = logging.getLogger("api")


class RememberedCheck:
    """A compiled pattern's `search`, remembering the values it found nothing in: uvicorn
    checks every name and value of every response head against two character classes
    (`HEADER_RE`, `HEADER_VALUE_RE`: no control characters, no CR or LF), byte by byte, about
    34,000 machine instructions for the 16 fields of an answer from the response cache, an
    eighth of it (bench/README.md, "6 Dec"). Most fields are the same every time (the security
    headers, `Vary`, `Cache-Control`): each is checked once, then found in a set. Values that
    vary (`ETag`, `Content-Length`, `Link`) are checked every time, as before; at most
    `max_values` of at most `max_bytes` each are remembered."""

    def __init__(self, pattern: re.Pattern[bytes], max_values: int = 512, max_bytes: int = 512):
        self.pattern, self.max_values, self.max_bytes = pattern, max_values, max_bytes
        self.passed: dict[bytes, None] = {}  # a dict as a set

    def search(self, value: bytes) -> re.Match[bytes] | None:
        if value in self.passed:
            return None
        found = self.pattern.search(value)
        if found is None and len(value) <= self.max_bytes and len(self.passed) < self.max_values:
            self.passed[value] = None
        return found


def remember_header_checks() -> None:
    """Put `RememberedCheck`s in place of uvicorn's two header patterns (they are read from
    its module at each response, so this takes effect for every connection)."""
    for name in ("HEADER_RE", "HEADER_VALUE_RE"):
        pattern = getattr(httptools_impl, name)
        if isinstance(pattern, re.Pattern):
            setattr(httptools_impl, name, RememberedCheck(pattern))


@dataclass(frozen=True)
class ConnectionBounds:
    max_header_bytes: int
    max_url_bytes: int
    max_headers: int
    max_pipelined: int
    request_timeout: float
    max_connections: int

    @classmethod
    def of(cls, settings: Settings) -> "ConnectionBounds":
        return cls(
            settings.max_header_bytes,
            settings.max_url_bytes,
            settings.max_headers,
            settings.max_pipelined,
            settings.request_timeout_s,
            settings.max_connections,
        )


class RefusedError(Exception):
    """Raised in a parser callback: the request is answered with `status` and the connection
    closed."""

    def __init__(self, status: int, kind: str, detail: str) -> None:
        super().__init__(detail)
        self.status, self.kind, self.detail = status, kind, detail


def refusal_bytes(status: int, kind: str, detail: str) -> bytes:
    """A complete HTTP/1.1 response: a problem document, the security headers, then close."""
    body = problem_bytes(status, kind, detail, "")
    head = [STATUS_LINE[status]]
    headers = [
        (b"content-type", b"application/problem+json"),
        (b"content-length", str(len(body)).encode()),
        (b"cache-control", b"no-store"),
        (b"connection", b"close"),
        *SECURITY_HEADERS,
    ]
    if status == 503:
        headers.append((b"retry-after", b"5"))
    head += [name + b": " + value + b"\r\n" for name, value in headers]
    return b"".join([*head, b"\r\n", body])


class HeadHeld:
    """The transport as one response cycle writes to it: the response head is held until the
    body's first write, and both go to the socket together (one system call, one TCP segment,
    where uvicorn makes two of each). Not for a HEAD request (no body is written) nor one that
    expects `100 Continue` (written first, at once); an answer given up after its head (the
    cycle closes the transport) sends the head before closing."""

    __slots__ = ("head", "transport")

    def __init__(self, transport: asyncio.Transport) -> None:
        self.transport = transport
        self.head: bytes | None = None

    def write(self, data: bytes) -> None:
        if self.head is None:
            self.head = data  # the first write of a cycle is its head
        elif not self.head:
            self.transport.write(data)
        elif data:
            self.transport.writelines((self.head, data))
            self.head = b""
        else:  # an empty body (a 304's): the head alone
            self.transport.write(self.head)
            self.head = b""

    def is_closing(self) -> bool:
        return self.transport.is_closing()

    def close(self) -> None:
        if self.head and not self.transport.is_closing():
            self.transport.write(self.head)
        self.head = b""
        self.transport.close()


class BoundedHttpToolsProtocol(HttpToolsProtocol):
    def __init__(
        self,
        config: Config,
        server_state: ServerState,
        app_state: dict[str, Any],
        _loop: asyncio.AbstractEventLoop | None = None,
    ) -> None:
        super().__init__(config, server_state, app_state, _loop)
        remember_header_checks()
        self.bounds = ConnectionBounds.of(get_settings())
        self.pending = memoryview(b"")  # read but not yet parsed: at most one transport read
        self.head_bytes = -1  # of the request head being parsed; -1 between heads
        self.request_started = 0.0  # when its first byte was parsed (loop time)
        self.request_timer: TimerHandle | None = None
        self.timed_request = 0.0  # the `request_started` the timer is armed for

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        if len(self.connections) > self.bounds.max_connections:
            log.warning("refused a connection: %d open", len(self.connections) - 1)
            detail = "The server has too many open connections; retry shortly."
            self.refuse(503, "service-unavailable", detail)
            return
        # uvicorn arms the keep-alive timeout only after a response: a connection that never
        # sends a request would stay open for ever.
        self.timeout_keep_alive_task = self.loop.call_later(
            self.timeout_keep_alive, self.timeout_keep_alive_handler
        )

    def connection_lost(self, exc: Exception | None) -> None:
        self._cancel_request_timer()
        self.pending = memoryview(b"")
        super().connection_lost(exc)

    def refuse(self, status: int, kind: str, detail: str) -> None:
        if not self.transport.is_closing():
            self.transport.write(refusal_bytes(status, kind, detail))
            self.transport.close()
        self.pending = memoryview(b"")

    def send_400_response(self, msg: str) -> None:
        self.refuse(400, "bad-request", "The request is not valid HTTP/1.1.")

    # Parsing in slices, with back-pressure -------------------------------------------------

    def data_received(self, data: bytes) -> None:
        self._unset_keepalive_if_required()
        if self.pending:
            self.pending = memoryview(bytes(self.pending) + data)
            self._parse_pending()
        elif len(data) <= SLICE_BYTES and len(self.pipeline) < self.bounds.max_pipelined:
            self._feed(data)  # the usual request: one slice, no copy
        else:
            self.pending = memoryview(data)
            self._parse_pending()
        if self.head_bytes >= 0 or (self.cycle is not None and self.cycle.more_body):
            self._time_partial_request()

    def _parse_pending(self) -> None:
        while self.pending and self.parser is not None and not self.transport.is_closing():
            if len(self.pipeline) >= self.bounds.max_pipelined:
                self.flow.pause_reading()  # the client waits until it reads some answers
                return
            piece, self.pending = self.pending[:SLICE_BYTES], self.pending[SLICE_BYTES:]
            self._feed(piece)

    def _feed(self, piece: bytes | memoryview) -> None:
        """Parse one slice; refuse the request (and drop what is pending) if it is too big."""
        try:
            self.parser.feed_data(piece)
        except httptools.HttpParserCallbackError as exc:
            refused = exc.__context__
            if not isinstance(refused, RefusedError):
                raise
            self.refuse(refused.status, refused.kind, refused.detail)
            return
        except httptools.HttpParserError:
            self.send_400_response("")
            return
        except httptools.HttpParserUpgrade:
            # `serve` runs without WebSockets: the request was answered as a plain one (as
            # uvicorn does); what follows an upgrade request is not HTTP/1.1.
            self.pending = memoryview(b"")
            return
        if self.head_bytes >= 0:
            bounds = self.bounds
            self.head_bytes += len(piece)
            if len(self.url) > bounds.max_url_bytes:
                self.refuse(
                    414, "uri-too-long", f"URLs are limited to {bounds.max_url_bytes:,} bytes."
                )
            elif self.head_bytes > bounds.max_header_bytes:
                detail = f"Request heads are limited to {bounds.max_header_bytes:,} bytes."
                self.refuse(431, "request-header-too-large", detail)

    # The parent's callbacks are called by name, not through `super()`: a call a request
    # each, and `super()` makes an object and walks the class's bases every time.

    def on_response_complete(self) -> None:
        # Starts the next pipelined request, resumes reading.
        HttpToolsProtocol.on_response_complete(self)
        if self.pending and not self.transport.is_closing():
            self._parse_pending()
            if self.pending:
                self.flow.pause_reading()
            self._time_partial_request()

    def _receiving(self) -> bool:
        """Whether a request has begun and not arrived whole (its head, or its body)."""
        return self.head_bytes >= 0 or (self.cycle is not None and self.cycle.more_body)

    def _time_partial_request(self) -> None:
        """A request that arrived whole needs no timer (nearly all do: a timer per request cost
        the hot path measurably); one still arriving gets one for the time it has left."""
        if not self._receiving() or self.transport.is_closing():
            return
        if self.request_timer is not None and self.timed_request == self.request_started:
            return
        if self.request_timer is not None:
            self.request_timer.cancel()  # armed for an earlier request
        left = self.request_started + self.bounds.request_timeout - self.loop.time()
        self.request_timer = self.loop.call_later(left, self._request_timed_out)
        self.timed_request = self.request_started

    # Parser callbacks: the fewer overridden, the cheaper each request ----------------------

    def on_message_begin(self) -> None:
        HttpToolsProtocol.on_message_begin(self)
        self.head_bytes = 0
        self.request_started = self.loop.time()

    def on_headers_complete(self) -> None:
        self.head_bytes = -1
        bounds = self.bounds
        if len(self.url) > bounds.max_url_bytes:  # one that arrived in the last slice
            detail = f"URLs are limited to {bounds.max_url_bytes:,} bytes."
            raise RefusedError(414, "uri-too-long", detail)
        if len(self.headers) > bounds.max_headers:
            detail = f"Requests are limited to {bounds.max_headers} header fields."
            raise RefusedError(431, "request-header-too-large", detail)
        HttpToolsProtocol.on_headers_complete(self)
        if not self.expect_100_continue and self.scope["method"] != "HEAD":
            self.cycle.transport = HeadHeld(self.transport)  # type: ignore[assignment]

    def _cancel_request_timer(self) -> None:
        if self.request_timer is not None:
            self.request_timer.cancel()
            self.request_timer = None

    def _request_timed_out(self) -> None:
        self.request_timer = None
        if not self._receiving():
            return  # it arrived whole in the end
        answering = self.cycle is not None and not self.cycle.response_complete
        if self.head_bytes < 0 or answering:
            self.transport.close()  # a 408 now would interleave with another answer
            return
        detail = f"The request was not complete within {self.bounds.request_timeout:g} s."
        self.refuse(408, "request-timeout", detail)
