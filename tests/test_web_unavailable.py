"""The console and the API when the database fails a request: away for a moment (an outage,
answered 503 'try again in a few seconds'), or there but rolling back a change that collided
with another (a PostgreSQL deadlock or serialization failure: said as such, try again now)."""

from __future__ import annotations

import logging

import psycopg
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy.exc import OperationalError

from hearthkeeper.web.unavailable import install_unavailable

HTML = {"Accept": "text/html"}


def app_raising(error: Exception) -> TestClient:
    app = FastAPI()
    install_unavailable(app)

    @app.post("/api/v1/change")
    @app.post("/console/change")
    def change() -> None:
        raise error

    return TestClient(app, raise_server_exceptions=False)


def failed(orig: Exception) -> OperationalError:
    return OperationalError("UPDATE members SET …", {}, orig)


@pytest.mark.parametrize(
    ("orig", "what", "zh"),
    [
        (psycopg.errors.DeadlockDetected("deadlock detected"), "a deadlock", "死锁"),
        (psycopg.errors.SerializationFailure("could not serialize"), "a serialization failure",
         "串行化冲突"),
    ],
)  # fmt: skip
def test_a_change_that_collided_with_another_says_so_and_to_try_again_now(
    orig: Exception, what: str, zh: str, caplog: pytest.LogCaptureFixture
) -> None:
    client = app_raising(failed(orig))
    with caplog.at_level(logging.WARNING, logger="hearthkeeper"):
        api = client.post("/api/v1/change")
    assert api.status_code == 503 and api.headers["retry-after"] == "1"
    assert api.json()["detail"] == (
        f"This change collided with another made at the same moment ({what}); nothing was "
        "changed. Try again."
    )
    said = [r.getMessage() for r in caplog.records]
    assert said == [f"web: POST /api/v1/change rolled back {what}; answered 503, to be tried again"]
    page = client.post("/console/change", headers={**HTML, "Accept-Language": "zh-CN,zh"})
    assert page.status_code == 503
    assert page.text.index(f"冲突（{zh}）") < page.text.index("collided")  # Chinese first


def test_a_database_away_is_still_an_outage_to_wait_out() -> None:
    client = app_raising(failed(psycopg.OperationalError("connection refused")))
    api = client.post("/api/v1/change")
    assert api.status_code == 503 and api.headers["retry-after"] == "5"
    assert "database is unavailable" in api.json()["detail"]
    page = client.post("/console/change", headers=HTML)
    assert "Try again in a moment" in page.text and "collided" not in page.text
