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
from zoneinfo import ZoneInfo

from hearthkeeper.capabilities.calendar.firings import SessionMoment, session_moments
from hearthkeeper.capabilities.calendar.repository import SqlPosts
from hearthkeeper.engine.actions import Action, ActionKind
from hearthkeeper.engine.effects import EffectContext
from hearthkeeper.engine.handler import GroupView
from hearthkeeper.engine.registry import Registry
from hearthkeeper.handlers.texts import Phrasebook
from hearthkeeper.playbook import Playbook
from hearthkeeper.playbook.output import LiveSession
from hearthkeeper.playbook.positioning import Language
from hearthkeeper.store import Store

log = logging.getLogger(__name__)

SESSION_EFFECT = "calendar.session"
GRACE = timedelta(minutes=30)  # a moment missed by more than this is skipped
_RECENT = timedelta(days=14)  # who spoke lately counts as known in the group
_HORIZONS = (timedelta(days=40), timedelta(days=400))

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


def plan_session(store: Store, community_id: int, group_id: int, session: LiveSession,
                 zone: ZoneInfo, after: datetime) -> SessionMoment | None:  # fmt: skip
    """Schedule the session's next moment at or after `after` in a group (once per moment)."""
    moment = next_moment(session, zone, after)
    if moment is not None:
        label = moment_label(moment)
        store.schedule(moment_key(group_id, session.id, label, moment.at), community_id,
                       SESSION_EFFECT, {"session": session.id, "moment": label,
                                        "at": moment.at.isoformat(),
                                        "starts": moment.starts.isoformat()},
                       moment.at, group_id=group_id)  # fmt: skip
    return moment


def plan_sessions(store: Store, playbook: Playbook, community_id: int, group_id: int,
                  group_name: str, now: datetime) -> int:  # fmt: skip
    """Keep the next moment of every session held in this group scheduled; how many sessions."""
    zone = ZoneInfo(playbook.community.timezone)
    sessions = [s for s in playbook.calendar.live_sessions if applies(s, group_name)]
    for session in sessions:
        plan_session(store, community_id, group_id, session, zone, now)
    return len(sessions)


def speaker_mention(store: Store, group: GroupView, speaker: str,
                    now: datetime) -> tuple[str, list[str]]:  # fmt: skip
    """`@name` and the speaker's carrier user id when a member of the group (in it, or who
    spoke in it lately) has that display name; otherwise just the name."""
    name = speaker.strip().lstrip("@")
    known = [s.member_id for s in store.active_members(group.id)]
    recent = store.messages(group.id, since=now - _RECENT)
    known += [m.member_id for m in recent if m.member_id is not None]
    for member_id in dict.fromkeys(known):
        member = store.get_member(member_id)
        if member is None or member.display_name != name:
            continue
        ids = [i.carrier_user_id for i in store.identities(member.id) if i.carrier == group.carrier]
        if ids:
            return f"@{name}", ids[:1]
    return name, []


def _duration(lang: Language, before: timedelta) -> str:
    minutes = int(before.total_seconds() // 60)
    if minutes % 60 == 0:
        return TEXTS.say("hours", lang, n=minutes // 60)
    return TEXTS.say("minutes", lang, n=minutes)


def digest_text(store: Store, ctx: EffectContext, session: LiveSession, starts: datetime) -> str:
    """The session's title and what was said in the group while it ran, briefly."""
    lang = ctx.playbook.community.language
    said = [m for m in store.messages(ctx.group.id, since=starts, until=starts + session.duration)
            if m.member_id is not None]  # fmt: skip
    counts = Counter(m.member_id for m in said if m.member_id is not None)
    names = []
    for member_id, _ in counts.most_common(3):
        member = store.get_member(member_id)
        names.append(member.display_name if member is not None else str(member_id))
    questions = [m.text.strip() for m in said if "?" in m.text or "？" in m.text][:3]
    sep = "、" if lang is Language.ZH_CN else ", "
    active = TEXTS.say("active", lang, names=sep.join(names)) if names else ""
    lines = "\n".join(f"• {q[:80]}" for q in questions)
    asked = TEXTS.say("questions", lang, lines=lines) if questions else ""
    return TEXTS.say("digest", lang, title=session.title, count=len(said),
                     speakers=len(counts), active=active, questions=asked)  # fmt: skip


def fire(store: Store, action: Action, ctx: EffectContext) -> Sequence[Action]:
    """Effect: one moment of a session in this group, claimed once; plans the next moment."""
    session_id, label = str(action.extra["session"]), str(action.extra["moment"])
    at = datetime.fromisoformat(str(action.extra["at"]))
    starts = datetime.fromisoformat(str(action.extra["starts"]))
    session = next((s for s in ctx.playbook.calendar.live_sessions if s.id == session_id), None)
    g, zone = ctx.group, ZoneInfo(ctx.playbook.community.timezone)
    if session is None or not applies(session, g.name):
        log.info("session %s is no longer held in group %s; its series ends", session_id, g.name)
        return []
    current = next_moment(session, zone, at)
    if current is None or current.at != at or moment_label(current) != label:
        log.info("session %s: %s %s is no longer a moment; replanned", session_id, label, at)
        plan_session(store, g.community_id, g.id, session, zone, ctx.now)
        return []
    late = ctx.now > at + GRACE
    ref = SqlPosts.on(store).claim_post(g.community_id, g.id, f"live:{session.id}:{label}", at, item_id=None,
                           content_kind="text", mode="auto",
                           status="skipped" if late else "posted",
                           posted_at=None if late else ctx.now)  # fmt: skip
    if ref is None:
        return []  # claimed already
    plan_session(store, g.community_id, g.id, session, zone,
                 max(at + timedelta(seconds=1), ctx.now - GRACE))  # fmt: skip
    if late:
        log.warning("session %s %s in group %s due %s was missed; skipped", session.id, label,
                    g.name, at.isoformat())  # fmt: skip
        return []
    lang = ctx.playbook.community.language
    mentions: list[str] = []
    if label == "digest":
        text = digest_text(store, ctx, session, starts)
    else:
        speaker, mentions = speaker_mention(store, g, session.speaker, ctx.now)
        if label == "start":
            text = TEXTS.say("start", lang, title=session.title, speaker=speaker)
        else:
            before = _duration(lang, starts - at)
            text = TEXTS.say("reminder", lang, before=before, title=session.title,
                             speaker=speaker)  # fmt: skip
    extra: dict[str, object] = {"post_id": f"live:{session.id}:{label}", "post_ref": ref,
                                "content_kind": "text", "item_id": None}  # fmt: skip
    if mentions:
        extra["mentions"] = mentions
    return [Action(kind=ActionKind.SEND, carrier=g.carrier, group=g.carrier_group_id, text=text,
                   handler="calendar", reason=f"live session {session.id}: {label}",
                   key=f"calendar:post:{ref}", extra=extra)]  # fmt: skip


def register(registry: Registry, playbook: Playbook) -> None:
    """Add the firing of session moments (planned by the calendar's planner)."""
    if playbook.calendar.live_sessions:
        registry.add_effect(SESSION_EFFECT, fire)
