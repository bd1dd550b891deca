"""The member pyramid: promotion earned by activity over a window, announced in the group, and
lost again (like Discourse's trust levels) when a level's `keep` is no longer met.

Promotion is judged right after the activity that earns points — a check-in, a share, a staff
award — and announced at once. Chatting alone earns no reply, so members who posted are judged
in the community's morning round (09:00 community time) and announced in the group they last
posted in. The same round demotes: members who stopped coming cause no activity, so waiting for
it would never demote them. A member is judged on `keep` only after a full window at the level,
so a fresh promotion is not undone the next morning. Staff hold a role, not a level.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from hearthkeeper.capabilities.format import human_duration
from hearthkeeper.capabilities.points.levels_repository import Activity
from hearthkeeper.capabilities.points.requests import LevelsPlan
from hearthkeeper.capabilities.texts import Phrasebook
from hearthkeeper.engine.events import Event, Join
from hearthkeeper.engine.handler import Context, Outcome
from hearthkeeper.playbook.positioning import Language
from hearthkeeper.playbook.structure import Criteria, Level

FIELDS = ("points", "messages", "active_days", "check_ins")
FIELD_NAMES = {
    "points": {Language.ZH_CN: "积分", Language.EN: "points"},
    "messages": {Language.ZH_CN: "发言", Language.EN: "messages"},
    "active_days": {Language.ZH_CN: "活跃天数", Language.EN: "active days"},
    "check_ins": {Language.ZH_CN: "打卡", Language.EN: "check-ins"},
}

TEXTS = Phrasebook({
    "promoted": {
        Language.ZH_CN: "🎉 {nickname} 升级为「{level}」{perks}",
        Language.EN: "🎉 {nickname} is now {level}!{perks}",
    },
    "perks": {Language.ZH_CN: "，解锁：{perks}", Language.EN: " Unlocked: {perks}."},
})  # fmt: skip

ROUND_AT = time(9, 0)  # community time: promotions earned by chatting are announced at breakfast

ActivityOver = Callable[[timedelta], Activity]


def thresholds(criteria: Criteria) -> list[tuple[str, int]]:
    """The thresholds a criteria sets, as (field, minimum)."""
    return [(f, v) for f in FIELDS if (v := getattr(criteria, f)) is not None]


def meets(criteria: Criteria, activity: Activity) -> bool:
    """Whether every threshold holds."""
    return all(getattr(activity, f) >= wanted for f, wanted in thresholds(criteria))


def describe(criteria: Criteria, activity: Activity) -> str:
    """`check_ins 3/3, points 12/10 within 7 days`: what was measured against what."""
    parts = ", ".join(f"{f} {getattr(activity, f)}/{wanted}" for f, wanted in thresholds(criteria))
    return f"{parts} within {human_duration(criteria.window, Language.EN)}"


def progress(criteria: Criteria, activity: Activity, lang: Language) -> str:
    """`活跃天数 3/15，积分 40/80`: how far a member is, in their words."""
    sep = "，" if lang is Language.ZH_CN else ", "
    return sep.join(f"{FIELD_NAMES[f][lang]} {getattr(activity, f)}/{wanted}"
                    for f, wanted in thresholds(criteria))  # fmt: skip


def level_index(levels: Sequence[Level], level_id: str | None) -> int:
    """Where a level id sits on the pyramid; unknown or none: the bottom."""
    return next((i for i, level in enumerate(levels) if level.id == level_id), 0)


def climb(levels: Sequence[Level], current: int, activity_over: ActivityOver) -> int:
    """The highest level reachable from `current`, one earned promotion after another."""
    reached = current
    while reached + 1 < len(levels):
        promote = levels[reached + 1].promote
        if promote is None or not meets(promote, activity_over(promote.window)):
            break
        reached += 1
    return reached


def announcement(level: Level, nickname: str, lang: Language) -> str:
    """`🎉 小鹿 升级为「学员」，解锁：…`."""
    joined = ("、" if lang is Language.ZH_CN else ", ").join(level.perks)
    perks = TEXTS.say("perks", lang, perks=joined) if level.perks else ""
    return TEXTS.say("promoted", lang, nickname=nickname, level=level.name, perks=perks)


@dataclass(frozen=True)
class Step:
    """One level change to record: to `level` (the `structure.levels` id), and why."""

    level: str
    reason: str


def promotion(levels: Sequence[Level], current: int, activity_over: ActivityOver) -> list[Step]:
    """The promotions from `current` up, one earned level after another (none: stays)."""
    steps = []
    for index in range(current + 1, climb(levels, current, activity_over) + 1):
        promote = levels[index].promote
        assert promote is not None
        steps.append(Step(levels[index].id,
                          f"promoted: {describe(promote, activity_over(promote.window))}"))  # fmt: skip
    return steps


def demotion(levels: Sequence[Level], index: int, since: datetime, now: datetime,
             activity_over: ActivityOver) -> Step | None:  # fmt: skip
    """Down one level for a member who has held `levels[index]` (one with a `keep`) since
    `since`: judged only after a full window at it, so a fresh promotion is not undone the
    next morning; None: kept, or not judged yet."""
    keep = levels[index].keep
    assert keep is not None
    if now - since < keep.window:
        return None
    activity = activity_over(keep.window)
    if meets(keep, activity):
        return None
    return Step(levels[index - 1].id, f"demoted: kept {describe(keep, activity)}")


def round_due(now: datetime, timezone: str) -> tuple[date, datetime]:
    """The community's next morning round: its day and when it is due."""
    zone = ZoneInfo(timezone)
    day = now.astimezone(zone).date()
    due = datetime.combine(day, ROUND_AT, tzinfo=zone)
    if due <= now:
        day += timedelta(days=1)
        due = datetime.combine(day, ROUND_AT, tzinfo=zone)
    return day, due


class RoundPlanner:
    """Someone joining a group makes sure the community's morning round is planned (once a
    group a day): a community where members only chat has no other activity to plan it."""

    name = "levels"

    def __init__(self, timezone: str) -> None:
        self.zone = ZoneInfo(timezone)
        self._day: date | None = None
        self._planned: set[int] = set()  # groups planned today

    def check(self, event: Event, ctx: Context) -> bool:
        if not isinstance(event, Join):
            return False
        day = ctx.now.astimezone(self.zone).date()
        if day != self._day:
            self._day, self._planned = day, set()
        return ctx.group.id not in self._planned

    def handle(self, event: Event, ctx: Context) -> Outcome:
        self._planned.add(ctx.group.id)
        return Outcome((LevelsPlan().action(carrier=event.carrier, group=event.group,
                                            handler=self.name),))  # fmt: skip

    def forget(self) -> None:
        """Drop the groups planned today: after a rolled-back batch their plans were never
        stored, so the next join plans again (planning twice is harmless)."""
        self._day, self._planned = None, set()
