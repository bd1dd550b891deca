"""Live sharing sessions through the engine: reminders before the start (the speaker
@-mentioned when they are a member of the group), "starting now", and a digest afterwards.

Like scheduled posts, each (session, group) keeps exactly one next moment as scheduled work,
keyed by the moment and its instant, so planning is idempotent; each moment is claimed in
`posts` (post id `live:<session>:<moment>`) before anything is said, so it is said once.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from hearthkeeper.capabilities.calendar.firings import SessionMoment, session_moments
from hearthkeeper.capabilities.calendar.repository import SqlPosts
from hearthkeeper.capabilities.calendar.requests import CalendarSession
from hearthkeeper.capabilities.calendar.series import (
    Due,
    Lapsed,
    Planned,
    claim_text,
    due,
    keep,
    send_text,
)
from hearthkeeper.capabilities.texts import Phrasebook
from hearthkeeper.engine.actions import Action, ActionKind, mentioning
from hearthkeeper.engine.effects import EffectContext
from hearthkeeper.engine.handler import GroupView
from hearthkeeper.engine.registry import Registry
from hearthkeeper.playbook import Playbook
from hearthkeeper.playbook.output import LiveSession
from hearthkeeper.playbook.positioning import Language
from hearthkeeper.store.members import MemberQueries
from hearthkeeper.store.memberships import MembershipQueries
from hearthkeeper.store.messages import MessageQueries
from hearthkeeper.store.scope import StoreBase

log = logging.getLogger(__name__)

GRACE = timedelta(minutes=30)  # a moment missed by more than this is skipped
_RECENT = timedelta(days=14)  # who spoke lately counts as known in the group
# Windows a session's next moment is looked for in, in turn: the first moment of a shorter
# window is the first of a longer one (`session_moments` gives all of a window's, in order),
# and most sessions come back within the week (a window's moments are made and sorted: 40
# days of a weekly session are some 24, made for each group a calendar is planned for).
_HORIZONS = (timedelta(days=8), timedelta(days=40), timedelta(days=400))

TEXTS = Phrasebook({
    "reminder": {
        Language.ZH_CN: "📣 {before}后开始分享：「{title}」，主讲 {speaker}。欢迎准时来听！",
        Language.EN: "📣 In {before}: '{title}' with {speaker}. See you here!",
    },
    "start": {
        Language.ZH_CN: "🎙️ 分享开始啦：「{title}」，主讲 {speaker}。欢迎提问！",
        Language.EN: "🎙️ Starting now: '{title}' with {speaker}. Questions welcome!",
    },
    "digest": {
        Language.ZH_CN: "📝 「{title}」回顾：{count} 条消息，{speakers} 人参与。{active}{questions}",
        Language.EN: "📝 '{title}' recap: {count} message(s) from {speakers} member(s).{active}{questions}",
    },
    "empty": {
        Language.ZH_CN: "「{title}」在「{group}」结束了，分享期间没有人发言：回顾没有发到群里。",
        Language.EN: "'{title}' in {group} is over and nobody spoke while it ran: no recap was posted in the group.",
    },
    "active": {Language.ZH_CN: "\n最活跃：{names}", Language.EN: "\nMost active: {names}"},
    "questions": {Language.ZH_CN: "\n问题：\n{lines}", Language.EN: "\nQuestions:\n{lines}"},
    "hours": {Language.ZH_CN: "{n} 小时", Language.EN: "{n}h"},
    "minutes": {Language.ZH_CN: "{n} 分钟", Language.EN: "{n} min"},
})  # fmt: skip


def applies(session: LiveSession, group_name: str) -> bool:
    """Whether a session is held in a group: named in `groups`, or `groups` is empty."""
    return not session.groups or group_name in session.groups


def moment_label(moment: SessionMoment) -> str:
    """`reminder-3600`, `start` or `digest`: which moment of a session start this is."""
    if moment.moment == "reminder" and moment.before is not None:
        return f"reminder-{int(moment.before.total_seconds())}"
    return moment.moment


def moment_key(group_id: int, session_id: str, label: str, at: datetime) -> str:
    """The scheduled work of one moment of one session in one group."""
    return f"live:{group_id}:{session_id}:{label}:{at.isoformat()}"


def next_moment(session: LiveSession, zone: ZoneInfo, after: datetime) -> SessionMoment | None:
    """The session's first moment at or after `after` (None: it never happens again)."""
    for horizon in _HORIZONS:
        moments = session_moments(session, zone, after, after + horizon)
        if moments:
            return moments[0]
    return None


