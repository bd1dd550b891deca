"""`/calendar` (`/日程`, `/排期`), `/skip` (`/跳过`) and `/postnow` (`/立即发送`): staff whose role
has `manage_calendar` see what the group's calendar sends next, in the community's time, call
off the next firing of a scheduled post in their group (tonight's guest speaker is ill), or
send it now instead of at its time.

Both claim that firing in `posts` ahead of its time — as `cancelled` by the staff member, or
as sent now — call off its scheduled work and plan the firing after it: when its time comes,
the firing (whichever process runs it, after any restart or planning again) finds it claimed
and sends nothing, and the series goes on."""

from __future__ import annotations

import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from hearthkeeper.capabilities.calendar import polling
from hearthkeeper.capabilities.calendar.content import (
    TooLong,
    choose,
    library_of,
    running_out,
    too_long_text,
)
from hearthkeeper.capabilities.calendar.firings import (
    anniversary_firings,
    firings_between,
    iter_firings,
    session_moments,
)
from hearthkeeper.capabilities.calendar.posts import applies, find_post, firing_key, next_post
from hearthkeeper.capabilities.calendar.records import PostRecord
from hearthkeeper.capabilities.calendar.repository import SqlPosts
from hearthkeeper.capabilities.calendar.requests import (
    CalendarAgenda,
    CalendarPostNow,
    CalendarSkip,
)
from hearthkeeper.capabilities.calendar.series import Planned, keep
from hearthkeeper.capabilities.calendar.sessions import sessions_in
from hearthkeeper.capabilities.command_book import (
    Command,
    CommandBook,
    Invocation,
    answer,
    ask,
    reply,
)
from hearthkeeper.capabilities.format import excerpt, when_text
from hearthkeeper.capabilities.pointing import who_typed
from hearthkeeper.capabilities.polls.render import TEXTS as POLL_TEXTS
from hearthkeeper.capabilities.texts import Phrasebook
from hearthkeeper.engine.actions import Action, ActionKind
from hearthkeeper.engine.effects import Effect, EffectContext
from hearthkeeper.engine.events import Event
from hearthkeeper.engine.handler import Context, GroupView, Outcome
from hearthkeeper.engine.registry import Registry
from hearthkeeper.playbook import Playbook
from hearthkeeper.playbook.output import PostMode, ScheduledPost
from hearthkeeper.playbook.positioning import Language
from hearthkeeper.playbook.structure import Permission
from hearthkeeper.store import Store
from hearthkeeper.store.columns import clipped_to
from hearthkeeper.store.models.base import NAME
from hearthkeeper.store.scope import StoreBase
from hearthkeeper.text.controls import without_controls

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
    "can": {Language.ZH_CN: "本群的定时内容：{posts}。", Language.EN: "Posts planned here: {posts}."},
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
    "postnow_usage": {
        Language.ZH_CN: "用法：/立即发送 内容ID（现在就发本群这条定时内容的下一次，到点不再发）。{can}",
        Language.EN: "Usage: /postnow <post id> (its next firing in this group is sent now, not "
        "at its time). {can}",
    },
    "sent_now": {
        Language.ZH_CN: "✅ 已把「{post}」{when} 的这次提前发出。下一次：{next}。",
        Language.EN: "✅ Sent '{post}' now instead of on {when}. Next: {next}.",
    },
    "sent_now_last": {
        Language.ZH_CN: "✅ 已把「{post}」{when} 的这次提前发出，之后不再有。",
        Language.EN: "✅ Sent '{post}' now instead of on {when}; it was the last.",
    },
    "nothing_left": {
        Language.ZH_CN: "「{post}」的内容库 {library} 没有可发的内容了，没有发送。",
        Language.EN: "'{post}' has nothing left in its content folder {library}; nothing was sent.",
    },
    "needs_post": {
        Language.ZH_CN: "「{post}」要由有发布权限的管理员确认后发送，只有 {roles} 可以立即发送。",
        Language.EN: "'{post}' waits for staff to confirm it; only {roles} can send it now.",
    },
    "already_sent": {
        Language.ZH_CN: "「{post}」{when} 的这次已经发出了。",
        Language.EN: "'{post}' on {when} has gone out already.",
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
    if post.poll is not None:
        what = excerpt(f"📊 {post.poll.question}", 40)
    elif post.library is not None:
        what = TEXTS.say("library", lang, library=post.library)
    else:
        what = excerpt(post.body.text or "", 40)
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
    """What `/skip` and `/postnow` act on in the group: each post with its next firing."""
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
    if ctx.member is None:
        return "staff"
    return clipped_to(NAME, without_controls(who_typed(ctx)))  # `/calendar` shows it


# --- effects ------------------------------------------------------------------------------


def name_of(ctx: EffectContext) -> str | None:
    """The staff member who skipped a firing by their name alone, as `/calendar` shows them
    (kept beside `by_whom`: a long name cut to its column loses the "(carrier:user)" it
    would otherwise be told apart from)."""
    if ctx.member is None:
        return None
    return clipped_to(NAME, without_controls(ctx.member.display_name or ctx.member.user_id))


def shown_name(record: PostRecord) -> str:
    """Who skipped a firing, as the group reads it: the name only. The record keeps "Name
    (carrier:user)" for the console; the carrier's user id is not the group's business."""
    if record.cancelled_by_name:
        return record.cancelled_by_name
    cancelled_by = record.cancelled_by
    if not cancelled_by:
        return "staff"
    # Called off before names were kept apart: "Name (carrier:user)" as written then.
    name, sep, _ = cancelled_by.rpartition(" (")
    return name if sep and name else cancelled_by


def agenda(scope: StoreBase, request: CalendarAgenda, ctx: EffectContext) -> Sequence[Action]:
    """`/calendar`: the group's next days, with the firings staff skipped marked."""
    g, pb = ctx.group, ctx.playbook
    zone, lang = ZoneInfo(pb.community.timezone), pb.community.language
    records = SqlPosts.on(scope).post_records(g.community_id, group_id=g.id, since=ctx.now)
    called_off = {(r.post_id, r.scheduled_for): shown_name(r)
                  for r in records if r.status == "cancelled"}  # fmt: skip
    lines = upcoming(pb, g.name, ctx.now, ctx.now + timedelta(days=request.days), called_off)
    return [answer(ctx.trigger, render_agenda(lines, g.name, request.days, zone, lang))]


@dataclass(frozen=True)
class Aimed:
    """The firing a staff command acts on: the post, its next instant in the group, and how
    the reply names that instant."""

    post: ScheduledPost
    at: datetime
    when: str


def _aim(ctx: EffectContext, asked: str, usage: str) -> Aimed | str:
    """The post's next firing in this group, or the answer naming what can be asked for."""
    pb, g = ctx.playbook, ctx.group
    zone, lang = ZoneInfo(pb.community.timezone), pb.community.language
    can = skippable(pb, g.name, ctx.now)
    if not asked:
        return TEXTS.say(usage, lang, can=can)
    post = find_post(pb, asked)
    at = next_firing(post, g.name, zone, ctx.now)
    if post is None or at is None:
        return TEXTS.say("unknown", lang, post=asked[:40], can=can)
    return Aimed(post, at, when_text(at, zone, lang))


def _move_on(scope: StoreBase, g: GroupView, aimed: Aimed, zone: ZoneInfo, *, by: str,
             action: str, ref: int) -> Planned | None:  # fmt: skip
    """Call off the claimed firing's scheduled work, plan the one after it, and write what
    staff `by` did with it (`action`: skipped, sent now) in the audit log."""
    store = Store.on(scope)
    store.cancel_scheduled(firing_key(g.id, aimed.post.id, aimed.at))
    following = next_post(g.id, aimed.post, zone, aimed.at + _SECOND)
    keep(scope, g, following)
    store.audit(f"chat:{by}", action, g.community_id, target=f"post {aimed.post.id}",
                detail={"group": g.name, "at": aimed.at.isoformat(), "ref": ref})  # fmt: skip
    return following


def _done(key: str, aimed: Aimed, following: Planned | None, zone: ZoneInfo,
          lang: Language) -> str:  # fmt: skip
    """The reply once a firing is skipped or sent: it, and the next one (or that it was the last)."""
    if following is None:
        return TEXTS.say(f"{key}_last", lang, post=aimed.post.id, when=aimed.when)
    return TEXTS.say(key, lang, post=aimed.post.id, when=aimed.when,
                     next=when_text(following.at, zone, lang))  # fmt: skip


def skip(scope: StoreBase, request: CalendarSkip, ctx: EffectContext) -> Sequence[Action]:
    """`/skip <post>`: claim the post's next firing in this group as cancelled, call off its
    scheduled work and plan the one after it."""
    g, pb = ctx.group, ctx.playbook
    zone, lang = ZoneInfo(pb.community.timezone), pb.community.language
    aimed = _aim(ctx, request.post, "skip_usage")
    if isinstance(aimed, str):
        return [answer(ctx.trigger, aimed)]
    post, at, posts, by = aimed.post, aimed.at, SqlPosts.on(scope), by_whom(ctx)
    ref = posts.cancel_post(g.community_id, g.id, post.id, at, by=by, by_name=name_of(ctx),
                            mode=post.mode.value, content_kind=post.content_kind)  # fmt: skip
    if ref is None:
        return [answer(ctx.trigger, _claimed(posts.firing(g.id, post.id, at), aimed, lang))]
    following = _move_on(scope, g, aimed, zone, by=by, action="calendar.skip", ref=ref)
    return [answer(ctx.trigger, _done("skipped", aimed, following, zone, lang))]


def post_now(scope: StoreBase, request: CalendarPostNow, ctx: EffectContext,
             root: Path) -> list[Action]:  # fmt: skip
    """`/postnow <post>`: send the post's next firing in this group now and claim it (sent, or
    confirmed for a `remind` post), so that it is not sent again at its time."""
    g, pb = ctx.group, ctx.playbook
    zone, lang = ZoneInfo(pb.community.timezone), pb.community.language
    aimed = _aim(ctx, request.post, "postnow_usage")
    if isinstance(aimed, str):
        return [answer(ctx.trigger, aimed)]
    post, at, posts = aimed.post, aimed.at, SqlPosts.on(scope)
    if post.mode is PostMode.REMIND and not (ctx.member and ctx.member.may(Permission.POST)):
        roles = [r.title for r in pb.structure.roles.values() if Permission.POST in r.permissions]
        return [answer(ctx.trigger, TEXTS.say("needs_post", lang, post=post.id,
                                              roles=", ".join(roles) or "staff"))]  # fmt: skip
    if post.poll is not None:
        return _poll_now(scope, ctx, aimed, zone, lang)
    library = library_of(post, root)
    used = posts.posted_items(g.id, post.id) if library is not None else []
    content = choose(post, library, used)
    if content is None:
        return [answer(ctx.trigger, TEXTS.say("nothing_left", lang, post=post.id,
                                              library=post.library or ""))]  # fmt: skip
    if isinstance(content, TooLong):
        return [answer(ctx.trigger, too_long_text(post.id, content, lang))]
    ref = posts.claim_post(
        g.community_id, g.id, post.id, at, item_id=content.item_id, content_kind=content.kind,
        mode=post.mode.value, status="confirmed" if post.mode is PostMode.REMIND else "posted",
        posted_at=ctx.now,
    )  # fmt: skip
    if ref is None:
        return [answer(ctx.trigger, _claimed(posts.firing(g.id, post.id, at), aimed, lang))]
    following = _move_on(scope, g, aimed, zone, by=by_whom(ctx), action="calendar.post_now",
                         ref=ref)  # fmt: skip
    actions = [Action(kind=ActionKind.SEND, carrier=g.carrier, group=g.carrier_group_id,
                      text=content.text, handler=HANDLER, key=f"calendar:post:{ref}",
                      reason=f"scheduled post {post.id}, sent early by staff",
                      extra=content.extra(post, ref, lang))]  # fmt: skip
    if library is not None and content.item_id is not None:
        alert = running_out(ctx, post, library, [*used, content.item_id], at)
        if alert is not None:
            actions.append(alert)
    return [*actions, answer(ctx.trigger, _done("sent_now", aimed, following, zone, lang))]


def _poll_now(scope: StoreBase, ctx: EffectContext, aimed: Aimed, zone: ZoneInfo,
              lang: Language) -> list[Action]:  # fmt: skip
    """`/postnow` of a scheduled poll: open it now (unless one is open) in place of its next
    firing, closing `closes_after` from now."""
    g, post, at, posts = ctx.group, aimed.post, aimed.at, SqlPosts.on(scope)
    question = polling.still_open(scope, ctx)
    if question is not None:
        return [answer(ctx.trigger, POLL_TEXTS.say("still_open", lang, question=question))]
    ref = posts.claim_post(g.community_id, g.id, post.id, at, item_id=None,
                           content_kind=post.content_kind, mode=post.mode.value,
                           status="posted", posted_at=ctx.now)  # fmt: skip
    if ref is None:
        return [answer(ctx.trigger, _claimed(posts.firing(g.id, post.id, at), aimed, lang))]
    following = _move_on(scope, g, aimed, zone, by=by_whom(ctx), action="calendar.post_now",
                         ref=ref)  # fmt: skip
    opened = polling.open_poll(scope, ctx, post, ref, ctx.now)
    return [*opened, answer(ctx.trigger, _done("sent_now", aimed, following, zone, lang))]


def post_now_effect(root: Path) -> Effect[CalendarPostNow]:
    """The `calendar.post_now` effect, reading content libraries under `root`."""

    def run(scope: StoreBase, request: CalendarPostNow, ctx: EffectContext) -> Sequence[Action]:
        return post_now(scope, request, ctx, root)

    return run


def _claimed(record: PostRecord | None, aimed: Aimed, lang: Language) -> str:
    """Why a firing cannot be skipped or sent now: staff skipped it already, or it went out."""
    post, when = aimed.post.id, aimed.when
    if record is not None and record.status == "cancelled":
        return TEXTS.say("already_skipped", lang, post=post, when=when,
                         by=shown_name(record))  # fmt: skip
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


def post_typed(invocation: Invocation) -> str:
    """The post id staff typed, as the playbook writes ids: lower-case, full-width letters
    (`ｍｏｒｎｉｎｇ`) read as themselves, without characters that would hide or reorder what
    a reply echoes."""
    word = invocation.args[0] if invocation.args else ""
    return without_controls(unicodedata.normalize("NFKC", word[:200])).lower()[:64]


def _skip(event: Event, ctx: Context, invocation: Invocation) -> Outcome:
    request = CalendarSkip(post=post_typed(invocation))
    return Outcome((ask(event, request, handler=HANDLER),))


def _post_now(event: Event, ctx: Context, invocation: Invocation) -> Outcome:
    request = CalendarPostNow(post=post_typed(invocation))
    return Outcome((ask(event, request, handler=HANDLER),))


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
    Command("postnow", ("立即发送",), {
        Language.ZH_CN: "现在就发本群某条定时内容的下一次（到点不再发）",
        Language.EN: "send a scheduled post's next firing in this group now, not at its time",
    }, _post_now, permission=Permission.MANAGE_CALENDAR,
        usage={Language.ZH_CN: "/立即发送 内容ID", Language.EN: "/postnow <post id>"}),
)  # fmt: skip


def register(registry: Registry, commands: CommandBook, content_root: Path) -> None:
    """Add `/calendar`, `/skip` and `/postnow` (staff with the `manage_calendar` permission);
    libraries under `content_root`."""
    registry.add_effect(CalendarAgenda, agenda)
    registry.add_effect(CalendarSkip, skip)
    registry.add_effect(CalendarPostNow, post_now_effect(content_root))
    for command in COMMANDS:
        commands.add(command)
