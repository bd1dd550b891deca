"""What the live-code repository hands out: channels, a group's load as routing sees it,
and a channel's attribution figures."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

# Carriers whose joins may come without the link's token though a live code sent the
# newcomer: a Matrix room can be opened by its matrix.to link, which names no channel (the
# join page's invitation does carry it, `carriers/matrix/join.py`).
UNTAGGED = frozenset({"matrix"})


class ChannelKind(StrEnum):
    """Where a live code is shown (seed 003: posters, partner communities, self-media)."""

    POSTER = "poster"
    PARTNER = "partner"
    SELF_MEDIA = "self_media"
    OTHER = "other"


@dataclass(frozen=True)
class Channel:
    """One channel's live code: `/go/<slug>` routes to the community's groups on `carrier`."""

    id: int
    community_id: int
    slug: str
    label: str
    kind: ChannelKind
    notes: str
    carrier: str
    created_at: datetime
    created_by: str
    retired_at: datetime | None

    @property
    def source(self) -> str:
        """The token its links carry, `code:<slug>` (the engine's `Join.source`)."""
        return f"code:{self.slug}"

    @property
    def retired(self) -> bool:
        return self.retired_at is not None


@dataclass(frozen=True)
class GroupLoad:
    """A group as routing sees it: members in it, seats held for newcomers on their way,
    applications to it waiting for staff, approvals let in and not in yet, seats lent to
    approvals let into a full group, and how many came by live code today (arrived or on
    their way)."""

    group_id: int
    capacity: int | None
    members: int
    held: int
    today: int
    pending: int = 0  # applicants waiting for staff: each takes a seat once approved
    admitted: int = 0  # approvals let in whose applicant has not joined yet
    lent: int = 0  # seats taken by approvals let into a full group (`store/rooms.py`)

    @property
    def size(self) -> int:
        return self.members + self.held + self.pending + self.admitted + self.lent


@dataclass(frozen=True)
class ChannelStats:
    """Who a channel brought: `arrived` joins by its code; of the members who arrived at
    least `stay_days` ago (`settled`), `stayed` were still in that group `stay_days` after
    arriving; `spoke` posted at least once there; `paid` paid for a membership
    of the community (a purchase or renewal in the billing ledger)."""

    channel: Channel
    arrived: int
    settled: int
    stayed: int
    spoke: int
    paid: int
