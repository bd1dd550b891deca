"""Two server processes on one database never post the same firing twice: each firing is
claimed in `posts` inside its transaction, and the worker that loses the claim does nothing.
Meant for PostgreSQL (row locks, SKIP LOCKED); on SQLite the writers queue on the file lock."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest

from hearthkeeper.assembly import runtime_for
from hearthkeeper.capabilities.calendar.posts import POST_EFFECT
from hearthkeeper.clock import FrozenClock
from hearthkeeper.engine.actions import ActionKind
from hearthkeeper.engine.engine import Engine
from hearthkeeper.store import Store, create_engine_for
from hearthkeeper.testing import FakeCarrier
from tests.capabilities.calendar.test_calendar_posting import calendar_community, group, records

FIRST = datetime(2026, 5, 2, 7, tzinfo=UTC)  # 08:00 in London


@pytest.fixture
def second_store(database_url: str, store: Store, store_clock: FrozenClock) -> Iterator[Store]:
    """Another process's store: its own connection pool on the same database."""
    engine = create_engine_for(database_url)
    try:
        yield Store(engine, store_clock)
    finally:
        engine.dispose()


def _tick_together(engines: list[Engine]) -> list[int]:
    barrier = threading.Barrier(len(engines))
    ran = [0] * len(engines)
    failures: list[BaseException] = []

    def work(index: int) -> None:
        try:
            barrier.wait(timeout=10)
            ran[index] = engines[index].tick()
        except BaseException as exc:  # reported by the test, not lost in the thread
            failures.append(exc)

    threads = [threading.Thread(target=work, args=(i,)) for i in range(len(engines))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert failures == []
    return ran


def test_two_workers_never_post_the_same_firing_twice(
    store: Store, second_store: Store, store_clock: FrozenClock
) -> None:
    c = calendar_community(store, store_clock)
    other_carrier = FakeCarrier("fake")
    other = Engine(second_store, store_clock,
                   [runtime_for(second_store, c.runtime.playbook)], {"fake": other_carrier})  # fmt: skip
    g = group(c)
    for day in range(5):
        at = FIRST + timedelta(days=day)
        # The same firing held twice as scheduled work (as by a planner under an older key):
        # each worker takes one, so both reach the claim at the same moment.
        store.schedule(f"dup:{day}", g.community_id, POST_EFFECT,
                       {"post": "morning", "at": at.isoformat()}, at, group_id=g.id)  # fmt: skip
        store_clock.set(at)
        assert sum(_tick_together([c.engine, other])) == 2
    for engine in (c.engine, other):
        asyncio.run(engine.drain())
    performed = [p.action for p in [*c.carrier.performed, *other_carrier.performed]]
    sent = sorted(a.extra["post_ref"] for a in performed if a.kind is ActionKind.SEND)
    got = records(c)
    assert sent == [r.id for r in got]
    assert [r.scheduled_for for r in got] == [FIRST + timedelta(days=d) for d in range(5)]
    assert {r.status for r in got} == {"posted"}
