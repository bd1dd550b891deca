"""Rituals through the engine: the monthly anniversary ("we are N months old today"), once a
month in each group, and the welcome-week digest a newcomer gets seven days after joining.

The anniversary keeps one next firing per group as scheduled work, like scheduled posts, and
claims it in `posts` (post id `anniversary`). The welcome-week digest is scheduled when the
member joins (a Join event at stage 39), keyed by group and member, so a member gets it once;
it is claimed in `posts` as `welcome:<member id>`.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

from hearthkeeper.capabilities.calendar.firings import AnniversaryFiring, anniversary_firings
from hearthkeeper.capabilities.calendar.repository import SqlPosts
from hearthkeeper.capabilities.calendar.requests import (
    CalendarAnniversary,
    CalendarWelcome,
    CalendarWelcomePlan,
)
from hearthkeeper.capabilities.calendar.series import (
    Due,
    Lapsed,
    Planned,
    claim_text,
    due,
    keep,
    send_text,
)
from hearthkeeper.capabilities.calendar.sessions import next_moment, sessions_in
from hearthkeeper.capabilities.format import when_text
from hearthkeeper.capabilities.texts import Phrasebook
from hearthkeeper.engine.actions import Action, mentioning
from hearthkeeper.engine.effects import EffectContext
from hearthkeeper.engine.events import Event, Join
from hearthkeeper.engine.handler import Context, MemberView, Outcome
from hearthkeeper.engine.registry import Registry, Stage
from hearthkeeper.playbook import Playbook
from hearthkeeper.playbook.positioning import Language
from hearthkeeper.store.memberships import MembershipQueries
from hearthkeeper.store.messages import MessageQueries
from hearthkeeper.store.scope import StoreBase

log = logging.getLogger(__name__)

GRACE = timedelta(hours=2)
WELCOME_AFTER = timedelta(days=7)
# The digest greets one member in the group with an @-mention: said in the community's
# daytime, never at the small hours the member happened to join at.
WELCOME_DAY = (time(8), time(22))

TEXTS = Phrasebook({
    "anniversary": {
        Language.ZH_CN: "🎂 今天是「{community}」{months} 个月的纪念日！谢谢每一位的陪伴。",
        Language.EN: "🎂 {community} is {months} month(s) old today! Thank you all for being here.",
    },
    "anniversary_plain": {
        Language.ZH_CN: "🎂 今天是「{community}」的月度纪念日！谢谢每一位的陪伴。",
        Language.EN: "🎂 Today is {community}'s monthly anniversary! Thank you all for being here.",
    },
    "welcome": {
        Language.ZH_CN: "🌱 {name}，你加入「{group}」一周啦！这一周你发了 {count} 条消息。{next}\n发送 /help 查看所有命令，有问题直接在群里问，常见问题会自动回答。",
        Language.EN: "🌱 {name}, one week in {group}! You posted {count} message(s) this week.{next}\nSend /help to see the commands; ask questions here and the FAQ answers the common ones.",
    },
    "next_session": {
        Language.ZH_CN: "\n下一场分享：「{title}」，{when}。",
        Language.EN: "\nNext live session: '{title}', {when}.",
    },
})  # fmt: skip


def anniversary_key(group_id: int, at: datetime) -> str:
    """The scheduled work of one anniversary in one group."""
    return f"anniversary:{group_id}:{at.isoformat()}"


def next_anniversary(playbook: Playbook, after: datetime) -> AnniversaryFiring | None:
    """The first anniversary at or after `after` (None: no anniversary ritual)."""
    ritual = playbook.calendar.rituals.anniversary
    if ritual is None:
        return None
    zone = ZoneInfo(playbook.community.timezone)
    founded = playbook.community.founded
    for horizon in (timedelta(days=63), timedelta(days=800)):
        found = anniversary_firings(ritual, founded, zone, after, after + horizon)
        if found:
            return found[0]
    return None


def next_anniversary_plan(playbook: Playbook, group_id: int, after: datetime) -> Planned | None:
    """The group's next anniversary at or after `after` as scheduled work (None: no ritual)."""
    firing = next_anniversary(playbook, after)
    if firing is None:
        return None
    return Planned(anniversary_key(group_id, firing.at), CalendarAnniversary(at=firing.at),
                   firing.at)  # fmt: skip


def anniversary_text(playbook: Playbook, months: int | None) -> str:
    """The ritual's text, or the built-in one, with {months} and {community} filled in."""
    ritual, community = playbook.calendar.rituals.anniversary, playbook.community
    custom = None if ritual is None else ritual.text
    if months is None and (custom is None or "{months}" in custom):
        return TEXTS.say("anniversary_plain", community.language, community=community.name)
    if custom is not None:
        return custom.format(months=months, community=community.name)
    return TEXTS.say("anniversary", community.language, months=months, community=community.name)


def decide_anniversary(firing: AnniversaryFiring | None, at: datetime,
                       now: datetime) -> Lapsed | Due:  # fmt: skip
    """Whether the anniversary at `at` still holds (`firing`: the next one at or after `at`),
    fallen due at `now`; when it does, whether it is late and where the series continues."""
    if firing is None or firing.at != at:
        return Lapsed.MOVED
    return due(at, now, GRACE)


