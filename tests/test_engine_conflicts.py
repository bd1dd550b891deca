"""A batch PostgreSQL rolls back for a deadlock with another transaction is decided again at
once and said to be what it was, not waited out as a database outage; every message is
still decided exactly once."""

from __future__ import annotations

import asyncio
import logging
import threading
import time
from collections.abc import Iterator

import psycopg
import pytest
from sqlalchemy import text
from sqlalchemy.exc import OperationalError

from hearthkeeper.clock import FrozenClock
from hearthkeeper.engine import outage
from hearthkeeper.engine.actions import ActionKind
from hearthkeeper.engine.events import Event
from hearthkeeper.engine.executor import Executor
from hearthkeeper.engine.handler import GroupView
from hearthkeeper.store import Store
from hearthkeeper.store.database import create_engine_for
from tests.engine_setup import community
from tests.integration import postgres
from tests.test_engine_run import AD, serve, until


@pytest.fixture
def pg_store(
    postgres_server: postgres.PostgresServer, migrated_postgres: str, store_clock: FrozenClock
) -> Iterator[Store]:
    """A store on a new, migrated PostgreSQL database with a table `contested` (rows 1 and 2)
    that the engine's batch and another transaction lock in opposite orders."""
    name = "conflicts"
    with postgres_server.admin() as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.execute(f'CREATE DATABASE "{name}" TEMPLATE "{migrated_postgres}"')
    engine = create_engine_for(postgres_server.url(name))
    with engine.begin() as conn:
        conn.execute(text("CREATE TABLE contested (id int PRIMARY KEY)"))
        conn.execute(text("INSERT INTO contested VALUES (1), (2)"))
    try:
        yield Store(engine, store_clock)
    finally:
        engine.dispose()
        with postgres_server.admin() as admin:
            admin.execute(f'DROP DATABASE "{name}" WITH (FORCE)')


def other_transaction(url: str, holding: threading.Event, deadlocked: list[str]) -> None:
    """Lock row 2, wait until the engine's batch holds row 1 and waits for row 2, then ask
    for row 1: a deadlock, which PostgreSQL breaks by rolling back the batch. The transaction
    whose deadlock check runs first is rolled back; the batch's runs after the usual second
    of waiting, this one's only after 20 (on a loaded machine the two checks, a second apart
    from nearly the same moment, could otherwise run in either order)."""
    with psycopg.connect(url) as conn, psycopg.connect(url, autocommit=True) as watcher:
        conn.execute("SET deadlock_timeout = '20s'")
        conn.execute("SELECT id FROM contested WHERE id = 2 FOR UPDATE")
        holding.set()
        deadline = time.monotonic() + 60  # the batch never waiting would fail the test below
        while time.monotonic() < deadline:
            row = watcher.execute(
                "SELECT count(*) FROM pg_stat_activity "
                "WHERE datname = current_database() AND wait_event_type = 'Lock'"
            ).fetchone()
            if row is not None and row[0]:
                break
            time.sleep(0.01)
        try:
            conn.execute("SELECT id FROM contested WHERE id = 1 FOR UPDATE")
        except psycopg.errors.DeadlockDetected:
            deadlocked.append("other")
        conn.commit()


@pytest.mark.postgres
def test_a_deadlocked_batch_is_decided_again_at_once_not_reported_as_an_outage(
    pg_store: Store, store_clock: FrozenClock,
    caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch,
) -> None:  # fmt: skip
    c = community(pg_store, store_clock)
    url = pg_store.engine.url.render_as_string(hide_password=False).replace("+psycopg", "")
    lock_ahead = Executor._lock_ahead

    def locking_in_order(
        self: Executor, tx: Store, pairs: list[tuple[Event, GroupView, int]]
    ) -> None:
        with tx._unit(write=True) as session:
            session.execute(text("SELECT id FROM contested WHERE id = 1 FOR UPDATE"))
            session.execute(text("SELECT id FROM contested WHERE id = 2 FOR UPDATE"))
        lock_ahead(self, tx, pairs)

    monkeypatch.setattr(Executor, "_lock_ahead", locking_in_order)
    holding = threading.Event()
    deadlocked: list[str] = []
    other = threading.Thread(target=other_transaction, args=(url, holding, deadlocked))
    other.start()

    async def scenario() -> None:
        await until(lambda: c.carrier.connected and holding.is_set(), "row 2 locked")
        c.carrier.inject(c.events.message("spammer", AD))
        await until(lambda: ActionKind.WARN in c.carrier.kinds(), "the warning", seconds=60)

    with caplog.at_level(logging.INFO, logger="hearthkeeper"):
        try:
            asyncio.run(serve(c, scenario()))
        finally:
            other.join()
    assert deadlocked == [], "PostgreSQL rolled back the engine's batch, not the other"
    said = [r.getMessage() for r in caplog.records if r.name.startswith("hearthkeeper.engine")]
    assert any("rolled this work back for a deadlock with another transaction" in line
               and "trying it again at once" in line for line in said), said  # fmt: skip
    assert not any("unavailable" in line for line in said), said
    assert c.carrier.kinds().count(ActionKind.DELETE) == 1
    assert c.carrier.kinds().count(ActionKind.WARN) == 1
    group = c.events.message("x", "").group
    group_id = pg_store.group_ids([("fake", group)])[("fake", group)]
    assert [m.text for m in pg_store.messages(group_id)] == [AD]


class _Refusal(Exception):
    def __init__(self, message: str, sqlstate: str | None) -> None:
        super().__init__(message)
        self.sqlstate = sqlstate


def test_work_that_keeps_colliding_is_waited_for_and_a_locked_sqlite_file_is_an_outage(
    caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(outage, "PAUSE", 0.001)
    failures = [OperationalError("UPDATE", {}, _Refusal("could not serialize access", "40001"))
                for _ in range(outage.CONFLICT_TRIES + 1)]  # fmt: skip
    tries: list[int] = []

    async def work() -> str:
        tries.append(1)
        if failures:
            raise failures.pop(0)
        return "done"

    with caplog.at_level(logging.INFO, logger="hearthkeeper"):
        assert asyncio.run(outage.Outage("engine").call(work)) == "done"
    said = [r.getMessage() for r in caplog.records]
    assert len(tries) == outage.CONFLICT_TRIES + 2, "every failure tried again, then it worked"
    at_once = [line for line in said if "trying it again at once" in line]
    assert len(at_once) == outage.CONFLICT_TRIES
    assert all("a serialization failure with another transaction" in line for line in at_once)
    assert any("keeps rolling this work back for a serialization failure" in line
               for line in said), said  # fmt: skip
    assert not any("unavailable" in line for line in said), said
    assert "the database is back" in said[-1]

    caplog.clear()
    failures.append(OperationalError("INSERT", {}, _Refusal("database is locked", None)))
    with caplog.at_level(logging.INFO, logger="hearthkeeper"):
        assert asyncio.run(outage.Outage("engine").call(work)) == "done"
    said = [r.getMessage() for r in caplog.records]
    assert said[0] == "engine: the database is unavailable (database is locked); waiting for " \
                      "it, nothing is lost"  # fmt: skip
