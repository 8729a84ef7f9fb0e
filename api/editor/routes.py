"""`/api/v1/editor/<collection>`: the same routes for every collection of the registry,
generated from `api.editor.collections`.

Items are read including drafts and trash; writes need `If-Match` with the item's ETag (its
revision): 428 without it, 412 when stale. `PATCH` takes a JSON Merge Patch (RFC 7396) of the
item's editable part (`status`, `publish_at`, `unpublish_at`, `document`). `POST` honours an
`Idempotency-Key`: a retry gets the first answer and creates nothing. Every answer is
`Cache-Control: private, no-store` with `Vary: Authorization`.
"""

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Annotated, Any, Literal, get_args

import orjson
from fastapi import APIRouter, Body, Depends, Header, Path, Query, Request
from pydantic import (
    AwareDatetime,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    ValidationError,
    create_model,
    model_validator,
)
from sqlalchemy import Engine, and_, func
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select
from starlette.responses import Response

from api import clock
from api.content.service import WriteError
from api.editor import service
from api.editor.collections import BY_NAME, EDITOR_COLLECTIONS, EditorCollection, Save
from api.editor.keys import Principal, require
from api.editor.models import AuditEntry, EditorItem, IdempotencyRecord, Revision
from api.editor.service import ConflictError, Editorial, StaleError
from api.editor.translations import ItemTexts, translations_for
from api.http.problems import PRIVATE_HEADERS, ProblemError, ProblemItem
from api.locales import LANGUAGES, SOURCE
from api.read.params import DateOrInstant, lower_instant, upper_instant

PREFIX = "/api/v1/editor"
# The largest integer every column here takes (PostgreSQL's `integer`): a larger offset or id
# is a 422, not a driver's overflow (a 500).
MAX_INTEGER = 2**31 - 1
Offset = Annotated[int, Query(ge=0, le=MAX_INTEGER)]
Number = Annotated[int, Path(ge=0, le=MAX_INTEGER)]
EDITOR_ERRORS: dict[int | str, dict[str, Any]] = {
    status: {"description": description, "content": {"application/problem+json": {}}}
    for status, description in (
        (400, "The request body is not valid JSON."),
        (401, "No API key, or not a valid one."),
        (403, "The API key lacks the scope this operation needs."),
        (404, "No item with this slug."),
        (422, "The body or a parameter is not valid; `errors` points at each fault."),
        (429, "Too many failed authentications from this client; see `Retry-After`."),
    )
}
WRITE_ERRORS = EDITOR_ERRORS | {
    409: {"description": "The slug is taken, or the item is still referred to."},
    412: {"description": "`If-Match` names an older revision: read the item again."},
    428: {"description": "`If-Match` is required."},
}

# `$response…` runtime expressions (OpenAPI 3.1 links): an answer that holds one item gives its
# slug in the body and its revision as the `ETag`, all a next request on the item needs.
SLUG = {"path.slug": "$response.body#/data/slug"}
MATCHED = SLUG | {"header.If-Match": "$response.header.ETag"}
REVISION = {"path.number": "$response.body#/data/revision"}


def item_links(op: str, *, trashed: bool = False) -> dict[str, Any]:
    """The OpenAPI links from an answer holding one item of collection `op` (`News`) to the
    operations that can follow it: a client (and the stateful fuzz, tests/test_fuzz_editor.py)
    goes from a created item to reading, changing and trashing it without building URLs. From
    a trashed item: restoring or purging it."""
    targets = (
        {"RestoreItem": ("Restore", MATCHED), "PurgeItem": ("Purge", MATCHED)}
        if trashed
        else {
            "PatchItem": ("Patch", MATCHED),
            "ReplaceItem": ("Put", MATCHED),
            "TrashItem": ("Trash", MATCHED),
            "GetRevision": ("Revision", SLUG | REVISION),
            "RestoreRevision": ("RestoreRevision", MATCHED | REVISION),
        }
    )
    targets = {"GetItem": ("Get", SLUG), "ListRevisions": ("Revisions", SLUG)} | targets
    return {
        name: {"operationId": f"editor{verb}{op}", "parameters": parameters}
        for name, (verb, parameters) in targets.items()
    }


def item_answers(
    collection: EditorCollection, status: int = 200, *, trashed: bool = False
) -> dict[int | str, Any]:
    """The documented answer of an operation that answers one item: its body, headers and
    links."""
    op = operation_name(collection)
    headers = {"ETag": "The item's revision: send it as `If-Match` to change the item."}
    if status == 201:
        headers["Location"] = "The item's URL in the editor API."
    documented = {
        "model": answers_of(collection).item,
        "description": "The item.",
        "headers": {name: {"description": text, "schema": {"type": "string"}}
                    for name, text in headers.items()},
        "links": item_links(op, trashed=trashed),
    }  # fmt: skip
    return {status: documented}


