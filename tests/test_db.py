"""The dialect-specific pieces behave the same on SQLite and PostgreSQL."""

import pytest
from sqlalchemy import literal, select, text
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from api.db import distance_km, haversine_km

VIENNA = (48.2082, 16.3738)
BUDAPEST = (47.4979, 19.0402)


def test_haversine_vienna_budapest() -> None:
    assert haversine_km(*VIENNA, *BUDAPEST) == pytest.approx(214.5, abs=1)
    assert haversine_km(*VIENNA, *VIENNA) == 0
    assert haversine_km(0, 179.5, 0, -179.5) == pytest.approx(111.2, abs=0.1)
    assert haversine_km(*VIENNA, None, 1.0) is None  # type: ignore[arg-type]


def test_distance_km_in_sql_matches_python(session: Session) -> None:
    query = select(distance_km(*(literal(v) for v in (*VIENNA, *BUDAPEST))))
    assert session.execute(query).scalar_one() == pytest.approx(
        haversine_km(*VIENNA, *BUDAPEST), rel=1e-9
    )


def test_foreign_keys_are_enforced(session: Session) -> None:
    with pytest.raises(IntegrityError), session.begin_nested():
        session.execute(text("INSERT INTO news_topic (news_id, topic_id) VALUES (999999, 999999)"))