def next_session(group_id: int, session: LiveSession, zone: ZoneInfo,
                 after: datetime) -> Planned | None:  # fmt: skip
    """The session's next moment at or after `after` in a group (None: no more moments)."""
    moment = next_moment(session, zone, after)
    if moment is None:
        return None
    label = moment_label(moment)
    request = CalendarSession(session=session.id, moment=label, at=moment.at,
                              starts=moment.starts)  # fmt: skip
    return Planned(moment_key(group_id, session.id, label, moment.at), request, moment.at)


def sessions_in(playbook: Playbook, group_name: str) -> list[LiveSession]:
    """The live sessions held in a group."""
    return [s for s in playbook.calendar.live_sessions if applies(s, group_name)]


def find_session(playbook: Playbook, session_id: str) -> LiveSession | None:
    """A live session of the playbook by id."""
    return next((s for s in playbook.calendar.live_sessions if s.id == session_id), None)


def decide_moment(session: LiveSession | None, group_name: str, zone: ZoneInfo, label: str,
                  at: datetime, now: datetime) -> Lapsed | Due:  # fmt: skip
    """Whether the moment `label` of `session` at `at`, fallen due at `now`, still holds in a
    group; when it does, whether it is late and where the series continues."""
    if session is None or not applies(session, group_name):
        return Lapsed.ENDED
    current = next_moment(session, zone, at)
    if current is None or current.at != at or moment_label(current) != label:
        return Lapsed.MOVED
    return due(at, now, GRACE)


def speaker_mention(scope: StoreBase, group: GroupView, speaker: str,
                    now: datetime) -> tuple[str, dict[str, Any]]:  # fmt: skip
    """`@name` and the `extra` mentioning the speaker by it (`mentioning`) when one member of
    the group (in it, or who spoke in it lately) has that display name, or several do and
    exactly one of them is staff there; otherwise just the name, and nothing (never a guess:
    a member can take the speaker's name to be announced as the speaker)."""
    name = speaker.strip().lstrip("@")
    members = MemberQueries.on(scope)
    stays = MembershipQueries.on(scope).active_members(group.id)
    staff = {s.member_id for s in stays if s.role}
    known = [s.member_id for s in stays]
    recent = MessageQueries.on(scope).messages(group.id, since=now - _RECENT)
    known += [m.member_id for m in recent if m.member_id is not None]
    carrying: list[str] = []  # how the carrier calls each member with the name
    staff_carrying: list[str] = []
    for member_id in dict.fromkeys(known):
        member = members.get_member(member_id)
        if member is None or member.display_name != name:
            continue
        ids = [
            i.carrier_user_id for i in members.identities(member.id) if i.carrier == group.carrier
        ]
        if ids:
            carrying.append(ids[0])
            if member_id in staff:
                staff_carrying.append(ids[0])
    chosen = carrying if len(carrying) == 1 else staff_carrying
    if len(chosen) == 1:
        return f"@{name}", mentioning([(chosen[0], name)])
    return name, {}