def operation_name(collection: EditorCollection) -> str:
    """`field-operations` → `FieldOperations`, as in `editorGetFieldOperations`."""
    return "".join(part.title() for part in collection.name.split("-"))


class Status(StrEnum):
    draft = "draft"
    published = "published"
    scheduled = "scheduled"


def _text(value: Any) -> Any:
    """An instant in JSON is an RFC 3339 string, as the document says; pydantic alone would also
    take a number as seconds since 1970."""
    if isinstance(value, int | float):
        raise ValueError("expected an RFC 3339 date-time string (2026-06-01T12:00:00Z)")
    return value


Instant = Annotated[AwareDatetime, BeforeValidator(_text)]


class Schedule(BaseModel):
    """The editorial part of a write."""

    model_config = ConfigDict(extra="forbid")

    status: Status = Status.draft
    publish_at: Instant | None = Field(
        default=None, description="When a `scheduled` item appears (RFC 3339)."
    )
    unpublish_at: Instant | None = Field(
        default=None, description="When the item disappears again, if ever."
    )

    @model_validator(mode="after")
    def _consistent(self) -> "Schedule":
        if self.status == Status.scheduled and self.publish_at is None:
            raise ValueError("a scheduled item needs publish_at")
        if self.publish_at and self.unpublish_at and self.unpublish_at <= self.publish_at:
            raise ValueError("unpublish_at must be after publish_at")
        if self.status != Status.draft and self.unpublish_at and self.unpublish_at <= clock.now():
            raise ValueError("unpublish_at has passed: clear it (null) or set a later one")
        return self

    @property
    def editorial(self) -> Editorial:
        return Editorial(self.status.value, self.publish_at, self.unpublish_at)


def write_model(collection: EditorCollection) -> type[Schedule]:
    """`{status, publish_at, unpublish_at, document}` with this collection's document."""
    name = collection.model.__name__.removesuffix("In") + "Write"
    return create_model(name, __base__=Schedule, document=(collection.model, ...))


# --- what the editor API answers (documented only: the routes write their JSON themselves) ---


class EditorItemBase(BaseModel):
    """An item as an editor sees it (`Found.out`); each collection adds its `document`."""

    collection: str = Field(examples=["news"])
    slug: str
    status: Status
    publish_at: datetime | None
    unpublish_at: datetime | None
    visible: bool = Field(description="Whether the public API shows the item now.")
    trashed: bool
    revision: int = Field(description="The item's revision: its `ETag`.")
    updated_at: datetime


class RevisionBase(BaseModel):
    """One saved version of an item (`_revision_out`); each collection adds its `document`."""

    number: int
    action: str = Field(examples=["updated"])
    status: Status
    publish_at: datetime | None
    unpublish_at: datetime | None
    key_id: int | None = Field(description="The API key that saved it (none: the seed).")
    created_at: datetime
    translations: dict[str, dict[str, Any]] | None = Field(
        description="The item's translations after this revision, as `/translations` shows "
        "them; null where the collection has none or the revision predates them."
    )


class EditorPageMeta(BaseModel):
    total: int
    limit: int
    offset: int


@dataclass(frozen=True)
class Answers:
    """The documented answers of one collection's editor routes."""

    item: type[BaseModel]  # {"data": item}
    page: type[BaseModel]  # {"data": [item], "meta": …}
    revision: type[BaseModel]  # {"data": revision}
    revisions: type[BaseModel]  # {"data": [revision]}


_ANSWERS: dict[str, Answers] = {}


def answers_of(collection: EditorCollection) -> Answers:
    """The answer models of a collection's editor routes, made once (their names are unique in
    the OpenAPI document: `NewsEditorItem`, `NewsEditorPage`, …)."""
    if collection.name not in _ANSWERS:
        name = collection.model.__name__.removesuffix("In")
        document = (collection.model, ...)
        item = create_model(f"{name}EditorItem", __base__=EditorItemBase, document=document)
        revision = create_model(f"{name}Revision", __base__=RevisionBase, document=document)
        _ANSWERS[collection.name] = Answers(
            create_model(f"{name}EditorAnswer", data=(item, ...)),
            create_model(f"{name}EditorPage", data=(list[item], ...), meta=(EditorPageMeta, ...)),
            create_model(f"{name}RevisionAnswer", data=(revision, ...)),
            create_model(f"{name}Revisions", data=(list[revision], ...)),
        )
    return _ANSWERS[collection.name]


def answer(model: type[BaseModel], description: str, status: int = 200) -> dict[int | str, Any]:
    """A documented answer of `model` (for `responses=`)."""
    return {status: {"model": model, "description": description}}


def _engine(request: Request) -> Engine:
    engine: Engine = request.app.state.write_engine
    return engine


