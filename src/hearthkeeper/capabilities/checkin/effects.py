"""The store work behind check-ins: the day's row and streak, rewards, the leaderboard and the
daily summary (scheduled work that schedules the next day's). Each effect loads, decides
(`decide.py`, no store) and writes."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date, timedelta

from hearthkeeper.capabilities.checkin.decide import (
    decide_record,
    local_day,
    prompt_text,
    rank_text,
    summary_due,
    summary_text,
)
from hearthkeeper.capabilities.checkin.repository import CheckIns, SqlCheckIns
from hearthkeeper.capabilities.checkin.requests import (
    CheckInPrompt,
    CheckInRank,
    CheckInRecord,
    CheckInSummary,
)
from hearthkeeper.capabilities.command_book import answer
from hearthkeeper.capabilities.points.requests import LevelsEvaluate, follow
from hearthkeeper.capabilities.roles.repository import SqlTitles
from hearthkeeper.engine.actions import Action, ActionKind
from hearthkeeper.engine.effects import EffectContext, schedule_request
from hearthkeeper.engine.events import Event
from hearthkeeper.engine.registry import Registry
from hearthkeeper.playbook import Playbook
from hearthkeeper.store.scope import StoreBase


def record(scope: StoreBase, request: CheckInRecord, ctx: EffectContext) -> Sequence[Action]:
    """Check the member in for today; rewards, the reply, tonight's summary, a level check."""
    assert ctx.member is not None, "a check-in has a member"
    pb, member, community = ctx.playbook, ctx.member, ctx.group.community_id
    today = local_day(ctx.now, pb.community.timezone)
    done = SqlCheckIns.on(scope).check_in(community, member.id, today, ctx.now,
                                          group_id=ctx.group.id)  # fmt: skip
    decided = decide_record(pb.mechanisms.check_in, created=done.created, streak=done.streak,
                            position=done.position, paying=pb.mechanisms.points.enabled,
                            nickname=member.display_name or member.user_id,
                            lang=pb.community.language)  # fmt: skip
    said = answer(ctx.trigger, decided.reply)
    if not decided.counted:
        return [said]
    ledger, titles = SqlCheckIns.on(scope), SqlTitles.on(scope)
    for award in decided.awards:  # written with the transaction's check-ins
        ledger.award_later(community, member.id, award.points, award.reason, ctx.now,
                           event_id=ctx.event_id)  # fmt: skip
    for title in decided.titles:
        titles.claim_title(community, member.id, title, ctx.now)
    plan_summary(scope, ctx, today)
    assert ctx.trigger is not None
    return [said, follow(ctx.trigger, LevelsEvaluate())]


def rank(scope: StoreBase, request: CheckInRank, ctx: EffectContext) -> Sequence[Action]:
    """The leaderboard: running streaks and this month's check-ins in the community."""
    pb, community = ctx.playbook, ctx.group.community_id
    today = local_day(ctx.now, pb.community.timezone)
    check_ins: CheckIns = SqlCheckIns.on(scope)
    streaks = check_ins.top_streaks(community, [today, today - timedelta(days=1)])
    month = check_ins.most_check_ins(community, today.replace(day=1))
    return [answer(ctx.trigger, rank_text(streaks, month, pb.community.language))]


def summary_key(group_id: int, day: date) -> str:
    """The scheduled daily summary of one group for one day."""
    return f"checkin:summary:{group_id}:{day.isoformat()}"


def plan_summary(scope: StoreBase, ctx: EffectContext, day: date) -> None:
    """Schedule the group's summary for `day` (or the next day, once today's time has passed);
    keyed by date, so planning it again changes nothing."""
    at = ctx.playbook.mechanisms.check_in.daily_summary
    if at is None:
        return
    day, due = summary_due(day, at, ctx.playbook.community.timezone, ctx.now)
    schedule_request(scope, summary_key(ctx.group.id, day), ctx.group.community_id,
                     CheckInSummary(day=day), due, group_id=ctx.group.id)  # fmt: skip


def summary(scope: StoreBase, request: CheckInSummary, ctx: EffectContext) -> Sequence[Action]:
    """Post the day's check-in count and top streaks; plan tomorrow's. A day without
    check-ins posts nothing and ends the chain (the next check-in starts it again), and so
    does a playbook version without `daily_summary` (or with check-ins off)."""
    day, group = request.day, ctx.group
    settings = ctx.playbook.mechanisms.check_in
    if settings.daily_summary is None or not settings.enabled:
        return []  # turned off by a version applied since it was planned
    check_ins: CheckIns = SqlCheckIns.on(scope)
    count = check_ins.check_ins_on(group.community_id, day, group_id=group.id)
    if count == 0:
        return []
    plan_summary(scope, ctx, day + timedelta(days=1))
    top = check_ins.top_streaks(group.community_id, [day], group_id=group.id, limit=3)
    text = summary_text(count, top, ctx.playbook.community.language)
    return [Action(kind=ActionKind.SEND, carrier=group.carrier, group=group.carrier_group_id,
                   text=text, handler="checkin", reason="daily check-in summary",
                   key=f"{summary_key(group.id, day)}:post")]  # fmt: skip


def prompt(scope: StoreBase, request: CheckInPrompt, ctx: EffectContext) -> Sequence[Action]:
    """The check-in prompt an operator pushed to this group (with others): one message, unless
    check-ins were turned off since it was asked for, or its day is over."""
    settings, group = ctx.playbook.mechanisms.check_in, ctx.group
    today = local_day(ctx.now, ctx.playbook.community.timezone)
    if not settings.enabled or (request.day is not None and request.day != today):
        return []
    text = prompt_text(settings, request.text, ctx.playbook.community.language)
    return [
        Action(
            kind=ActionKind.SEND,
            carrier=group.carrier,
            group=group.carrier_group_id,
            text=text,
            handler="checkin",
            reason="check-in prompt pushed by an operator",
        )
    ]


class DaysAhead:
    """Before a batch is decided, the community days its check-ins (`checks_in`: by keyword
    or command) will count on have their counters locked, in order of day
    (`Registry.add_lock_ahead`): every worker locks them in one order. Then the checking-in
    members' rows of those days and the days before are read, in one statement for the
    batch (`SqlCheckIns.read_ahead`), not one per check-in."""

    def __init__(self, checks_in: Callable[[Event], bool]) -> None:
        self.checks_in = checks_in

    def __call__(self, scope: StoreBase, community_id: int,
                 events: Sequence[tuple[Event, Playbook, int, int]]) -> None:  # fmt: skip
        ahead = {(member_id, local_day(event.at, pb.community.timezone))
                 for event, pb, member_id, _ in events if self.checks_in(event)}  # fmt: skip
        if ahead:
            check_ins = SqlCheckIns.on(scope)
            check_ins.take_days(community_id, {day for _, day in ahead})
            check_ins.read_ahead(community_id, ahead)


def register(registry: Registry) -> None:
    """Add the check-in effects."""
    registry.add_effect(CheckInRecord, record)
    registry.add_effect(CheckInRank, rank)
    registry.add_effect(CheckInSummary, summary)
    registry.add_effect(CheckInPrompt, prompt)
