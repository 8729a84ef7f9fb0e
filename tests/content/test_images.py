"""Images: the region map drawn from the seed data, renditions at fixed widths only, and hostile
files refused with 413 or 422 by the import path (the service), never written."""

import io
import struct
import zlib
from typing import Any

import pytest
from fastapi.testclient import TestClient
from PIL import Image
from sqlmodel import Session, select

from api.config import PROJECT_ROOT, Settings
from api.content.images import files
from api.content.images.models import Image as ImageRow
from api.content.images.models import ImageIn
from api.content.images.region_map import draw
from api.content.images.service import save_image
from api.content.service import Changes, Refs
from api.registry import REFERENCES
from tests.helpers import assert_invalid, assert_problem

URL = "/api/v1/images/osce-region-map"


def rendition_urls(client: TestClient) -> list[str]:
    return [r["url"] for r in client.get(URL).json()["data"]["renditions"]]


def test_the_region_map_is_drawn_from_the_seed_data() -> None:
    committed = (PROJECT_ROOT / "seed_data" / "images" / "osce-region-map.png").read_bytes()
    assert committed == draw()


def test_the_seeded_image_says_what_it_shows_and_who_made_it(client: TestClient) -> None:
    image = client.get(URL).json()["data"]
    assert image["alt"].startswith("Map of the OSCE region: dots at the capitals of the 57")
    assert image["caption"] == (
        "The OSCE region with participating States and Partners for Co-operation"
    )
    assert image["credit"].startswith("Drawn by the OSCE Content API project")
    assert (image["width"], image["height"]) == (1600, 800)
    assert [s["type"] for s in image["sources"]] == [files.MEDIA_TYPES[f] for f in files.FORMATS]
    digest = image["src"].split("/")[-1].split("-")[0]
    assert image["src"] == f"{URL}/renditions/{digest}-1280.jpeg"
    webp = next(s for s in image["sources"] if s["type"] == "image/webp")
    assert webp["srcset"] == ", ".join(
        f"{URL}/renditions/{digest}-{w}.webp {w}w" for w in (320, 640, 1280)
    )
    assert len(image["renditions"]) == 3 * len(files.FORMATS)


def test_every_rendition_is_what_it_says(client: TestClient) -> None:
    for rendition in client.get(URL).json()["data"]["renditions"]:
        response = client.get(rendition["url"])
        assert response.status_code == 200
        assert response.headers["content-type"] == rendition["type"]
        assert response.headers["cache-control"] == "public, max-age=31536000, immutable"
        assert "content-encoding" not in response.headers
        with Image.open(io.BytesIO(response.content)) as image:
            assert image.size == (rendition["width"], rendition["height"])
            assert files.MEDIA_TYPES[str(image.format).lower()] == rendition["type"]
        again = client.get(rendition["url"], headers={"if-none-match": response.headers["etag"]})
        assert again.status_code == 304


@pytest.mark.parametrize(
    ("change", "status"),
    [
        (lambda name: name.replace("-320.", "-321."), 404),  # a width not configured
        (lambda name: name.replace("-320.", "-2560."), 404),
        (lambda name: "0" * 16 + name[16:], 404),  # another file's digest
        (lambda name: name.replace(".webp", ".gif"), 422),
        (lambda name: name.replace("-320", ""), 422),
    ],
)
def test_only_the_listed_renditions_exist(client: TestClient, change: Any, status: int) -> None:
    url = next(u for u in rendition_urls(client) if u.endswith("-320.webp"))
    directory, _, name = url.rpartition("/")
    response = client.get(f"{directory}/{change(name)}")
    if status == 422:
        assert_invalid(response, "file")
    else:
        assert_problem(response, 404)


def test_the_home_page_shows_the_map_with_expand(client: TestClient) -> None:
    body = client.get("/api/v1/pages/home?expand=1").json()["data"]["body"]
    (block,) = [b for b in body if b["type"] == "image"]
    assert block["image"]["item"] == client.get(URL).json()["data"]


# --- hostile files, through the import path --------------------------------------------------


def png(width: int, height: int) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (width, height), (10, 20, 30)).save(buffer, "PNG")
    return buffer.getvalue()