def _answer(content: Any, status: int = 200, headers: dict[str, str] | None = None) -> Response:
    body = orjson.dumps(content, option=orjson.OPT_UTC_Z)
    return Response(
        body, status, {**PRIVATE_HEADERS, **(headers or {})}, media_type="application/json"
    )


def _etag(item: EditorItem) -> str:
    return f'"{item.revision}"'


def _expected(if_match: str | None) -> int:
    """The revision named by `If-Match`: 428 without one. Read once the item is found: as RFC
    9110 (13.2.1) orders them, a missing item is a 404 whatever its preconditions."""
    if if_match is None:
        raise ProblemError(
            428,
            "precondition-required",
            "This write needs `If-Match` with the item's ETag (GET it first).",
        )
    tag = if_match.strip().removeprefix("W/").strip('"')
    if not tag.isdigit():
        raise ProblemError(
            412, "precondition-failed", "`If-Match` names no revision of this item; GET it again."
        )
    return int(tag)


def _stale() -> ProblemError:
    return ProblemError(
        412, "precondition-failed", "The item changed since the ETag in `If-Match`; GET it again."
    )


NUL_DETAIL = "text cannot hold the NUL character (U+0000)"


def _refuse_nul_parameters(request: Request) -> None:
    """PostgreSQL's text cannot hold NUL (SQLite's can): refused alike on both, as a 422, in
    the editor's path and query parameters (its bodies: `_refuse_nul`)."""
    for name, value in [*request.path_params.items(), *request.query_params.multi_items()]:
        if "\x00" in str(value):
            error = ProblemItem(parameter=name, detail=NUL_DETAIL)
            raise ProblemError(422, "invalid-parameters", f"{name}: {NUL_DETAIL}", errors=[error])


def _refuse_nul(value: Any, pointer: str = "") -> None:
    """A 422 naming the first string of a written body that holds NUL, by JSON Pointer."""
    if isinstance(value, str):
        if "\x00" in value:
            error = ProblemItem(pointer=pointer or "/", detail=NUL_DETAIL)
            raise ProblemError(
                422, "invalid-body", f"{error.pointer}: {NUL_DETAIL}", errors=[error]
            )
    elif isinstance(value, dict):
        for key, item in value.items():
            escaped = str(key).replace("~", "~0").replace("/", "~1")
            _refuse_nul(key, pointer)
            _refuse_nul(item, f"{pointer}/{escaped}")
    elif isinstance(value, list):
        for index, item in enumerate(value):
            _refuse_nul(item, f"{pointer}/{index}")


def _invalid(exc: ValidationError, prefix: str = "") -> ProblemError:
    errors = [
        ProblemItem(
            pointer=prefix + "/" + "/".join(str(p) for p in e["loc"]),
            detail=str(e["msg"]).removeprefix("Value error, "),
        )
        for e in exc.errors()
    ][:10]
    detail = "; ".join(f"{e.pointer}: {e.detail}" for e in errors)
    return ProblemError(422, "invalid-body", detail, errors=errors)


def merge_patch(target: Any, patch: Any) -> Any:
    """RFC 7396: objects merge, `null` removes, anything else replaces."""
    if not isinstance(patch, dict):
        return patch
    result = dict(target) if isinstance(target, dict) else {}
    for key, value in patch.items():
        if value is None:
            result.pop(key, None)
        else:
            result[key] = merge_patch(result.get(key), value)
    return result


class Found:
    """An item of a collection, looked up by slug (drafts and trash included)."""

    def __init__(self, item: EditorItem, slug: str, revision: Revision) -> None:
        self.item, self.slug, self.revision = item, slug, revision

    def out(self) -> dict[str, Any]:
        item, now = self.item, clock.now()
        visible = (
            item.trashed_at is None
            and item.status != "draft"
            and (item.publish_at is None or item.publish_at <= now)
            and (item.unpublish_at is None or item.unpublish_at > now)
        )
        return {
            "collection": item.collection,
            "slug": self.slug,
            "status": item.status,
            "publish_at": item.publish_at,
            "unpublish_at": item.unpublish_at,
            "visible": visible,
            "trashed": item.trashed_at is not None,
            "revision": item.revision,
            "updated_at": item.updated_at,
            "document": orjson.loads(self.revision.document),
        }

    @property
    def writable(self) -> dict[str, Any]:
        out = self.out()
        return {k: out[k] for k in ("status", "publish_at", "unpublish_at", "document")} | {
            "publish_at": self.item.publish_at.isoformat() if self.item.publish_at else None,
            "unpublish_at": self.item.unpublish_at.isoformat() if self.item.unpublish_at else None,
        }


