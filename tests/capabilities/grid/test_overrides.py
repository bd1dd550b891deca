"""One playbook across groups, with per-group overrides honoured by the engine: a group's
own welcome, its FAQ cooldown, the scheduled posts it receives (also across a restart), and
its capacity written onto the group and restored when the override goes."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

from hearthkeeper.assembly import plan_community, runtime_for
from hearthkeeper.clock import FrozenClock
from hearthkeeper.engine.actions import ActionKind
from hearthkeeper.store import Store
from tests.engine_setup import Community, community, playbook

START = datetime(2026, 10, 5, 6, 0, tzinfo=UTC)  # 07:00 in London
OVERRIDES = """\
joining:
  ceremony:
    welcome: "Welcome {nickname}, read the rules."
    intro_deadline: null
mechanisms:
  faq:
    cooldown: 10m
    entries:
      - question: Where can I buy the tea?
        keywords: [buy, shop, order]
        answer: Order from the shop link in the group notice.
calendar:
  posts:
    - id: morning
      schedule: every day 08:00
      content: {text: "Good morning, tea friends."}
    - id: night-run
      schedule: every day 20:00
      content: {text: Night run at nine.}
      groups: [g1]
groups:
  g2:
    welcome: "Welcome to the runners, {nickname}!"
    faq_cooldown: 2h
    calendar_posts: [night-run]
  Tasting room:
    capacity: 30
"""
SHOP = "Order from the shop link in the group notice."


def _c(store: Store, clock: FrozenClock) -> Community:
    clock.set(START)
    return community(store, clock, playbook(OVERRIDES))


def _said(c: Community, kind: ActionKind) -> list[tuple[str, str]]:
    asyncio.run(c.engine.drain())
    return [(p.action.group or "", p.action.text or "") for p in c.carrier.performed
            if p.action.kind is kind]  # fmt: skip


def test_each_group_is_welcomed_with_its_own_text(store: Store, store_clock: FrozenClock) -> None:
    c = _c(store, store_clock)
    c.engine.process([c.events.join("ann", group="g1"), c.events.join("bo", group="g2")])
    welcomes = [(g, t.splitlines()[0]) for g, t in _said(c, ActionKind.SEND)]
    assert ("g1", "Welcome ann, read the rules.") in welcomes
    assert ("g2", "Welcome to the runners, bo!") in welcomes


def test_a_groups_faq_cooldown_overrides_the_communitys(
    store: Store, store_clock: FrozenClock
) -> None:
    c = _c(store, store_clock)
    for group in ("g1", "g2"):
        c.engine.process([c.events.message("mei", "where can I buy it?", group=group)])
    store_clock.advance(timedelta(minutes=30))
    for group in ("g1", "g2"):
        c.engine.process([c.events.message("tom", "how do I order?", group=group,
                                           at=store_clock.now())])  # fmt: skip
    answered = [g for g, text in _said(c, ActionKind.REPLY) if text == SHOP]
    assert answered == ["g1", "g2", "g1"], "g2 answers once per 2 hours, g1 every 10 minutes"


def test_a_group_receives_only_the_posts_its_override_names_also_after_a_restart(
    store: Store, store_clock: FrozenClock
) -> None:
    c = _c(store, store_clock)
    c.engine.process([c.events.join("ann", group="g1"), c.events.join("bo", group="g2")])
    _said(c, ActionKind.SEND)
    c.carrier.performed.clear()
    for hour in (8, 20):  # 08:00 and 20:00 London (UTC+1)
        store_clock.set(datetime(2026, 10, 5, hour - 1, 0, 30, tzinfo=UTC))
        c.engine.tick()
    day_one = sorted(_said(c, ActionKind.SEND))
    assert day_one == [("g1", "Good morning, tea friends."), ("g1", "Night run at nine."),
                       ("g2", "Night run at nine.")]  # fmt: skip

    engine = c.restart()
    plan_community(store, c.runtime.community_id, c.runtime.playbook, store_clock.now())
    for hour in (8, 20):
        store_clock.set(datetime(2026, 10, 6, hour - 1, 0, 30, tzinfo=UTC))
        engine.tick()
    assert sorted(_said(c, ActionKind.SEND)) == day_one, "the same posts, once, the next day"


def test_a_capacity_override_is_written_onto_its_group_and_restored_without_it(
    store: Store, store_clock: FrozenClock
) -> None:
    c = _c(store, store_clock)
    room = store.add_group(c.runtime.community_id, "Tasting room", "fake", "tasting", 200)
    plan_community(store, c.runtime.community_id, c.runtime.playbook, START)
    assert store.get_group(room.id).capacity == 30  # type: ignore[union-attr]
    [entry] = [e for e in store.audit_entries(c.runtime.community_id)
               if e.action == "group.capacity"]  # fmt: skip
    assert (entry.target, entry.detail) == (f"group {room.id}", {"capacity": 30, "override": True})

    without = playbook(OVERRIDES.replace("  Tasting room:\n    capacity: 30\n", ""))
    runtime_for(store, without)
    plan_community(store, c.runtime.community_id, without, START)
    # the playbook's structure.groups.capacity (the default 500), as every group without an
    # override holds
    assert store.get_group(room.id).capacity == 500  # type: ignore[union-attr]


def test_a_new_group_capacity_in_the_playbook_reaches_the_groups_already_open(
    store: Store, store_clock: FrozenClock
) -> None:
    """Groups are opened with the playbook's capacity of their day: setting
    structure.groups.capacity from 500 to 12 left the matrix at "8/500", live codes and the
    web chat seating up to 500, and only groups opened afterwards held 12."""
    from zoneinfo import ZoneInfo

    from hearthkeeper.capabilities.grid.load import load_matrix

    c = _c(store, store_clock)
    opened = store.add_group(c.runtime.community_id, "Tea 1", "webchat", "tea-1", 500)
    imported = store.add_group(c.runtime.community_id, "Old chat", "telegram", "-100")
    smaller = playbook(OVERRIDES + "structure:\n  groups: {capacity: 12, join_by_code_cap: 10}\n")
    runtime_for(store, smaller)
    plan_community(store, c.runtime.community_id, smaller, START)
    assert store.get_group(opened.id).capacity == 12  # type: ignore[union-attr]
    assert store.get_group(imported.id).capacity is None  # type: ignore[union-attr]
    lines = {line.name: line for line in load_matrix(
        store, c.runtime.community_id, smaller, ZoneInfo("UTC"), START).lines}  # fmt: skip
    assert lines["Tea 1"].capacity == 12
    changes = [e.detail for e in store.audit_entries(c.runtime.community_id)
               if e.action == "group.capacity" and e.target == f"group {opened.id}"]  # fmt: skip
    assert changes == [{"capacity": 12, "override": False}]
