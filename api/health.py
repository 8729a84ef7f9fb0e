"""Liveness and readiness probes for load balancers and orchestrators."""

from typing import Any, Literal

from alembic.config import Config
from alembic.script import ScriptDirectory
from fastapi import APIRouter, Request
from pydantic import BaseModel, ConfigDict, Field
from starlette.responses import Response

from api.config import PROJECT_ROOT
from api.http.responses import json_response
from api.read.reader import DatabaseUnavailableError

# A probe's answer is about this moment: no cache in front may keep it.
NO_STORE = {"Cache-Control": "no-store"}

router = APIRouter(tags=["health"])


class HealthStatus(BaseModel):
    """What a probe found."""

    model_config = ConfigDict(populate_by_name=True)

    status: Literal["ok", "unavailable"]
    migration: str | None = Field(
        default=None, alias="schema", description="The database's migration revision (readyz)."
    )
    detail: str | None = Field(default=None, description="Why the service is unavailable.")
    replica: dict[str, Any] | None = Field(
        default=None,
        description="With a read replica: whether it serves reads (`serving`), its replay lag "
        "in seconds (`lag_s`) and, when it does not answer, why (`detail`).",
    )


def migration_head() -> str | None:
    config = Config(str(PROJECT_ROOT / "alembic.ini"))
    return ScriptDirectory.from_config(config).get_current_head()


@router.get(
    "/livez", response_model=HealthStatus, operation_id="getLiveness", summary="Is the process up?"
)
def livez() -> Response:
    """200 while the process serves requests; never touches the database."""
    return json_response({"status": "ok"}, headers=NO_STORE)


@router.get(
    "/readyz",
    response_model=HealthStatus,
    responses={503: {"model": HealthStatus, "description": "Not ready; see `detail`."}},
    operation_id="getReadiness",
    summary="Can it serve data?",
)
async def readyz(request: Request) -> Response:
    """200 when the database answers and is migrated to the code's schema, else 503."""
    expected = request.app.state.migration_head
    try:
        readiness = await request.app.state.reader.readiness()
    except DatabaseUnavailableError:
        body = {"status": "unavailable", "detail": "the database is unreachable"}
        return json_response(body, status=503, headers={**NO_STORE, "Retry-After": "5"})
    current = readiness.revision
    if current != expected:
        detail = f"the database schema is at {current or 'nothing'}, the code expects {expected}"
        body = {"status": "unavailable", "detail": detail}
        return json_response(body, status=503, headers={**NO_STORE, "Retry-After": "5"})
    body = {"status": "ok", "schema": current}
    if readiness.replica is not None:
        body["replica"] = readiness.replica
    return json_response(body, headers=NO_STORE)
