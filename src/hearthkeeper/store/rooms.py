"""How full a community's groups are: who is in each, and who is on their way to it.

A group's room is its capacity less its members, the seats a live code holds there for
newcomers on their way, and the applications to it waiting for staff (each takes a seat
once approved, for `PENDING_SEAT` at most; of those made from one client network, only the
`PENDING_SEATS_PER_NETWORK` oldest in the community, so answers typed in a loop from one address
cannot fill groups, nor make a live code open new ones, for nobody). The live code's routing counts the same
(`capabilities/livecodes/repository.py`), so an approval let in elsewhere (the web chat's
next group with room, `room_elsewhere`) or waiting for room on any carrier
(`engine/no_room.py`) never takes a seat already promised. An approval about to be let in
on a carrier where people count once their join arrives (Matrix, Telegram, QQ) also counts
the approvals let in ahead of it whose applicant is not in yet (`admitted_not_in`), so one
seat freed lets in one of those waiting; the live code's routing counts every approval let in
and not in yet. Such a carrier lets an approval into the full group they applied to on a seat
free in another group: the seat they borrowed is counted taken in the group that lent it
(`lent`: in the groups with seats free, the oldest first) from then on, before their join and
for as long as they stay after it, so the groups together never hold more than their
capacities. A group without a capacity always has room."""

from __future__ import annotations

from collections import Counter
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
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
# The pending applications of one client network (`applications.network`, from a web join
# page) that hold a seat: a household or a café's Wi-Fi applies together; a script applying
# in a loop still waits for staff, without seats (approved, they are let in like anyone,
# where there is room).
PENDING_SEATS_PER_NETWORK = 3


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
    lent: int = 0  # its seats taken by approvals let into another group, full

    @property
    def promised(self) -> int:
        """Its seats taken or promised, those it lent included."""
        return self.taken + self.held + self.pending + self.admitted + self.lent

    @property
    def has_room(self) -> bool:
        return self.capacity is None or self.promised < self.capacity

    @property
    def free(self) -> int:
        """Seats it has free (0 without a capacity: it never lends)."""
        return 0 if self.capacity is None else max(0, self.capacity - self.promised)


def room_for_one_more(loads: Iterable[RoomLoad]) -> bool:
    """Whether an approval may be let into the group applied to on a carrier that lets
    people into that group, full or not, while the community has room (Matrix, Telegram,
    QQ): some group has room, the seats lent to the approvals let into a full group (in it
    or not yet) counted (`group_loads`)."""
    return any(load.has_room for load in loads)


class SqlRooms(StoreBase):
    """`SqlRooms.on(store)`: the loads of a community's groups on one carrier."""

    def loads(self, community_id: int, carrier: str, now: datetime, *,
              taken: Mapping[int, int] | None = None,
              approval: int | None = None) -> list[RoomLoad]:  # fmt: skip
        """The community's groups on `carrier` at `now`, oldest first, each with its members
        (or, given `taken`, the carrier's own count by group id: the web chat's seats), its
        live seats held, its pending applications and its seats lent; given `approval` (the
        outbox id of an approval about to be let in), the approvals let in ahead of it not in
        yet."""
        with self._unit(write=False) as session:
            return group_loads(session, community_id, carrier, now, taken=taken,
                               admitted_ahead_of=approval)  # fmt: skip


def group_loads(session: Session, community_id: int, carrier: str, now: datetime, *,
                taken: Mapping[int, int] | None = None, admitted: bool = False,
                admitted_ahead_of: int | None = None) -> list[RoomLoad]:  # fmt: skip
    """`SqlRooms.loads` in `session`. The approvals let in not in yet are counted given
    `admitted_ahead_of` (those ahead of that outbox item) or `admitted` (all of them)."""
    groups = open_groups(session, community_id, carrier)
    ids = [g.id for g in groups]
    if not ids:
        return []
    if taken is None:
        taken = members_in(session, ids)
    held = held_seats(session, ids, now)
    pending = pending_applications(session, community_id, ids, now)
    let_in = Counter[int]()
    if admitted or admitted_ahead_of is not None:
        let_in = admitted_not_in(session, community_id, carrier, now, ahead_of=admitted_ahead_of)
    loads = [RoomLoad(g.id, g.capacity, taken.get(g.id, 0), held[g.id], pending[g.id],
                      let_in[g.id]) for g in groups]  # fmt: skip
    over = {load.group_id: load.promised - load.capacity for load in loads
            if load.capacity is not None and load.promised > load.capacity}  # fmt: skip
    if not over:
        return loads
    # Past its capacity, a group's approvals (let in, in it or on their way) sit on seats of
    # other groups; whoever else is past it (its capacity lowered since, someone let in on
    # the platform by hand) borrowed nobody's seat.
    approved = approved_in(session, community_id, carrier, list(over))
    loads_by_id = {load.group_id: load for load in loads}
    borrowed = sum(min(n, approved[g] + loads_by_id[g].admitted) for g, n in over.items())
    return lend(loads, borrowed)


