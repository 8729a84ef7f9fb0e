"""The editor API fuzzed with a key that has every scope, on a private database.

tests/test_fuzz.py sends no key, so the editor's operations mostly answer 401 there. Here every
request carries an all-scopes key, and two runs check every answer with all of schemathesis'
default checks: one generates requests for each editor operation alone; the other is stateful,
following the OpenAPI links of the document (`api.editor.routes.item_links`) from a created item
to reading, changing, trashing, restoring and purging it, with the slug from each answer's body
and `If-Match` from its `ETag`. Both are derandomized (FUZZ_RANDOM=1 draws new ones).
"""

import os
from collections import Counter
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from sqlmodel import Session, col, select

from api.editor.cli import SCOPES
from api.editor.models import AuditEntry
from api.editor.routes import PREFIX
from tests.editor_support import Editor
from tests.fuzz_support import WithoutLifespan, send

EXAMPLES = int(os.environ.get("FUZZ_EDITOR_EXAMPLES", "3"))
SCENARIOS = int(os.environ.get("FUZZ_EDITOR_SCENARIOS", "40"))
DERANDOMIZE = os.environ.get("FUZZ_RANDOM") is None


def editor_schema(editor: Editor) -> Any:
    """The document's editor operations, every request with an all-scopes key."""
    schema = schemathesis.openapi.from_asgi(
        "/api/v1/openapi.json", WithoutLifespan(editor.app)
    ).include(path_regex=f"^{PREFIX}/")
    # A request the document calls valid may still be refused, for what no JSON Schema can say:
    # a document naming content that does not exist, `unpublish_at` before `publish_at` (422),
    # an `If-Match` that is not the item's current revision (412). Every other check is whole.
    acceptance = schema.config.checks.positive_data_acceptance
    acceptance.expected_statuses = [*acceptance.expected_statuses, "412", "422"]
    # A write without `If-Match` is refused with RFC 6585's own status for it, 428.
    missing = schema.config.checks.missing_required_header
    missing.expected_statuses = [*missing.expected_statuses, "428"]
    token = editor.key(*SCOPES)

    @schema.auth()
    class _Key:
        def get(self, case: schemathesis.Case, context: Any) -> str:
            return token

        def set(self, case: schemathesis.Case, data: str, context: Any) -> None:
            case.headers = {**(case.headers or {}), "Authorization": f"Bearer {data}"}

    return schema


@pytest.fixture
def keyed_schema(editor: Editor) -> Any:
    return editor_schema(editor)


schema = schemathesis.pytest.from_fixture("keyed_schema")


@schema.parametrize()
@settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=list(HealthCheck),
    derandomize=DERANDOMIZE,
)
def test_every_editor_operation_honours_the_contract_with_a_key(
    case: schemathesis.Case, editor: Editor
) -> None:
    response, _ = send(editor.client, case)
    case.validate_response(response)


def test_items_are_created_read_changed_and_deleted_through_the_links(editor: Editor) -> None:
    Machine = editor_schema(editor).as_state_machine()  # noqa: N806 - a class
    calls: Counter[tuple[str, int]] = Counter()

    class Workflow(Machine):  # type: ignore[misc,valid-type]
        def call(self, case: schemathesis.Case, **kwargs: Any) -> Any:
            response, _ = send(editor.client, case)
            calls[(case.operation.label, response.status_code)] += 1
            return schemathesis.Response.from_any(response)

    Workflow.run(
        settings=settings(
            max_examples=SCENARIOS,
            stateful_step_count=6,
            deadline=None,
            suppress_health_check=list(HealthCheck),
            derandomize=DERANDOMIZE,
        )
    )
    print(sorted(calls.items()))
    with Session(editor.app.state.engine) as session:
        actions = session.exec(
            select(AuditEntry.action).where(col(AuditEntry.key_id).is_not(None))
        ).all()
    print(Counter(actions))