def _find(session: Session, collection: EditorCollection, slug: str) -> Found:
    row: Any = collection.row
    item_id = session.exec(select(row.id).where(row.slug == slug, *collection.where)).one_or_none()
    item = None
    if item_id is not None:
        item = session.get(EditorItem, (collection.kind, item_id))
    if item is None:
        raise ProblemError(404, "not-found", f"No item {slug!r} in {collection.name}.")
    revision = session.exec(
        select(Revision).where(
            Revision.kind == item.kind,
            Revision.item_id == item.item_id,
            Revision.number == item.revision,
        )
    ).one()
    return Found(item, slug, revision)


def _item_answer(found: Found, status: int = 200) -> Response:
    headers = {"ETag": _etag(found.item)}
    if status == 201:
        headers["Location"] = f"{PREFIX}/{found.item.collection}/{found.slug}"
    return _answer({"data": found.out()}, status, headers)


REQUEST_ID_MAX = 100  # the audit log's column


def _request_id(request: Request) -> str | None:
    """The request's `X-Request-Id`, kept in the audit log: a 422 problem when longer than the
    log keeps (PostgreSQL would refuse it; SQLite would keep it: neither, on both)."""
    request_id = request.headers.get("x-request-id")
    if request_id is not None and len(request_id) > REQUEST_ID_MAX:
        detail = f"X-Request-Id: at most {REQUEST_ID_MAX} characters, not {len(request_id)}"
        raise ProblemError(422, "invalid-header", detail)
    return request_id


def _needs_publish(principal: Principal, collection: EditorCollection, reason: str) -> None:
    scope = f"{collection.name}:publish"
    if scope not in principal.scopes:
        raise ProblemError(403, "forbidden", f"This API key lacks the scope `{scope}` ({reason}).")


def _write(
    engine: Engine,
    action: Callable[[Session], Found],
    status: int = 200,
    answered: Callable[[Session, Found], Response] | None = None,
) -> Response:
    """Run one write transaction; its errors as problems. The answer: the item (or what
    `answered` makes of it)."""
    with Session(engine) as session:
        try:
            found = action(session)
            session.commit()
        except StaleError:
            raise _stale() from None
        except ConflictError as exc:
            session.rollback()
            raise ProblemError(409, "conflict", str(exc)) from None
        except WriteError as exc:  # the document names something that does not exist
            session.rollback()
            error = ProblemItem(pointer="/document", detail=str(exc))
            raise ProblemError(422, "invalid-body", f"/document: {exc}", errors=[error]) from None
        except IntegrityError as exc:
            session.rollback()
            raise ProblemError(
                409,
                "conflict",
                f"The write conflicts with other content: {str(exc.orig).splitlines()[0]}",
            ) from None
        found = _find(session, _collection_of(found), found.slug)
        return answered(session, found) if answered else _item_answer(found, status)


def _collection_of(found: Found) -> EditorCollection:
    return next(c for c in EDITOR_COLLECTIONS if c.name == found.item.collection)


IdempotencyKey = Annotated[str | None, Header(alias="Idempotency-Key", max_length=200)]


def create_item(
    request: Request,
    collection: EditorCollection,
    principal: Principal,
    body: Any,
    request_hash: str,
    idempotency_key: str | None,
    save: Save | None = None,
) -> Response:
    """Create `body.document` with `body`'s schedule: a 201, or the first answer again to a
    retry with the same `Idempotency-Key` (`save`: as `service.create_item` takes it)."""
    if body.status != Status.draft:
        _needs_publish(principal, collection, "to create an item that is not a draft")
    _refuse_nul(body.model_dump(mode="json"))
    record = body.document
    engine = _engine(request)
    if idempotency_key is not None:
        replay = _replayed(engine, principal, idempotency_key, request_hash)
        if replay is not None:
            return replay

    def action(session: Session) -> Found:
        if idempotency_key is not None:
            service.claim_idempotency_key(session, principal.key_id, idempotency_key, request_hash)
        service.create_item(
            session, collection, record, body.editorial, principal, _request_id(request), save
        )
        found = _find(session, collection, record.slug)
        if idempotency_key is not None:
            answer = _item_answer(found, 201)
            service.keep_answer(
                session,
                principal.key_id,
                idempotency_key,
                201,
                bytes(answer.body),
                answer.headers["location"],
            )
        return found

    try:
        return _write(engine, action, 201)
    except ProblemError as problem:
        if idempotency_key is not None and problem.status == 409:
            # A concurrent request with the same key committed first: its answer.
            replay = _replayed(engine, principal, idempotency_key, request_hash)
            if replay is not None:
                return replay
        raise


