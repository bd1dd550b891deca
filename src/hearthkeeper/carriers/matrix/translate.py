"""Raw Matrix events (client-server JSON) → carrier-neutral engine events. Pure: no I/O."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from html import unescape
from typing import Any

from hearthkeeper.engine.events import (
    Attachment,
    Edit,
    Event,
    Join,
    JoinMethod,
    Leave,
    Message,
    Reaction,
    Rename,
    Sender,
)

CARRIER = "matrix"

# msgtype → (Message.kind, Attachment.kind); text-like types carry no attachment.
_KINDS: dict[str, tuple[str, str | None]] = {
    "m.text": ("text", None),
    "m.notice": ("text", None),
    "m.emote": ("text", None),
    "m.image": ("picture", "picture"),
    "m.video": ("video", "video"),
    "m.audio": ("voice", "voice"),
    "m.file": ("file", "file"),
    "m.sticker": ("sticker", "sticker"),
}

# The origin_server_ts (milliseconds) an event can have: from 1970 to the end of year 8999
# (what the engine adds to an event's time, a strike's expiry or a reminder, stays a date).
# Beyond dates it overflowed: the sync loop stopped there and the bot read no room again.
FIRST_TS = 0
LAST_TS = 221_845_391_999_999

# Matrix ids (events, users, rooms) are at most 255 bytes (the spec's limit, and the store's
# columns); a longer one in an event's content (a reply's target, a mention) is none.
MAX_ID_BYTES = 255


def matrix_id(value: object) -> str | None:
    """`value` if it can be a Matrix id (a string of at most 255 bytes), else None."""
    if isinstance(value, str) and len(value.encode("utf-8", "surrogatepass")) <= MAX_ID_BYTES:
        return value
    return None


# A user id linked in formatted bodies: https://matrix.to/#/@alice:example.org
_PILL = re.compile(r"https://matrix\.to/#/(@[^\"'<>\s?/]+)")
# a pill's words: `<a href="https://matrix.to/#/@alice:hs">Alice Smith</a>`
_PILL_WORDS = re.compile(
    r"<a\s[^>]*href=[\"']https://matrix\.to/#/@[^\"'<>]*[\"'][^>]*>([^<]*)</a>"
)


@dataclass(frozen=True, kw_only=True)
class BotIdentity:
    """Who the bot is in Matrix: its user id and the display name people type to address it."""

    user_id: str
    display_name: str = ""


def translate(room_id: str, raw: Mapping[str, Any], bot: BotIdentity) -> Event | None:
    """The engine event for one raw room event, or None for what the engine does not handle
    (state other than membership, redacted or malformed events, avatar changes)."""
    event_id, sender = matrix_id(raw.get("event_id")), matrix_id(raw.get("sender"))
    ts = raw.get("origin_server_ts")
    if event_id is None or sender is None or not isinstance(ts, int):
        return None
    if not FIRST_TS <= ts <= LAST_TS:  # a homeserver's clock (or a hostile one) beyond dates
        return None
    content = raw.get("content")
    if not isinstance(content, Mapping) or not content:  # redacted events have empty content
        return None
    base: dict[str, Any] = {
        "carrier": CARRIER,
        "group": room_id,
        "event_id": event_id,
        "at": datetime.fromtimestamp(ts / 1000, UTC),
    }
    kind = raw.get("type")
    if kind == "m.room.member":
        return _membership(raw, content, base, sender)
    who = Sender(user_id=sender, is_bot=sender == bot.user_id)
    if kind == "m.reaction":
        rel = content.get("m.relates_to")
        target = matrix_id(rel.get("event_id")) if isinstance(rel, Mapping) else None
        if isinstance(rel, Mapping) and target is not None:
            return Reaction(**base, sender=who, target=target, emoji=str(rel.get("key", "")))
        return None
    if kind == "m.sticker":
        content = {**content, "msgtype": "m.sticker"}
    elif kind != "m.room.message":
        return None
    return _message(content, base, who, bot)


def _message(content: Mapping[str, Any], base: dict[str, Any], who: Sender,
             bot: BotIdentity) -> Event | None:  # fmt: skip
    rel = content.get("m.relates_to")
    rel = rel if isinstance(rel, Mapping) else {}
    edited = matrix_id(rel.get("event_id"))
    if rel.get("rel_type") == "m.replace" and edited is not None:
        new = content.get("m.new_content")
        text = new.get("body") if isinstance(new, Mapping) else None
        return Edit(**base, sender=who, target=edited,
                    text=text if isinstance(text, str) else "")  # fmt: skip
    msgtype = content.get("msgtype")
    body = content.get("body")
    if not isinstance(msgtype, str) or not isinstance(body, str):
        return None
    kind, attachment_kind = _KINDS.get(msgtype, ("text", None))
    in_reply = rel.get("m.in_reply_to")
    reply_to = matrix_id(in_reply.get("event_id")) if isinstance(in_reply, Mapping) else None
    if reply_to is not None:
        body = strip_reply_fallback(body)
    attachments: tuple[Attachment, ...] = ()
    if attachment_kind is not None:
        attachments = (_attachment(attachment_kind, content, body),)
        body = ""  # the body of a media event is its file name, not something said
    mentions = find_mentions(content)
    return Message(
        **base, sender=who, kind=kind, text=body, attachments=attachments, mentions=mentions,
        reply_to=reply_to, mentions_bot=mentions_bot(content, mentions, bot),
        mention_texts=pills_words(content) if mentions else (),
    )  # fmt: skip


def _attachment(kind: str, content: Mapping[str, Any], body: str) -> Attachment:
    info = content.get("info")
    info = info if isinstance(info, Mapping) else {}
    url = content.get("url")
    size, mime = info.get("size"), info.get("mimetype")
    return Attachment(
        kind=kind,
        url=url if isinstance(url, str) else None,
        name=body or None,
        size=size if isinstance(size, int) else None,
        mime=mime if isinstance(mime, str) else None,
    )


def find_mentions(content: Mapping[str, Any]) -> tuple[str, ...]:
    """User ids mentioned: intentional mentions (`m.mentions`) and pills in the HTML body."""
    found: list[str] = []
    intentional = content.get("m.mentions")
    if isinstance(intentional, Mapping):
        ids = intentional.get("user_ids")
        if isinstance(ids, list):
            found.extend(u for u in ids if matrix_id(u) is not None)
    html = content.get("formatted_body")
    if isinstance(html, str):
        found.extend(u for u in _PILL.findall(html) if matrix_id(u) is not None)
    return tuple(dict.fromkeys(found))


def pills_words(content: Mapping[str, Any]) -> tuple[str, ...]:
    """The words each pill of the HTML body shows (a picked member's display name), as the
    plain body says them."""
    html = content.get("formatted_body")
    if not isinstance(html, str):
        return ()
    return tuple(dict.fromkeys(w for w in (unescape(m).strip() for m in _PILL_WORDS.findall(html))
                               if w))  # fmt: skip


def mentions_bot(content: Mapping[str, Any], mentions: tuple[str, ...], bot: BotIdentity) -> bool:
    """Whether the message addresses the bot: by id (mentioned or typed) or by display name."""
    if bot.user_id in mentions:
        return True
    body = content.get("body")
    if not isinstance(body, str):
        return False
    if bot.user_id.casefold() in body.casefold():
        return True
    name = bot.display_name.strip()
    # Clients put the display name (often followed by ':') in the body when mentioning.
    return (
        bool(name)
        and re.search(rf"(?<!\w)@?{re.escape(name)}(?!\w)", body, re.IGNORECASE) is not None
    )


def strip_reply_fallback(body: str) -> str:
    """The body without the quoted lines (`> <@user> …`) older clients prepend to replies."""
    lines = body.split("\n")
    if not lines[0].startswith("> <@") and not lines[0].startswith("> * <@"):
        return body
    rest = 0
    while rest < len(lines) and lines[rest].startswith(">"):
        rest += 1
    if rest < len(lines) and lines[rest] == "":
        rest += 1
    return "\n".join(lines[rest:])


def _membership(raw: Mapping[str, Any], content: Mapping[str, Any], base: dict[str, Any],
                sender: str) -> Event | None:  # fmt: skip
    subject = matrix_id(raw.get("state_key"))
    membership = content.get("membership")
    if not isinstance(subject, str) or not isinstance(membership, str):
        return None
    unsigned = raw.get("unsigned")
    unsigned = unsigned if isinstance(unsigned, Mapping) else {}
    prev = unsigned.get("prev_content")
    before = prev.get("membership") if isinstance(prev, Mapping) else None
    name = content.get("displayname")
    who = Sender(user_id=subject, display_name=name if isinstance(name, str) else "")
    if membership == "join":
        if before == "join":  # a display name or avatar change: only a new name is news
            was = prev.get("displayname") if isinstance(prev, Mapping) else None
            renamed = isinstance(name, str) and name.strip() and name != was
            return Rename(**base, sender=who) if renamed else None
        if before == "invite":
            inviter = matrix_id(unsigned.get("prev_sender"))
            return Join(**base, sender=who, via=JoinMethod.INVITED, inviter=inviter)
        return Join(**base, sender=who, via=JoinMethod.LINK)
    if membership in ("leave", "ban"):
        if before not in ("join", None):
            return None  # an invitation declined or withdrawn, an unban: they were not in it
        return Leave(**base, sender=who, removed_by=sender if sender != subject else None)
    return None
