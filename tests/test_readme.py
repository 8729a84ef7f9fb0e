"""The README's examples work: every curl URL in its Examples section answers as it says."""

import re
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from api.registry import COLLECTIONS

README = (Path(__file__).parents[1] / "README.md").read_text()
EXAMPLES = README[README.index("## Examples") : README.index("## Settings")]
URLS = re.findall(r"curl -s '(http://127\.0\.0\.1:8000[^']+)'", EXAMPLES)
# The page gives news a country but no city or coordinates; the README says so.
EMPTY_ON_SEED = {"/api/v1/news?city=dushanbe", "/api/v1/news?near=38.5598,68.787&radius_km=100",
                 "/api/v1/news?bbox=46,35,88,56"}  # fmt: skip


def test_readme_has_examples_for_every_collection() -> None:
    paths = {re.sub(r"\?.*", "", url.removeprefix("http://127.0.0.1:8000")) for url in URLS}
    for collection in COLLECTIONS:
        assert f"/api/v1/{collection.name}" in paths


@pytest.mark.parametrize("url", URLS)
def test_readme_example_answers(client: TestClient, url: str) -> None:
    path = url.removeprefix("http://127.0.0.1:8000")
    response = client.get(path)
    assert response.status_code == 200, response.text
    data = response.json().get("data")
    if isinstance(data, list) and path not in EMPTY_ON_SEED:
        assert data, f"{path} returned no items"
    if path in EMPTY_ON_SEED:
        assert data == []


def test_readme_error_example(client: TestClient) -> None:
    body = client.get("/api/v1/news?limit=1000").json()
    assert body["errors"] == [
        {"parameter": "limit", "detail": "Input should be less than or equal to 100"}
    ]
    assert '"detail":"limit: Input should be less than or equal to 100"' in README
