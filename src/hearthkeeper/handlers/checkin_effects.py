"""The store work behind check-ins: the day's row and streak, rewards, the leaderboard and the
daily summary (scheduled work that schedules the next day's)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from hearthkeeper.engine.actions import Action, ActionKind
from hearthkeeper.engine.effects import EffectContext
from hearthkeeper.engine.registry import Registry
from hearthkeeper.handlers.texts import Phrasebook
from hearthkeeper.playbook.positioning import Language
from hearthkeeper.store import Ranked, Store

TEXTS = Phrasebook({
    "checked_in": {
        Language.ZH_CN: "✅ {nickname} 打卡成功！今日第 {position} 位，已连续打卡 {streak} 天{points}",
        Language.EN: "✅ {nickname} checked in: #{position} today, {streak}-day streak{points}",
    },
    "points": {Language.ZH_CN: "，+{points} 积分", Language.EN: ", +{points} points"},
    "milestone": {
        Language.ZH_CN: "🏅 连续打卡 {days} 天达成！{rewards}",
        Language.EN: "🏅 {days} days in a row! {rewards}",
    },
    "milestone_points": {Language.ZH_CN: "奖励 {points} 积分", Language.EN: "+{points} points"},
    "milestone_title": {
        Language.ZH_CN: "获得头衔「{title}」", Language.EN: "you earned the title '{title}'",
    },
    "already": {
        Language.ZH_CN: "{nickname} 今天已经打过卡啦，已连续 {streak} 天，明天继续～",
        Language.EN: "{nickname}, you already checked in today: {streak}-day streak. See you tomorrow!",
    },
    "rank_streaks": {Language.ZH_CN: "🏆 连续打卡榜", Language.EN: "🏆 Top streaks"},
    "rank_month": {Language.ZH_CN: "📅 本月打卡次数", Language.EN: "📅 Check-ins this month"},
    "rank_days": {Language.ZH_CN: "{n} 天", Language.EN: "{n} day{s}"},
    "rank_times": {Language.ZH_CN: "{n} 次", Language.EN: "{n} check-in{s}"},
    "rank_empty": {
        Language.ZH_CN: "还没有人打卡，发「打卡」做第一个吧！",
        Language.EN: "Nobody has checked in yet: send 'check in' and be the first!",
    },
    "summary": {
        Language.ZH_CN: "📊 今日打卡 {count} 人。{streaks}明天继续加油！",
        Language.EN: "📊 {count} checked in today. {streaks}Keep it up tomorrow!",
    },
    "summary_streaks": {
        Language.ZH_CN: "连续打卡：{names}。", Language.EN: "Longest streaks: {names}. ",
    },
})  # fmt: skip

SEP = {Language.ZH_CN: "、", Language.EN: ", "}
CHECK_IN = "check-in"


def answer(action: Action, text: str) -> Action:
    """A reply to the event an effect was asked for."""
    return replace(action, kind=ActionKind.REPLY, text=text, effect=None, extra={}, key=None)


def local_day(now: datetime, timezone: str) -> date:
    """The community's calendar day at `now`."""
    return now.astimezone(ZoneInfo(timezone)).date()


def record(store: Store, action: Action, ctx: EffectContext) -> Sequence[Action]:
    """Check the member in for today; rewards, the reply, tonight's summary, a level check."""
    assert ctx.member is not None, "a check-in has a member"
    pb, lang = ctx.playbook, ctx.playbook.community.language
    settings, community = pb.mechanisms.check_in, ctx.group.community_id
    member = ctx.member
    nickname = member.display_name or member.user_id
    today = local_day(ctx.now, pb.community.timezone)
    done = store.check_in(community, member.id, today, ctx.now, group_id=ctx.group.id)
    if not done.created:
        return [answer(action, TEXTS.say("already", lang, nickname=nickname, streak=done.streak))]
    paying = pb.mechanisms.points.enabled
    earned = settings.points if paying else 0
    if earned:
        store.award_points(community, member.id, earned, CHECK_IN, ctx.now, event_id=ctx.event_id)
    lines = []
    for milestone in settings.milestones:
        if milestone.days != done.streak:
            continue
        rewards = []
        if milestone.points and paying:
            store.award_points(community, member.id, milestone.points,
                               f"{CHECK_IN} streak {milestone.days} days", ctx.now,
                               event_id=ctx.event_id)  # fmt: skip
            rewards.append(TEXTS.say("milestone_points", lang, points=milestone.points))
        if milestone.title:
            store.claim_title(community, member.id, milestone.title, ctx.now)
            rewards.append(TEXTS.say("milestone_title", lang, title=milestone.title))
        lines.append(TEXTS.say("milestone", lang, days=milestone.days,
                               rewards=SEP[lang].join(rewards)))  # fmt: skip
    points = TEXTS.say("points", lang, points=earned) if earned else ""
    text = TEXTS.say("checked_in", lang, nickname=nickname, position=done.position,
                     streak=done.streak, points=points)  # fmt: skip
    plan_summary(store, ctx, today)
    evaluate = replace(action, effect="levels.evaluate", extra={}, key=None)
    return [answer(action, "\n".join([text, *lines])), evaluate]


