"""`/calendar` (`/日程`, `/排期`) and `/skip` (`/跳过`): staff whose role has `manage_calendar`
see what the group's calendar sends next, in the community's time, and call off the next
firing of a scheduled post in their group (tonight's guest speaker is ill).

A skip claims that firing in `posts` ahead of its time, as `cancelled` by the staff member,
calls off its scheduled work and plans the firing after it: when the skipped time comes, the
firing (whichever process runs it, after any restart or planning again) finds it claimed and
sends nothing, and the series goes on."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from hearthkeeper.capabilities.calendar.firings import (
    anniversary_firings,
    firings_between,
    iter_firings,
    session_moments,
)
from hearthkeeper.capabilities.calendar.posts import applies, find_post, firing_key, next_post
from hearthkeeper.capabilities.calendar.records import PostRecord
from hearthkeeper.capabilities.calendar.repository import SqlPosts
from hearthkeeper.capabilities.calendar.requests import CalendarAgenda, CalendarSkip
from hearthkeeper.capabilities.calendar.series import keep
from hearthkeeper.capabilities.calendar.sessions import sessions_in
from hearthkeeper.capabilities.command_book import (
    Command,
    CommandBook,
    Invocation,
    answer,
    ask,
    reply,
)
from hearthkeeper.capabilities.format import excerpt
from hearthkeeper.capabilities.lists_common.deadline import when_text
from hearthkeeper.capabilities.texts import Phrasebook
from hearthkeeper.engine.actions import Action
from hearthkeeper.engine.effects import EffectContext
from hearthkeeper.engine.events import Event
from hearthkeeper.engine.handler import Context, Outcome
from hearthkeeper.engine.registry import Registry
from hearthkeeper.playbook import Playbook
from hearthkeeper.playbook.output import PostMode, ScheduledPost
from hearthkeeper.playbook.positioning import Language
from hearthkeeper.playbook.structure import Permission
from hearthkeeper.store import Store
from hearthkeeper.store.models.base import NAME
from hearthkeeper.store.scope import StoreBase

HANDLER = "calendar"
DAYS = 3  # how far `/calendar` looks without a number
MOST_DAYS = 14
LINES = 15  # firings listed; the rest are counted
_SECOND = timedelta(seconds=1)

TEXTS = Phrasebook({
    "calendar_usage": {
        Language.ZH_CN: "用法：/日程 天数（1 到 {most} 天，不写则 {days} 天）",
        Language.EN: "Usage: /calendar [days] (1 to {most}; without: {days})",
    },
    "header": {
        Language.ZH_CN: "「{group}」接下来 {days} 天的排期（{zone} 时间）：",
        Language.EN: "Next {days} day(s) in {group} ({zone} time):",
    },
    "empty": {
        Language.ZH_CN: "「{group}」接下来 {days} 天没有排期。",
        Language.EN: "Nothing is planned in {group} in the next {days} day(s).",
    },
    "more": {Language.ZH_CN: "……还有 {n} 条", Language.EN: "… and {n} more"},
    "footer": {
        Language.ZH_CN: "跳过某条内容的下一次发送：/跳过 内容ID",
        Language.EN: "To skip a post's next firing: /skip <id>",
    },
    "library": {Language.ZH_CN: "内容库 {library} 的下一条", Language.EN: "next item of {library}"},
    "remind": {Language.ZH_CN: "（需管理员确认）", Language.EN: " (staff confirm)"},
    "live": {Language.ZH_CN: "直播 {title}（{speaker}）", Language.EN: "live: {title} ({speaker})"},
    "anniversary": {Language.ZH_CN: "社群月度生日", Language.EN: "the community's monthly anniversary"},
    "called_off": {Language.ZH_CN: "⏭ 已跳过（{by}）", Language.EN: "⏭ skipped by {by}"},
    "skip_usage": {
        Language.ZH_CN: "用法：/跳过 内容ID（本群这条定时内容的下一次不发送）。{can}",
        Language.EN: "Usage: /skip <post id> (its next firing in this group is not sent). {can}",
    },
    "unknown": {
        Language.ZH_CN: "本群没有编号为「{post}」的定时内容要发送。{can}",
        Language.EN: "No scheduled post '{post}' is planned in this group. {can}",
    },
    "can": {Language.ZH_CN: "可以跳过：{posts}。", Language.EN: "You can skip: {posts}."},
    "none": {
        Language.ZH_CN: "本群没有可跳过的定时内容。",
        Language.EN: "No scheduled post is planned in this group.",
    },
    "skipped": {
        Language.ZH_CN: "⏭ 已跳过「{post}」{when} 的这次发送。下一次：{next}。",
        Language.EN: "⏭ Skipped '{post}' on {when}: it will not be sent. Next: {next}.",
    },
    "skipped_last": {
        Language.ZH_CN: "⏭ 已跳过「{post}」{when} 的这次发送，之后不再有。",
        Language.EN: "⏭ Skipped '{post}' on {when}: it will not be sent, and it was the last.",
    },
    "already_skipped": {
        Language.ZH_CN: "「{post}」{when} 的这次已经跳过了（{by}）。",
        Language.EN: "'{post}' on {when} is already skipped (by {by}).",
    },
    "already_sent": {
        Language.ZH_CN: "「{post}」{when} 的这次已经发出，无法跳过。",
        Language.EN: "'{post}' on {when} has gone out already; it cannot be skipped.",
    },
})  # fmt: skip


@dataclass(frozen=True)
class Upcoming:
    """One firing in the group's next days, as `/calendar` lists it."""

    at: datetime
    series: str  # the post's or live session's id, or "anniversary"
    what: str
    called_off_by: str | None = None  # the staff member who skipped it


