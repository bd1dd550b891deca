"""Whom a staff command points at — an @-mention, a typed `@name`, or the message it replies
to — and finding that member in the store. Shared by every staff command that names a member
(`/award`, `/warn` `/mute` `/ban` `/pardon`, `/tag`)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, tzinfo
from typing import ClassVar
from zoneinfo import ZoneInfo

from hearthkeeper.capabilities.command_book import Invocation
from hearthkeeper.capabilities.texts import Phrasebook
from hearthkeeper.engine.effects import EffectContext, Request
from hearthkeeper.engine.events import Event, Message
from hearthkeeper.playbook.positioning import Language
from hearthkeeper.store.members import MemberQueries
from hearthkeeper.store.pointing import PointingQueries, names_theirs
from hearthkeeper.store.scope import StoreBase
from hearthkeeper.text.controls import without_controls

MENTION_SIGNS = ("@", "＠")
REASON_LENGTH = 500  # the most of staff's reason a command keeps
SHARED_LISTED = 5  # the most members sharing a name the answer lists, each by when they last posted

TEXTS = Phrasebook({
    "shared": {
        Language.ZH_CN: "你写的名字有 {count} 位成员都在用，没有对任何人执行。"
                        "请回复要处理的那位成员的消息再发指令（或在聊天里选中对方来 @）。",
        Language.EN: "The name you typed is the name of {count} members here: nothing was "
                     "done to anyone. Reply to a message of the one you mean with the command "
                     "(or @-mention them by picking them in the chat).",
    },
    "crossed": {
        Language.ZH_CN: "你回复的是 {replied} 的消息，却写了别人的名字，不是同一个人，没有对任何人执行。"
                        "请回复要处理的那位成员的消息再发指令，不写名字（或不回复，只 @ 对方）。",
        Language.EN: "You replied to a message of {replied} but typed a name that is not "
                     "theirs: nothing was done to anyone. Reply to a message of the one you mean "
                     "with the command and no name (or @ them without replying).",
    },
    "shared_posted": {Language.ZH_CN: "{n}. 最近发言 {when}", Language.EN: "{n}. last posted {when}"},
    "shared_silent": {Language.ZH_CN: "{n}. 未在本群发言", Language.EN: "{n}. never posted here"},
    "shared_more": {Language.ZH_CN: "……还有 {more} 位", Language.EN: "… and {more} more"},
})  # fmt: skip


@dataclass(frozen=True)
class Target:
    """Whom a staff command points at: an @-mentioned carrier user id, a `@name` typed, or the
    message replied to (nothing set: nobody)."""

    user_id: str | None = None
    name: str | None = None
    reply_to: str | None = None

    def __bool__(self) -> bool:
        return any(v is not None for v in (self.user_id, self.name, self.reply_to))

    @property
    def only_a_reply(self) -> bool:
        """Pointed at only by replying to a message (no mention, no name)."""
        return self.reply_to is not None and self.user_id is None and self.name is None


class Pointing(Request):
    """A request about the member a staff command points at (see `Target`); the message it
    replies to may be one of its own batch (written first: `settles_messages`)."""

    settles_messages: ClassVar[bool] = True

    user_id: str | None = None
    name: str | None = None
    reply_to: str | None = None

    @property
    def target(self) -> Target:
        return Target(self.user_id, self.name, self.reply_to)


def pointed_at(event: Event, invocation: Invocation) -> tuple[Target, str]:
    """Whom a staff command points at (an @-mention, `@name`, or the message replied to),
    and the rest of what was typed; an empty target when it points at nobody. A reply with
    a `@name` typed keeps both: the name must be the replied-to member's (`find_only`)."""
    rest = invocation.rest
    head, tail = first_word(rest)
    mentions = event.mentions if isinstance(event, Message) else ()
    replied = (event.reply_to or None) if isinstance(event, Message) else None
    name: str | None = None
    if head.startswith(MENTION_SIGNS) and len(head) > 1:
        name = head[1:]
        rest = tail
    elif mentions and isinstance(event, Message):
        rest = _past_picked(rest, event.mention_texts)
    if mentions:  # a reply keeps what it answers: QQ @-mentions the replied-to member itself
        return Target(user_id=mentions[0], name=name, reply_to=replied), rest
    return Target(name=name, reply_to=replied), rest


def _past_picked(rest: str, picked: Sequence[str]) -> str:
    """`rest` past the name of a member picked in the chat that starts it: Telegram and
    Matrix put the picked member's display name in the text, `Alice Smith 1h spam`, which
    read as the duration and the reason (the longest name first: `Alice Smith`, not `Alice`)."""
    for shown in sorted({p.strip() for p in picked if p.strip()}, key=len, reverse=True):
        if rest.startswith(shown) and (len(rest) == len(shown) or not rest[len(shown)].isalnum()):
            return rest[len(shown) :].lstrip(" \t\n:：,，")
    return rest


