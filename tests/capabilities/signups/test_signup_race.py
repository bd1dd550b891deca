"""Two members take the last place at the same moment: exactly one gets it, the other is
waitlisted. Each side has its own Store (its own connections and transaction), on both
databases."""

from __future__ import annotations

import threading
import time
from datetime import timedelta

from sqlalchemy import text

from hearthkeeper.assembly import runtime_for
from hearthkeeper.capabilities.signups.records import NewSignUpItem, SignUpEntry
from hearthkeeper.capabilities.signups.repository import SqlSignUps
from hearthkeeper.clock import FrozenClock
from hearthkeeper.engine.engine import Engine
from hearthkeeper.engine.executor import Processed
from hearthkeeper.store import Store, create_engine_for
from hearthkeeper.testing import FakeCarrier
from tests.capabilities.signups.test_signups import chinese, said, say, staffed


def _blocked(store: Store) -> bool:
    """Whether some other transaction waits on a row lock (PostgreSQL only)."""
    with store.engine.connect() as connection:
        waiting = connection.execute(text("SELECT count(*) FROM pg_locks WHERE NOT granted"))
        return bool(waiting.scalar())


def _wait_until_blocked(store: Store) -> None:
    if store.engine.dialect.name != "postgresql":
        time.sleep(0.2)  # SQLite: the other writer queues on BEGIN IMMEDIATE meanwhile
        return
    for _ in range(500):
        if _blocked(store):
            return
        time.sleep(0.01)
    raise AssertionError("the second transaction never reached the stock")


def test_the_store_gives_the_last_item_to_exactly_one_of_two_transactions(
    store: Store, store_clock: FrozenClock, database_url: str
) -> None:
    community = store.ensure_community("tea", "Tea")
    group = store.add_group(community.id, "g1", "fake", "g1")
    mei = store.member_for("fake", "mei", "mei").id
    bob = store.member_for("fake", "bob", "bob").id
    now = store_clock.now()
    lst = SqlSignUps.on(store).open_list(community.id, group.id, "蔬菜",
                                         [NewSignUpItem("西兰花", "12", 1)],
                                         deadline=now + timedelta(hours=1), created_by=None,
                                         at=now)  # fmt: skip
    item = lst.items[0].id
    other = Store(create_engine_for(database_url), store_clock)
    taken: dict[str, SignUpEntry] = {}
    holding = threading.Event()

    def first() -> None:
        with store.transaction() as tx:
            taken["mei"] = SqlSignUps.on(tx).take(lst.id, mei, 1, item_id=item, at=now)
            holding.set()
            _wait_until_blocked(store)  # commit only once bob's transaction waits on the stock

    def second() -> None:
        assert holding.wait(10)
        with other.transaction() as tx:
            taken["bob"] = SqlSignUps.on(tx).take(lst.id, bob, 1, item_id=item, at=now)

    try:
        threads = [threading.Thread(target=first), threading.Thread(target=second)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(30)
    finally:
        other.engine.dispose()
    assert taken["mei"].status == "confirmed" and taken["bob"].status == "waitlisted"
    fresh = SqlSignUps.on(store).get(lst.id)
    assert fresh is not None and fresh.items[0].taken == 1, "never sold beyond stock"


def test_two_engines_taking_the_last_place_at_once_give_it_to_exactly_one(
    store: Store, store_clock: FrozenClock, database_url: str
) -> None:
    pb = chinese()
    c = staffed(store, store_clock, pb)
    say(c, "boss", "/接龙 周六夜跑 限1人")
    other_store = Store(create_engine_for(database_url), store_clock)
    runtime = runtime_for(other_store, pb)
    other = Engine(other_store, store_clock, [runtime], {"fake": FakeCarrier("fake")},
                   adopt_groups_into=runtime.community_id)  # fmt: skip
    events = {"mei": c.events.message("mei", "+1"), "bob": c.events.message("bob", "+1")}
    start = threading.Barrier(2)
    results: dict[str, Processed] = {}

    def take(engine: Engine, user: str) -> None:
        start.wait(10)
        [results[user]] = engine.process([events[user]])

    try:
        threads = [threading.Thread(target=take, args=(c.engine, "mei")),
                   threading.Thread(target=take, args=(other, "bob"))]  # fmt: skip
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(30)
    finally:
        other_store.engine.dispose()
    replies = sorted(said(results["mei"]) + said(results["bob"]), key=lambda t: "候补" in t)
    assert "接龙成功，第 1 位" in replies[0] and "候补第 1 位" in replies[1]
    entries = SqlSignUps.on(store).entries(1)
    assert sorted(e.status for e in entries) == ["confirmed", "waitlisted"]
