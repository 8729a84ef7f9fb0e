"""The editor API fuzzed with a key that has every scope, on a private database.

tests/test_fuzz.py sends no key, and leaves the editor's operations out (unauthenticated they all
answer 401, which tests/test_editor_auth.py checks route by route). Here every request carries an
all-scopes key. Two runs check every answer with all of schemathesis' default checks: one
generates requests for each editor operation alone; the other is stateful, following the OpenAPI
links of the document (`api.editor.routes.item_links`) from created items at random, with the
slug from each answer's body and `If-Match` from its `ETag`. A third test follows every
collection's links on purpose, in order (read, list revisions, patch, one revision, trash,
restore, trash, purge), each answer checked against the document. The random runs are
derandomized (FUZZ_RANDOM=1 draws new ones) and kept small (the examples and fuzzing phases,
FUZZ_EDITOR_EXAMPLES an operation; FUZZ_EDITOR_SCENARIOS scenarios); FUZZ_EDITOR_COVERAGE=1
adds schemathesis' coverage
phase, its thousands of boundary and invalid requests (`make fuzz` sets it).

The stateful run is one scenario (FUZZ_EDITOR_SCENARIOS) of up to FUZZ_EDITOR_STEPS calls:
scenarios share one database, and Hypothesis, which replays parts of earlier scenarios while it
explores, then finds slugs taken and answers changed and reports the generation as flaky
(FlakyStrategyDefinition) instead of testing; with 8 to 40 scenarios it did, on both databases.
"""

import json
import os
from collections import Counter
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, settings
from sqlmodel import Session

from api.editor import service
from api.editor.cli import SCOPES
from api.editor.collections import EDITOR_COLLECTIONS
from api.editor.routes import PREFIX
from tests.editor_support import Editor
from tests.fuzz_support import WithoutLifespan, send

EXAMPLES = int(os.environ.get("FUZZ_EDITOR_EXAMPLES", "2"))
SCENARIOS = int(os.environ.get("FUZZ_EDITOR_SCENARIOS", "1"))
STEPS = int(os.environ.get("FUZZ_EDITOR_STEPS", "50"))
COVERAGE = os.environ.get("FUZZ_EDITOR_COVERAGE") is not None
DERANDOMIZE = os.environ.get("FUZZ_RANDOM") is None
EDITOR_PATHS = f"^{PREFIX}/"
EDITOR_COLLECTION_NAMES = [collection.name for collection in EDITOR_COLLECTIONS]


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
    # DELETE moves an item to the trash, where the editor still reads it (200, `trashed_at`
    # set) to restore it, as the issue asks; it is gone only when purged. The check that a
    # deleted resource answers 404 assumes the other meaning of DELETE.
    schema.config.checks.use_after_free.enabled = False

    # `DELETE /keys/{key_id}` may revoke any key, the fuzzer's own included: each request gets a
    # key of its own (no caching: `refresh_interval=None`).
    @schema.auth(refresh_interval=None)
    class _Key:
        def get(self, case: schemathesis.Case, context: Any) -> str:
            with Session(editor.app.state.engine) as session:
                return service.create_key(session, "fuzz", list(SCOPES), None)[1]

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
            # No shrinking: the scenarios share one database, so a scenario replayed to shrink it
            # finds its slugs taken and draws differently (FlakyStrategyDefinition), hiding the
            # failure it was shrinking; the first failing scenario is reported as it ran.
            phases=[Phase.explicit, Phase.generate],
            deadline=None,
            suppress_health_check=list(HealthCheck),
            derandomize=DERANDOMIZE,
        )
    )
    # The walk is random, and which operations it reaches differs with the document and the
    # state other tests leave (it created and trashed items alone, and not in the whole suite):
    # what is pinned here is that every answer passed every check. The test below follows
    # every link on purpose.
    assert answered, "the stateful run made no call"


@pytest.mark.parametrize("collection", sorted(EDITOR_COLLECTION_NAMES))
def test_the_links_of_an_item_lead_to_reading_changing_trashing_and_purging_it(
    editor: Editor, collection: str
) -> None:
    """Each editor collection's item, walked through its answers' OpenAPI links alone: the
    slug from each answer's body, `If-Match` from its ETag, every answer as documented."""
    schema = editor_schema(editor)
    _, creation = editor.creation(collection)
    created = editor.client.post(f"{PREFIX}/{collection}", headers=editor.admin, **creation)
    assert created.status_code == 201, created.text
    operation = schema.find_operation_by_id(f"editor{'Upload' if 'files' in creation else 'Create'}"
                                            f"{_op(collection)}")  # fmt: skip
    schema.validate_response(operation, schemathesis.Response.from_any(created))
    answer = created
    walk = [
        ("GetItem", None, 200),
        ("ListRevisions", None, 200),
        ("PatchItem", {"status": "draft"}, 200),
        ("GetRevision", None, 200),
        ("TrashItem", None, 200),
        ("RestoreItem", None, 200),
        ("TrashItem", None, 200),
        ("PurgeItem", None, 204),
    ]
    for name, body, status in walk:
        followed, target = _follow(editor, schema, operation, answer, name, body)
        assert followed.status_code == status, (name, followed.text)
        schema.validate_response(target, schemathesis.Response.from_any(followed))
        if "links" in target.definition.raw["responses"][str(status)]:
            answer, operation = followed, target  # an answer holding the item: go on from it
    gone = editor.client.get(f"{PREFIX}/{collection}/{created.json()['data']['slug']}",
                             headers=editor.admin)  # fmt: skip
    assert gone.status_code == 404, gone.text


def _op(collection: str) -> str:
    return "".join(part.title() for part in collection.split("-"))


def _follow(
    editor: Editor, schema: Any, operation: Any, answer: Any, name: str, body: Any
) -> tuple[Any, Any]:
    """Follow link `name` of `answer` (to `operation`'s documented status): the request its
    runtime expressions make, sent with the admin key."""
    documented = operation.definition.raw["responses"][str(answer.status_code)]["links"][name]
    target = schema.find_operation_by_id(documented["operationId"])
    path, headers = target.path, dict(editor.admin)
    for parameter, expression in documented["parameters"].items():
        where, _, key = parameter.partition(".")
        value = _evaluate(expression, answer)
        if where == "path":
            path = path.replace("{" + key + "}", str(value))
        else:
            headers[key] = str(value)
    if body is not None:
        headers["Content-Type"] = "application/merge-patch+json"
    sent = editor.client.request(
        target.method.upper(), path, headers=headers, content=None if body is None else
        json.dumps(body),
    )  # fmt: skip
    return sent, target


def _evaluate(expression: str, answer: Any) -> Any:
    """An OpenAPI runtime expression of the two kinds the editor's links use."""
    if expression.startswith("$response.header."):
        return answer.headers[expression.removeprefix("$response.header.")]
    pointer = expression.removeprefix("$response.body#/").split("/")
    value = answer.json()
    for step in pointer:
        value = value[step]
    return value
