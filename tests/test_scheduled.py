"""Scheduled work runs once when due, survives restarts, and a failing item is set aside."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from datetime import timedelta

from hearthkeeper.clock import FrozenClock
from hearthkeeper.engine.actions import Action, ActionKind
from hearthkeeper.engine.effects import EffectContext, Request
from hearthkeeper.store import Store
from hearthkeeper.store.scope import StoreBase
from tests.engine_setup import community


class Announce(Request, effect="test.announce"):
    text: str


class Explode(Request, effect="test.explode"):
    pass


def announce(store: StoreBase, request: Announce, ctx: EffectContext) -> Sequence[Action]:
    group = ctx.group
    return [Action(kind=ActionKind.SEND, carrier=group.carrier, group=group.carrier_group_id,
                   text=request.text)]  # fmt: skip


def explode(store: StoreBase, request: Explode, ctx: EffectContext) -> Sequence[Action]:
    raise RuntimeError("boom")


def test_scheduled_work_runs_once_when_due_even_across_restarts(
    store: Store, store_clock: FrozenClock
) -> None:
    c = community(store, store_clock)
    c.runtime.registry.add_effect(Announce, announce)
    c.engine.process([c.events.message("u1", "hello")])  # registers the group
    group = store.group_for_carrier("fake", "g1")
    assert group is not None
    due = store_clock.now() + timedelta(hours=1)
    store.schedule("test:1", group.community_id, "test.announce", {"text": "starting now"}, due,
                   group_id=group.id)  # fmt: skip
    assert store.schedule("test:1", group.community_id, "test.announce", {"text": "again"}, due,
                          group_id=group.id)[1] is False  # fmt: skip
    assert c.engine.tick() == 0
    store_clock.advance(timedelta(hours=1))
    c.restart()  # a new process: the work is in the store, not in memory
    assert c.engine.tick() == 1
    assert c.engine.tick() == 0
    asyncio.run(c.engine.drain())
    assert [p.action.text for p in c.carrier.performed] == ["starting now"]


def test_cancelled_work_never_runs(store: Store, store_clock: FrozenClock) -> None:
    c = community(store, store_clock)
    c.runtime.registry.add_effect(Announce, announce)
    c.engine.process([c.events.message("u1", "hello")])
    group = store.group_for_carrier("fake", "g1")
    assert group is not None
    store.schedule("test:2", group.community_id, "test.announce", {"text": "x"},
                   store_clock.now(), group_id=group.id)  # fmt: skip
    assert store.cancel_scheduled("test:2")
    assert c.engine.tick() == 0
    scheduled = store.scheduled("test:2")
    assert scheduled is not None and scheduled.status == "cancelled"


def test_a_failing_item_is_set_aside_and_the_rest_still_run(
    store: Store, store_clock: FrozenClock
) -> None:
    c = community(store, store_clock)
    c.runtime.registry.add_effect(Announce, announce)
    c.runtime.registry.add_effect(Explode, explode)
    c.engine.process([c.events.message("u1", "hello")])
    group = store.group_for_carrier("fake", "g1")
    assert group is not None
    now = store_clock.now()
    store.schedule("bad", group.community_id, "test.explode", {}, now, group_id=group.id)
    store.schedule("good", group.community_id, "test.announce", {"text": "ok"}, now + timedelta(seconds=1),
                   group_id=group.id)  # fmt: skip
    store_clock.advance(timedelta(seconds=2))
    assert c.engine.tick() == 1
    bad, good = store.scheduled("bad"), store.scheduled("good")
    assert bad is not None and bad.status == "failed"
    assert good is not None and good.status == "done"
