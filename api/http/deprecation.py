"""Deprecations inside v1, announced on every affected response (see the README's versioning
policy): `Deprecation` (RFC 9745), `Sunset` (RFC 8594) and a `Link` with rel="deprecation" to
what replaces it. The OpenAPI document marks the same operations and parameters `deprecated`.
"""

from dataclasses import dataclass
from datetime import UTC, date, datetime
from email.utils import format_datetime
from urllib.parse import parse_qsl


@dataclass(frozen=True)
class Deprecation:
    path: str  # the route's path as in the OpenAPI document, e.g. "/api/v1/news/{slug}"
    parameter: str | None  # a query parameter, or None: the whole operation
    since: date
    sunset: date  # when it stops working; at least six months after `since`
    link: str  # where the replacement is explained

    def headers(self) -> list[tuple[bytes, bytes]]:
        since = datetime.combine(self.since, datetime.min.time(), UTC)
        sunset = datetime.combine(self.sunset, datetime.min.time(), UTC)
        return [
            (b"deprecation", f"@{int(since.timestamp())}".encode()),
            (b"sunset", format_datetime(sunset, usegmt=True).encode()),
            (b"link", f'<{self.link}>; rel="deprecation"'.encode()),
        ]

    def applies(self, path: str, query_string: bytes) -> bool:
        if not _matches(self.path, path):
            return False
        if self.parameter is None:
            return True
        names = {name for name, _ in parse_qsl(query_string.decode("latin-1"))}
        return self.parameter in names


# Nothing in v1 is deprecated yet.
DEPRECATIONS: tuple[Deprecation, ...] = ()


def _matches(template: str, path: str) -> bool:
    parts, actual = template.strip("/").split("/"), path.strip("/").split("/")
    return len(parts) == len(actual) and all(
        p == a or (p.startswith("{") and p.endswith("}"))
        for p, a in zip(parts, actual, strict=True)
    )