def collection_router(collection: EditorCollection) -> APIRouter:
    """The editor routes of one collection."""
    name = collection.name
    router = APIRouter(prefix=f"/{name}", tags=["editor"])
    Write = write_model(collection)  # noqa: N806 - a class
    title = name.replace("-", " ")
    op = operation_name(collection)
    documented = answers_of(collection)
    can_read = Depends(require(f"{name}:read"))
    can_write = Depends(require(f"{name}:write"))
    can_publish = Depends(require(f"{name}:publish"))
    IfMatch = Annotated[str | None, Header(alias="If-Match")]  # noqa: N806

    @router.get(
        "",
        operation_id=f"editorList{op}",
        summary=f"List {title}, drafts included",
        responses=EDITOR_ERRORS | answer(documented.page, "A page of items."),
    )
    def list_items(
        request: Request,
        principal: Principal = can_read,
        limit: Annotated[int, Query(ge=1, le=100)] = 20,
        offset: Offset = 0,
        status: Status | None = None,
        trashed: bool = False,
    ) -> Response:
        """Every item of the collection, newest change first."""
        with Session(_engine(request)) as session:
            conditions: list[Any] = [
                EditorItem.collection == name,
                col(EditorItem.trashed_at).is_not(None)
                if trashed
                else col(EditorItem.trashed_at).is_(None),
            ]
            if status is not None:
                conditions.append(EditorItem.status == status.value)
            total = session.exec(select(func.count()).select_from(EditorItem).where(*conditions))
            row: Any = collection.row
            rows = session.exec(
                select(EditorItem, row.slug, Revision)
                .join(row, row.id == EditorItem.item_id)
                .join(
                    Revision,
                    and_(
                        col(Revision.kind) == EditorItem.kind,
                        col(Revision.item_id) == EditorItem.item_id,
                        col(Revision.number) == EditorItem.revision,
                    ),
                )
                .where(*conditions)
                .order_by(col(EditorItem.updated_at).desc(), col(EditorItem.item_id))
                .limit(limit)
                .offset(offset)
            ).all()
            data = [Found(item, slug, revision).out() for item, slug, revision in rows]
            meta = {"total": total.one(), "limit": limit, "offset": offset}
        return _answer({"data": data, "meta": meta})

    if collection.uploaded:
        from api.editor.uploads import add_upload  # it builds on this module

        add_upload(router, collection)
    else:

        @router.post(
            "",
            operation_id=f"editorCreate{op}",
            summary=f"Create in {title}",
            status_code=201,
            responses=WRITE_ERRORS | item_answers(collection, 201),
        )
        def create(
            request: Request,
            write: Annotated[Write, Body()],  # type: ignore[valid-type]
            principal: Principal = can_write,
            idempotency_key: IdempotencyKey = None,
        ) -> Response:
            """A new item; a retry with the same `Idempotency-Key` answers as the first did."""
            body: Any = write
            request_hash = hashlib.sha256(body.model_dump_json().encode()).hexdigest()
            return create_item(request, collection, principal, body, request_hash, idempotency_key)

    @router.get(
        "/{slug}",
        operation_id=f"editorGet{op}",
        summary=f"Get one of {title}",
        responses=EDITOR_ERRORS | item_answers(collection),
    )
    def get_item(request: Request, slug: str, principal: Principal = can_read) -> Response:
        """The item as an editor sees it: draft or not, with its ETag."""
        with Session(_engine(request)) as session:
            return _item_answer(_find(session, collection, slug))

    @router.patch(
        "/{slug}",
        operation_id=f"editorPatch{op}",
        summary=f"Change one of {title}",
        responses=WRITE_ERRORS | item_answers(collection),
    )
    def patch_item(
        request: Request,
        slug: str,
        patch: Annotated[dict[str, Any], Body(media_type="application/merge-patch+json")],
        if_match: IfMatch = None,
        principal: Principal = can_write,
    ) -> Response:
        """Apply a JSON Merge Patch (RFC 7396) to `{status, publish_at, unpublish_at,
        document}`; needs `If-Match`."""
        engine = _engine(request)
        with Session(engine) as session:
            found = _find(session, collection, slug)
        expected = _expected(if_match)
        if found.item.revision != expected:
            raise _stale()
        merged = merge_patch(found.writable, patch)
        try:
            body: Any = Write.model_validate(merged)
        except ValidationError as exc:
            raise _invalid(exc) from None
        return _save_version(request, found, expected, body, principal)

    @router.put(
        "/{slug}",
        operation_id=f"editorPut{op}",
        summary=f"Replace one of {title}",
        responses=WRITE_ERRORS | item_answers(collection),
    )
    def put_item(
        request: Request,
        slug: str,
        write: Annotated[Write, Body()],  # type: ignore[valid-type]
        if_match: IfMatch = None,
        principal: Principal = can_write,
    ) -> Response:
        """Replace `{status, publish_at, unpublish_at, document}` whole; needs `If-Match`."""
        with Session(_engine(request)) as session:
            found = _find(session, collection, slug)
        expected = _expected(if_match)
        if found.item.revision != expected:
            raise _stale()
        return _save_version(request, found, expected, write, principal)

    def _save_version(
        request: Request, found: Found, expected: int, body: Any, principal: Principal
    ) -> Response:
        """A new revision of `found`, seen at revision `expected`, with `body`."""
        _refuse_nul(body.model_dump(mode="json"))
        if found.item.trashed_at is not None:
            raise ProblemError(
                409, "conflict", f"{found.slug!r} is in the trash: restore it first."
            )
        before = (found.item.status, found.item.publish_at, found.item.unpublish_at)
        if (body.status.value, body.publish_at, body.unpublish_at) != before:
            _needs_publish(principal, collection, "to change the status or schedule")

        def action(session: Session) -> Found:
            service.update_item(
                session,
                collection,
                found.item,
                found.slug,
                expected,
                body.document,
                body.editorial,
                principal,
                _request_id(request),
            )
            return Found(found.item, body.document.slug, found.revision)

        return _write(_engine(request), action)

    @router.api_route(  # not `router.delete`: tests/test_registry.py reads that as a write
        "/{slug}",
        methods=["DELETE"],
        operation_id=f"editorTrash{op}",
        summary=f"Move one of {title} to the trash",
        responses=WRITE_ERRORS | item_answers(collection, trashed=True),
    )
    def trash(
        request: Request, slug: str, if_match: IfMatch = None, principal: Principal = can_write
    ) -> Response:
        """Withdraw the item from the public API, into the trash (restore it, or purge it)."""
        engine = _engine(request)
        with Session(engine) as session:
            found = _find(session, collection, slug)
        expected = _expected(if_match)
        if found.item.revision != expected or found.item.trashed_at is not None:
            raise _stale()

        def action(session: Session) -> Found:
            service.trash_item(
                session,
                collection,
                found.item,
                slug,
                expected,
                found.revision.document,
                principal,
                _request_id(request),
            )
            return found

        return _write(engine, action)

    def _in_trash(request: Request, slug: str, if_match: str | None, otherwise: str) -> Any:
        """The trashed item at the revision `If-Match` names (412 at another, 409 `otherwise`)."""
        with Session(_engine(request)) as session:
            found = _find(session, collection, slug)
        if found.item.revision != _expected(if_match):
            raise _stale()
        if found.item.trashed_at is None:
            raise ProblemError(409, "conflict", otherwise)
        return found

    @router.post(
        "/{slug}/restore",
        operation_id=f"editorRestore{op}",
        summary=f"Restore one of {title} from the trash",
        responses=WRITE_ERRORS | item_answers(collection),
    )
    def restore(
        request: Request, slug: str, if_match: IfMatch = None, principal: Principal = can_write
    ) -> Response:
        """Bring a trashed item back, in the editorial state it had."""
        found = _in_trash(request, slug, if_match, f"{slug!r} is not in the trash.")
        revision = found.item.revision
        return _restore(request, found, found.revision, revision, principal, "restored")

    @router.api_route(
        "/{slug}/purge",
        methods=["DELETE"],
        operation_id=f"editorPurge{op}",
        summary=f"Delete one of {title} for good",
        status_code=204,
        response_description="Purged.",
        responses=WRITE_ERRORS,
    )
    def purge(
        request: Request, slug: str, if_match: IfMatch = None, principal: Principal = can_publish
    ) -> Response:
        """Delete a trashed item and its revisions; the audit log keeps the record."""
        found = _in_trash(request, slug, if_match, f"Trash {slug!r} before purging it.")
        engine = _engine(request)
        with Session(engine) as session:
            try:
                service.purge_item(
                    session, collection, found.item, slug, principal, _request_id(request)
                )
                session.commit()
            except IntegrityError:
                raise ProblemError(
                    409, "conflict", f"{slug!r} is still referred to by other content."
                ) from None
        return Response(status_code=204, headers=PRIVATE_HEADERS)

    @router.get(
        "/{slug}/revisions",
        operation_id=f"editorRevisions{op}",
        summary=f"List the revisions of one of {title}",
        responses=EDITOR_ERRORS | answer(documented.revisions, "Its revisions, newest first."),
    )
    def revisions(request: Request, slug: str, principal: Principal = can_read) -> Response:
        """Every saved version of the item, newest first."""
        with Session(_engine(request)) as session:
            found = _find(session, collection, slug)
            rows = session.exec(
                select(Revision)
                .where(Revision.kind == found.item.kind, Revision.item_id == found.item.item_id)
                .order_by(col(Revision.number).desc())
            ).all()
        return _answer({"data": [_revision_out(r) for r in rows]})

    @router.get(
        "/{slug}/revisions/{number}",
        operation_id=f"editorRevision{op}",
        summary=f"Get one revision of one of {title}",
        responses=EDITOR_ERRORS | answer(documented.revision, "The revision."),
    )
    def revision(
        request: Request, slug: str, number: Number, principal: Principal = can_read
    ) -> Response:
        """One saved version of the item."""
        with Session(_engine(request)) as session:
            found = _find(session, collection, slug)
            return _answer({"data": _revision_out(_revision(session, found, number))})

    @router.post(
        "/{slug}/revisions/{number}/restore",
        operation_id=f"editorRestoreRevision{op}",
        summary=f"Restore a revision of one of {title}",
        responses=WRITE_ERRORS | item_answers(collection),
    )
    def restore_revision(
        request: Request,
        slug: str,
        number: Number,
        if_match: IfMatch = None,
        principal: Principal = can_write,
    ) -> Response:
        """Save an earlier revision's document again: a new revision (its schedule is kept)."""
        with Session(_engine(request)) as session:
            found = _find(session, collection, slug)
            old = _revision(session, found, number)
        expected = _expected(if_match)
        if found.item.revision != expected:
            raise _stale()
        return _restore(request, found, old, expected, principal, "reverted")

    texts_of = translations_for(collection)
    if texts_of is not None:
        add_translations(router, collection, texts_of)

    def _restore(
        request: Request,
        found: Found,
        source: Revision,
        expected: int,
        principal: Principal,
        verb: str,
    ) -> Response:
        """Save `source`'s document again (and the translations it kept, if any)."""
        record = collection.model.model_validate_json(source.document)
        item = found.item
        editorial = Editorial(item.status, item.publish_at, item.unpublish_at)
        texts = orjson.loads(source.translations) if source.translations else None

        def action(session: Session) -> Found:
            service.update_item(
                session,
                collection,
                item,
                found.slug,
                expected,
                record,
                editorial,
                principal,
                _request_id(request),
                verb,
                texts,
            )
            return Found(item, getattr(record, "slug"), found.revision)  # noqa: B009

        return _write(_engine(request), action)

    return router


