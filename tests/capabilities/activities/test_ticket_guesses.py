"""Guessing door codes at `/ticket/` is counted in the store, on SQLite and PostgreSQL: two
server processes on one database (behind a balancer) count one limit together, and a
restart forgets none of it; misses older than the hour are deleted."""

from __future__ import annotations

import threading
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from pathlib import Path

from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import text

from hearthkeeper.capabilities.activities.web import MISSES_PER_HOUR
from hearthkeeper.capabilities.activities.web import router as ticket_router
from hearthkeeper.clock import FrozenClock
from hearthkeeper.store import Store, create_engine_for
from hearthkeeper.web.context import Web, WebSettings
from tests.webchat_setup import NoPlaybooks


def process(store: Store, clock: FrozenClock, folder: Path) -> FastAPI:
    """A `hearth serve` of its own on the database `store` is on: its own engine and pages."""
    own = Store(create_engine_for(store.engine.url.render_as_string(hide_password=False)), clock)
    web = Web(store=own, clock=clock, settings=WebSettings(data_dir=folder), carriers={},
              playbooks=NoPlaybooks())  # fmt: skip
    app = FastAPI()
    app.include_router(ticket_router(web))
    return app


def kept(store: Store) -> int:
    with store.engine.connect() as connection:
        return int(connection.scalar(text("SELECT count(*) FROM network_misses")) or 0)


def test_one_network_gets_its_unknown_codes_once_across_processes_and_restarts(
    store: Store, store_clock: FrozenClock, tmp_path: Path
) -> None:
    """Each process counted a network's unknown codes in its own memory: behind a balancer
    with two processes a guesser got twice the limit, and every restart gave it afresh."""
    first, second = process(store, store_clock, tmp_path), process(store, store_clock, tmp_path)
    one = TestClient(first, client=("203.0.113.5", 4000))
    two = TestClient(second, client=("203.0.113.5", 4000))
    for n in range(MISSES_PER_HOUR):
        store_clock.advance(timedelta(seconds=30))
        assert (one if n % 2 else two).get(f"/ticket/ZZZZ{n:04d}").status_code == 404
    for answer in (one.get("/ticket/ZZZZZZZZ"), two.get("/ticket/ZZZZZZZZ")):
        assert answer.status_code == 429 and int(answer.headers["retry-after"]) == 3600 - 30 * 19
    restarted = TestClient(process(store, store_clock, tmp_path), client=("203.0.113.5", 4000))
    assert restarted.get("/ticket/ZZZZZZZZ").status_code == 429, "a restart forgets nothing"
    other = TestClient(second, client=("198.51.100.7", 4000))
    assert other.get("/ticket/ZZZZZZZZ").status_code == 404, "another network is not limited"

    store_clock.advance(timedelta(hours=1))
    assert restarted.get("/ticket/ZZZZZZZZ").status_code == 404, "an hour later: asked again"
    assert kept(store) == 1, "the misses older than the hour are deleted"


def test_guesses_sent_together_get_exactly_the_limit(
    store: Store, store_clock: FrozenClock, tmp_path: Path
) -> None:
    """Each request looked at the misses counted so far, then looked the code up, then counted
    its miss: guesses sent at once to two processes all saw the count under the limit, and a
    few more than `MISSES_PER_HOUR` were answered. Now each miss is counted before the code is
    looked up, in one step that holds the network's count: exactly the limit is answered."""
    apps = [process(store, store_clock, tmp_path) for _ in range(2)]
    sent = MISSES_PER_HOUR * 2
    start = threading.Barrier(sent)

    def guess(n: int) -> int:
        guesser = TestClient(apps[n % 2], client=("203.0.113.5", 4000))
        start.wait()
        return guesser.get(f"/ticket/ZZZZ{n:04d}").status_code

    with ThreadPoolExecutor(max_workers=sent) as pool:
        answered = Counter(pool.map(guess, range(sent)))
    assert answered == {404: MISSES_PER_HOUR, 429: MISSES_PER_HOUR}
    assert kept(store) == MISSES_PER_HOUR, "a guess refused is not counted"