def fire_anniversary(scope: StoreBase, request: CalendarAnniversary,
                     ctx: EffectContext) -> Sequence[Action]:  # fmt: skip
    """Effect: the anniversary in this group, claimed once; plans next month's."""
    at, g = request.at, ctx.group
    firing = next_anniversary(ctx.playbook, at)
    timing = decide_anniversary(firing, at, ctx.now)
    if firing is None or isinstance(timing, Lapsed):
        log.info("anniversary %s in group %s no longer holds; replanned", at.isoformat(), g.name)
        keep(scope, g, next_anniversary_plan(ctx.playbook, g.id, ctx.now))
        return []
    if g.closed:  # nothing said, none claimed: next month's is kept for when it reopens
        keep(scope, g, next_anniversary_plan(ctx.playbook, g.id, timing.after))
        return []
    ref = claim_text(SqlPosts.on(scope), g, "anniversary", at, ctx.now, skipped=timing.late)
    if ref is None:
        return []
    keep(scope, g, next_anniversary_plan(ctx.playbook, g.id, timing.after))
    if timing.late:
        log.warning("anniversary in group %s due %s was missed; skipped", g.name, at.isoformat())
        return []
    return [send_text(g, anniversary_text(ctx.playbook, firing.months), ref, "anniversary",
                      "monthly anniversary", months=firing.months)]  # fmt: skip


class WelcomeWeekPlanner:
    """A member joining a group gets the welcome-week digest scheduled seven days later."""

    name = "rituals"

    def check(self, event: Event, ctx: Context) -> bool:
        return isinstance(event, Join)

    def handle(self, event: Event, ctx: Context) -> Outcome:
        return Outcome((CalendarWelcomePlan().action(carrier=event.carrier, group=event.group,
                                                     member=event.sender.user_id,
                                                     handler=self.name),))  # fmt: skip


def welcome_key(group_id: int, member_id: int) -> str:
    """The scheduled welcome-week digest of a member in a group (once, ever)."""
    return f"welcome:{group_id}:{member_id}"


def welcome_due(joined: datetime, zone: ZoneInfo) -> datetime:
    """When the welcome-week digest of a member who joined at `joined` is said: seven days
    later, or, when that falls at night in the community's time zone (22:00 to 08:00), at
    08:00 the morning after."""
    at = joined + WELCOME_AFTER
    local = at.astimezone(zone)
    start, end = WELCOME_DAY
    if start <= local.time() < end:
        return at
    day = local.date() if local.time() < start else local.date() + timedelta(days=1)
    return datetime.combine(day, start, tzinfo=zone).astimezone(UTC)


def welcome_plan(group_id: int, member: MemberView, now: datetime, zone: ZoneInfo) -> Planned:
    """The welcome-week digest of a member joining a group at `now`."""
    request = CalendarWelcome(member=member.id, user=member.user_id, name=member.display_name,
                              joined=now)  # fmt: skip
    return Planned(welcome_key(group_id, member.id), request, welcome_due(now, zone))


def plan_welcome(scope: StoreBase, request: CalendarWelcomePlan,
                 ctx: EffectContext) -> Sequence[Action]:  # fmt: skip
    """Effect: schedule the joining member's welcome-week digest."""
    if ctx.member is not None:
        zone = ZoneInfo(ctx.playbook.community.timezone)
        keep(scope, ctx.group, welcome_plan(ctx.group.id, ctx.member, ctx.now, zone))
    return []


def next_session_line(playbook: Playbook, group_name: str, now: datetime) -> str:
    """The next live session held in the group, for the welcome-week digest ("" if none)."""
    zone, lang = ZoneInfo(playbook.community.timezone), playbook.community.language
    starts: list[tuple[datetime, str]] = []
    for session in sessions_in(playbook, group_name):
        moment = next_moment(session.model_copy(update={"remind_before": [], "digest": False}),
                             zone, now)  # fmt: skip
        if moment is not None:
            starts.append((moment.starts, session.title))
    if not starts:
        return ""
    at, title = min(starts)
    return TEXTS.say("next_session", lang, title=title, when=when_text(at, zone, lang))


def welcome_text(playbook: Playbook, request: CalendarWelcome, group_name: str, count: int,
                 now: datetime) -> str:  # fmt: skip
    """The welcome-week digest: `count` messages the member posted in their first week."""
    return TEXTS.say("welcome", playbook.community.language, name=request.name,
                     group=group_name, count=count,
                     next=next_session_line(playbook, group_name, now))  # fmt: skip


def fire_welcome(scope: StoreBase, request: CalendarWelcome,
                 ctx: EffectContext) -> Sequence[Action]:  # fmt: skip
    """Effect: the welcome-week digest, claimed once, for a member still in the group."""
    g, member_id, joined = ctx.group, request.member, request.joined
    if g.closed or all(s.member_id != member_id
                       for s in MembershipQueries.on(scope).active_members(g.id)):  # fmt: skip
        return []  # left meanwhile, or the group is closed
    at = welcome_due(joined, ZoneInfo(ctx.playbook.community.timezone))
    ref = claim_text(SqlPosts.on(scope), g, f"welcome:{member_id}", at, ctx.now)
    if ref is None:
        return []
    week = MessageQueries.on(scope).messages(g.id, since=joined, until=joined + WELCOME_AFTER)
    count = sum(1 for m in week if m.member_id == member_id)
    return [send_text(g, welcome_text(ctx.playbook, request, g.name, count, ctx.now), ref,
                      f"welcome:{member_id}", "welcome-week digest",
                      **mentioning([(request.user, request.name)]))]  # fmt: skip


def register(registry: Registry, playbook: Playbook) -> None:
    """Add the anniversary's firings and the welcome-week digest (Join events, stage 39)."""
    if playbook.calendar.rituals.anniversary is not None:
        registry.add_effect(CalendarAnniversary, fire_anniversary)
    if playbook.calendar.rituals.welcome_week_digest:
        registry.add_effect(CalendarWelcomePlan, plan_welcome)
        registry.add_effect(CalendarWelcome, fire_welcome)
        registry.add(WelcomeWeekPlanner(), Stage.MECHANISMS + 9)
