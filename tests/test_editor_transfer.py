"""Export and import: every item, draft and revision survives the round trip byte for byte."""

import io
from datetime import timedelta
from pathlib import Path

import pytest

from api import clock
from api.db import make_engine
from api.editor import transfer
from tests.conftest import create_database, drop_database, migrate
from tests.editor_support import SEEDED, Editor

NEWS = "/api/v1/editor/news"


def _export(engine: object) -> bytes:
    out = io.BytesIO()
    transfer.export(engine, out)  # type: ignore[arg-type]
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
    # The seeded items (147: with the two pages), three new ones, one redirect.
    assert len(lines) == 147 + 3 + 1
    assert lines[-1].startswith(b'{"collection":"news","new_slug":"renamed-item"')

    backend = "sqlite" if editor.settings.is_sqlite else "postgresql"
    settings = create_database(backend, tmp_path)  # a new, empty one
    engine = make_engine(settings)
    try:
        migrate(engine)
        assert transfer.import_lines(engine, io.BytesIO(first)) == len(lines)
        assert _export(engine) == first
        with pytest.raises(transfer.TransferError, match="not empty"):
            transfer.import_lines(engine, io.BytesIO(first))
    finally:
        engine.dispose()
        drop_database(settings)
