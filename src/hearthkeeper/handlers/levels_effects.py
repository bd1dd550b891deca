"""The store work behind levels: promotion right after points-earning activity, and the
community's morning round (promotion for members who chatted, demotion for those who stopped)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from hearthkeeper.engine.actions import Action, ActionKind
from hearthkeeper.engine.effects import EffectContext
from hearthkeeper.engine.registry import Registry, Stage
from hearthkeeper.handlers.levels import (
    ActivityOver,
    RoundPlanner,
    announcement,
    climb,
    describe,
    level_index,
    meets,
)
from hearthkeeper.playbook import Playbook
from hearthkeeper.playbook.structure import Level
from hearthkeeper.store import Activity, Store

ROUND_AT = time(9, 0)  # community time: promotions earned by chatting are announced at breakfast
LOOKBACK = timedelta(days=2)  # members who posted since then are judged (a missed round is caught)


def activity_for(store: Store, community_id: int, member_id: int, now: datetime,
                 zone: ZoneInfo) -> ActivityOver:  # fmt: skip
    """The member's activity over a window ending now, each window measured once."""
    measured: dict[timedelta, Activity] = {}

    def over(window: timedelta) -> Activity:
        if window not in measured:
            measured[window] = store.activity(community_id, member_id, now - window, zone)
        return measured[window]

    return over


def promote(store: Store, ctx: EffectContext, member_id: int) -> Level | None:
    """Move the member up as far as their activity reaches; the level reached, or None."""
    levels = ctx.playbook.structure.levels
    community, zone = ctx.group.community_id, ZoneInfo(ctx.playbook.community.timezone)
    placed = store.member_level(community, member_id)
    expected = placed.level if placed is not None else None
    current = level_index(levels, expected)
    over = activity_for(store, community, member_id, ctx.now, zone)
    reached = climb(levels, current, over)
    for index in range(current + 1, reached + 1):
        promote = levels[index].promote
        assert promote is not None
        reason = f"promoted: {describe(promote, over(promote.window))}"
        if store.change_level(community, member_id, expected, levels[index].id, reason,
                              ctx.now) is None:  # fmt: skip
            return None  # another worker moved this member at the same moment
        expected = levels[index].id
    return levels[reached] if reached > current else None


def evaluate(store: Store, action: Action, ctx: EffectContext) -> Sequence[Action]:
    """After a check-in, share or award: promote and announce in this group."""
    levels = ctx.playbook.structure.levels
    if len(levels) < 2:
        return []
    if "member_id" in action.extra:  # promoted by a staff award, not by themselves
        member_id, name, by_self = int(action.extra["member_id"]), str(action.extra["name"]), False
    elif ctx.member is not None and not ctx.member.is_staff:
        member_id, name, by_self = (
            ctx.member.id,
            ctx.member.display_name or ctx.member.user_id,
            True,
        )
    else:
        return []  # staff hold a role, not a place on the members' pyramid
    plan_round(store, ctx)
    top = promote(store, ctx, member_id)
    if top is None:
        return []
    text = announcement(top, name, ctx.playbook.community.language)
    return [replace(action, kind=ActionKind.SEND, text=text, effect=None, extra={}, key=None,
                    member=action.member if by_self else None, target=None,
                    reason=f"promoted to {top.id}")]  # fmt: skip


def round_key(community_id: int, day: str) -> str:
    """The morning round of one community on one day."""
    return f"levels:round:{community_id}:{day}"


def plan_round(store: Store, ctx: EffectContext) -> None:
    """Schedule the community's next morning round (keyed by date: planning twice is a no-op)."""
    zone = ZoneInfo(ctx.playbook.community.timezone)
    day = ctx.now.astimezone(zone).date()
    due = datetime.combine(day, ROUND_AT, tzinfo=zone)
    if due <= ctx.now:
        day += timedelta(days=1)
        due = datetime.combine(day, ROUND_AT, tzinfo=zone)
    store.schedule(round_key(ctx.group.community_id, day.isoformat()), ctx.group.community_id,
                   "levels.round", {"day": day.isoformat()}, due, group_id=ctx.group.id)  # fmt: skip


def plan(store: Store, action: Action, ctx: EffectContext) -> Sequence[Action]:
    """Make sure the morning round is planned."""
    if len(ctx.playbook.structure.levels) > 1:
        plan_round(store, ctx)
    return []


def morning_round(store: Store, action: Action, ctx: EffectContext) -> Sequence[Action]:
    """Promote members who posted lately (announced where they last posted); demote, quietly,
    members who held a level a full window without meeting its `keep`; plan tomorrow's."""
    levels = ctx.playbook.structure.levels
    if len(levels) < 2:
        return []
    community, lang = ctx.group.community_id, ctx.playbook.community.language
    said: list[Action] = []
    for member_id, group_id in store.recent_posters(community, ctx.now - LOOKBACK).items():
        top = promote(store, ctx, member_id)
        group, member = store.get_group(group_id), store.get_member(member_id)
        if top is None or group is None or member is None:
            continue
        said.append(Action(kind=ActionKind.SEND, carrier=group.carrier,
                           group=group.carrier_group_id, text=announcement(top, member.display_name, lang),
                           handler="levels", reason=f"promoted to {top.id}",
                           key=f"levels:promoted:{community}:{member_id}:{top.id}:{action.extra.get('day')}"))  # fmt: skip
    demote(store, ctx)
    plan_round(store, ctx)
    return said


def demote(store: Store, ctx: EffectContext) -> None:
    """Down one level for members who held theirs a full window without keeping it up; the
    change is recorded and shown by /me, not announced to the group."""
    levels = ctx.playbook.structure.levels
    kept = {level.id: i for i, level in enumerate(levels) if level.keep is not None and i > 0}
    community, zone = ctx.group.community_id, ZoneInfo(ctx.playbook.community.timezone)
    for placed in store.members_at(community, kept) if kept else []:
        index = kept[placed.level]
        keep = levels[index].keep
        assert keep is not None
        if ctx.now - placed.since < keep.window:
            continue
        activity = store.activity(community, placed.member_id, ctx.now - keep.window, zone)
        if not meets(keep, activity):
            store.change_level(community, placed.member_id, placed.level, levels[index - 1].id,
                               f"demoted: kept {describe(keep, activity)}", ctx.now)  # fmt: skip


def register(registry: Registry, playbook: Playbook) -> None:
    """Add promotion, the morning round and what plans it."""
    registry.add_effect("levels.evaluate", evaluate)
    registry.add_effect("levels.plan", plan)
    registry.add_effect("levels.round", morning_round)
    if len(playbook.structure.levels) > 1:
        registry.add(RoundPlanner(playbook.community.timezone), Stage.MECHANISMS + 7)
