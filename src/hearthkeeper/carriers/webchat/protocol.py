"""The frames browsers and the server exchange over the chat's WebSocket.

Client frames are validated and normalised here, once, before anything else looks at them:
size first (a frame is refused unread when it is too large), then UTF-8, then nesting depth
(checked by a scan, before `json.loads` could recurse), then JSON, then the Pydantic models
below: ids are positive and fit the store's 64-bit columns, and texts have what no database
can store (NUL, lone surrogates) replaced by U+FFFD — so what is stored is exactly what is
broadcast. Anything refused is a `FrameError` with a readable message. Server frames are
plain dicts built here, so their shape is defined in one place; `encode` never produces text
a socket cannot send.
"""

from __future__ import annotations

import json
import re
from datetime import datetime
from functools import lru_cache
from typing import Annotated, Any, Literal
from zoneinfo import ZoneInfo

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter, ValidationError, field_validator

from hearthkeeper.capabilities.format import when_text
from hearthkeeper.carriers.markdown import blocks
from hearthkeeper.carriers.webchat.records import WebChatMessage
from hearthkeeper.carriers.webchat.texts import say
from hearthkeeper.playbook.positioning import Language
from hearthkeeper.store.columns import storable
from hearthkeeper.store.ids import MAX_ID

MAX_FRAME_BYTES = 8 * 1024  # a frame larger than this is refused with an error frame
FAR_OVER_BYTES = 64 * 1024  # ... and one larger than this closes the connection (1009)
MAX_TEXT = 2000  # characters in one message
MEDIA_PATH = "/chat/media/"
FILES_PATH = "/chat/files/"  # scheduled posts' videos, voice and other files: downloads
ATTACHED = frozenset({"video", "voice", "file"})  # the kinds of message holding such a file
_UNSAFE_IN_NAME = re.compile(r'[\x00-\x1f\x7f/\\:*?"<>|]+')
MAX_DEPTH = 4  # nesting of JSON arrays/objects; our frames are flat objects

CLOSE_NOT_SIGNED_IN = 4401
CLOSE_NOT_IN_GROUP = 4403
CLOSE_TOO_BIG = 1009
CLOSE_POLICY = 1008
CLOSE_GOING_AWAY = 1001


