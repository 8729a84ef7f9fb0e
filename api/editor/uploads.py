"""`POST /api/v1/editor/images`: an image uploaded as `multipart/form-data`, a `file` part and
its description in form fields, as `curl -F file=@map.png -F slug=map -F alt=… -F credit=…`
sends them.

The file is checked before the write's transaction (decoding it need not hold the database's
write lock): too many bytes or pixels is a 413, a file that is not the PNG, JPEG or WebP its
name says, or that does not decode whole, a 422 pointing at `/file`. The item is then created
like any other (`api.editor.routes.create_item`): revision, audit entry, outbox event and
content version in one transaction, `Idempotency-Key` honoured. Its document is the
description, with the name the file was uploaded under; a `PATCH` changes the description and
keeps the file. The request body may be MAX_IMAGE_BYTES plus MAX_BODY_BYTES on this route
only (`upload_body_limits`).
"""

import hashlib
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Request, UploadFile
from pydantic import Field, ValidationError, create_model
from sqlmodel import Session
from starlette.responses import Response

from api.config import Settings
from api.content.images.files import Checked, ImageRejectedError, check
from api.content.images.models import FocalPoint, ImageIn
from api.content.images.service import save_checked
from api.content.service import Changes, Refs
from api.editor.collections import EditorCollection, Save
from api.editor.keys import Principal, require
from api.editor.routes import (
    PREFIX,
    WRITE_ERRORS,
    IdempotencyKey,
    Schedule,
    create_item,
    item_answers,
    write_model,
)
from api.http.problems import ProblemError, ProblemItem


def _focal(edges: str) -> Any:
    return (float, Field(default=0.5, ge=0, le=1, description=f"The focal point, {edges}."))


# The file, the description's fields as form fields (the focal point as two numbers), and the
# schedule.
FORM_FIELDS: dict[str, Any] = {
    "file": (UploadFile, Field(description="A PNG, JPEG or WebP file, so named.")),
    **{
        name: (field.annotation, field)
        for name, field in ImageIn.model_fields.items()
        if name not in ("file", "focal_point")
    },
    "focal_x": _focal("from the left edge (0) to the right (1)"),
    "focal_y": _focal("from the top edge (0) to the bottom (1)"),
}
ImageUpload = create_model("ImageUpload", __base__=Schedule, **FORM_FIELDS)
UPLOAD_ERRORS = WRITE_ERRORS | {
    413: {
        "description": "The file has more bytes than MAX_IMAGE_BYTES or more pixels than "
        "MAX_IMAGE_PIXELS.",
        "content": {"application/problem+json": {}},
    },
}


def upload_body_limits(settings: Settings) -> dict[str, int]:
    """The request bodies larger than MAX_BODY_BYTES that are accepted, by path: an upload's
    file and, beside it, as much description as any JSON body may have."""
    return {f"{PREFIX}/images": settings.max_image_bytes + settings.max_body_bytes}


def _rejected(exc: ImageRejectedError) -> ProblemError:
    kind = "content-too-large" if exc.status == 413 else "invalid-body"
    error = ProblemItem(pointer="/file", detail=exc.detail)
    return ProblemError(exc.status, kind, exc.detail, errors=[error])


def _saving(data: bytes, checked: Checked, settings: Settings) -> Save:
    """The collection's save for a new item: the checked file is stored with it."""

    def save(session: Session, refs: Refs, changes: Changes, record: Any, status: str) -> Any:
        return save_checked(
            session, refs, changes, record, data, checked, settings, publication_status=status
        )

    return save


def add_upload(router: APIRouter, collection: EditorCollection) -> None:
    """The collection's create: an upload rather than a JSON document."""
    Write = write_model(collection)  # noqa: N806 - a class
    can_write = Depends(require(f"{collection.name}:write"))

    @router.post(
        "",
        operation_id="editorUploadImages",
        summary="Upload an image",
        status_code=201,
        responses=UPLOAD_ERRORS | item_answers(collection, 201),
    )
    def upload(
        request: Request,
        form: Annotated[ImageUpload, Form()],
        principal: Principal = can_write,
        idempotency_key: IdempotencyKey = None,
    ) -> Response:
        """A new image: the file and its description (`alt` and `credit` required); a retry
        with the same `Idempotency-Key` answers as the first did. Errors point at form fields
        (`/alt`, `/file`)."""
        fields: Any = form
        file: UploadFile = fields.file
        settings: Settings = request.app.state.settings
        name = file.filename or ""
        data = file.file.read(settings.max_image_bytes + 1)  # one byte more says "too many"
        document = fields.model_dump(include=set(ImageIn.model_fields) - {"file", "focal_point"})
        document |= {"file": name, "focal_point": FocalPoint(x=fields.focal_x, y=fields.focal_y)}
        schedule = fields.model_dump(include=set(Schedule.model_fields))
        try:
            body = Write.model_validate({**schedule, "document": document})
        except ValidationError as exc:  # the form is valid: only the file's name can be wrong
            detail = "; ".join(str(e["msg"]) for e in exc.errors())
            error = ProblemItem(pointer="/file", detail=detail)
            raise ProblemError(422, "invalid-body", f"/file: {detail}", errors=[error]) from None
        try:
            checked = check(data, name, settings.max_image_bytes, settings.max_image_pixels)
        except ImageRejectedError as exc:
            raise _rejected(exc) from None
        # The same request again: the same description and the same file.
        request_hash = hashlib.sha256(body.model_dump_json().encode() + data).hexdigest()
        save = _saving(data, checked, settings)
        return create_item(
            request, collection, principal, body, request_hash, idempotency_key, save
        )
