"""The Matrix join page's limits are counted in the store, on SQLite and PostgreSQL: two server
processes on one database count one limit together, and a restart forgets none of it."""

from __future__ import annotations

from pathlib import Path

import pytest

from hearthkeeper.carriers.matrix.join import ASKS_PER_HOUR
from hearthkeeper.clock import FrozenClock
from hearthkeeper.store import Store, create_engine_for
from tests.carriers.matrix.test_join_page import PAGE, client, join_page
from tests.playbook_samples import MINIMAL


@pytest.mark.asyncio
async def test_one_client_asks_for_invitations_once_across_processes_and_restarts(
    store: Store, store_clock: FrozenClock, tmp_path: Path
) -> None:
    """Each process counted the invitations a client asked for in its own memory: behind a
    balancer with two processes a venue's script had twice the invitations, and every restart
    gave it afresh."""
    engines = [create_engine_for(store.engine.url.render_as_string(hide_password=False))
               for _ in range(2)]  # fmt: skip
    try:
        first = join_page(store, store_clock, tmp_path, MINIMAL)
        second, restarted = (join_page(Store(engine, store_clock), store_clock, tmp_path, MINIMAL)
                             for engine in engines)  # fmt: skip
        for n in range(ASKS_PER_HOUR):
            async with client(first if n % 2 else second, "10.0.0.1") as venue:
                asked = await venue.post(PAGE, data={"user_id": f"@guest{n}:matrix.org"})
                assert asked.status_code == 202
        for app in (first, second, restarted):
            async with client(app, "10.0.0.1") as venue:
                limited = await venue.post(PAGE, data={"user_id": "@one-more:matrix.org"})
                assert limited.status_code == 429
                assert "Too many invitations asked from here" in limited.text
    finally:
        for engine in engines:
            engine.dispose()