def upcoming(playbook: Playbook, group_name: str, start: datetime, end: datetime,
             called_off: Mapping[tuple[str, datetime], str]) -> list[Upcoming]:  # fmt: skip
    """The posts, live session starts and anniversaries the group gets in [start, end), in
    time order; `called_off`: who skipped which (post, instant)."""
    zone, lang = ZoneInfo(playbook.community.timezone), playbook.community.language
    found: list[Upcoming] = []
    for post in playbook.calendar.posts:
        if not applies(post, group_name):
            continue
        what = _content(post, lang)
        found += [Upcoming(at, post.id, what, called_off.get((post.id, at)))
                  for at in firings_between(post.schedule, zone, start, end)]  # fmt: skip
    for session in sessions_in(playbook, group_name):
        what = TEXTS.say("live", lang, title=session.title, speaker=session.speaker)
        found += [Upcoming(m.at, session.id, what)
                  for m in session_moments(session, zone, start, end) if m.moment == "start"]  # fmt: skip
    ritual = playbook.calendar.rituals.anniversary
    if ritual is not None:
        found += [Upcoming(f.at, "anniversary", TEXTS.say("anniversary", lang))
                  for f in anniversary_firings(ritual, playbook.community.founded, zone, start,
                                               end)]  # fmt: skip
    return sorted(found, key=lambda u: (u.at, u.series))


def _content(post: ScheduledPost, lang: Language) -> str:
    if post.content.library is not None:
        what = TEXTS.say("library", lang, library=post.content.library)
    else:
        what = excerpt(post.content.text or "", 40)
    return what + (TEXTS.say("remind", lang) if post.mode is PostMode.REMIND else "")


def render_agenda(lines: Sequence[Upcoming], group_name: str, days: int, zone: ZoneInfo,
                  lang: Language) -> str:  # fmt: skip
    """`/calendar`'s answer: each firing with its local time and id, skipped ones marked."""
    if not lines:
        return TEXTS.say("empty", lang, group=group_name, days=days)
    out = [TEXTS.say("header", lang, group=group_name, days=days, zone=zone.key)]
    for line in lines[:LINES]:
        what = line.what
        if line.called_off_by is not None:
            what = TEXTS.say("called_off", lang, by=line.called_off_by)
        out.append(f"{when_text(line.at, zone, lang)}  {line.series} — {what}")
    if len(lines) > LINES:
        out.append(TEXTS.say("more", lang, n=len(lines) - LINES))
    out.append(TEXTS.say("footer", lang))
    return "\n".join(out)


def next_firing(post: ScheduledPost | None, group_name: str, zone: ZoneInfo,
                now: datetime) -> datetime | None:  # fmt: skip
    """The firing `/skip` calls off: the post's first at or after `now` in the group (None:
    no such post here, or it never fires again)."""
    if post is None or not applies(post, group_name):
        return None
    return next(iter_firings(post.schedule, zone, now), None)


def skippable(playbook: Playbook, group_name: str, now: datetime) -> str:
    """What `/skip` can call off in the group: each post with its next firing."""
    zone, lang = ZoneInfo(playbook.community.timezone), playbook.community.language
    found = []
    for post in playbook.calendar.posts:
        at = next_firing(post, group_name, zone, now)
        if at is not None:
            found.append(f"{post.id} ({when_text(at, zone, lang)})")
    sep = "、" if lang is Language.ZH_CN else ", "
    return TEXTS.say("can", lang, posts=sep.join(found)) if found else TEXTS.say("none", lang)


def by_whom(ctx: EffectContext) -> str:
    """How the console and `/calendar` name the staff member who skipped a firing."""
    who = ctx.member
    if who is None:
        return "staff"
    return f"{who.display_name or who.user_id} ({ctx.group.carrier}:{who.user_id})"[:NAME]


# --- effects ------------------------------------------------------------------------------


