"""What a check-in earns and what the bot says about it, decided from plain inputs (no store)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from hearthkeeper.capabilities.checkin.repository import Ranked
from hearthkeeper.capabilities.texts import Phrasebook
from hearthkeeper.playbook.mechanisms import CheckIn as CheckInSettings
from hearthkeeper.playbook.positioning import Language

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
    "prompt": {
        Language.ZH_CN: "📌 今天的打卡开始啦！发「{keyword}」就算打卡，可以附一句话。",
        Language.EN: "📌 Time to check in! Send '{keyword}' (a short note may follow).",
    },
    "prompt_how": {
        Language.ZH_CN: "发「{keyword}」打卡，可以附一句话。",
        Language.EN: "Send '{keyword}' to check in (a short note may follow).",
    },
})  # fmt: skip

SEP = {Language.ZH_CN: "、", Language.EN: ", "}
CHECK_IN = "check-in"


def prompt_text(settings: CheckInSettings, said: str, lang: Language) -> str:
    """The check-in prompt operators push to many groups at once: what they wrote (or, with
    nothing written, the default call), and how to check in by the playbook's first keyword."""
    keyword = settings.keywords[0] if settings.keywords else "/checkin"
    if not said.strip():
        return TEXTS.say("prompt", lang, keyword=keyword)
    return f"📌 {said.strip()}\n{TEXTS.say('prompt_how', lang, keyword=keyword)}"


def local_day(now: datetime, timezone: str) -> date:
    """The community's calendar day at `now`."""
    return now.astimezone(ZoneInfo(timezone)).date()


def counted(unit: str, n: int, lang: Language) -> str:
    """`3 天`, `1 day`, `3 days`: a number with its unit (`rank_days`, `rank_times`)."""
    return TEXTS.say(unit, lang, n=n, s="" if n == 1 else "s")


@dataclass(frozen=True)
class Award:
    """Points to add to the member's ledger, and why."""

    points: int
    reason: str


@dataclass(frozen=True)
class Recorded:
    """What a check-in earns: points, titles, the reply; `counted` is False for a second
    check-in the same day (it earns nothing and plans nothing)."""

    counted: bool
    reply: str
    awards: tuple[Award, ...] = ()
    titles: tuple[str, ...] = ()


def decide_record(settings: CheckInSettings, *, created: bool, streak: int, position: int,
                  paying: bool, nickname: str, lang: Language) -> Recorded:  # fmt: skip
    """The rewards and reply of a check-in that made `streak` (at `position` today); `paying`:
    whether points are enabled."""
    if not created:
        return Recorded(False, TEXTS.say("already", lang, nickname=nickname, streak=streak))
    earned = settings.points if paying else 0
    awards = [Award(earned, CHECK_IN)] if earned else []
    titles: list[str] = []
    lines = []
    for milestone in settings.milestones:
        if milestone.days != streak:
            continue
        rewards = []
        if milestone.points and paying:
            awards.append(Award(milestone.points, f"{CHECK_IN} streak {milestone.days} days"))
            rewards.append(TEXTS.say("milestone_points", lang, points=milestone.points))
        if milestone.title:
            titles.append(milestone.title)
            rewards.append(TEXTS.say("milestone_title", lang, title=milestone.title))
        lines.append(TEXTS.say("milestone", lang, days=milestone.days,
                               rewards=SEP[lang].join(rewards)))  # fmt: skip
    points = TEXTS.say("points", lang, points=earned) if earned else ""
    text = TEXTS.say("checked_in", lang, nickname=nickname, position=position, streak=streak,
                     points=points)  # fmt: skip
    return Recorded(True, "\n".join([text, *lines]), tuple(awards), tuple(titles))


def _board(rows: Sequence[Ranked], unit: str, lang: Language) -> list[str]:
    return [f"{i}. {r.display_name} {counted(unit, r.value, lang)}"
            for i, r in enumerate(rows, start=1)]  # fmt: skip


def rank_text(streaks: Sequence[Ranked], month: Sequence[Ranked], lang: Language) -> str:
    """The leaderboard: running streaks, then this month's check-ins."""
    if not streaks and not month:
        return TEXTS.say("rank_empty", lang)
    lines: list[str] = []
    if streaks:
        lines += [TEXTS.say("rank_streaks", lang), *_board(streaks, "rank_days", lang)]
    if month:
        lines += [TEXTS.say("rank_month", lang), *_board(month, "rank_times", lang)]
    return "\n".join(lines)


def summary_text(count: int, top: Sequence[Ranked], lang: Language) -> str:
    """The day's summary: how many checked in, and the longest streaks among them."""
    names = SEP[lang].join(f"{r.display_name} {counted('rank_days', r.value, lang)}"
                           for r in top)  # fmt: skip
    streaks = TEXTS.say("summary_streaks", lang, names=names) if top else ""
    return TEXTS.say("summary", lang, count=count, streaks=streaks)


def summary_due(day: date, at: time, timezone: str, now: datetime) -> tuple[date, datetime]:
    """When the summary of `day` is due (`at`, community time), or the next day's once that
    time has passed: (the day summarised, when)."""
    zone = ZoneInfo(timezone)
    due = datetime.combine(day, at, tzinfo=zone)
    if due <= now:
        day = day + timedelta(days=1)
        due = datetime.combine(day, at, tzinfo=zone)
    return day, due
