"""The member pyramid: promotion earned over a window and announced, demotion by the daily
sweep once a member held a level a full window without keeping it up."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import cast

from hearthkeeper.capabilities.points.levels import RoundPlanner, climb, describe, meets
from hearthkeeper.capabilities.points.levels_repository import Activity, SqlLevels
from hearthkeeper.clock import FrozenClock
from hearthkeeper.engine.actions import Action, ActionKind
from hearthkeeper.engine.executor import Processed
from hearthkeeper.engine.handler import Context, GroupView, MemberView, StateView
from hearthkeeper.playbook.structure import Criteria, Level
from hearthkeeper.store import Store
from hearthkeeper.testing import EventBuilder
from tests.engine_setup import Community, community, playbook

DAY = datetime(2026, 5, 1, 8, 0, tzinfo=UTC)  # 09:00 in London
NO_STATE = cast(StateView, None)  # the planner asks nothing of the state


def pyramid(keep: int) -> str:
    return f"""\
structure:
  levels:
    - {{id: newcomer, name: Newcomer}}
    - id: regular
      name: Regular
      promote: {{check_ins: 3, window: 7d}}
      keep: {{check_ins: {keep}, window: 7d}}
      perks: [early access]
"""


def said(processed: Sequence[Processed]) -> list[str]:
    return [a.text for p in processed for a in p.actions
            if a.kind in (ActionKind.REPLY, ActionKind.SEND) and a.text]  # fmt: skip


def check_in(c: Community, user: str, at: datetime) -> list[str]:
    return said(c.engine.process([c.events.message(user, "check in", at=at)]))


def sent(c: Community) -> list[Action]:
    asyncio.run(c.engine.drain())
    return [p.action for p in c.carrier.performed if p.action.kind is ActionKind.SEND
            and not p.action.welcome]  # fmt: skip


def level_of(c: Community, user: str) -> str | None:
    placed = SqlLevels.on(c.store).member_level(c.runtime.community_id, c.member_id(user))
    return None if placed is None else placed.level


def test_criteria_are_all_thresholds_over_their_window() -> None:
    criteria = Criteria(check_ins=3, points=10)
    assert meets(criteria, Activity(points=10, messages=0, active_days=0, check_ins=3))
    assert not meets(criteria, Activity(points=9, messages=99, active_days=9, check_ins=9))
    assert describe(criteria, Activity(5, 0, 0, 2)) == "points 5/10, check_ins 2/3 within 30 days"
    levels = [Level(id="a", name="A"), Level(id="b", name="B", promote=Criteria(messages=1)),
              Level(id="c", name="C", promote=Criteria(messages=5)), Level(id="d", name="D")]  # fmt: skip
    busy = Activity(0, 6, 0, 0)
    assert climb(levels, 0, lambda _: busy) == 2, "D has no promote: only staff put members there"
    assert climb(levels, 0, lambda _: Activity(0, 2, 0, 0)) == 1


def test_enough_check_ins_promote_and_the_group_hears_it(
    store: Store, store_clock: FrozenClock
) -> None:
    c = community(store, store_clock, playbook(pyramid(keep=2)))
    assert len(check_in(c, "mei", DAY)) == 1
    check_in(c, "mei", DAY + timedelta(days=1))
    third = check_in(c, "mei", DAY + timedelta(days=2))
    assert third[1] == "🎉 mei is now Regular! Unlocked: early access."
    assert level_of(c, "mei") == "regular"
    [change] = SqlLevels.on(store).level_changes(c.runtime.community_id, c.member_id("mei"))
    assert (change.from_level, change.to_level) == (None, "regular")
    assert change.reason == "promoted: check_ins 3/3 within 7 days"
    assert len(check_in(c, "mei", DAY + timedelta(days=3))) == 1, "announced once"


def test_a_level_is_lost_when_not_kept_up_over_the_window(
    store: Store, store_clock: FrozenClock
) -> None:
    c = community(store, store_clock, playbook(pyramid(keep=2)))
    for day in range(3):
        check_in(c, "mei", DAY + timedelta(days=day))
    check_in(c, "mei", DAY + timedelta(days=7))
    check_in(c, "mei", DAY + timedelta(days=8))
    store_clock.set(DAY + timedelta(days=10))  # two check-ins in the last 7 days: kept
    c.engine.tick()
    assert level_of(c, "mei") == "regular"
    store_clock.set(DAY + timedelta(days=16))  # none since day 8: demoted
    c.engine.tick()
    assert level_of(c, "mei") == "newcomer"
    demotion = SqlLevels.on(store).level_changes(c.runtime.community_id, c.member_id("mei"))[-1]
    assert demotion.reason == "demoted: kept check_ins 0/2 within 7 days"


def test_a_fresh_promotion_gets_a_full_window_before_it_is_judged(
    store: Store, store_clock: FrozenClock
) -> None:
    c = community(store, store_clock, playbook(pyramid(keep=5)))
    for day in range(3):
        check_in(c, "mei", DAY + timedelta(days=day))
    store_clock.set(DAY + timedelta(days=3))  # 3 check-ins < 5, but promoted only yesterday
    c.engine.tick()
    assert level_of(c, "mei") == "regular"
    store_clock.set(DAY + timedelta(days=10))
    c.engine.tick()
    assert level_of(c, "mei") == "newcomer"


def test_chatting_promotes_in_the_morning_round(store: Store, store_clock: FrozenClock) -> None:
    pb = playbook("""\
