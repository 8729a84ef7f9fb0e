"""`/sitemap.xml`, validated by `xmllint` against the sitemap protocol's schemas (tests/schemas):
one urlset of every published item's page on the website, or past SITEMAP_MAX_URLS an index of
files that together hold the same URLs."""

import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from lxml import etree
from sqlmodel import Session

from api.main import create_app
from tests.factories import make_news
from tests.helpers import assert_invalid, assert_problem

SCHEMAS = Path(__file__).parent / "schemas"
NS = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
REQUIRE_TOOLS = os.environ.get("REQUIRE_BROWSER") == "1"


def xmllint(document: bytes, schema: str, tmp_path: Path) -> None:
    if shutil.which("xmllint") is None:
        if REQUIRE_TOOLS:
            pytest.fail("xmllint is not installed (apt-get install libxml2-utils)")
        pytest.skip("xmllint is not installed (apt-get install libxml2-utils)")
    path = tmp_path / "sitemap.xml"
    path.write_bytes(document)
    result = subprocess.run(
        ["xmllint", "--noout", "--schema", str(SCHEMAS / schema), str(path)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert result.stderr.strip().endswith("validates")


def expected_urls(client: TestClient) -> list[str]:
    """Every published item of the collections with pages, read through the JSON lists."""
    urls = []
    collections = ("states", "partners", "field-operations", "institutions", "news", "events")
    for collection in (*collections, "topics", "pages"):  # images have no page of their own
        data = client.get(f"/api/v1/{collection}?limit=100").json()["data"]
        urls += [f"https://www.osce.org/{collection}/{item['slug']}" for item in data]
    return sorted(urls)


def locs(document: bytes) -> list[str]:
    return [str(loc.text) for loc in etree.fromstring(document).iter(f"{NS}loc")]


def test_the_sitemap_lists_every_published_page_and_validates(
    client: TestClient, tmp_path: Path
) -> None:
    response = client.get("/sitemap.xml")
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/xml"
    xmllint(response.content, "sitemap.xsd", tmp_path)
    assert sorted(locs(response.content)) == expected_urls(client)
    root = etree.fromstring(response.content)
    lastmods = [str(e.text) for e in root.iter(f"{NS}lastmod")]
    assert len(lastmods) == len(root.findall(f"{NS}url"))
    assert all(m.endswith("Z") and len(m) == 20 for m in lastmods)


def test_the_sitemap_is_cached_and_validated(client: TestClient) -> None:
    first = client.get("/sitemap.xml")
    again = client.get("/sitemap.xml", headers={"if-none-match": first.headers["etag"]})
    assert again.status_code == 304


def test_drafts_are_not_in_the_sitemap(client: TestClient, session: Session) -> None:
    make_news(session, slug="sitemap-draft", draft=True)
    make_news(session, slug="sitemap-published")
    found = locs(client.get("/sitemap.xml").content)
    assert "https://www.osce.org/news/sitemap-published" in found
    assert "https://www.osce.org/news/sitemap-draft" not in found


def test_past_the_limit_the_sitemap_is_an_index_of_files_with_the_same_urls(
    client: TestClient, database: Any, tmp_path: Path
) -> None:
    everything = locs(client.get("/sitemap.xml").content)
    settings = database.settings.model_copy(update={"sitemap_max_urls": 40})
    with TestClient(create_app(settings)) as small:
        index = small.get("/sitemap.xml")
        xmllint(index.content, "siteindex.xsd", tmp_path)
        files = locs(index.content)
        assert files == [
            f"http://testserver/sitemaps/{n}.xml" for n in range(1, -(-len(everything) // 40) + 1)
        ]
        pages = []
        for url in files:
            page = small.get(url.removeprefix("http://testserver"))
            assert page.status_code == 200
            xmllint(page.content, "sitemap.xsd", tmp_path)
            assert len(locs(page.content)) <= 40
            pages += locs(page.content)
        assert pages == everything
        assert_problem(small.get(f"/sitemaps/{len(files) + 1}.xml"), 404)
    assert_problem(client.get("/sitemaps/1.xml"), 404)  # one file: no index


def test_the_sitemap_takes_no_parameters(client: TestClient) -> None:
    assert_invalid(client.get("/sitemap.xml?page=2"), "page")