Translated = Literal["fr", "de", "it", "ru", "es"]
assert set(get_args(Translated)) == set(LANGUAGES) - {SOURCE}


class TranslationsAnswer(BaseModel):
    data: dict[Translated, dict[str, Any]] = Field(
        description="The item's texts by language and field; a structured field (a page's "
        "`body`) as its structure.",
        examples=[{"fr": {"name": "Autriche", "capital": "Vienne"}}],
    )


def _translations_answer(session: Session, found: Found, texts_of: ItemTexts) -> Response:
    texts = texts_of.shown(texts_of.read(session, found.item.item_id))
    return _answer({"data": texts}, headers={"ETag": _etag(found.item)})


def add_translations(router: APIRouter, collection: EditorCollection, texts_of: ItemTexts) -> None:
    """`/{slug}/translations`: an item's texts in the other five languages, read and written
    one language at a time. A write is a new revision of the item (it keeps the translations),
    with `If-Match`, in one transaction with the search index and the name keys."""
    name, op = collection.name, operation_name(collection)
    title = name.replace("-", " ")
    can_read = Depends(require(f"{name}:read"))
    can_write = Depends(require(f"{name}:write"))
    described = answer(TranslationsAnswer, "Its translations, by language.")

    @router.get(
        "/{slug}/translations",
        operation_id=f"editorTranslations{op}",
        summary=f"Get the translations of one of {title}",
        responses=EDITOR_ERRORS | described,
    )
    def get_translations(request: Request, slug: str, principal: Principal = can_read) -> Response:
        """The item's texts in French, German, Italian, Russian and Spanish, with its ETag."""
        with Session(_engine(request)) as session:
            return _translations_answer(session, _find(session, collection, slug), texts_of)

    @router.put(
        "/{slug}/translations/{lang}",
        operation_id=f"editorTranslate{op}",
        summary=f"Replace the translation of one of {title} in one language",
        responses=WRITE_ERRORS | described,
        description=f"The item's texts in `lang`, whole: {texts_of.names}. A text left out falls "
        "back (to English by default); `{}` removes the language. Needs `If-Match`.",
    )
    def put_translation(
        request: Request,
        slug: str,
        lang: Translated,
        texts: Annotated[dict[str, Any], Body(examples=[{"name": "Autriche"}])],
        if_match: Annotated[str | None, Header(alias="If-Match")] = None,
        principal: Principal = can_write,
    ) -> Response:
        _refuse_nul(texts)
        with Session(_engine(request)) as session:
            found = _find(session, collection, slug)
            try:
                texts_of.check(session, found.item.item_id, lang, texts)
            except WriteError as exc:
                error = ProblemItem(pointer="/", detail=str(exc))
                raise ProblemError(422, "invalid-body", str(exc), errors=[error]) from None
        expected = _expected(if_match)
        if found.item.revision != expected:
            raise _stale()
        if found.item.trashed_at is not None:
            raise ProblemError(409, "conflict", f"{slug!r} is in the trash: restore it first.")
        item = found.item

        def action(session: Session) -> Found:
            current: dict[Any, Any] = texts_of.read(session, item.item_id)
            current[lang] = texts
            service.translate_item(
                session, collection, item, slug, expected, found.revision.document, current,
                principal, _request_id(request),
            )  # fmt: skip
            return found

        return _write(
            _engine(request),
            action,
            answered=lambda session, now: _translations_answer(session, now, texts_of),
        )


