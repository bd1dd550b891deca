"""What the poll repository gives back: polls and their votes."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True)
class Poll:
    """A poll started by staff."""

    id: int
    community_id: int
    group_id: int
    question: str
    options: tuple[str, ...]
    multiple: bool
    anonymous: bool
    deadline: datetime
    created_by: int | None
    status: str  # open | closed
    created_at: datetime
    closed_at: datetime | None


@dataclass(frozen=True)
class PollVote:
    """One member's vote for one option (an index into the poll's options)."""

    poll_id: int
    member_id: int
    display_name: str  # the voter's name (their carrier id when they gave none)
    option: int
    at: datetime
