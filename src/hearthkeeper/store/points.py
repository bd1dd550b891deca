"""The points ledger: entries are never changed. The engine writes them for AWARD_POINTS
actions and capabilities for their rewards; balances and redemptions are the points
capability's (`capabilities/points/repository.py`)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import insert
from sqlalchemy.exc import IntegrityError

from hearthkeeper.store.columns import utc
from hearthkeeper.store.errors import StoreError
from hearthkeeper.store.inserts import table_of
from hearthkeeper.store.models import PointsRow
from hearthkeeper.store.records import PointsEntry
from hearthkeeper.store.scope import StoreBase

_POINTS = table_of(PointsRow)
_INSERT = insert(_POINTS).returning(_POINTS.c.id)


class PointsQueries(StoreBase):
    def award_points(
        self,
        community_id: int,
        member_id: int,
        points: int,
        reason: str,
        at: datetime,
        *,
        event_id: int | None = None,
        known: bool = False,
    ) -> PointsEntry:
        """Add an entry to the member's points in the community (negative to redeem).
        `known`: the caller has just read or written the member, community and event in
        this transaction, so no savepoint guards the row (a refused row would be a bug and
        fail the transaction as any other)."""
        at = utc(at, "points time")
        values = {
            "community_id": community_id, "member_id": member_id, "points": points,
            "reason": reason, "at": at, "event_id": event_id,
        }  # fmt: skip
        with self._unit(write=True) as session:
            if known:  # one statement: a check-in's award is on the engine's path
                new_id = session.connection().execute(_INSERT, values).scalar_one()
                return PointsEntry(id=new_id, community_id=community_id, member_id=member_id,
                                   points=points, reason=reason, at=at, event_id=event_id)  # fmt: skip
            # a plain INSERT in a savepoint (points are awarded on the engine's path, once per
            # check-in: the ORM's unit of work cost more than the statement)
            try:
                with session.begin_nested():
                    new_id = session.connection().execute(_INSERT, values).scalar_one()
            except IntegrityError:
                raise StoreError(
                    f"cannot award points to member {member_id} in community {community_id}: "
                    f"the member, community or event {event_id} does not exist"
                ) from None
            return PointsEntry(id=new_id, community_id=community_id, member_id=member_id,
                               points=points, reason=reason, at=at, event_id=event_id)  # fmt: skip