structure:
  levels:
    - {id: newcomer, name: Newcomer}
    - {id: member, name: Member, promote: {messages: 3, active_days: 2, window: 14d}}
""")
    c = community(store, store_clock, pb)
    group = store.add_group(c.runtime.community_id, "g1", "fake", "g1")
    store.join(store.member_for("fake", "boss", "boss").id, group.id, role="manager", at=DAY)
    [joined] = c.engine.process([c.events.join("mei", at=DAY)])
    assert "levels" in joined.handlers, "a join plans the round"
    chat = ["agree", "which oolong?", "thanks!"]
    for minute, text in enumerate(chat, start=1):
        [p] = c.engine.process([c.events.message("mei", text, at=DAY + timedelta(minutes=minute))])
        assert "levels" not in p.handlers, "chatting costs nothing at the time"
    store_clock.set(DAY + timedelta(days=1, minutes=1))  # 09:01 in London
    c.engine.tick()
    assert sent(c) == [], "one active day so far"
    for day in range(3):  # staff chat as much, but hold a role instead of a level
        for minute in range(3):
            at = DAY + timedelta(days=day - 1, hours=2, minutes=minute)
            c.engine.process([c.events.message("boss", f"welcome {minute}", at=at)])
    c.engine.process([c.events.message("mei", "morning", at=DAY + timedelta(days=1, hours=1))])
    store_clock.set(DAY + timedelta(days=2, minutes=1))
    c.engine.tick()
    [announced] = sent(c)
    assert (announced.group, announced.text) == ("g1", "🎉 mei is now Member!")
    assert level_of(c, "mei") == "member"
    assert level_of(c, "boss") is None


def test_an_award_can_promote_someone_else(store: Store, store_clock: FrozenClock) -> None:
    pb = playbook("""\
structure:
  levels:
    - {id: newcomer, name: Newcomer}
    - {id: star, name: Star, promote: {points: 50, window: 30d}}
""")
    c = community(store, store_clock, pb)
    group = store.add_group(c.runtime.community_id, "g1", "fake", "g1")
    store.join(store.member_for("fake", "boss", "boss").id, group.id, role="manager", at=DAY)
    c.engine.process([c.events.message("mei", "hi", at=DAY)])
    [award] = c.engine.process(
        [c.events.message("boss", "/award @mei 50 host", at=DAY + timedelta(minutes=1))]
    )
    assert said([award])[-1] == "🎉 mei is now Star!"
    assert level_of(c, "mei") == "star"


def test_a_rolled_back_join_is_planned_again_once_the_planner_forgets() -> None:
    """The planner remembers the groups it planned today; a batch rolled back after it planned
    leaves no round stored, so the engine's rollback hook makes it forget (engine/handler.py's
    `Stateful`), and the next join plans again."""
    planner = RoundPlanner("Europe/London")
    events = EventBuilder(DAY)
    group = GroupView(id=1, name="g1", carrier="fake", carrier_group_id="g1", capacity=None,
                      community_id=1, community_slug="c")  # fmt: skip
    ctx = Context(playbook=playbook(pyramid(keep=2)), group=group, now=DAY, state=NO_STATE,
                  member=MemberView(id=2, user_id="mei", display_name="mei"))  # fmt: skip
    join = events.join("mei", at=DAY)
    assert planner.check(join, ctx)
    [plan] = planner.handle(join, ctx).actions
    assert plan.effect == "levels.plan"
    assert not planner.check(join, ctx), "planned once a group a day"
    planner.forget()  # what the engine does after rolling the batch back
    assert planner.check(join, ctx)
