"""How full a community's groups are: members in each against its capacity.

An approved applicant is let in only where there is room (`engine/no_room.py`, and the web
chat's seating): a group without a capacity always has room."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass

from sqlalchemy import func, select

from hearthkeeper.store.models import GroupRow, MembershipRow
from hearthkeeper.store.scope import StoreBase


@dataclass(frozen=True)
class RoomLoad:
    """A group as an approval sees it: its capacity (None: no limit) and who is in it."""

    group_id: int
    capacity: int | None
    taken: int  # members in it (the web chat: seats taken)

    @property
    def has_room(self) -> bool:
        return self.capacity is None or self.taken < self.capacity


class SqlRooms(StoreBase):
    """`SqlRooms.on(store)`: the loads of a community's groups on one carrier."""

    def loads(self, community_id: int, carrier: str, *,
              taken: Mapping[int, int] | None = None) -> list[RoomLoad]:  # fmt: skip
        """The community's groups on `carrier`, oldest first, each with its members (or,
        given `taken`, the carrier's own count by group id: the web chat's seats)."""
        with self._unit(write=False) as session:
            groups = session.execute(
                select(GroupRow.id, GroupRow.capacity)
                .where(GroupRow.community_id == community_id, GroupRow.carrier == carrier)
                .order_by(GroupRow.id)
            ).all()
            ids = [g.id for g in groups]
            if taken is None and ids:
                taken = Counter({group_id: count for group_id, count in session.execute(
                    select(MembershipRow.group_id, func.count())
                    .where(MembershipRow.group_id.in_(ids), MembershipRow.left_at.is_(None))
                    .group_by(MembershipRow.group_id))})  # fmt: skip
        counts = taken or {}
        return [RoomLoad(g.id, g.capacity, counts.get(g.id, 0)) for g in groups]
