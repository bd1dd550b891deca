"""How full a community's groups are: who is in each, and who is on their way to it.

A group's room is its capacity less its members, the seats a live code holds there for
newcomers on their way, and the applications to it waiting for staff (each takes a seat
once approved, for `PENDING_SEAT` at most). The live code's routing counts the same
(`capabilities/livecodes/repository.py`), so an approval let in elsewhere (the web chat's
next group with room, `room_elsewhere`) or waiting for room on any carrier
(`engine/no_room.py`) never takes a seat already promised. An approval about to be let in
on a carrier where people count once their join arrives (Matrix, Telegram, QQ) also counts
the approvals let in ahead of it whose applicant is not in yet (`admitted_not_in`), so one
seat freed lets in one of those waiting. A group without a capacity always has room."""

from __future__ import annotations

from collections import Counter
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Row, String, and_, cast, func, literal, or_, select
from sqlalchemy.orm import Session

from hearthkeeper.store.columns import utc
from hearthkeeper.store.join_sources import KEPT
from hearthkeeper.store.models import (
    ApplicationRow,
    GroupRow,
    IdentityRow,
    LiveCodeRoutingRow,
    MembershipRow,
    OutboxRow,
)
from hearthkeeper.store.records import ApplicationStatus, OutboxStatus
from hearthkeeper.store.scope import StoreBase
from hearthkeeper.store.waiting_admissions import APPROVED

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
    admitted: int = 0  # approvals let in whose applicant has not joined yet

    @property
    def has_room(self) -> bool:
        promised = self.taken + self.held + self.pending + self.admitted
        return self.capacity is None or promised < self.capacity

    @property
    def free(self) -> int:
        """Seats free for an approval, before those let in (none past a group's capacity)."""
        if self.capacity is None:
            return 0
        return max(0, self.capacity - self.taken - self.held - self.pending)


def room_for_one_more(loads: Iterable[RoomLoad]) -> bool:
    """Whether an approval may be let into the group applied to on a carrier that lets
    people into that group, full or not, while the community has room (Matrix, Telegram,
    QQ): a group without a capacity, or more seats free in the groups together than the
    approvals let in and not in yet (one let into a full group takes another's seat)."""
    loads = list(loads)
    if any(load.capacity is None for load in loads):
        return True
    return sum(load.free for load in loads) > sum(load.admitted for load in loads)


class SqlRooms(StoreBase):
    """`SqlRooms.on(store)`: the loads of a community's groups on one carrier."""

    def loads(self, community_id: int, carrier: str, now: datetime, *,
              taken: Mapping[int, int] | None = None,
              approval: int | None = None) -> list[RoomLoad]:  # fmt: skip
        """The community's groups on `carrier` at `now`, oldest first, each with its members
        (or, given `taken`, the carrier's own count by group id: the web chat's seats), its
        live seats held and its pending applications; given `approval` (the outbox id of an
        approval about to be let in), the approvals let in ahead of it not in yet."""
        with self._unit(write=False) as session:
            groups = open_groups(session, community_id, carrier)
            ids = [g.id for g in groups]
            if not ids:
                return []
            if taken is None:
                taken = members_in(session, ids)
            held = held_seats(session, ids, now)
            pending = pending_applications(session, community_id, ids, now)
            admitted = (Counter[int]() if approval is None
                        else admitted_not_in(session, community_id, carrier, approval, now))  # fmt: skip
        return [RoomLoad(g.id, g.capacity, taken.get(g.id, 0), held[g.id], pending[g.id],
                         admitted[g.id]) for g in groups]  # fmt: skip


def open_groups(
    session: Session, community_id: int, carrier: str
) -> Sequence[Row[int, int | None]]:
    """The community's open groups on `carrier` (id, capacity), oldest first: a closed group
    seats nobody."""
    return session.execute(
        select(GroupRow.id, GroupRow.capacity)
        .where(GroupRow.community_id == community_id, GroupRow.carrier == carrier,
               GroupRow.closed_at.is_(None))
        .order_by(GroupRow.id)
    ).all()  # fmt: skip


def members_in(session: Session, group_ids: Collection[int]) -> Counter[int]:
    """Members in each group now (stays not ended)."""
    return counts(session.execute(
        select(MembershipRow.group_id, func.count())
        .where(MembershipRow.group_id.in_(group_ids), MembershipRow.left_at.is_(None))
        .group_by(MembershipRow.group_id)))  # fmt: skip


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


def admitted_not_in(session: Session, community_id: int, carrier: str, approval: int,
                    now: datetime) -> Counter[int]:  # fmt: skip
    """Approvals of the community on `carrier` already let into each group whose applicant
    has not joined it yet (no stay there open, or ended, since the approval): those performed
    within `PENDING_SEAT` of `now` (a Matrix invitation may be accepted days later), and those
    being performed ahead of outbox item `approval` (claimed before it, in the order of
    approval; a carrier that marks its batch done at the end, as Matrix, has not marked them
    yet)."""
    a, o, m, i = ApplicationRow, OutboxRow, MembershipRow, IdentityRow
    since = utc(now, "now") - PENDING_SEAT
    joined = (
        select(m.id)
        .join(i, i.member_id == m.member_id)
        .where(i.carrier == a.carrier, i.carrier_user_id == a.user_id, m.group_id == o.group_id,
               or_(m.left_at.is_(None), m.left_at >= o.created_at))
    )  # fmt: skip
    let_in = or_(
        and_(o.status == OutboxStatus.DONE.value, o.done_at > since),
        and_(o.status == OutboxStatus.SENDING.value, o.id < approval),
    )
    return counts(session.execute(
        select(o.group_id, func.count())
        .select_from(a)
        .join(o, o.key == literal(APPROVED) + cast(a.id, String))
        .where(a.community_id == community_id, a.carrier == carrier,
               a.status == ApplicationStatus.APPROVED.value, o.group_id.is_not(None), let_in,
               ~joined.exists())
        .group_by(o.group_id)))  # fmt: skip


def counts(rows: Iterable[tuple[int, int]]) -> Counter[int]:
    return Counter({key: int(n) for key, n in rows})