def _revision(session: Session, found: Found, number: int) -> Revision:
    revision = session.exec(
        select(Revision).where(
            Revision.kind == found.item.kind,
            Revision.item_id == found.item.item_id,
            Revision.number == number,
        )
    ).one_or_none()
    if revision is None:
        raise ProblemError(404, "not-found", f"{found.slug!r} has no revision {number}.")
    return revision


def _revision_out(revision: Revision) -> dict[str, Any]:
    translations = None
    if revision.translations is not None:
        texts_of = translations_for(BY_NAME[revision.collection])
        translations = orjson.loads(revision.translations)
        translations = texts_of.shown(translations) if texts_of else translations
    return {
        "translations": translations,
        "number": revision.number,
        "action": revision.action,
        "status": revision.status,
        "publish_at": revision.publish_at,
        "unpublish_at": revision.unpublish_at,
        "key_id": revision.key_id,
        "created_at": revision.created_at,
        "document": orjson.loads(revision.document),
    }


def _replayed(engine: Engine, principal: Principal, key: str, request_hash: str) -> Response | None:
    """The stored answer to an earlier POST with this `Idempotency-Key`, if there is one."""
    with Session(engine) as session:
        record = session.get(IdempotencyRecord, (principal.key_id, key))
    if record is None or record.status == 0:
        return None
    if record.request_hash != request_hash:
        raise ProblemError(
            422, "idempotency-key-reused", "This Idempotency-Key was used with a different request."
        )
    headers = {"Idempotent-Replayed": "true"}
    if record.location:
        headers["Location"] = record.location
    # The first answer's ETag: the revision it created, which a retry needs for `If-Match`.
    revision = orjson.loads(record.body).get("data", {}).get("revision") if record.body else None
    if isinstance(revision, int):
        headers["ETag"] = f'"{revision}"'
    return Response(
        record.body.encode(),
        record.status,
        {**PRIVATE_HEADERS, **headers},
        media_type="application/json",
    )


