"""`/api/v1/editor/keys`: list, create and revoke API keys over HTTP (`keys:manage`).

The command line makes the first key (`content-api keys create`); a key with `keys:manage`
then manages the others. A key grants only scopes it holds itself, so `keys:manage` alone
cannot mint an administrator. Tokens are shown once, in the answer that creates them; lists
show what `content-api keys list` shows, never a token or its hash. Each creation and
revocation is in the audit log, under the acting key, as the item `keys/<id>`.
"""

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, StringConstraints
from sqlmodel import Session, col, select
from starlette.responses import Response

from api import clock
from api.editor import service
from api.editor.cli import SCOPES
from api.editor.keys import Principal, require
from api.editor.models import ApiKey
from api.editor.routes import (
    EDITOR_ERRORS,
    PREFIX,
    Number,
    _answer,
    _engine,
    _request_id,
    answer,
)
from api.http.problems import PRIVATE_HEADERS, ProblemError, ProblemItem

Scope = Annotated[str, StringConstraints(max_length=60)]
manage = Depends(require("keys:manage"))
router = APIRouter(prefix="/keys", tags=["editor"])


class KeyIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length=100, examples=["news desk"])
    scopes: list[Scope] = Field(
        min_length=1,
        max_length=len(SCOPES),
        examples=[["news:read", "news:write"]],
        description="Each one of the editor API's scopes, and held by the key that asks.",
    )
    expires_at: AwareDatetime | None = Field(
        default=None,
        description="When the key stops working (RFC 3339, with a zone); never if absent.",
    )


class KeyOut(BaseModel):
    id: int
    name: str
    scopes: list[str]
    created_at: datetime
    expires_at: datetime | None
    last_used_at: datetime | None = Field(description="Written at most once a minute.")
    revoked_at: datetime | None


class KeyList(BaseModel):
    data: list[KeyOut]


class NewKey(KeyOut):
    token: str = Field(description="The bearer token: shown in this answer only.")


class NewKeyAnswer(BaseModel):
    data: NewKey


def key_out(key: ApiKey, token: str | None = None) -> dict[str, Any]:
    """A key as the API and `content-api keys list` show it: never its hash."""
    out = {
        "id": key.id, "name": key.name, "scopes": key.scopes.split(),
        "created_at": key.created_at, "expires_at": key.expires_at,
        "last_used_at": key.last_used_at, "revoked_at": key.revoked_at,
    }  # fmt: skip
    return out | ({"token": token} if token else {})


def _invalid(pointer: str, detail: str) -> ProblemError:
    error = ProblemItem(pointer=pointer, detail=detail)
    return ProblemError(422, "invalid-body", f"{pointer}: {detail}", errors=[error])


@router.get("", operation_id="editorListKeys", summary="List API keys",
            responses=EDITOR_ERRORS | answer(KeyList, "Every key."))  # fmt: skip
def list_keys(request: Request, principal: Principal = manage) -> Response:
    """Every key, revoked ones included, oldest first (without tokens)."""
    with Session(_engine(request)) as session:
        keys = session.exec(select(ApiKey).order_by(col(ApiKey.id))).all()
        return _answer({"data": [key_out(k) for k in keys]})


@router.post("", operation_id="editorCreateKey", summary="Create an API key", status_code=201,
             responses=EDITOR_ERRORS | answer(NewKeyAnswer, "The key.", 201))  # fmt: skip
def create_key(request: Request, key: KeyIn, principal: Principal = manage) -> Response:
    """A new key; the answer is the only one that shows its token."""
    for index, scope in enumerate(key.scopes):
        if scope not in SCOPES:
            raise _invalid(f"/scopes/{index}", f"unknown scope `{scope}`")
    lacking = [s for s in dict.fromkeys(key.scopes) if s not in principal.scopes]
    if lacking:
        names = ", ".join(f"`{s}`" for s in lacking)
        raise ProblemError(
            403, "forbidden", f"A key grants only scopes it holds; it lacks {names}."
        )
    expires_at: datetime | None = key.expires_at
    if expires_at is not None and expires_at <= clock.now():
        raise _invalid("/expires_at", "is not in the future")
    with Session(_engine(request)) as session:
        created, token = service.create_key(
            session, key.name, list(dict.fromkeys(key.scopes)), expires_at, principal,
            _request_id(request),
        )  # fmt: skip
        headers = {"Location": f"{PREFIX}/keys/{created.id}"}
        return _answer({"data": key_out(created, token)}, 201, headers)


@router.api_route("/{key_id}", methods=["DELETE"], operation_id="editorRevokeKey",
                  summary="Revoke an API key", status_code=204,
                  response_description="Revoked: refused from its next request on.",
                  responses=EDITOR_ERRORS)  # fmt: skip
def revoke_key(request: Request, key_id: Number, principal: Principal = manage) -> Response:
    """Revoke a key (it may be the caller's own); revoking a revoked key changes nothing."""
    with Session(_engine(request)) as session:
        if service.revoke_key(session, key_id, principal, _request_id(request)) is None:
            raise ProblemError(404, "not-found", f"No API key {key_id}.")
    return Response(status_code=204, headers=PRIVATE_HEADERS)