def first_word(text: str) -> tuple[str, str]:
    """The first word of `text` and the rest, split at any space or line break (a reason may
    start on the next line)."""
    parts = text.strip().split(maxsplit=1)
    return (parts[0], parts[1]) if len(parts) == 2 else (parts[0] if parts else "", "")


def typed_reason(text: str) -> str:
    """Staff's reason, typed after whom the command points at, as members will read it:
    without characters that reorder or hide what they read, at most `REASON_LENGTH`."""
    return without_controls(text).strip()[:REASON_LENGTH]


def who_typed(ctx: EffectContext) -> str:
    """The staff member who typed a command, as the console and audit log name them:
    `小美 (webchat:42)`."""
    assert ctx.member is not None, "a command has a sender"
    who = ctx.member
    return f"{who.display_name or who.user_id} ({ctx.group.carrier}:{who.user_id})"


@dataclass(frozen=True)
class Shared:
    """A typed `@name` that several members of the group carry: it points at none of them."""

    member_ids: tuple[int, ...]  # newest first


@dataclass(frozen=True)
class Crossed:
    """A command sent as a reply to one member's message that types another's `@name`: it
    points at neither (acting on the name would act on someone the reply did not mean)."""

    replied: str  # the replied-to member's name


Unclear = Shared | Crossed  # a command pointing at no one member: staff are told why


def only_one(candidates: Sequence[int]) -> int | Shared | None:
    """The member a staff command points at among those it may mean (newest first): the only
    one; a name several members carry points at nobody (never a guess: a member can take
    another's exact name to turn a `/ban @name` or an `/award @name` onto them); None when
    nobody."""
    if len(candidates) > 1:
        return Shared(tuple(candidates))
    return candidates[0] if candidates else None


def find_only(scope: StoreBase, ctx: EffectContext,
              target: Target) -> tuple[int | Unclear | None, str]:  # fmt: skip
    """The member a staff command points at, with their name; the members sharing the
    name typed (see `only_one`); a reply and a typed `@name` meaning two members
    (`Crossed`); or None (then the name is ""). A reply to a member's message
    with a `@name` typed points at the replied-to member when the name is theirs or reads
    the same (`names_theirs`), at nobody when it is someone else's."""
    queries = PointingQueries.on(scope)
    if target.name is not None and target.reply_to is not None:
        replied = queries.replied_author(ctx.group.id, ctx.group.carrier, target.reply_to)
        if replied is not None:
            member_id, shown, user_id = replied
            if names_theirs(target.name, shown, user_id) and target.user_id in (None, user_id):
                return member_id, shown
            return Crossed(shown or user_id or "?"), ""
    # an @-mention points at whom it mentions, the message replied to or not
    replied_to = target.reply_to if target.user_id is None else None
    candidates = queries.members_pointed_at(
        ctx.group.id, ctx.group.carrier, user_id=target.user_id, name=target.name,
        reply_to=replied_to,
    )  # fmt: skip
    found = only_one(candidates)
    if found is None or isinstance(found, Shared):
        return found, ""
    member = MemberQueries.on(scope).get_member(found)
    return found, member.display_name if member is not None else target.name or ""


def shared_answer(scope: StoreBase, ctx: EffectContext, shared: Unclear) -> str:
    """What staff read when the `@name` they typed is several members' (see `shared_text`),
    or not the replied-to member's (`crossed_text`)."""
    if isinstance(shared, Crossed):
        return crossed_text(shared, ctx.playbook.community.language)
    posted = PointingQueries.on(scope).last_posted(ctx.group.id, shared.member_ids)
    return shared_text([posted.get(m) for m in shared.member_ids],
                       ZoneInfo(ctx.playbook.community.timezone),
                       ctx.playbook.community.language)  # fmt: skip


def shared_text(last_posted: Sequence[datetime | None], zone: tzinfo,
                lang: Language) -> str:  # fmt: skip
    """What staff read when the `@name` they typed is several members' name: that nothing
    was done, how to point at one, and when each (newest member first) last posted in the
    group, to tell which message to reply to. The name is not repeated: the group reads the
    answer, and a `@name` may be a member's words (a Telegram @username the client put in, a
    display name copied from an ad account)."""
    lines = [TEXTS.say("shared", lang, count=len(last_posted))]
    for n, at in enumerate(last_posted[:SHARED_LISTED], start=1):
        when = f"{at.astimezone(zone):%Y-%m-%d %H:%M}" if at is not None else ""
        lines.append(TEXTS.say("shared_posted" if at is not None else "shared_silent", lang,
                               n=n, when=when))  # fmt: skip
    if len(last_posted) > SHARED_LISTED:
        lines.append(TEXTS.say("shared_more", lang, more=len(last_posted) - SHARED_LISTED))
    return "\n".join(lines)


def crossed_text(crossed: Crossed, lang: Language) -> str:
    """What staff read when their command replies to one member and names another: both
    named, nothing done, and how to point at the one they mean."""
    return TEXTS.say("crossed", lang, replied=crossed.replied)
