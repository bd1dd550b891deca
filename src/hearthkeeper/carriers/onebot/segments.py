"""OneBot v11 messages, both ways. Pure: no I/O.

A message arrives as an array of segments (`message/array.md`) or, when the implementation
is set to the string format, as text with CQ codes (`message/string.md`); both are read.
What the bot sends is always the array form: no escaping to get wrong, and a member's text
quoted in a reply can never smuggle a CQ code in.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from hearthkeeper.carriers.cutting import resumed, spans
from hearthkeeper.carriers.markdown import plain
from hearthkeeper.carriers.named import given_names, placed
from hearthkeeper.engine.actions import Action, ActionKind
from hearthkeeper.engine.events import Attachment

Segment = dict[str, Any]

# segment type → (Message.kind, Attachment.kind)
_MEDIA: dict[str, tuple[str, str]] = {
    "image": ("picture", "picture"),
    "record": ("voice", "voice"),
    "video": ("video", "video"),
    "file": ("file", "file"),
    "share": ("link", "link"),
}
_CQ = re.compile(r"\[CQ:([A-Za-z0-9_.\-]+)((?:,[^\]]*)?)\]")


@dataclass(frozen=True, kw_only=True)
class Read:
    """What a member's message says, as the engine wants it."""

    kind: str = "text"
    text: str = ""
    mentions: tuple[str, ...] = ()  # QQ numbers @-mentioned (not `all`)
    reply_to: str | None = None  # the message id replied to
    attachments: tuple[Attachment, ...] = ()


def _unescape(text: str, *, param: bool = False) -> str:
    text = text.replace("&#91;", "[").replace("&#93;", "]")
    if param:
        text = text.replace("&#44;", ",")
    return text.replace("&amp;", "&")


def parse_cq(text: str) -> list[Segment]:
    """A string-format message as segments: `[CQ:at,qq=1]你好` → at, text."""
    segments: list[Segment] = []
    at = 0
    for code in _CQ.finditer(text):
        if code.start() > at:
            segments.append(text_segment(_unescape(text[at : code.start()])))
        data: dict[str, str] = {}
        for pair in code.group(2).split(",")[1:]:
            key, _, value = pair.partition("=")
            data[key] = _unescape(value, param=True)
        segments.append({"type": code.group(1), "data": data})
        at = code.end()
    if at < len(text):
        segments.append(text_segment(_unescape(text[at:])))
    return segments


def segments_of(message: Any) -> list[Segment]:
    """The segments of an event's `message`, whichever form it came in (malformed parts out)."""
    if isinstance(message, str):
        return parse_cq(message)
    if isinstance(message, Mapping):
        message = [message]
    if not isinstance(message, list):
        return []
    found: list[Segment] = []
    for item in message:
        if isinstance(item, Mapping) and isinstance(item.get("type"), str):
            data = item.get("data")
            found.append({"type": item["type"], "data": dict(data) if isinstance(data, Mapping)
                          else {}})  # fmt: skip
    return found


def read_message(message: Any) -> Read:
    """The text, mentions, quoted message and attachments of an event's `message`."""
    texts: list[str] = []
    mentions: list[str] = []
    reply_to: str | None = None
    attachments: list[Attachment] = []
    kind = "text"
    for segment in segments_of(message):
        kind_of, data = segment["type"], segment["data"]
        if kind_of == "text":
            texts.append(str(data.get("text", "")))
        elif kind_of == "at":
            qq = str(data.get("qq", ""))
            if qq and qq != "all":
                mentions.append(qq)
        elif kind_of == "reply" and data.get("id") not in (None, ""):
            reply_to = str(data["id"])
        elif kind_of in _MEDIA:
            message_kind, attachment_kind = _MEDIA[kind_of]
            url = data.get("url") or data.get("file")
            title = data.get("title") or data.get("name") or data.get("file")
            attachments.append(Attachment(kind=attachment_kind,
                                          url=str(url) if url else None,
                                          name=str(title) if title else None))  # fmt: skip
            if kind == "text":
                kind = message_kind
    text = "".join(texts).strip()
    if text:
        kind = "text"
    return Read(kind=kind, text=text, mentions=tuple(dict.fromkeys(mentions)),
                reply_to=reply_to, attachments=tuple(attachments))  # fmt: skip


