"""Export and import: every item, draft and revision survives the round trip byte for byte."""

import base64
import hashlib
import io
from datetime import timedelta
from pathlib import Path

import orjson
import pytest
from sqlalchemy import text

from api import clock
from api.config import Settings
from api.db import make_engine
from api.editor import transfer
from api.seed import SEED_DIR
from tests.conftest import create_database, drop_database, migrate
from tests.editor_support import SEEDED, Editor

NEWS = "/api/v1/editor/news"


def _export(engine: object, settings: Settings | None = None) -> bytes:
    out = io.BytesIO()
    transfer.export(engine, out, settings)  # type: ignore[arg-type]
    return out.getvalue()


def test_export_import_export_is_byte_identical(editor: Editor, tmp_path: Path) -> None:
    editor.copy("news")  # a draft
    slug = editor.copy("topics", status="published")
    later = (clock.now() + timedelta(days=3)).isoformat()
    scheduled = editor.new_document("news")
    body = {"document": scheduled, "status": "scheduled", "publish_at": later}
    assert editor.client.post(NEWS, json=body, headers=editor.admin).status_code == 201
    renamed = editor.client.patch(
        f"{NEWS}/{SEEDED['news']}", json={"document": {"slug": "renamed-item"}},
        headers=editor.admin | {"If-Match": editor.etag("news", SEEDED["news"])},
    )  # fmt: skip
    assert renamed.status_code == 200
    trashed = editor.client.delete(f"/api/v1/editor/topics/{slug}",
                                   headers=editor.admin | {"If-Match": '"1"'})  # fmt: skip
    assert trashed.status_code == 200
    first = _export(editor.app.state.engine)
    lines = first.splitlines()
    # The seeded items (148: with the two pages and the image), three new ones, one redirect.
    assert len(lines) == 148 + 3 + 1
    assert lines[-1].startswith(b'{"collection":"news","new_slug":"renamed-item"')
    # Translations travel with their items: a State's name, a menu's labels by node key.
    entries = [orjson.loads(line) for line in lines]
    [germany] = [e for e in entries if e.get("collection") == "states" and e["slug"] == "germany"]
    assert germany["translations"]["fr"] == {"name": "Allemagne", "capital": "Berlin"}
    menus = [e for e in entries if e.get("collection") == "menus"]
    assert any(menu["node_translations"] for menu in menus)

    backend = "sqlite" if editor.settings.is_sqlite else "postgresql"
    settings = create_database(backend, tmp_path)  # a new, empty one
    settings = settings.model_copy(update={"media_dir": tmp_path / "media"})  # and no files
    engine = make_engine(settings)
    try:
        migrate(engine)
        assert transfer.import_lines(engine, io.BytesIO(first), settings) == len(lines)
        assert _export(engine, settings) == first
        # The image's file came with its line, checked, and is stored by its digest.
        [image] = [e for e in entries if e.get("collection") == "images"]
        original = (SEED_DIR / "images" / image["revisions"][-1]["document"]["file"]).read_bytes()
        assert base64.b64decode(image["original"]) == original
        stored = list((tmp_path / "media" / "originals").iterdir())
        assert [p.read_bytes() for p in stored] == [original]
        assert stored[0].stem == hashlib.sha256(original).hexdigest()
        # The collation keys of names follow the imported translations (lists in name order).
        for count in ("SELECT count(*) FROM translation", "SELECT count(*) FROM name_key"):
            with editor.app.state.engine.connect() as there, engine.connect() as here:
                assert here.scalar(text(count)) == there.scalar(text(count)) > 0
        with pytest.raises(transfer.TransferError, match="not empty"):
            transfer.import_lines(engine, io.BytesIO(first))
    finally:
        engine.dispose()
        drop_database(settings)


def test_an_import_with_translations_in_an_unknown_language_is_refused_whole(
    editor: Editor, tmp_path: Path
) -> None:
    lines = _export(editor.app.state.engine).splitlines()
    topics = [orjson.loads(line) for line in lines if line.startswith(b'{"collection":"topics"')]
    bad = {**topics[1], "translations": {"fr": {"name": "Jeunesse"}, "xx": {"name": "?"}}}
    backend = "sqlite" if editor.settings.is_sqlite else "postgresql"
    settings = create_database(backend, tmp_path)
    engine = make_engine(settings)
    try:
        migrate(engine)
        data = lines[0] + b"\n" + orjson.dumps(bad) + b"\n"
        message = r"line 2: WriteError: translations in languages the API does not have: \['xx'\]"
        with pytest.raises(transfer.TransferError, match=message):
            transfer.import_lines(engine, io.BytesIO(data))
        with engine.connect() as connection:  # nothing of the file was kept
            assert connection.scalar(text("SELECT count(*) FROM topic")) == 0
            assert connection.scalar(text("SELECT count(*) FROM translation")) == 0
    finally:
        engine.dispose()
        drop_database(settings)


def test_an_import_that_holds_one_item_twice_is_refused_whole(
    editor: Editor, tmp_path: Path
) -> None:
    line = _export(editor.app.state.engine).splitlines()[0]
    backend = "sqlite" if editor.settings.is_sqlite else "postgresql"
    settings = create_database(backend, tmp_path)
    engine = make_engine(settings)
    try:
        migrate(engine)
        with pytest.raises(transfer.TransferError, match="line 2: the database refused it"):
            transfer.import_lines(engine, io.BytesIO(line + b"\n" + line + b"\n"))
        with engine.connect() as connection:
            assert connection.scalar(text("SELECT count(*) FROM topic")) == 0
    finally:
        engine.dispose()
        drop_database(settings)


def _image_line(editor: Editor) -> dict[str, object]:
    lines = _export(editor.app.state.engine).splitlines()
    [image] = [orjson.loads(line) for line in lines if line.startswith(b'{"collection":"images"')]
    return dict(image)


@pytest.mark.parametrize(
    ("original", "message"),
    [
        ("not base64!", r"line 1: WriteError: image osce-region-map: `original` is not base64"),
        (base64.b64encode(b"not a PNG").decode(), r"line 1: WriteError: image osce-region-map: "),
    ],
)
def test_an_image_whose_file_is_not_an_image_is_refused_whole(
    editor: Editor, tmp_path: Path, original: str, message: str
) -> None:
    """The file in an image's line is checked as an upload is: nothing is written if it is
    not base64 or not an image."""
    image = _image_line(editor) | {"original": original}
    backend = "sqlite" if editor.settings.is_sqlite else "postgresql"
    settings = create_database(backend, tmp_path)
    settings = settings.model_copy(update={"media_dir": tmp_path / "media"})
    engine = make_engine(settings)
    try:
        migrate(engine)
        with pytest.raises(transfer.TransferError, match=message):
            transfer.import_lines(engine, io.BytesIO(orjson.dumps(image) + b"\n"), settings)
        with engine.connect() as connection:
            assert connection.scalar(text("SELECT count(*) FROM image")) == 0
        assert not (tmp_path / "media").exists()
    finally:
        engine.dispose()
        drop_database(settings)


def test_an_export_whose_image_file_is_missing_says_which(editor: Editor, tmp_path: Path) -> None:
    empty = editor.settings.model_copy(update={"media_dir": tmp_path / "nothing"})
    message = r"image osce-region-map: its file is not in MEDIA_DIR \(.*nothing/originals/"
    with pytest.raises(transfer.TransferError, match=message):
        _export(editor.app.state.engine, empty)