def agenda(scope: StoreBase, request: CalendarAgenda, ctx: EffectContext) -> Sequence[Action]:
    """`/calendar`: the group's next days, with the firings staff skipped marked."""
    g, pb = ctx.group, ctx.playbook
    zone, lang = ZoneInfo(pb.community.timezone), pb.community.language
    records = SqlPosts.on(scope).post_records(g.community_id, group_id=g.id, since=ctx.now)
    called_off = {(r.post_id, r.scheduled_for): r.cancelled_by or "staff"
                  for r in records if r.status == "cancelled"}  # fmt: skip
    lines = upcoming(pb, g.name, ctx.now, ctx.now + timedelta(days=request.days), called_off)
    return [answer(ctx.trigger, render_agenda(lines, g.name, request.days, zone, lang))]


def skip(scope: StoreBase, request: CalendarSkip, ctx: EffectContext) -> Sequence[Action]:
    """`/skip <post>`: claim the post's next firing in this group as cancelled, call off its
    scheduled work and plan the one after it."""
    g, pb = ctx.group, ctx.playbook
    zone, lang = ZoneInfo(pb.community.timezone), pb.community.language
    can = skippable(pb, g.name, ctx.now)
    if not request.post:
        return [answer(ctx.trigger, TEXTS.say("skip_usage", lang, can=can))]
    post = find_post(pb, request.post)
    at = next_firing(post, g.name, zone, ctx.now)
    if post is None or at is None:
        return [answer(ctx.trigger, TEXTS.say("unknown", lang, post=request.post[:40], can=can))]
    posts, by, when = SqlPosts.on(scope), by_whom(ctx), when_text(at, zone, lang)
    ref = posts.cancel_post(g.community_id, g.id, post.id, at, by=by, mode=post.mode.value,
                            content_kind=post.content.kind.value)  # fmt: skip
    if ref is None:
        return [answer(ctx.trigger, _claimed(posts.firing(g.id, post.id, at), post.id, when, lang))]
    Store.on(scope).cancel_scheduled(firing_key(g.id, post.id, at))
    following = next_post(g.id, post, zone, at + _SECOND)
    keep(scope, g, following)
    Store.on(scope).audit(f"chat:{by}", "calendar.skip", g.community_id, target=f"post {post.id}",
                          detail={"group": g.name, "at": at.isoformat(), "ref": ref})  # fmt: skip
    if following is None:
        return [answer(ctx.trigger, TEXTS.say("skipped_last", lang, post=post.id, when=when))]
    return [answer(ctx.trigger, TEXTS.say("skipped", lang, post=post.id, when=when,
                                          next=when_text(following.at, zone, lang)))]  # fmt: skip


def _claimed(record: PostRecord | None, post: str, when: str, lang: Language) -> str:
    """Why a firing cannot be skipped: staff skipped it already, or it went out."""
    if record is not None and record.status == "cancelled":
        return TEXTS.say("already_skipped", lang, post=post, when=when,
                         by=record.cancelled_by or "staff")  # fmt: skip
    return TEXTS.say("already_sent", lang, post=post, when=when)


# --- commands -----------------------------------------------------------------------------


def _calendar(event: Event, ctx: Context, invocation: Invocation) -> Outcome:
    lang = ctx.playbook.community.language
    word = invocation.args[0] if invocation.args else str(DAYS)
    if not (word.isascii() and word.isdigit() and len(word) <= 2
            and 1 <= int(word) <= MOST_DAYS):  # fmt: skip
        usage = TEXTS.say("calendar_usage", lang, most=MOST_DAYS, days=DAYS)
        return Outcome((reply(event, usage, handler=HANDLER),))
    return Outcome((ask(event, CalendarAgenda(days=int(word)), handler=HANDLER),))


def _skip(event: Event, ctx: Context, invocation: Invocation) -> Outcome:
    post = invocation.args[0][:64] if invocation.args else ""
    return Outcome((ask(event, CalendarSkip(post=post), handler=HANDLER),))


COMMANDS = (
    Command("calendar", ("日程", "排期"), {
        Language.ZH_CN: "查看本群接下来几天的定时内容、直播和纪念日",
        Language.EN: "see the group's scheduled posts, live sessions and rituals of the next days",
    }, _calendar, permission=Permission.MANAGE_CALENDAR,
        usage={Language.ZH_CN: "/日程 7", Language.EN: "/calendar 7"}),
    Command("skip", ("跳过",), {
        Language.ZH_CN: "本群某条定时内容的下一次不发送",
        Language.EN: "call off a scheduled post's next firing in this group",
    }, _skip, permission=Permission.MANAGE_CALENDAR,
        usage={Language.ZH_CN: "/跳过 内容ID", Language.EN: "/skip <post id>"}),
)  # fmt: skip


def register(registry: Registry, commands: CommandBook) -> None:
    """Add `/calendar` and `/skip` (staff with the `manage_calendar` permission)."""
    registry.add_effect(CalendarAgenda, agenda)
    registry.add_effect(CalendarSkip, skip)
    for command in COMMANDS:
        commands.add(command)
