"""Image uploads through the editor API: an upload is an image of the public API with its
renditions, written with the editor's trail; a hostile file is a 413 or 422 problem pointing
at it, never a 500, and nothing is written."""

import io
from typing import Any

import pytest
from fastapi.testclient import TestClient
from PIL import Image
from sqlmodel import Session, select

from api.editor.models import AuditEntry, Revision, WebhookEvent
from tests.conftest import _testing_app
from tests.content.test_images import bomb_header, jpeg, noise, png
from tests.editor_support import REGION_MAP, Editor
from tests.helpers import assert_problem

IMAGES = "/api/v1/editor/images"


def _form(slug: str = "uploaded-map", **fields: Any) -> dict[str, Any]:
    form = {"slug": slug, "alt": "A map of the region.", "credit": "Test", "caption": "A map"}
    return {k: v for k, v in (form | fields).items() if v is not None}


def _upload(
    client: TestClient, headers: dict[str, str], name: str, data: bytes, **fields: Any
) -> Any:
    files = {"file": (name, data, "application/octet-stream")}
    return client.post(IMAGES, headers=headers, data=_form(**fields), files=files)


def _chunked(client: TestClient, headers: dict[str, str], name: str, data: bytes) -> Any:
    """The same upload sent chunked: no Content-Length, the limit counts what arrives."""
    request = client.build_request("POST", IMAGES, data=_form(), files={"file": (name, data)})
    sent = client.post(
        IMAGES,
        content=iter([request.read()]),
        headers=headers | {"content-type": request.headers["content-type"]},
    )
    assert "content-length" not in sent.request.headers
    return sent


def test_an_upload_is_a_public_image_with_renditions_and_the_editors_trail(
    editor: Editor,
) -> None:
    created = _upload(editor.client, editor.admin, "map.png", REGION_MAP, status="published",
                      focal_x="0.25", focal_y="0.75")  # fmt: skip
    assert created.status_code == 201, created.text
    assert created.headers["location"] == f"{IMAGES}/uploaded-map"
    assert created.headers["etag"] == '"1"'
    item = created.json()["data"]
    assert (item["status"], item["visible"], item["revision"]) == ("published", True, 1)
    assert item["document"] == {
        "slug": "uploaded-map", "file": "map.png", "alt": "A map of the region.",
        "caption": "A map", "credit": "Test", "focal_point": {"x": 0.25, "y": 0.75},
    }  # fmt: skip
    public = editor.client.get("/api/v1/images/uploaded-map")
    assert public.status_code == 200, public.text
    image = public.json()["data"]
    assert (image["alt"], image["width"], image["height"]) == ("A map of the region.", 1600, 800)
    assert image["focal_point"] == {"x": 0.25, "y": 0.75}
    webp = next(s for s in image["sources"] if s["type"] == "image/webp")
    digest = webp["srcset"].split("/renditions/")[1][:16]
    assert webp["srcset"] == ", ".join(
        f"/api/v1/images/uploaded-map/renditions/{digest}-{w}.webp {w}w" for w in (320, 640, 1280)
    )
    rendition = editor.client.get(image["src"])
    assert rendition.status_code == 200
    assert rendition.headers["content-type"] == "image/jpeg"
    with Image.open(io.BytesIO(rendition.content)) as decoded:
        assert (decoded.format, decoded.size) == ("JPEG", (1280, 640))
    with Session(editor.app.state.engine) as session:
        revisions = session.exec(select(Revision).where(Revision.collection == "images")).all()
        audit = session.exec(select(AuditEntry.action).where(AuditEntry.slug == "uploaded-map"))
        events = session.exec(select(WebhookEvent.type)).all()
        assert [(r.number, r.action) for r in revisions if r.action != "seeded"] == [(1, "created")]
        assert audit.all() == ["images.created"]
        assert events == ["image.published"]


def test_the_description_changes_with_if_match_and_the_file_stays(editor: Editor) -> None:
    created = _upload(editor.client, editor.admin, "map.png", REGION_MAP, status="published")
    before = editor.client.get("/api/v1/images/uploaded-map").json()["data"]
    changed = editor.client.patch(
        f"{IMAGES}/uploaded-map", json={"document": {"alt": "The region, drawn."}},
        headers=editor.admin | {"If-Match": created.headers["etag"]},
    )  # fmt: skip
    assert changed.status_code == 200, changed.text
    after = editor.client.get("/api/v1/images/uploaded-map").json()["data"]
    assert after == before | {"alt": "The region, drawn."}
    stale = editor.client.patch(
        f"{IMAGES}/uploaded-map", json={"document": {"alt": "Again."}},
        headers=editor.admin | {"If-Match": created.headers["etag"]},
    )  # fmt: skip
    assert_problem(stale, 412)
    # A JSON body is limited as everywhere else, on the item's own path.
    large = editor.client.patch(
        f"{IMAGES}/uploaded-map", json={"document": {"alt": "x" * 70_000}},
        headers=editor.admin | {"If-Match": changed.headers["etag"]},
    )  # fmt: skip
    assert assert_problem(large, 413)["detail"] == "Request bodies are limited to 65,536 bytes."


