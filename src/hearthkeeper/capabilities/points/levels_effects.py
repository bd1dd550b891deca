"""The store work behind levels: promotion right after points-earning activity, and the
community's morning round (promotion for members who chatted, demotion for those who stopped).
Each effect loads, decides (`levels.py`, no store) and writes."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from hearthkeeper.capabilities.points.levels import (
    ActivityOver,
    RoundPlanner,
    announcement,
    demotion,
    level_index,
    promotion,
    round_due,
)
from hearthkeeper.capabilities.points.levels_repository import Activity, Levels, SqlLevels
from hearthkeeper.capabilities.points.requests import LevelsEvaluate, LevelsPlan, LevelsRound
from hearthkeeper.engine.actions import Action, ActionKind
from hearthkeeper.engine.effects import EffectContext, schedule_request
from hearthkeeper.engine.handler import MemberView
from hearthkeeper.engine.registry import Registry, Stage
from hearthkeeper.playbook import Playbook
from hearthkeeper.playbook.structure import Level
from hearthkeeper.store.communities import CommunityQueries
from hearthkeeper.store.members import MemberQueries
from hearthkeeper.store.scope import StoreBase

LOOKBACK = timedelta(days=2)  # members who posted since then are judged (a missed round is caught)


def activity_for(levels: Levels, community_id: int, member_id: int, now: datetime,
                 zone: ZoneInfo, known: Mapping[timedelta, Activity] | None = None) -> ActivityOver:  # fmt: skip
    """The member's activity over a window ending now, each window measured once (`known`:
    windows measured already)."""
    measured: dict[timedelta, Activity] = dict(known or {})

    def over(window: timedelta) -> Activity:
        if window not in measured:
            measured[window] = levels.activity(community_id, member_id, now - window, zone)
        return measured[window]

    return over


def next_windows(levels: Sequence[Level]) -> tuple[dict[str, timedelta | None], timedelta | None]:
    """The window the promotion from each level (by id) is judged on (None: no promotion
    from it), and from the bottom (no level, or an id the pyramid lacks: `level_index`)."""
    windows: dict[str, timedelta | None] = {}
    for i, level in enumerate(levels):
        up = levels[i + 1].promote if i + 1 < len(levels) else None
        windows.setdefault(level.id, None if up is None else up.window)  # the first of an id
    return windows, windows[levels[0].id] if levels else None


def promote(scope: StoreBase, ctx: EffectContext, member_id: int) -> Level | None:
    """Move the member up as far as their activity reaches; the level reached, or None.
    The level and the activity its next promotion is judged on are read together."""
    levels = ctx.playbook.structure.levels
    repo: Levels = SqlLevels.on(scope)
    community, zone = ctx.group.community_id, ZoneInfo(ctx.playbook.community.timezone)
    windows, bottom = next_windows(levels)
    standing = repo.standing(community, member_id, windows, bottom, ctx.now, zone)
    expected = standing.placed.level if standing.placed is not None else None
    current = level_index(levels, expected)
    known = {} if standing.window is None or standing.activity is None else \
        {standing.window: standing.activity}  # fmt: skip
    steps = promotion(levels, current,
                      activity_for(repo, community, member_id, ctx.now, zone, known))  # fmt: skip
    for step in steps:
        if repo.change_level(community, member_id, expected, step.level, step.reason,
                             ctx.now) is None:  # fmt: skip
            return None  # another worker moved this member at the same moment
        expected = step.level
    return levels[current + len(steps)] if steps else None


def judged(request: LevelsEvaluate, member: MemberView | None) -> tuple[int, str, bool] | None:
    """Whom an evaluation is about: (member id, name, whether it is the sender); None for
    staff, who hold a role rather than a place on the members' pyramid."""
    if request.member_id is not None:  # promoted by a staff award, not by themselves
        return request.member_id, request.name, False
    if member is not None and not member.is_staff:
        return member.id, member.display_name or member.user_id, True
    return None


