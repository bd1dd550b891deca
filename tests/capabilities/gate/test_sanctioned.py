"""Through the engine: a member muted, banned or kicked in a group earns nothing from what
they post there (no check-in, points, strike), is told once per mute, and a flood before the
platform removes them costs one kick or ban, not one per message."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from datetime import timedelta
from zoneinfo import ZoneInfo

from hearthkeeper.capabilities.format import when_text
from hearthkeeper.capabilities.moderation import staff
from hearthkeeper.capabilities.points.repository import SqlPoints
from hearthkeeper.clock import FrozenClock
from hearthkeeper.engine.actions import ActionKind
from hearthkeeper.engine.executor import Processed
from hearthkeeper.playbook.positioning import Language
from hearthkeeper.store import SanctionKind, Store
from tests.engine_setup import Community, community, playbook

AD = "加我微信 abc12345 低价出货"
KICK_LADDER = """\
  ladder:
    - at: 1
      do: [delete, kick]
"""


def kinds(processed: Sequence[Processed]) -> list[ActionKind]:
    return [a.kind for p in processed for a in p.actions]


def points(c: Community, user: str) -> int:
    return SqlPoints.on(c.store).points_of(c.runtime.community_id, c.member_id(user))


def muted(c: Community, user: str, hours: int = 1) -> None:
    """`user`, in group g1, muted for `hours` from now (as the ladder or staff do)."""
    c.engine.process([c.events.message(user, "hello")])
    group = c.store.group_for_carrier("fake", "g1")
    assert group is not None
    c.store.add_sanction("mute", c.member_id(user), "insults", c.events.now, group_id=group.id,
                         until=c.events.now + timedelta(hours=hours))  # fmt: skip


def test_a_muted_members_check_in_is_deleted_earns_nothing_and_they_are_told_once(
    store: Store, store_clock: FrozenClock
) -> None:
    c = community(store, store_clock)
    muted(c, "mei")
    first = c.engine.process([c.events.message("mei", "check in")])
    assert kinds(first) == [ActionKind.DELETE, ActionKind.REPLY]
    assert "checkin" not in first[0].handlers
    notice = first[0].actions[1].text or ""
    assert "muted until" in notice and "check" not in notice  # never the matched keyword
    # the mute's end written as every moment members read is (it read 2026-05-01 10:00)
    zone = ZoneInfo(c.runtime.playbook.community.timezone)
    until = when_text(c.events.now + timedelta(hours=1), zone, Language.EN)
    assert f"muted until {until};" in notice, notice
    again = c.engine.process([c.events.message("mei", "/checkin"), c.events.message("mei", AD)])
    assert kinds(again).count(ActionKind.DELETE) == 2  # no strike, no check-in
    assert ActionKind.STRIKE not in kinds(again)
    assert points(c, "mei") == 0
    assert store.strikes(member_id=c.member_id("mei")) == []
    asyncio.run(c.engine.drain())
    replies = [p for p in c.carrier.performed if p.action.kind is ActionKind.REPLY]
    assert len(replies) == 1


def test_once_the_mute_is_over_or_lifted_the_member_earns_again(
    store: Store, store_clock: FrozenClock
) -> None:
    c = community(store, store_clock)
    muted(c, "mei")
    [mute] = store.active_sanctions(member_id=c.member_id("mei"), kind=SanctionKind.MUTE,
                                    now=c.events.now)  # fmt: skip
    staff.lift(store, mute.id, "manager", c.events.now)
    [p] = c.engine.process([c.events.message("mei", "check in")])
    assert "checkin" in p.handlers and points(c, "mei") == 1
    muted(c, "bob", hours=1)
    later = c.events.now + timedelta(hours=1, minutes=1)
    [p] = c.engine.process([c.events.message("bob", "check in", at=later)])
    assert "checkin" in p.handlers and points(c, "bob") == 1


def test_a_mute_lifted_and_given_again_within_the_second_is_told_again(
    store: Store, store_clock: FrozenClock
) -> None:
    c = community(store, store_clock)
    muted(c, "mei")
    c.engine.process([c.events.message("mei", "hello?")])
    [mute] = store.active_sanctions(member_id=c.member_id("mei"), kind=SanctionKind.MUTE,
                                    now=c.events.now)  # fmt: skip
    staff.lift(store, mute.id, "manager", c.events.now)
    assert c.engine.process([c.events.message("mei", "thanks")])[0].actions == ()
    group = c.store.group_for_carrier("fake", "g1")
    assert group is not None and mute.until is not None
    c.store.add_sanction("mute", c.member_id("mei"), "insults again", c.events.now,
                         group_id=group.id, until=mute.until + timedelta(milliseconds=300))  # fmt: skip
    c.engine.process([c.events.message("mei", "what?")])
    c.restart()  # the mute read back from the store is the same mute: not told a third time
    c.engine.process([c.events.message("mei", "still?")])
    asyncio.run(c.engine.drain())
    replies = [p for p in c.carrier.performed if p.action.kind is ActionKind.REPLY]
    assert len(replies) == 2 and all("muted until" in (r.action.text or "") for r in replies)


def test_a_member_muted_earlier_in_the_batch_earns_nothing_from_their_next_message(
    store: Store, store_clock: FrozenClock
) -> None:
    c = community(store, store_clock)
    done = c.engine.process([c.events.message("spam", f"{AD} 1"),
                             c.events.message("spam", f"{AD} 2"),  # strike 2: muted 1 h
                             c.events.message("spam", "check in")])  # fmt: skip
    assert ActionKind.MUTE in kinds(done[1:2])
    assert [a.kind for a in done[2].actions] == [ActionKind.DELETE, ActionKind.REPLY]
    assert points(c, "spam") == 0


def test_a_message_moderation_deletes_earns_nothing(store: Store, store_clock: FrozenClock) -> None:
    c = community(store, store_clock)
    [p] = c.engine.process([c.events.message("spam", f"打卡 {AD}")])
    assert ActionKind.DELETE in [a.kind for a in p.actions] and "checkin" not in p.handlers
    assert points(c, "spam") == 0


def test_a_flood_before_the_kick_lands_costs_one_kick_and_one_strike(
    store: Store, store_clock: FrozenClock
) -> None:
    c = community(store, store_clock, playbook(KICK_LADDER))
    first = c.engine.process([c.events.message("spam", f"{AD} {i}") for i in range(25)])
    c.restart()  # the kick still pending in the outbox: nothing in memory knows of it
    second = c.engine.process([c.events.message("spam", f"{AD} {i}") for i in range(25, 50)])
    every = kinds(first) + kinds(second)
    assert every.count(ActionKind.KICK) == 1
    assert every.count(ActionKind.DELETE) == 50
    assert (
        every.count(ActionKind.STRIKE) == 1
        and len(store.strikes(member_id=c.member_id("spam"))) == 1
    )
    c.engine.process([c.events.message("spam", "check in")])
    assert points(c, "spam") == 0


def test_a_kicked_member_who_comes_back_is_no_longer_held(
    store: Store, store_clock: FrozenClock
) -> None:
    c = community(store, store_clock, playbook(KICK_LADDER))
    c.engine.process([c.events.message("spam", AD)])
    c.engine.process([c.events.leave("spam"), c.events.join("spam")])
    c.engine.process([c.events.message("spam", "agree")])  # the rules, as every joiner
    [p] = c.engine.process([c.events.message("spam", "check in")])
    assert "checkin" in p.handlers and points(c, "spam") == 1


def test_a_blacklisted_flood_is_banned_once_per_group(
    store: Store, store_clock: FrozenClock
) -> None:
    c = community(store, store_clock)
    c.engine.process([c.events.join("spam")])
    c.engine.process([c.events.message("spam", f"{AD} {i}") for i in range(2)])
    later = c.events.now + timedelta(hours=1, minutes=1)
    removed = c.engine.process([c.events.message("spam", f"{AD} {i}", at=later + timedelta(seconds=i))
                                for i in range(2, 30)])  # fmt: skip
    c.restart()
    more = c.engine.process([c.events.message("spam", f"{AD} {i}") for i in range(30, 50)])
    asyncio.run(c.engine.drain())
    every = kinds(removed) + kinds(more)
    assert every.count(ActionKind.DELETE) == 48 and every.count(ActionKind.STRIKE) == 1
    performed = [p.action.kind for p in c.carrier.performed]
    assert performed.count(ActionKind.KICK) == 1 and performed.count(ActionKind.BAN) == 1
