"""Carrier-neutral events: what happened in a group, as every carrier reports it."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum

from hearthkeeper.text.controls import shown_name


class EventType(StrEnum):
    """The kinds of event the engine handles."""

    MESSAGE = "message"
    JOIN = "join"
    LEAVE = "leave"
    EDIT = "edit"
    REACTION = "reaction"
    COMMAND = "command"
    RENAME = "rename"


class JoinMethod(StrEnum):
    """How someone got into a group."""

    LINK = "link"  # an invite link or live code
    CODE = "code"  # a QR/join code (WeChat stops these at 200 members)
    INVITED = "invited"  # added or invited by a member
    APPLICATION = "application"  # approved application
    STAFF = "staff"  # added by staff
    UNKNOWN = "unknown"


@dataclass(frozen=True, kw_only=True)
class Sender:
    """Who did it, as the carrier knows them. The display name is kept as every reply, list
    and alert shows it (`shown_name`: one visible line, no text-direction or invisible
    characters, at most 64 characters; "" when nothing visible is left, and the user id
    stands in): a carrier's name is whatever its user typed."""

    user_id: str
    display_name: str = ""
    is_bot: bool = False

    def __post_init__(self) -> None:
        object.__setattr__(self, "display_name", shown_name(self.display_name))


@dataclass(frozen=True, kw_only=True)
class Attachment:
    """A picture, video, voice note, file or link card attached to a message."""

    kind: str  # picture | video | voice | file | link | sticker
    url: str | None = None
    name: str | None = None
    size: int | None = None
    mime: str | None = None
    data: bytes | None = field(default=None, repr=False)  # when the carrier hands us the bytes

    @property
    def is_picture(self) -> bool:
        """Whether it is a picture as far as anyone can tell: a picture, or a file or sticker
        whose media type is an image's (a photo sent uncompressed; a carrier that read a file's
        first bytes says what they are), or a sticker that says none (Matrix's are images)."""
        if self.kind == "picture" or (self.kind == "sticker" and self.mime is None):
            return True
        image = self.mime is not None and self.mime.strip().lower().startswith("image/")
        return self.kind in ("file", "sticker") and image


@dataclass(frozen=True, kw_only=True)
class Event:
    """Something that happened in one group; `event_id` is the carrier's own id for it."""

    carrier: str
    group: str  # the carrier's id of the group
    event_id: str
    at: datetime
    sender: Sender

    @property
    def type(self) -> EventType:
        raise NotImplementedError

    @property
    def key(self) -> str:
        """A key unique across carriers and groups, used for idempotency."""
        return f"{self.carrier}:{self.group}:{self.event_id}"


@dataclass(frozen=True, kw_only=True)
class Message(Event):
    """A message posted to the group."""

    kind: str = "text"  # text | picture | video | voice | link | file | sticker | ...
    text: str = ""
    attachments: tuple[Attachment, ...] = ()
    mentions: tuple[str, ...] = ()  # user ids mentioned
    reply_to: str | None = None  # the carrier's event id of the message replied to
    mentions_bot: bool = False
    # the words standing in the text for a member picked in the chat (Telegram's mention of a
    # user without a username, a Matrix pill: their display name, no `@`), for a command to
    # read past: `/mute Alice Smith 1h` points at Alice and lasts 1h
    mention_texts: tuple[str, ...] = ()

    @property
    def type(self) -> EventType:
        return EventType.MESSAGE


@dataclass(frozen=True, kw_only=True)
class Join(Event):
    """Someone joined the group."""

    inviter: str | None = None
    via: JoinMethod = JoinMethod.UNKNOWN
    source: str | None = None  # the token of the link they came by (a live code, a referral)

    @property
    def type(self) -> EventType:
        return EventType.JOIN


@dataclass(frozen=True, kw_only=True)
class Leave(Event):
    """Someone left, or was removed by `removed_by`."""

    removed_by: str | None = None

    @property
    def type(self) -> EventType:
        return EventType.LEAVE


@dataclass(frozen=True, kw_only=True)
class Edit(Event):
    """A message was edited; `target` is the edited message's event id."""

    target: str
    text: str

    @property
    def type(self) -> EventType:
        return EventType.EDIT


@dataclass(frozen=True, kw_only=True)
class Reaction(Event):
    """Someone reacted to a message."""

    target: str
    emoji: str

    @property
    def type(self) -> EventType:
        return EventType.REACTION


@dataclass(frozen=True, kw_only=True)
class Command(Event):
    """A bot command (`/checkin`, `#打卡`), already split by the carrier or the parser."""

    name: str
    args: tuple[str, ...] = ()
    text: str = ""

    @property
    def type(self) -> EventType:
        return EventType.COMMAND


@dataclass(frozen=True, kw_only=True)
class Rename(Event):
    """Someone took another name, `sender.display_name` (a QQ group card, a Matrix display
    name, a web chat nickname), said by the carrier when it happens: the stored name follows
    it at once. Not an activity: it counts as no message or join, and only the stages up to
    moderation see it (a name that advertises or poses as staff is reported at once)."""

    @property
    def type(self) -> EventType:
        return EventType.RENAME


AnyEvent = Message | Join | Leave | Edit | Reaction | Command | Rename
