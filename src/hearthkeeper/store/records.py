"""What the store hands out: small frozen records that outlive any database session."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any


class MessageKind(StrEnum):
    """What a chat message carries (stored as its string value)."""

    TEXT = "text"
    PICTURE = "picture"
    VIDEO = "video"
    VOICE = "voice"
    LINK = "link"
    FILE = "file"
    STICKER = "sticker"
    SYSTEM = "system"
    OTHER = "other"


@dataclass(frozen=True)
class Community:
    id: int
    slug: str
    name: str
    created_at: datetime


@dataclass(frozen=True)
class Group:
    id: int
    community_id: int
    name: str
    carrier: str
    carrier_group_id: str
    capacity: int | None
    created_at: datetime


@dataclass(frozen=True)
class Member:
    """A person, across every community and carrier they were seen on."""

    id: int
    display_name: str
    profile: Mapping[str, Any]
    notes: str
    created_at: datetime


@dataclass(frozen=True)
class Identity:
    """How one carrier names a member."""

    member_id: int
    carrier: str
    carrier_user_id: str


@dataclass(frozen=True)
class MemberTag:
    tag: str
    set_by: str
    set_at: datetime


@dataclass(frozen=True)
class Membership:
    """One stay of a member in a group; a rejoin is a new stay."""

    id: int
    member_id: int
    group_id: int
    role: str | None
    level: int | None
    joined_at: datetime
    left_at: datetime | None


@dataclass(frozen=True)
class Message:
    id: int
    group_id: int
    member_id: int | None
    carrier_event_id: str
    kind: MessageKind
    text: str
    sent_at: datetime
    recorded_at: datetime
    reply_to_id: int | None
    reply_to_event_id: str | None
    mentions: tuple[int, ...]


@dataclass(frozen=True)
class PlaybookVersion:
    id: int
    community_id: int
    version: int
    source_text: str
    content: Mapping[str, Any]
    sha256: str
    applied_at: datetime
    applied_by: str


@dataclass(frozen=True)
class AuditEntry:
    id: int
    at: datetime
    actor: str
    community_id: int | None
    action: str
    target: str
    detail: Mapping[str, Any]