def lend(loads: Sequence[RoomLoad], borrowed: int) -> list[RoomLoad]:
    """`loads` with `borrowed` seats (taken by approvals let into full groups) counted in the
    groups with seats free, the oldest first."""
    lent: list[RoomLoad] = []
    for load in loads:
        given = min(borrowed, load.free)
        borrowed -= given
        lent.append(replace(load, lent=given) if given else load)
    return lent


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
    """Applications to each group waiting for staff, made within `PENDING_SEAT` of `now`,
    that hold a seat: all those of no known network, the `PENDING_SEATS_PER_NETWORK` oldest of
    each network in the community (whichever groups they applied to)."""
    p = ApplicationRow
    order = func.row_number().over(partition_by=p.network, order_by=(p.created_at, p.id))
    waiting = (
        select(p.group_id, p.network, order.label("place"))
        .where(p.community_id == community_id, p.status == ApplicationStatus.PENDING.value,
               p.created_at > utc(now, "now") - PENDING_SEAT)
        .subquery()
    )  # fmt: skip
    w = waiting.c
    return counts(session.execute(
        select(w.group_id, func.count())
        .where(w.group_id.in_(group_ids),
               or_(w.network.is_(None), w.place <= PENDING_SEATS_PER_NETWORK))
        .group_by(w.group_id)))  # fmt: skip


def admitted_not_in(session: Session, community_id: int, carrier: str, now: datetime, *,
                    ahead_of: int | None = None) -> Counter[int]:  # fmt: skip
    """Approvals of the community on `carrier` already let into each group whose applicant
    has not joined it yet (no stay there open, or ended, since the approval): those performed
    within `PENDING_SEAT` of `now` (a Matrix invitation may be accepted days later), and those
    being performed (given `ahead_of`, an outbox item's id: only those claimed before it, in
    the order of approval; a carrier that marks its batch done at the end, as Matrix, has not
    marked them yet)."""
    a, o, m, i = ApplicationRow, OutboxRow, MembershipRow, IdentityRow
    since = utc(now, "now") - PENDING_SEAT
    joined = (
        select(m.id)
        .join(i, i.member_id == m.member_id)
        .where(i.carrier == a.carrier, i.carrier_user_id == a.user_id, m.group_id == o.group_id,
               or_(m.left_at.is_(None), m.left_at >= o.created_at))
    )  # fmt: skip
    sending = o.status == OutboxStatus.SENDING.value
    let_in = or_(
        and_(o.status == OutboxStatus.DONE.value, o.done_at > since),
        sending if ahead_of is None else and_(sending, o.id < ahead_of),
    )
    return counts(session.execute(
        select(o.group_id, func.count())
        .select_from(a)
        .join(o, o.key == literal(APPROVED) + cast(a.id, String))
        .where(a.community_id == community_id, a.carrier == carrier,
               a.status == ApplicationStatus.APPROVED.value, o.group_id.is_not(None), let_in,
               ~joined.exists())
        .group_by(o.group_id)))  # fmt: skip


def approved_in(session: Session, community_id: int, carrier: str,
                group_ids: Collection[int]) -> Counter[int]:  # fmt: skip
    """Members in each of `group_ids` now who were let in there by an approval on `carrier`
    (some of them may sit on another group's seat: `group_loads`)."""
    a, o, m, i = ApplicationRow, OutboxRow, MembershipRow, IdentityRow
    return counts(session.execute(
        select(m.group_id, func.count(m.member_id.distinct()))
        .select_from(a)
        .join(o, o.key == literal(APPROVED) + cast(a.id, String))
        .join(i, and_(i.carrier == a.carrier, i.carrier_user_id == a.user_id))
        .join(m, and_(m.member_id == i.member_id, m.group_id == o.group_id))
        .where(a.community_id == community_id, a.carrier == carrier,
               a.status == ApplicationStatus.APPROVED.value,
               o.status == OutboxStatus.DONE.value, o.group_id.in_(group_ids),
               m.left_at.is_(None))
        .group_by(m.group_id)))  # fmt: skip


def counts(rows: Iterable[tuple[int, int]]) -> Counter[int]:
    return Counter({key: int(n) for key, n in rows})