def evaluate(scope: StoreBase, request: LevelsEvaluate, ctx: EffectContext) -> Sequence[Action]:
    """After a check-in, share or award: promote and announce in this group."""
    if len(ctx.playbook.structure.levels) < 2:
        return []
    whom = judged(request, ctx.member)
    if whom is None:
        return []
    member_id, name, by_self = whom
    plan_round(scope, ctx)
    top = promote(scope, ctx, member_id)
    if top is None:
        return []
    trigger = ctx.trigger
    assert trigger is not None
    text = announcement(top, name, ctx.playbook.community.language)
    return [replace(trigger, kind=ActionKind.SEND, text=text, effect=None, extra={}, key=None,
                    request=None, member=trigger.member if by_self else None, target=None,
                    reason=f"promoted to {top.id}")]  # fmt: skip


def round_key(community_id: int, day: str) -> str:
    """The morning round of one community on one day."""
    return f"levels:round:{community_id}:{day}"


def plan_round(scope: StoreBase, ctx: EffectContext) -> None:
    """Schedule the community's next morning round (keyed by date: planning twice is a no-op)."""
    day, due = round_due(ctx.now, ctx.playbook.community.timezone)
    schedule_request(scope, round_key(ctx.group.community_id, day.isoformat()),
                     ctx.group.community_id, LevelsRound(day=day), due,
                     group_id=ctx.group.id)  # fmt: skip


def plan(scope: StoreBase, request: LevelsPlan, ctx: EffectContext) -> Sequence[Action]:
    """Make sure the morning round is planned."""
    if len(ctx.playbook.structure.levels) > 1:
        plan_round(scope, ctx)
    return []


def morning_round(scope: StoreBase, request: LevelsRound, ctx: EffectContext) -> Sequence[Action]:
    """Promote members who posted lately (announced where they last posted); demote, quietly,
    members who held a level a full window without meeting its `keep`; plan tomorrow's."""
    levels = ctx.playbook.structure.levels
    if len(levels) < 2:
        return []
    community, lang = ctx.group.community_id, ctx.playbook.community.language
    groups, members = CommunityQueries.on(scope), MemberQueries.on(scope)
    said: list[Action] = []
    for member_id, group_id in SqlLevels.on(scope).recent_posters(community,
                                                                  ctx.now - LOOKBACK).items():  # fmt: skip
        top = promote(scope, ctx, member_id)
        group, member = groups.get_group(group_id), members.get_member(member_id)
        if top is None or group is None or member is None:
            continue
        key = f"levels:promoted:{community}:{member_id}:{top.id}:{request.day.isoformat()}"
        said.append(Action(kind=ActionKind.SEND, carrier=group.carrier,
                           group=group.carrier_group_id, text=announcement(top, member.display_name, lang),
                           handler="levels", reason=f"promoted to {top.id}", key=key))  # fmt: skip
    demote(scope, ctx)
    plan_round(scope, ctx)
    return said


def demote(scope: StoreBase, ctx: EffectContext) -> None:
    """Down one level for members who held theirs a full window without keeping it up; the
    change is recorded and shown by /me, not announced to the group."""
    levels = ctx.playbook.structure.levels
    repo: Levels = SqlLevels.on(scope)
    kept = {level.id: i for i, level in enumerate(levels) if level.keep is not None and i > 0}
    community, zone = ctx.group.community_id, ZoneInfo(ctx.playbook.community.timezone)
    for placed in repo.members_at(community, kept) if kept else []:
        over = activity_for(repo, community, placed.member_id, ctx.now, zone)
        step = demotion(levels, kept[placed.level], placed.since, ctx.now, over)
        if step is not None:
            repo.change_level(community, placed.member_id, placed.level, step.level, step.reason,
                              ctx.now)  # fmt: skip


def register(registry: Registry, playbook: Playbook) -> None:
    """Add promotion, the morning round and what plans it."""
    registry.add_effect(LevelsEvaluate, evaluate)
    registry.add_effect(LevelsPlan, plan)
    registry.add_effect(LevelsRound, morning_round)
    if len(playbook.structure.levels) > 1:
        registry.add(RoundPlanner(playbook.community.timezone), Stage.MECHANISMS + 7)