def _duration(lang: Language, before: timedelta) -> str:
    minutes = int(before.total_seconds() // 60)
    if minutes % 60 == 0:
        return TEXTS.say("hours", lang, n=minutes // 60)
    return TEXTS.say("minutes", lang, n=minutes)


def top_speakers(said: Sequence[tuple[int, str]]) -> list[int]:
    """The (up to three) members who said most in `said`, (member id, text) pairs."""
    return [member_id for member_id, _ in Counter(m for m, _ in said).most_common(3)]


def digest_text(lang: Language, session: LiveSession, said: Sequence[tuple[int, str]],
                names: Sequence[str]) -> str:  # fmt: skip
    """The session's title and what was said in the group while it ran, briefly: `said` as
    (member id, text), `names` of the `top_speakers`."""
    questions = [text.strip() for _, text in said if "?" in text or "？" in text][:3]
    sep = "、" if lang is Language.ZH_CN else ", "
    active = TEXTS.say("active", lang, names=sep.join(names)) if names else ""
    lines = "\n".join(f"• {q[:80]}" for q in questions)
    asked = TEXTS.say("questions", lang, lines=lines) if questions else ""
    return TEXTS.say("digest", lang, title=session.title, count=len(said),
                     speakers=len({m for m, _ in said}), active=active,
                     questions=asked)  # fmt: skip


def moment_text(lang: Language, session: LiveSession, label: str, at: datetime,
                starts: datetime, speaker: str) -> str:  # fmt: skip
    """A reminder (`label` reminder-…) or the "starting now" of a session, naming `speaker`."""
    if label == "start":
        return TEXTS.say("start", lang, title=session.title, speaker=speaker)
    return TEXTS.say("reminder", lang, before=_duration(lang, starts - at), title=session.title,
                     speaker=speaker)  # fmt: skip


def said_during(scope: StoreBase, ctx: EffectContext, session: LiveSession,
                starts: datetime) -> list[tuple[int, str]]:  # fmt: skip
    """What members said in the group while the session ran, as (member id, text)."""
    while_on = MessageQueries.on(scope).messages(ctx.group.id, since=starts,
                                                 until=starts + session.duration)  # fmt: skip
    return [(m.member_id, m.text) for m in while_on if m.member_id is not None]


def empty_session(ctx: EffectContext, session: LiveSession, ref: int) -> Action:
    """Tell staff a session ended with nobody speaking (its recap is not posted to members)."""
    g = ctx.group
    text = TEXTS.say("empty", ctx.playbook.community.language, title=session.title, group=g.name)
    return Action(kind=ActionKind.ALERT_STAFF, carrier=g.carrier, group=g.carrier_group_id,
                  text=text, handler="calendar", key=f"calendar:empty-session:{ref}",
                  reason=f"live session {session.id}: nobody spoke",
                  extra={"post_id": f"live:{session.id}:digest"})  # fmt: skip


def _digest(scope: StoreBase, ctx: EffectContext, session: LiveSession,
            said: Sequence[tuple[int, str]]) -> str:  # fmt: skip
    members = MemberQueries.on(scope)
    names = []
    for member_id in top_speakers(said):
        member = members.get_member(member_id)
        names.append(member.display_name if member is not None else str(member_id))
    return digest_text(ctx.playbook.community.language, session, said, names)


def fire(scope: StoreBase, request: CalendarSession, ctx: EffectContext) -> Sequence[Action]:
    """Effect: one moment of a session in this group, claimed once; plans the next moment."""
    label, at, g = request.moment, request.at, ctx.group
    zone = ZoneInfo(ctx.playbook.community.timezone)
    session = find_session(ctx.playbook, request.session)
    timing = decide_moment(session, g.name, zone, label, at, ctx.now)
    if session is None or timing is Lapsed.ENDED:
        log.info("session %s is no longer held in group %s; its series ends", request.session,
                 g.name)  # fmt: skip
        return []
    if timing is Lapsed.MOVED:
        log.info("session %s: %s %s is no longer a moment; replanned", session.id, label, at)
        keep(scope, g, next_session(g.id, session, zone, ctx.now))
        return []
    post_id = f"live:{session.id}:{label}"
    said: list[tuple[int, str]] = []
    if label == "digest" and not timing.late:
        said = said_during(scope, ctx, session, request.starts)
    # a recap of nobody ("0 条消息，0 人参与") is not posted to members: staff are told
    empty = label == "digest" and not timing.late and not said
    ref = claim_text(SqlPosts.on(scope), g, post_id, at, ctx.now, skipped=timing.late or empty)
    if ref is None:
        return []  # claimed already
    keep(scope, g, next_session(g.id, session, zone, timing.after))
    if timing.late:
        log.warning("session %s %s in group %s due %s was missed; skipped", session.id, label,
                    g.name, at.isoformat())  # fmt: skip
        return []
    if empty:
        return [empty_session(ctx, session, ref)]
    lang = ctx.playbook.community.language
    more: dict[str, Any] = {}
    if label == "digest":
        text = _digest(scope, ctx, session, said)
    else:
        speaker, more = speaker_mention(scope, g, session.speaker, ctx.now)
        text = moment_text(lang, session, label, at, request.starts, speaker)
    return [send_text(g, text, ref, post_id, f"live session {session.id}: {label}", **more)]


def register(registry: Registry, playbook: Playbook) -> None:
    """Add the firing of session moments (planned by the calendar's planner)."""
    if playbook.calendar.live_sessions:
        registry.add_effect(CalendarSession, fire)