def bomb_header(width: int, height: int) -> bytes:
    """A PNG whose header claims `width` x `height` pixels, and whose data is a few bytes."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
        )

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(b"\0" * 64))


def noise(width: int, height: int) -> bytes:
    buffer = io.BytesIO()
    Image.effect_noise((width, height), 64).save(buffer, "PNG")
    return buffer.getvalue()


def jpeg() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (40, 30)).save(buffer, "JPEG")
    return buffer.getvalue()


HOSTILE = [
    ("truncated.png", png(400, 300)[:300], 422, "does not decode"),
    ("garbage.png", b"\x89PNG\r\n\x1a\n" + b"\0" * 200, 422, "not a PNG, JPEG or WebP image"),
    ("page.png", b"<html><script>alert(1)</script></html>", 422, "not a PNG, JPEG or WebP image"),
    ("drawing.svg", b"<svg xmlns='http://www.w3.org/2000/svg'/>", 422, "name a .png"),
    ("photo.png", jpeg(), 422, "named as png but the file is jpeg"),
    ("bomb.png", bomb_header(9000, 9000), 413, "9000 x 9000 pixels; at most 40,000,000"),
    ("huge-bomb.png", bomb_header(100_000, 100_000), 413, "too many pixels"),
    ("large.png", noise(300, 300), 413, "at most 1,000"),
]


def test_a_hostile_file_is_refused_and_nothing_is_written(session: Session, tmp_path: Any) -> None:
    refused = []
    for name, data, _status, detail in HOSTILE:
        settings = Settings(
            media_dir=tmp_path / "media",
            max_image_bytes=1000 if name == "large.png" else 20_000_000,
            max_image_pixels=40_000_000,
        )
        record = ImageIn(slug="hostile", file=name, alt="Hostile.", credit="Test")
        with pytest.raises(files.ImageRejectedError) as caught:
            save_image(session, Refs.load(session, REFERENCES), Changes(), record, data, settings)
        refused.append((name, caught.value.status, detail in caught.value.detail))
    assert refused == [(name, status, True) for name, _, status, _ in HOSTILE]
    assert session.exec(select(ImageRow).where(ImageRow.slug == "hostile")).first() is None
    assert not (tmp_path / "media").exists()


def test_an_acceptable_file_is_stored_once_by_its_digest(
    client: TestClient, session: Session, tmp_path: Any
) -> None:
    settings = Settings(media_dir=tmp_path / "media")
    record = ImageIn(slug="small", file="small.png", alt="A small square.", credit="Test")
    data = png(200, 100)
    row = save_image(session, Refs.load(session, REFERENCES), Changes(), record, data, settings)
    session.commit()
    assert (row.width, row.height, row.format) == (200, 100, "png")
    assert [p.name for p in (tmp_path / "media" / "originals").iterdir()] == [f"{row.digest}.png"]
    image = client.get("/api/v1/images/small").json()["data"]
    # Narrower than every configured width: its own width is its one rendition width.
    assert [r["width"] for r in image["renditions"]] == [200] * len(files.FORMATS)


def test_the_command_line_imports_a_file_or_says_why_not(
    client: TestClient,
    session: Session,
    tmp_path: Any,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    from api.cli import main
    from api.config import get_settings

    url = session.get_bind().engine.url.render_as_string(hide_password=False)
    monkeypatch.setenv("DATABASE_URL", url)
    monkeypatch.setenv("MEDIA_DIR", str(tmp_path / "media"))
    get_settings.cache_clear()
    try:
        disguised = tmp_path / "photo.png"
        disguised.write_bytes(jpeg())
        arguments = ["--slug", "cli-image", "--alt", "A dark rectangle.", "--credit", "Test"]
        assert main(["import-image", str(disguised), *arguments]) == 1
        assert capsys.readouterr().err == (
            "content-api import-image: 422: photo.png: named as png but the file is jpeg\n"
        )
        assert_problem(client.get("/api/v1/images/cli-image"), 404)
        honest = tmp_path / "photo.jpg"
        honest.write_bytes(jpeg())
        assert main(["import-image", str(honest), *arguments]) == 0
        assert capsys.readouterr().out == f"image cli-image: 40 x 30 jpeg, {len(jpeg()):,} bytes\n"
    finally:
        get_settings.cache_clear()


@pytest.mark.serial  # bounds the time the loop takes to answer
def test_renders_run_off_the_loop_at_most_max_concurrent_renders_at_once(
    database: Any, tmp_path: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    import shutil
    import threading
    import time
    from concurrent.futures import ThreadPoolExecutor

    from api.main import create_app

    settings = database.settings.model_copy(
        update={"media_dir": tmp_path, "max_concurrent_renders": 2}
    )
    shutil.copytree(settings.model_copy(update={"media_dir": None}).media_path / "originals",
                    tmp_path / "originals")  # fmt: skip
    running, most = 0, 0
    lock = threading.Lock()
    real_render = files.render

    def slow_render(*args: Any) -> None:
        nonlocal running, most
        with lock:
            running += 1
            most = max(most, running)
        time.sleep(0.3)
        real_render(*args)
        with lock:
            running -= 1

    monkeypatch.setattr(files, "render", slow_render)
    with TestClient(create_app(settings)) as client:
        urls = rendition_urls(client)[:6]
        with ThreadPoolExecutor(6) as pool:
            pending = [pool.submit(client.get, url) for url in urls]
            time.sleep(0.1)  # renders are under way: the loop still answers at once
            started = time.perf_counter()
            assert client.get("/api/v1/site").status_code == 200
            assert time.perf_counter() - started < 0.25
            assert [p.result().status_code for p in pending] == [200] * 6
    assert most == 2
    assert len(list((tmp_path / "renditions").rglob("*.*"))) == 6


def test_an_image_s_description_follows_the_language(client: TestClient) -> None:
    english = client.get("/api/v1/images/osce-region-map").json()["data"]
    assert english["fallback"] == []
    response = client.get("/api/v1/images/osce-region-map", headers={"Accept-Language": "es"})
    assert response.headers["content-language"] == "es"
    image = response.json()["data"]
    assert image["alt"].startswith("Mapa de la región de la OSCE")
    assert image["caption"] == (
        "La región de la OSCE con los Estados participantes y los Socios para la cooperación"
    )
    assert image["fallback"] == []
    # What is not text stays as it is.
    assert {k: v for k, v in image.items() if k not in ("alt", "caption")} == {
        k: v for k, v in english.items() if k not in ("alt", "caption")
    }
    listed = client.get("/api/v1/images?lang=de").json()["data"][0]
    assert listed["alt"].startswith("Karte des OSZE-Raums")
