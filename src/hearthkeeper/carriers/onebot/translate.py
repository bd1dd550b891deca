"""OneBot v11 events (`event/`) → carrier-neutral engine events. Pure: no I/O.

Read: group messages, `group_increase` / `group_decrease` notices, `group_card` notices (a
member's new group card: a `Rename`), and `request/group` add
requests (screened by the door before the person is in). Everything else — private messages,
meta events (lifecycle, heartbeat), `group_ban` and `group_recall` notices (the engine has no
event for a mute or a retracted message; the bot's own sanctions are known from its calls),
invitations of the bot into other groups — is read and dropped.
"""

from __future__ import annotations

import contextlib
import hashlib
import re
from collections.abc import Container, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from hearthkeeper.carriers.onebot.segments import read_message
from hearthkeeper.engine.events import Event, Join, JoinMethod, Leave, Message, Rename, Sender

CARRIER = "qq"

_ANSWER = re.compile(r"答案[：:]\s*(.*)", re.DOTALL)


@dataclass(frozen=True, kw_only=True)
class JoinAsk:
    """Someone asking to join a group (`request_type` group, `sub_type` add): screened by the
    door, answered with `set_group_add_request` and the request's `flag`."""

    group: str
    user_id: str
    comment: str
    flag: str
    sub_type: str = "add"

    @property
    def answer(self) -> str:
        """What they typed: the answer part when the group asks a question (QQ then sends
        `问题：…\\n答案：…`), else the whole comment."""
        found = _ANSWER.search(self.comment)
        return (found.group(1) if found else self.comment).strip()


@dataclass(frozen=True, kw_only=True)
class BotRemoved:
    """The bot itself was kicked from a group (`group_decrease`, `kick_me`)."""

    group: str
    operator: str


Reading = Event | JoinAsk | BotRemoved | None


def number(value: Any) -> str | None:
    """A QQ number or id as text (OneBot sends numbers; some implementations strings)."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return str(value)
    if isinstance(value, str) and value.strip().lstrip("-").isdigit():
        return value.strip()
    return None


def _at(raw: Mapping[str, Any]) -> datetime:
    """When it happened: the event's `time`, or now when that is missing or no real moment
    (a negative, infinite or far-future stamp would stop the reading of every event)."""
    stamp = raw.get("time")
    if isinstance(stamp, int | float) and not isinstance(stamp, bool) and stamp > 0:
        with contextlib.suppress(OverflowError, ValueError, OSError):
            return datetime.fromtimestamp(stamp, UTC)
    return datetime.now(UTC)


def translate(raw: Mapping[str, Any], self_id: str | None, groups: Container[str]) -> Reading:
    """The engine event (or join request) for one raw event of a mapped group, else None."""
    group = number(raw.get("group_id"))
    if group is None or group not in groups:
        return None
    post_type = raw.get("post_type")
    if post_type == "message" and raw.get("message_type") == "group":
        return _message(raw, group, self_id)
    if post_type == "notice":
        return _notice(raw, group, self_id)
    if post_type == "request" and raw.get("request_type") == "group":
        user, flag = number(raw.get("user_id")), raw.get("flag")
        if user is None or not isinstance(flag, str) or raw.get("sub_type") != "add":
            return None  # an invitation of the bot itself: the operator decides in QQ
        comment = raw.get("comment")
        return JoinAsk(group=group, user_id=user, flag=flag,
                       comment=comment if isinstance(comment, str) else "")  # fmt: skip
    return None


def _message(raw: Mapping[str, Any], group: str, self_id: str | None) -> Event | None:
    if raw.get("sub_type", "normal") != "normal":
        return None  # anonymous messages (no one to warn or remove) and system notices
    message_id, user = number(raw.get("message_id")), number(raw.get("user_id"))
    if message_id is None or user is None:
        return None
    sender = raw.get("sender")
    sender = sender if isinstance(sender, Mapping) else {}
    name = sender.get("card") or sender.get("nickname") or ""
    read = read_message(raw.get("message"))
    return Message(
        carrier=CARRIER, group=group, event_id=message_id, at=_at(raw),
        sender=Sender(user_id=user, display_name=str(name), is_bot=user == self_id),
        kind=read.kind, text=read.text, attachments=read.attachments, mentions=read.mentions,
        reply_to=read.reply_to, mentions_bot=self_id is not None and self_id in read.mentions,
    )  # fmt: skip


def _notice(raw: Mapping[str, Any], group: str, self_id: str | None) -> Reading:
    kind = raw.get("notice_type")
    user, operator = number(raw.get("user_id")), number(raw.get("operator_id"))
    if user is None or kind not in ("group_increase", "group_decrease", "group_card"):
        return None
    stamp = raw.get("time")
    if kind == "group_card":
        return _card(raw, group, user, stamp)
    base: dict[str, Any] = {
        "carrier": CARRIER, "group": group, "at": _at(raw),
        # A notice has no id of its own: who, what and when make one, so the same notice
        # delivered again (a reconnect) is recognised by the engine.
        "event_id": f"{kind}:{user}:{stamp}",
    }  # fmt: skip
    sub_type = raw.get("sub_type")
    if kind == "group_increase":
        if user == self_id:
            return None
        if sub_type == "invite":
            return Join(**base, sender=Sender(user_id=user), via=JoinMethod.INVITED,
                        inviter=operator)  # fmt: skip
        return Join(**base, sender=Sender(user_id=user), via=JoinMethod.APPLICATION)
    if sub_type == "kick_me" or user == self_id:
        return BotRemoved(group=group, operator=operator or "")
    removed_by = operator if sub_type == "kick" and operator != user else None
    return Leave(**base, sender=Sender(user_id=user), removed_by=removed_by)


def _card(raw: Mapping[str, Any], group: str, user: str, stamp: object) -> Rename | None:
    """A member's new group card (`group_card`, `card_new`): their name in the group. A card
    cleared leaves them named by their QQ nickname, which the notice does not say: their
    next message does."""
    card = raw.get("card_new")
    if not isinstance(card, str) or not card.strip():
        return None
    # who, when and the card make the id: the same notice delivered again is recognised,
    # two changes in one second are not taken for one
    digest = hashlib.sha256(card.encode("utf-8", "surrogatepass")).hexdigest()[:12]
    return Rename(carrier=CARRIER, group=group, event_id=f"group_card:{user}:{stamp}:{digest}",
                  at=_at(raw), sender=Sender(user_id=user, display_name=card))  # fmt: skip
