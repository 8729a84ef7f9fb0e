"""The editor API fuzzed with a key that has every scope, on a private database.

tests/test_fuzz.py sends no key, and leaves the editor's operations out (unauthenticated they all
answer 401, which tests/test_editor_auth.py checks route by route). Here every request carries an
all-scopes key, and two runs check every answer with all of schemathesis' default checks: one
generates requests for each editor operation alone; the other is stateful, following the OpenAPI
links of the document (`api.editor.routes.item_links`) from a created item to reading, changing,
trashing, restoring and purging it, with the slug from each answer's body and `If-Match` from its
`ETag`, and asserts that such a sequence happened. Both are derandomized (FUZZ_RANDOM=1 draws new
ones). The suite keeps them small (the examples and fuzzing phases, FUZZ_EDITOR_EXAMPLES a
operation; FUZZ_EDITOR_SCENARIOS scenarios); FUZZ_EDITOR_COVERAGE=1 adds schemathesis' coverage
phase, its thousands of boundary and invalid requests (`make fuzz` sets it).

The stateful scenarios share one database: a slug one scenario created is taken in the next, so
when Hypothesis replays a scenario an answer may differ and it reports the generation as flaky
(FlakyStrategyDefinition). Derandomized, the run is the same every time and does not; with
FUZZ_RANDOM=1 and many scenarios it can.
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

EXAMPLES = int(os.environ.get("FUZZ_EDITOR_EXAMPLES", "2"))
SCENARIOS = int(os.environ.get("FUZZ_EDITOR_SCENARIOS", "8"))
STEPS = int(os.environ.get("FUZZ_EDITOR_STEPS", "12"))
COVERAGE = os.environ.get("FUZZ_EDITOR_COVERAGE") is not None
DERANDOMIZE = os.environ.get("FUZZ_RANDOM") is None
EDITOR_PATHS = f"^{PREFIX}/"


def editor_schema(editor: Editor) -> Any:
    """The document's editor operations, every request with an all-scopes key."""
    schema = schemathesis.openapi.from_asgi(
        "/api/v1/openapi.json", WithoutLifespan(editor.app)
    ).include(path_regex=EDITOR_PATHS)
    schema.config.phases.coverage.enabled = COVERAGE
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


# The fixture's own filter is not kept by a schema from a fixture: this one is.
schema = schemathesis.pytest.from_fixture("keyed_schema").include(path_regex=EDITOR_PATHS)


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
    # Checks that replay the request (without the key, say) build their own from `case`.
    response, _ = send(editor.client, case)
    case.validate_response(response)


def test_items_are_created_read_changed_and_deleted_through_the_links(editor: Editor) -> None:
    Machine = editor_schema(editor).as_state_machine()  # noqa: N806 - a class
    answered: Counter[tuple[str, str, int]] = Counter()  # method, path after the collection

    class Workflow(Machine):  # type: ignore[misc,valid-type]
        def call(self, case: schemathesis.Case, **kwargs: Any) -> Any:
            response, _ = send(editor.client, case)
            within = case.path.removeprefix(f"{PREFIX}/").partition("/")[2]
            answered[(case.method, within, response.status_code)] += 1
            return schemathesis.Response.from_any(response)

    Workflow.run(
        settings=settings(
            max_examples=SCENARIOS,
            stateful_step_count=STEPS,
            deadline=None,
            suppress_health_check=list(HealthCheck),
            derandomize=DERANDOMIZE,
        )
    )
    # Items created, read and changed through the links: the slug from the body, `If-Match`
    # from the ETag (a stale or missing one would be a 412 or 428), then trashed the same way.
    changed = answered["PATCH", "{slug}", 200] + answered["PUT", "{slug}", 200]
    assert (answered["POST", "", 201], answered["GET", "{slug}", 200], changed) >= (1, 1, 1)
    assert answered["DELETE", "{slug}", 200] >= 1
    with Session(editor.app.state.engine) as session:
        entries = session.exec(
            select(AuditEntry)
            .where(col(AuditEntry.collection).is_not(None))
            .order_by(col(AuditEntry.id))
        ).all()
    histories: dict[tuple[str | None, str | None], list[str]] = {}
    for entry in entries:
        histories.setdefault((entry.collection, entry.slug), []).append(entry.action.split(".")[-1])
    # And one item whose history, in order, is a creation, a change (a merge patch, a whole
    # replacement or an earlier revision restored: each needs the right `If-Match`), the trash.
    assert any(
        history[0] == "created"
        and {"updated", "reverted"} & set(history[1:-1])
        and history[-1] in ("trashed", "purged")
        for history in histories.values()
    ), histories