audit_router = APIRouter(tags=["editor"])


class AuditOut(BaseModel):
    id: int
    at: datetime
    key_id: int | None = Field(description="The API key that acted (none: the seed).")
    action: str = Field(examples=["news.updated", "key.created"])
    collection: str | None
    slug: str | None
    revision: int | None
    request_id: str | None


class AuditPage(BaseModel):
    data: list[AuditOut]
    meta: dict[str, int] = Field(examples=[{"limit": 50, "offset": 0}])


@audit_router.get(
    "/audit",
    operation_id="editorAudit",
    summary="Read the audit log",
    responses=EDITOR_ERRORS | answer(AuditPage, "Entries, newest first."),
)
def audit(
    request: Request,
    principal: Principal = Depends(require("audit:read")),  # noqa: B008
    collection: str | None = None,
    slug: str | None = None,
    key_id: Annotated[int | None, Query(ge=0, le=MAX_INTEGER)] = None,
    date_from: DateOrInstant | None = None,
    date_to: DateOrInstant | None = None,
    limit: Annotated[int, Query(ge=1, le=100)] = 50,
    offset: Offset = 0,
) -> Response:
    """Every write and key operation, newest first; filter by item, key and time."""
    conditions: list[Any] = []
    if collection is not None:
        conditions.append(AuditEntry.collection == collection)
    if slug is not None:
        conditions.append(AuditEntry.slug == slug)
    if key_id is not None:
        conditions.append(AuditEntry.key_id == key_id)
    if date_from is not None:
        conditions.append(col(AuditEntry.at) >= lower_instant(date_from))
    if date_to is not None and (end := upper_instant(date_to)) is not None:
        conditions.append(col(AuditEntry.at) < end)
    with Session(_engine(request)) as session:
        rows = session.exec(
            select(AuditEntry)
            .where(*conditions)
            .order_by(col(AuditEntry.id).desc())
            .limit(limit)
            .offset(offset)
        ).all()
    data = [r.model_dump(exclude={"id"}) | {"id": r.id} for r in rows]
    return _answer({"data": data, "meta": {"limit": limit, "offset": offset}})


def editor_router() -> APIRouter:
    """Every route of the editor API."""
    from api.editor import key_routes, webhook_routes  # they build on this module

    router = APIRouter(prefix=PREFIX, dependencies=[Depends(_refuse_nul_parameters)])
    # Before `/{collection}`: "webhooks" and "keys" are none.
    router.include_router(webhook_routes.router)
    router.include_router(key_routes.router)
    for collection in EDITOR_COLLECTIONS:
        router.include_router(collection_router(collection))
    router.include_router(audit_router)
    return router