def test_a_retry_with_the_same_idempotency_key_creates_nothing(editor: Editor) -> None:
    headers = editor.admin | {"Idempotency-Key": "upload-1"}
    first = _upload(editor.client, headers, "map.png", REGION_MAP)
    again = _upload(editor.client, headers, "map.png", REGION_MAP)
    assert (first.status_code, again.status_code) == (201, 201)
    assert again.headers["idempotent-replayed"] == "true"
    assert again.json() == first.json()
    other = _upload(editor.client, headers, "map.png", png(40, 30))
    assert_problem(other, 422)


HOSTILE = [
    ("truncated.png", png(400, 300)[:300], 422,
     "truncated.png: the image does not decode (image file is truncated)"),
    ("page.png", b"<html><script>alert(1)</script></html>", 422,
     "page.png: not a PNG, JPEG or WebP image"),
    ("notes.png", b"Just some text, called a PNG.\n" * 10, 422,
     "notes.png: not a PNG, JPEG or WebP image"),
    ("drawing.svg", b"<svg xmlns='http://www.w3.org/2000/svg'/>", 422,
     "drawing.svg: name a .png, .jpg, .jpeg or .webp file"),
    ("photo.png", jpeg(), 422, "photo.png: named as png but the file is jpeg"),
    ("bomb.png", bomb_header(9000, 9000), 413,
     "bomb.png: 9000 x 9000 pixels; at most 40,000,000 in all"),
    ("huge-bomb.png", bomb_header(100_000, 100_000), 413, "huge-bomb.png: too many pixels"),
]  # fmt: skip


@pytest.mark.parametrize(("name", "data", "status", "detail"), HOSTILE, ids=[h[0] for h in HOSTILE])
def test_a_hostile_file_is_a_problem_pointing_at_it_and_nothing_is_written(
    editor: Editor, name: str, data: bytes, status: int, detail: str
) -> None:
    response = _upload(editor.client, editor.admin, name, data)
    problem = assert_problem(response, status)
    assert problem["errors"] == [{"pointer": "/file", "detail": detail}]
    assert_problem(editor.client.get(f"{IMAGES}/uploaded-map", headers=editor.admin), 404)


def test_bodies_past_max_image_bytes_are_refused_whole_or_chunked(editor: Editor) -> None:
    settings = editor.settings.model_copy(update={"max_image_bytes": 10_000})
    with TestClient(_testing_app(settings)) as client:
        large = _upload(client, editor.admin, "noise.png", noise(100, 100))  # about 30 kB
        problem = assert_problem(large, 413)
        assert problem["errors"][0]["pointer"] == "/file"
        assert problem["errors"][0]["detail"].endswith("bytes; at most 10,000")
        # Past the upload's body limit (the file and a JSON body's worth), before any work.
        huge = _upload(client, editor.admin, "noise.png", noise(300, 300))
        assert assert_problem(huge, 413)["detail"] == "Request bodies are limited to 75,536 bytes."
        chunked = _chunked(client, editor.admin, "noise.png", noise(300, 300))
        assert assert_problem(chunked, 413)["detail"] == (
            "Request bodies are limited to 75,536 bytes."
        )
        passed = _chunked(client, editor.admin, "small.png", png(40, 30))
        assert passed.status_code == 201, passed.text


def test_a_missing_description_points_at_its_field(editor: Editor) -> None:
    response = _upload(editor.client, editor.admin, "map.png", REGION_MAP, alt=None,
                       focal_x="2")  # fmt: skip
    problem = assert_problem(response, 422)
    assert [e["pointer"] for e in problem["errors"]] == ["/alt", "/focal_x"]
    no_file = editor.client.post(IMAGES, headers=editor.admin, data=_form())
    assert [e["pointer"] for e in assert_problem(no_file, 422)["errors"]] == ["/file"]


def test_an_upload_needs_a_key_with_images_write(editor: Editor) -> None:
    anonymous = _upload(editor.client, {}, "map.png", REGION_MAP)
    assert_problem(anonymous, 401)
    reader = _upload(editor.client, editor.auth("images:read"), "map.png", REGION_MAP)
    assert "`images:write`" in assert_problem(reader, 403)["detail"]
    # Publishing needs `images:publish` too.
    writer = _upload(editor.client, editor.auth("images:write"), "map.png", REGION_MAP,
                     status="published")  # fmt: skip
    assert "`images:publish`" in assert_problem(writer, 403)["detail"]
    assert (
        _upload(editor.client, editor.auth("images:write"), "map.png", REGION_MAP).status_code
        == 201
    )


def test_a_trashed_image_leaves_the_public_api_until_restored(editor: Editor) -> None:
    _upload(editor.client, editor.admin, "map.png", REGION_MAP, status="published")
    trashed = editor.client.delete(
        f"{IMAGES}/uploaded-map", headers=editor.admin | {"If-Match": '"1"'}
    )
    assert trashed.status_code == 200, trashed.text
    assert_problem(editor.client.get("/api/v1/images/uploaded-map"), 404)
    restored = editor.client.post(
        f"{IMAGES}/uploaded-map/restore", headers=editor.admin | {"If-Match": '"2"'}
    )
    assert restored.status_code == 200, restored.text
    assert editor.client.get("/api/v1/images/uploaded-map").status_code == 200