def counted(unit: str, n: int, lang: Language) -> str:
    """`3 天`, `1 day`, `3 days`: a number with its unit (`rank_days`, `rank_times`)."""
    return TEXTS.say(unit, lang, n=n, s="" if n == 1 else "s")


def _board(rows: list[Ranked], unit: str, lang: Language) -> list[str]:
    return [f"{i}. {r.display_name} {counted(unit, r.value, lang)}"
            for i, r in enumerate(rows, start=1)]  # fmt: skip


def rank(store: Store, action: Action, ctx: EffectContext) -> Sequence[Action]:
    """The leaderboard: running streaks and this month's check-ins in the community."""
    pb, lang = ctx.playbook, ctx.playbook.community.language
    today = local_day(ctx.now, pb.community.timezone)
    community = ctx.group.community_id
    streaks = store.top_streaks(community, [today, today - timedelta(days=1)])
    month = store.most_check_ins(community, today.replace(day=1))
    if not streaks and not month:
        return [answer(action, TEXTS.say("rank_empty", lang))]
    lines: list[str] = []
    if streaks:
        lines += [TEXTS.say("rank_streaks", lang), *_board(streaks, "rank_days", lang)]
    if month:
        lines += [TEXTS.say("rank_month", lang), *_board(month, "rank_times", lang)]
    return [answer(action, "\n".join(lines))]


def summary_key(group_id: int, day: date) -> str:
    """The scheduled daily summary of one group for one day."""
    return f"checkin:summary:{group_id}:{day.isoformat()}"


def plan_summary(store: Store, ctx: EffectContext, day: date) -> None:
    """Schedule the group's summary for `day` (or the next day, once today's time has passed);
    keyed by date, so planning it again changes nothing."""
    at = ctx.playbook.mechanisms.check_in.daily_summary
    if at is None:
        return
    zone = ZoneInfo(ctx.playbook.community.timezone)
    due = datetime.combine(day, at, tzinfo=zone)
    if due <= ctx.now:
        day = day + timedelta(days=1)
        due = datetime.combine(day, at, tzinfo=zone)
    store.schedule(summary_key(ctx.group.id, day), ctx.group.community_id, "checkin.summary",
                   {"day": day.isoformat()}, due, group_id=ctx.group.id)  # fmt: skip


def summary(store: Store, action: Action, ctx: EffectContext) -> Sequence[Action]:
    """Post the day's check-in count and top streaks; plan tomorrow's. A day without
    check-ins posts nothing and ends the chain (the next check-in starts it again)."""
    lang = ctx.playbook.community.language
    day = date.fromisoformat(str(action.extra["day"]))
    count = store.check_ins_on(ctx.group.community_id, day, group_id=ctx.group.id)
    if count == 0:
        return []
    plan_summary(store, ctx, day + timedelta(days=1))
    top = store.top_streaks(ctx.group.community_id, [day], group_id=ctx.group.id, limit=3)
    names = SEP[lang].join(f"{r.display_name} {counted('rank_days', r.value, lang)}"
                           for r in top)  # fmt: skip
    streaks = TEXTS.say("summary_streaks", lang, names=names) if top else ""
    text = TEXTS.say("summary", lang, count=count, streaks=streaks)
    return [Action(kind=ActionKind.SEND, carrier=ctx.group.carrier,
                   group=ctx.group.carrier_group_id, text=text, handler="checkin",
                   reason="daily check-in summary", key=f"{summary_key(ctx.group.id, day)}:post")]  # fmt: skip


def register(registry: Registry) -> None:
    """Add the check-in effects."""
    registry.add_effect("checkin.record", record)
    registry.add_effect("checkin.rank", rank)
    registry.add_effect("checkin.summary", summary)
