"""Contract fuzzing: schemathesis generates requests from the OpenAPI document, valid and
invalid, for every operation, and checks every answer against the document.

All of schemathesis' default checks run: no server errors, status codes, content types and
headers that the document declares, responses that match their schemas, invalid data rejected,
valid data accepted, unsupported methods answered with 405. No hook adjusts the generated
requests: what the document calls valid is accepted as it is (`make fuzz-live` runs the plain
command line against a running server the same way). FUZZ_EXAMPLES sets the examples
per operation: the suite uses a few, `make fuzz` many (and FUZZ_RANDOM=1 new ones each run).

The editor API's operations are left out: without a key each of them answers 401, which
tests/test_editor_auth.py checks for every route; tests/test_fuzz_editor.py fuzzes them with one.
"""

import os
from typing import Any

import pytest
import schemathesis
from fastapi import FastAPI
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, settings

from api.editor.routes import PREFIX
from tests.fuzz_support import WithoutLifespan, send

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "15"))


@pytest.fixture
def api_schema(app: FastAPI) -> Any:
    return schemathesis.openapi.from_asgi("/api/v1/openapi.json", WithoutLifespan(app))


schema = schemathesis.pytest.from_fixture("api_schema").exclude(path_regex=f"^{PREFIX}/")


@schema.parametrize()
@settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=list(HealthCheck),
    derandomize=os.environ.get("FUZZ_RANDOM") is None,
)
def test_every_operation_honours_the_contract(
    case: schemathesis.Case, shared_client: TestClient
) -> None:
    response, kwargs = send(shared_client, case)
    case.validate_response(response, transport_kwargs=kwargs)
