"""How full a community's groups are: who is in each, and who is on their way to it.

A group's room is its capacity less its members, the seats a live code holds there for
newcomers on their way, and the applications to it waiting for staff (each takes a seat
once approved, for `PENDING_SEAT` at most). The live code's routing counts the same
(`capabilities/livecodes/repository.py`), so an approval let in elsewhere (the web chat's
next group with room, `room_elsewhere`) or waiting for room on any carrier
(`engine/no_room.py`) never takes a seat already promised. A group without a capacity
always has room."""

from __future__ import annotations

from collections import Counter
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from hearthkeeper.store.columns import utc
from hearthkeeper.store.join_sources import KEPT
from hearthkeeper.store.models import ApplicationRow, GroupRow, LiveCodeRoutingRow, MembershipRow
from hearthkeeper.store.records import ApplicationStatus
from hearthkeeper.store.scope import StoreBase

# An application waiting for staff counts against its group's room for as long as the link
# it came by would still credit its join (an application left longer is no longer expected).
PENDING_SEAT = KEPT


@dataclass(frozen=True)
class RoomLoad:
    """A group as an approval sees it: its capacity (None: no limit), who is in it, seats
    held there for newcomers by live code, applications to it waiting for staff."""

    group_id: int
    capacity: int | None
    taken: int  # members in it (the web chat: seats taken)
    held: int = 0
    pending: int = 0

    @property
    def has_room(self) -> bool:
        return self.capacity is None or self.taken + self.held + self.pending < self.capacity


class SqlRooms(StoreBase):
    """`SqlRooms.on(store)`: the loads of a community's groups on one carrier."""

    def loads(self, community_id: int, carrier: str, now: datetime, *,
              taken: Mapping[int, int] | None = None) -> list[RoomLoad]:  # fmt: skip
        """The community's groups on `carrier` at `now`, oldest first, each with its members
        (or, given `taken`, the carrier's own count by group id: the web chat's seats), its
        live seats held and its pending applications."""
        with self._unit(write=False) as session:
            groups = session.execute(
                select(GroupRow.id, GroupRow.capacity)
                .where(
                    GroupRow.community_id == community_id,
                    GroupRow.carrier == carrier,
                    GroupRow.closed_at.is_(None),
                )  # a closed group seats nobody
                .order_by(GroupRow.id)
            ).all()
            ids = [g.id for g in groups]
            if not ids:
                return []
            if taken is None:
                taken = counts(session.execute(
                    select(MembershipRow.group_id, func.count())
                    .where(MembershipRow.group_id.in_(ids), MembershipRow.left_at.is_(None))
                    .group_by(MembershipRow.group_id)))  # fmt: skip
            held = held_seats(session, ids, now)
            pending = pending_applications(session, community_id, ids, now)
        return [RoomLoad(g.id, g.capacity, taken.get(g.id, 0), held[g.id], pending[g.id])
                for g in groups]  # fmt: skip


def held_seats(session: Session, group_ids: Collection[int], now: datetime) -> Counter[int]:
    """Seats a live code holds in each group for newcomers on their way, at `now`."""
    r = LiveCodeRoutingRow
    return counts(session.execute(
        select(r.group_id, func.count())
        .where(r.group_id.in_(group_ids), r.arrived_at.is_(None), r.expires_at > utc(now, "now"))
        .group_by(r.group_id)))  # fmt: skip


def pending_applications(session: Session, community_id: int, group_ids: Collection[int],
                         now: datetime) -> Counter[int]:  # fmt: skip
    """Applications to each group waiting for staff, made within `PENDING_SEAT` of `now`."""
    p = ApplicationRow
    return counts(session.execute(
        select(p.group_id, func.count())
        .where(p.community_id == community_id, p.status == ApplicationStatus.PENDING.value, p.group_id.in_(group_ids),
               p.created_at > utc(now, "now") - PENDING_SEAT)
        .group_by(p.group_id)))  # fmt: skip


def counts(rows: Iterable[tuple[int, int]]) -> Counter[int]:
    return Counter({key: int(n) for key, n in rows})
