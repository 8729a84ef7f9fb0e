"""The ceiling baseline: a minimal Starlette app answering fixed bytes (BENCH_BODY, hex)."""

import os

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

BODY = bytes.fromhex(os.environ.get("BENCH_BODY", "7b7d"))


async def fixed(_request: Request) -> Response:
    return Response(BODY, media_type="application/json")


app = Starlette(routes=[Route("/", fixed)])
