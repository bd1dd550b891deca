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
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from hearthkeeper.capabilities.calendar.firings import AnniversaryFiring, anniversary_firings
from hearthkeeper.capabilities.calendar.repository import SqlPosts
from hearthkeeper.engine.actions import Action, ActionKind
from hearthkeeper.engine.effects import EffectContext
from hearthkeeper.engine.events import Event, Join
from hearthkeeper.engine.handler import Context, Outcome
from hearthkeeper.engine.registry import Registry, Stage
from hearthkeeper.handlers.calendar_sessions import applies, next_moment
from hearthkeeper.handlers.texts import Phrasebook
from hearthkeeper.playbook import Playbook
from hearthkeeper.playbook.positioning import Language
from hearthkeeper.store import Store

log = logging.getLogger(__name__)

ANNIVERSARY_EFFECT = "calendar.anniversary"
WELCOME_PLAN_EFFECT = "calendar.welcome_plan"
WELCOME_EFFECT = "calendar.welcome"
GRACE = timedelta(hours=2)
WELCOME_AFTER = timedelta(days=7)

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


def plan_anniversary(store: Store, playbook: Playbook, community_id: int, group_id: int,
                     after: datetime) -> AnniversaryFiring | None:  # fmt: skip
    """Schedule the group's next anniversary at or after `after` (once per firing)."""
    firing = next_anniversary(playbook, after)
    if firing is not None:
        store.schedule(anniversary_key(group_id, firing.at), community_id, ANNIVERSARY_EFFECT,
                       {"at": firing.at.isoformat()}, firing.at, group_id=group_id)  # fmt: skip
    return firing


def anniversary_text(playbook: Playbook, months: int | None) -> str:
    """The ritual's text, or the built-in one, with {months} and {community} filled in."""
    ritual, community = playbook.calendar.rituals.anniversary, playbook.community
    custom = None if ritual is None else ritual.text
    if months is None and (custom is None or "{months}" in custom):
        return TEXTS.say("anniversary_plain", community.language, community=community.name)
    if custom is not None:
        return custom.format(months=months, community=community.name)
    return TEXTS.say("anniversary", community.language, months=months, community=community.name)


def fire_anniversary(store: Store, action: Action, ctx: EffectContext) -> Sequence[Action]:
    """Effect: the anniversary in this group, claimed once; plans next month's."""
    at, g = datetime.fromisoformat(str(action.extra["at"])), ctx.group
    firing = next_anniversary(ctx.playbook, at)
    if firing is None or firing.at != at:
        log.info("anniversary %s in group %s no longer holds; replanned", at.isoformat(), g.name)
        plan_anniversary(store, ctx.playbook, g.community_id, g.id, ctx.now)
        return []
    late = ctx.now > at + GRACE
    ref = SqlPosts.on(store).claim_post(g.community_id, g.id, "anniversary", at, item_id=None,
                           content_kind="text", mode="auto",
                           status="skipped" if late else "posted",
                           posted_at=None if late else ctx.now)  # fmt: skip
    if ref is None:
        return []
    plan_anniversary(store, ctx.playbook, g.community_id, g.id,
                     max(at + timedelta(seconds=1), ctx.now - GRACE))  # fmt: skip
    if late:
        log.warning("anniversary in group %s due %s was missed; skipped", g.name, at.isoformat())
        return []
    return [Action(kind=ActionKind.SEND, carrier=g.carrier, group=g.carrier_group_id,
                   text=anniversary_text(ctx.playbook, firing.months), handler="calendar",
                   reason="monthly anniversary", key=f"calendar:post:{ref}",
                   extra={"post_id": "anniversary", "post_ref": ref, "content_kind": "text",
                          "item_id": None, "months": firing.months})]  # fmt: skip