class _Frame(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class SayFrame(_Frame):
    """Post a message: text, a picture uploaded before (its stored name), or both."""

    type: Literal["say"]
    text: str = ""
    picture: str | None = Field(None, max_length=100)
    # strict: `true` or "12" is not a message id
    reply_to: Annotated[int, Field(strict=True, ge=1, le=MAX_ID)] | None = None

    @field_validator("text", "picture")
    @classmethod
    def _storable(cls, value: str | None) -> str | None:
        # Normalised here, so the store, the broadcast and the engine all see the same text.
        return None if value is None else storable(value)


class PingFrame(_Frame):
    """Keep the connection alive; answered with nothing."""

    type: Literal["ping"]


ClientFrame = Annotated[SayFrame | PingFrame, Field(discriminator="type")]
_CLIENT_FRAME: TypeAdapter[SayFrame | PingFrame] = TypeAdapter(ClientFrame)
KNOWN_TYPES = ("say", "ping")


class FrameError(Exception):
    """A client frame that is refused; `close` is the close code when the connection must end,
    `abuse` whether it counts towards closing it (our page never sends such a frame)."""

    def __init__(self, message: str, *, close: int | None = None, abuse: bool = True) -> None:
        super().__init__(message)
        self.message = message
        self.close = close
        self.abuse = abuse


def parse_frame(raw: str | bytes, language: Language = Language.EN) -> SayFrame | PingFrame:
    """The frame a browser sent, validated; FrameError with a readable message otherwise
    (a message too long, the one refusal our own page can meet, in `language`)."""
    size = len(raw) if isinstance(raw, bytes) else len(raw.encode("utf-8", "replace"))
    if size > FAR_OVER_BYTES:
        raise FrameError(f"frame of {size} bytes is far too large", close=CLOSE_TOO_BIG)
    if size > MAX_FRAME_BYTES:
        raise FrameError(f"frame too large: {size} bytes (at most {MAX_FRAME_BYTES})")
    if isinstance(raw, bytes):
        try:
            raw = raw.decode("utf-8")
        except UnicodeDecodeError:
            raise FrameError("frame is not UTF-8 text") from None
    if _depth(raw) > MAX_DEPTH:
        raise FrameError(f"frame nests too deeply (at most {MAX_DEPTH} levels)")
    try:
        data = json.loads(raw)
    except (ValueError, RecursionError):
        raise FrameError("frame is not valid JSON") from None
    if not isinstance(data, dict):
        raise FrameError('frame must be a JSON object with a "type"')
    kind = data.get("type")
    if kind not in KNOWN_TYPES:
        shown = json.dumps(kind, ensure_ascii=False)[:40]
        raise FrameError(f"unknown frame type {shown} (known: {', '.join(KNOWN_TYPES)})")
    try:
        frame = _CLIENT_FRAME.validate_python(data)
    except ValidationError as exc:
        raise FrameError(f"bad {kind} frame: {_first_problem(exc)}") from None
    if isinstance(frame, SayFrame) and len(frame.text) > MAX_TEXT:
        too_long = say("frame_too_long", language, length=len(frame.text), most=MAX_TEXT)
        raise FrameError(too_long, abuse=False)
    return frame


# A JSON string (an unterminated one runs to the end, so the scan stays linear) or a bracket.
_TOKEN = re.compile(r'"(?:[^"\\]|\\.)*"?|[\[\]{}]', re.DOTALL)


def _depth(text: str) -> int:
    """How deeply `text` nests arrays and objects (brackets inside strings do not count): a
    cheap scan, so that hostile nesting is refused before `json.loads` recurses into it."""
    depth = deepest = 0
    for token in _TOKEN.finditer(text):
        found = token.group()
        if found in ("[", "{"):
            depth += 1
            deepest = max(deepest, depth)
            if deepest > MAX_DEPTH:
                break  # deep enough to refuse: no need to read on
        elif found in ("]", "}"):
            depth -= 1
    return deepest


def _first_problem(exc: ValidationError) -> str:
    error = exc.errors()[0]
    where = ".".join(str(part) for part in error["loc"] if part not in KNOWN_TYPES)
    return f"{where}: {error['msg']}" if where else str(error["msg"])


# --- server frames --------------------------------------------------------------------------


_SURROGATE = re.compile("[\ud800-\udfff]")


def encode(frame: dict[str, Any]) -> str:
    """A server frame as the text sent on the socket: always valid UTF-8, even when a text
    in it did not come through `parse_frame` (a lone surrogate would make every send fail)."""
    text = json.dumps(frame, ensure_ascii=False, separators=(",", ":"))
    return _SURROGATE.sub("\ufffd", text)


def close_reason(text: str) -> str:
    """`text` cut to what a WebSocket close frame can carry (123 bytes of UTF-8)."""
    return text.encode("utf-8")[:123].decode("utf-8", "ignore")


def picture_url(name: str | None) -> str | None:
    """Where browsers load a stored picture from."""
    return None if name is None else MEDIA_PATH + name


def file_url(name: str) -> str:
    """Where browsers download a scheduled post's stored file from."""
    return FILES_PATH + name


def download_name(message: WebChatMessage) -> str:
    """The name a downloaded file is saved as: the post's first line (its title), without
    Markdown's `#` or characters a file name cannot hold, and the stored file's extension."""
    first = message.text.strip().splitlines()[0] if message.text.strip() else ""
    title = " ".join(_UNSAFE_IN_NAME.sub(" ", first.lstrip("#")).split()).strip(".")[:60]
    title = title.strip() or "file"
    return f"{title}.{(message.picture or '').rsplit('.', 1)[-1]}"


def message_frame(message: WebChatMessage) -> dict[str, Any]:
    """A message as browsers show it: a scheduled post's video, voice or other file as a
    download (`file_url`, `file_name`), a picture shown (`picture_url`)."""
    if message.kind in ATTACHED and message.picture is not None:
        return {**_message_frame(message, None), "file_url": file_url(message.picture),
                "file_name": download_name(message)}  # fmt: skip
    return _message_frame(message, picture_url(message.picture))


def _message_frame(message: WebChatMessage, picture: str | None) -> dict[str, Any]:
    frame = _plain_frame(message, picture)
    if message.format == "markdown" and message.user_id is None:
        # a scheduled post: its Markdown read here into blocks the page builds as elements
        frame["blocks"] = _blocks(message.text)
    return frame


@lru_cache(maxsize=256)
def _blocks(text: str) -> list[dict[str, Any]]:
    """A post read once (about a millisecond), not again for each browser's history: frames
    are encoded as they are, never changed, so one reading is shared."""
    return blocks(text)


def _plain_frame(message: WebChatMessage, picture: str | None) -> dict[str, Any]:
    return {
        "type": "message",
        "id": message.id,
        "user_id": message.user_id,
        "nickname": message.nickname,
        "bot": message.user_id is None,
        "kind": message.kind,
        "text": message.text,
        "picture_url": picture,
        "mentions": list(message.mentions),
        "reply_to": message.reply_to,
        "at": message.sent_at.isoformat(),
        "private": message.visible_to is not None,  # shown to this member alone
    }


def deleted_frame(message_id: int) -> dict[str, Any]:
    """A message vanished (moderation)."""
    return {"type": "deleted", "id": message_id}


def restored_frame(message: WebChatMessage) -> dict[str, Any]:
    """A deleted message shown again, in its place among the others (staff dismissed the
    reports that hid it)."""
    return {"type": "restored", "message": message_frame(message)}


def muted_frame(until: datetime | None, reason: str, zone: ZoneInfo,
                language: Language = Language.EN) -> dict[str, Any]:  # fmt: skip
    """You are muted until `until` (None: until staff lift it) because of `reason`; `when`
    is that time on the community's clock, as a refused post says it and as every moment
    members read is written (`format.when_text`: `5月1日 周五 17:10`)."""
    return {"type": "muted", "until": None if until is None else until.isoformat(),
            "when": None if until is None else when_text(until, zone, language),
            "reason": reason}  # fmt: skip


def unmuted_frame() -> dict[str, Any]:
    """Your mute was lifted."""
    return {"type": "unmuted"}


def removed_frame(reason: str, *, banned: bool) -> dict[str, Any]:
    """You were removed from the group (kicked, or banned)."""
    return {"type": "removed", "reason": reason, "banned": banned}


def error_frame(message: str) -> dict[str, Any]:
    """Something you sent was refused; `message` says why."""
    return {"type": "error", "message": message}


def members_frame(count: int) -> dict[str, Any]:
    """How many are in the group now."""
    return {"type": "members", "count": count}