def text_segment(text: str) -> Segment:
    return {"type": "text", "data": {"text": text}}


def at_segment(qq: str) -> Segment:
    return {"type": "at", "data": {"qq": qq}}


# Actions about one member whose text the member should be told of: they are @-mentioned.
_ADDRESSED = frozenset({ActionKind.WARN, ActionKind.MUTE, ActionKind.KICK, ActionKind.BAN})


def shown(action: Action) -> str:
    """The action's text as QQ shows it: a Markdown post as its words, readable (QQ shows no
    Markdown)."""
    said = action.text or ""
    return plain(said) if action.extra.get("format") == "markdown" else said


def messages(action: Action, limit: int) -> list[list[Segment]]:
    """The array messages for a REPLY, SEND or WARN: one (`outgoing`) when its text is at
    most `limit` characters, else the text cut into parts of at most `limit` (at a
    paragraph's, line's, sentence's or word's end: `carriers/cutting.py`), in order, the quote
    and @-mentions with the first."""
    return [message for message, _ in message_parts(action, limit)]


def message_parts(action: Action, limit: int,
                  after: int | None = None) -> list[tuple[list[Segment], int]]:  # fmt: skip
    """`messages`, each with where its text ends in the action's text as shown (`shown`);
    given `after`, where a part sent before ended: the messages of the rest (none when nothing
    is left), text alone."""
    said = shown(action)
    start = 0 if after is None else resumed(said, after)
    found = spans(said, lambda part: len(part) <= limit, limit, start=start)
    return [(outgoing(action, text=said[begin:end]) if after is None and n == 0
             else [text_segment(said[begin:end])], end)
            for n, (begin, end) in enumerate(found)]  # fmt: skip


def outgoing(action: Action, *, text: str | None = None) -> list[Segment]:
    """The array message for a REPLY, SEND or WARN, or the notice of a sanction: the quoted
    message (a reply), then the text (`shown`; given `text`: that, as shown) in which each
    member to @ (the one a warning or sanction is about, and those `extra["mentions"]` names:
    a staff alert's staff, a title's holders, ...) is an `at` segment where the text names
    them by the name `extra["mention_names"]` gives (`@Name`, else `Name`: QQ shows `@` and
    the name the group knows them by there); one it does not name is @-ed before the text. So
    each is named once, and told. A reply quotes the question rather than @-ing its asker: QQ
    shows the quote, and the text names them."""
    said = shown(action) if text is None else text
    segments: list[Segment] = []
    if action.kind is ActionKind.REPLY and action.target:
        segments.append({"type": "reply", "data": {"id": str(action.target)}})
    named: Sequence[object] = action.extra.get("mentions") or ()
    mentioned = [action.member] if action.member and action.kind in _ADDRESSED else []
    mentioned += [m for m in named if isinstance(m, str) and m not in mentioned]
    given = given_names(action.extra)
    taken, _ = placed(said, [(qq, given[qq]) for qq in mentioned if qq and qq in given])
    inside = {qq for _, _, qq in taken}
    for qq in mentioned:
        if qq and qq not in inside:
            segments += [at_segment(qq), text_segment(" ")]
    at = 0
    for start, stop, qq in taken:
        if start > at:
            segments.append(text_segment(said[at:start]))
        segments.append(at_segment(qq))
        at = stop
    if at < len(said) or not taken:
        segments.append(text_segment(said[at:]))
    return segments


def text_of(segments: Sequence[Mapping[str, Any]]) -> str:
    """The text segments joined: what a reader sees besides mentions and media."""
    return "".join(str(s.get("data", {}).get("text", "")) for s in segments
                   if s.get("type") == "text")  # fmt: skip
