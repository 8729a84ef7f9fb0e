"""Liveness and readiness probes for load balancers and orchestrators."""

from typing import Literal

from alembic.config import Config
from alembic.script import ScriptDirectory
from fastapi import APIRouter, Request
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError
from starlette.responses import Response

from api.config import PROJECT_ROOT
from api.http.responses import json_response

router = APIRouter(tags=["health"])


class HealthStatus(BaseModel):
    """What a probe found."""

    model_config = ConfigDict(populate_by_name=True)

    status: Literal["ok", "unavailable"]
    migration: str | None = Field(
        default=None, alias="schema", description="The database's migration revision (readyz)."
    )
    detail: str | None = Field(default=None, description="Why the service is unavailable.")


def migration_head() -> str | None:
    config = Config(str(PROJECT_ROOT / "alembic.ini"))
    return ScriptDirectory.from_config(config).get_current_head()


@router.get(
    "/livez", response_model=HealthStatus, operation_id="getLiveness", summary="Is the process up?"
)
def livez() -> Response:
    """200 while the process serves requests; never touches the database."""
    return json_response({"status": "ok"})


@router.get(
    "/readyz",
    response_model=HealthStatus,
    responses={503: {"model": HealthStatus, "description": "Not ready; see `detail`."}},
    operation_id="getReadiness",
    summary="Can it serve data?",
)
def readyz(request: Request) -> Response:
    """200 when the database answers and is migrated to the code's schema, else 503."""
    expected = request.app.state.migration_head
    try:
        connection = request.app.state.engine.connect()
    except SQLAlchemyError:
        body = {"status": "unavailable", "detail": "the database is unreachable"}
        return json_response(body, status=503, headers={"Retry-After": "5"})
    with connection:
        try:
            current = connection.execute(text("SELECT version_num FROM alembic_version")).scalar()
        except SQLAlchemyError:
            current = None
    if current != expected:
        detail = f"the database schema is at {current or 'nothing'}, the code expects {expected}"
        return json_response({"status": "unavailable", "detail": detail}, status=503)
    return json_response({"status": "ok", "schema": current})