class WelcomeWeekPlanner:
    """A member joining a group gets the welcome-week digest scheduled seven days later."""

    name = "rituals"

    def check(self, event: Event, ctx: Context) -> bool:
        return isinstance(event, Join)

    def handle(self, event: Event, ctx: Context) -> Outcome:
        return Outcome((Action(kind=ActionKind.EFFECT, carrier=event.carrier, group=event.group,
                               member=event.sender.user_id, effect=WELCOME_PLAN_EFFECT,
                               handler=self.name),))  # fmt: skip


def welcome_key(group_id: int, member_id: int) -> str:
    """The scheduled welcome-week digest of a member in a group (once, ever)."""
    return f"welcome:{group_id}:{member_id}"


def plan_welcome(store: Store, action: Action, ctx: EffectContext) -> Sequence[Action]:
    """Effect: schedule the joining member's welcome-week digest."""
    if ctx.member is None:
        return []
    g, member = ctx.group, ctx.member
    store.schedule(welcome_key(g.id, member.id), g.community_id, WELCOME_EFFECT,
                   {"member": member.id, "user": member.user_id, "name": member.display_name,
                    "joined": ctx.now.isoformat()}, ctx.now + WELCOME_AFTER,
                   group_id=g.id)  # fmt: skip
    return []


def _next_session_line(ctx: EffectContext) -> str:
    zone, lang = ZoneInfo(ctx.playbook.community.timezone), ctx.playbook.community.language
    starts: list[tuple[datetime, str]] = []
    for session in ctx.playbook.calendar.live_sessions:
        if applies(session, ctx.group.name):
            moment = next_moment(session.model_copy(update={"remind_before": [], "digest": False}),
                                 zone, ctx.now)  # fmt: skip
            if moment is not None:
                starts.append((moment.starts, session.title))
    if not starts:
        return ""
    at, title = min(starts)
    return TEXTS.say("next_session", lang, title=title,
                     when=at.astimezone(zone).strftime("%Y-%m-%d %H:%M"))  # fmt: skip


def fire_welcome(store: Store, action: Action, ctx: EffectContext) -> Sequence[Action]:
    """Effect: the welcome-week digest, claimed once, for a member still in the group."""
    g, member_id = ctx.group, int(str(action.extra["member"]))
    joined = datetime.fromisoformat(str(action.extra["joined"]))
    if all(s.member_id != member_id for s in store.active_members(g.id)):
        return []  # left meanwhile
    ref = SqlPosts.on(store).claim_post(g.community_id, g.id, f"welcome:{member_id}", joined + WELCOME_AFTER,
                           item_id=None, content_kind="text", mode="auto", status="posted",
                           posted_at=ctx.now)  # fmt: skip
    if ref is None:
        return []
    count = sum(1 for m in store.messages(g.id, since=joined, until=joined + WELCOME_AFTER)
                if m.member_id == member_id)  # fmt: skip
    text = TEXTS.say("welcome", ctx.playbook.community.language, name=action.extra["name"],
                     group=g.name, count=count, next=_next_session_line(ctx))  # fmt: skip
    return [Action(kind=ActionKind.SEND, carrier=g.carrier, group=g.carrier_group_id, text=text,
                   handler="calendar", reason="welcome-week digest", key=f"calendar:post:{ref}",
                   extra={"post_id": f"welcome:{member_id}", "post_ref": ref,
                          "content_kind": "text", "item_id": None,
                          "mentions": [str(action.extra["user"])]})]  # fmt: skip


def register(registry: Registry, playbook: Playbook) -> None:
    """Add the anniversary's firings and the welcome-week digest (Join events, stage 39)."""
    if playbook.calendar.rituals.anniversary is not None:
        registry.add_effect(ANNIVERSARY_EFFECT, fire_anniversary)
    if playbook.calendar.rituals.welcome_week_digest:
        registry.add_effect(WELCOME_PLAN_EFFECT, plan_welcome)
        registry.add_effect(WELCOME_EFFECT, fire_welcome)
        registry.add(WelcomeWeekPlanner(), Stage.MECHANISMS + 9)
