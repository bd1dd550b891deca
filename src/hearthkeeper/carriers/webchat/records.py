"""What the web chat's repositories hand out: its members, seats, messages and queued events."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from hearthkeeper.store import Group


@dataclass(frozen=True)
class WebUser:
    """A web chat member's browser identity (`user_id` is the carrier's id: "w-…")."""

    id: int
    user_id: str
    nickname: str
    created_at: datetime


@dataclass(frozen=True)
class Newcomer:
    """A browser identity not stored yet (`token_hash`: its cookie token's hash): stored by
    the transaction that seats them or takes their application, so a join that fails (a
    database busy past its timeout) leaves no identity behind."""

    user_id: str
    token_hash: str
    nickname: str


@dataclass(frozen=True)
class WebSeat:
    """A web chat user's place in a group: in or out, muted until when, banned."""

    group_id: int
    user_id: str
    joined_at: datetime
    left_at: datetime | None
    muted_until: datetime | None
    mute_reason: str | None
    banned_at: datetime | None
    ban_reason: str | None

    @property
    def seated(self) -> bool:
        """In the group now (joined and not left)."""
        return self.left_at is None and self.banned_at is None


@dataclass(frozen=True)
class SeatedUser:
    """Someone in a web chat group now, as mentions and the member count need them."""

    user_id: str
    nickname: str


class SeatOutcome(StrEnum):
    """What asking for a seat in a web chat group came to."""

    JOINED = "joined"  # a new stay began
    ALREADY = "already"  # already in the group: nothing changed
    FULL = "full"
    BANNED = "banned"


@dataclass(frozen=True)
class SeatRequest:
    """The answer to a join: the outcome, the seat as it is now and the seats taken."""

    outcome: SeatOutcome
    seat: WebSeat | None
    taken: int


class NicknameTaken(Exception):
    """Someone else in group `group_id` has a nickname that looks the same as the one asked
    for (`other`): read under the group's lock, so two joins or renames at once cannot both
    pass the check."""

    def __init__(self, group_id: int, other: str) -> None:
        super().__init__(f"someone in group {group_id} is already called {other!r}")
        self.group_id = group_id
        self.other = other


@dataclass(frozen=True)
class WebChatMessage:
    """A message on the web chat, from a member or the bot (`user_id` None)."""

    id: int
    group_id: int
    user_id: str | None
    nickname: str
    kind: str  # text | picture
    text: str
    picture: str | None
    reply_to: int | None
    mentions: tuple[str, ...]
    sent_at: datetime
    deleted_at: datetime | None
    deleted_reason: str | None
    action_key: str | None
    format: str | None = None  # "markdown": a scheduled post's, shown formatted; None: as typed
    visible_to: str | None = None  # the one member shown it (a private reply); None: everyone


@dataclass(frozen=True)
class QueuedChatEvent:
    """A member's message, join or leave waiting in the web chat's queue for the engine;
    `recorded` when the engine's `events` already hold it (delivered before a crash)."""

    id: int  # the queue's own order
    group_id: int
    carrier_group_id: str
    event_id: str
    kind: str  # message | join | leave
    user_id: str
    nickname: str  # the member's name now (a message: as it was sent)
    at: datetime
    message: WebChatMessage | None  # kind == "message"
    removed_by: str | None
    mentions_bot: bool
    recorded: bool
    source: str | None = None  # a join: the token of the link the member came by


@dataclass(frozen=True)
class WebChatRoom:
    """A web chat group with its community's name, its invite code and the seats taken."""

    group: Group
    community: str
    invite_code: str | None
    taken: int
