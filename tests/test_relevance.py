"""Relevance you can measure: a judged query set over the seed data (tests/relevance), scored
by mean reciprocal rank and nDCG@5 on each database. The floors are the figures reached when
the set was written (README, "Search"); a change that ranks worse fails here.

Each query lists the items that answer it, the first being the one that must come first
(graded 2 in nDCG, the others 1).
"""

import json
import math
from typing import Any

from fastapi.testclient import TestClient

from api.config import PROJECT_ROOT

JUDGED = json.loads((PROJECT_ROOT / "tests" / "relevance" / "judged_queries.json").read_text())
# The figures reached, per database; the test fails below them.
FLOORS = {
    "sqlite": {"mrr": 1.0, "ndcg5": 0.994},
    "postgresql": {"mrr": 1.0, "ndcg5": 1.0},
}


def _ranked(client: TestClient, query: dict[str, Any]) -> list[str]:
    response = client.get(
        "/api/v1/search", params={"q": query["q"], "lang": query["lang"], "limit": 10}
    )
    assert response.status_code == 200, response.text
    return [hit["slug"] for hit in response.json()["data"]]


def reciprocal_rank(ranked: list[str], relevant: list[str]) -> float:
    return next((1 / rank for rank, slug in enumerate(ranked, 1) if slug in relevant), 0.0)


def ndcg_at_5(ranked: list[str], relevant: list[str]) -> float:
    grades = {slug: 2 if i == 0 else 1 for i, slug in enumerate(relevant)}

    def dcg(slugs: list[str]) -> float:
        return sum(grades.get(s, 0) / math.log2(rank + 1) for rank, s in enumerate(slugs[:5], 1))

    ideal = dcg(sorted(grades, key=grades.__getitem__, reverse=True))
    return dcg(ranked) / ideal


def scores(client: TestClient) -> tuple[dict[str, float], list[str]]:
    """MRR and nDCG@5 over the judged set, and the queries whose first hit is wrong."""
    rr, ndcg, missed = [], [], []
    for query in JUDGED:
        ranked = _ranked(client, query)
        rr.append(reciprocal_rank(ranked, query["relevant"]))
        ndcg.append(ndcg_at_5(ranked, query["relevant"]))
        if rr[-1] < 1:
            missed.append(f"{query['lang']}:{query['q']} → {ranked[:3]}")
    return {"mrr": sum(rr) / len(rr), "ndcg5": sum(ndcg) / len(ndcg)}, missed


def test_the_judged_set_is_large_and_in_several_languages() -> None:
    assert len(JUDGED) >= 40
    assert len({query["lang"] for query in JUDGED}) >= 3


def test_ranking_keeps_its_figures(client: TestClient, database: Any) -> None:
    found, missed = scores(client)
    print(f"{database.backend}: MRR {found['mrr']:.3f}, nDCG@5 {found['ndcg5']:.3f}", missed)
    floor = FLOORS[database.backend]
    assert found["mrr"] >= floor["mrr"] - 1e-9, found
    assert found["ndcg5"] >= floor["ndcg5"] - 1e-9, found


def test_the_measures_score_a_known_ranking() -> None:
    assert reciprocal_rank(["a", "b", "c"], ["c"]) == 1 / 3
    assert ndcg_at_5(["b", "a"], ["a", "b"]) == (1 + 2 / math.log2(3)) / (2 + 1 / math.log2(3))
    assert ndcg_at_5(["x"], ["a"]) == 0.0
