"""The points ledger: entries are never changed. The engine writes them for AWARD_POINTS
actions and capabilities for their rewards; balances and redemptions are the points
capability's (`capabilities/points/repository.py`)."""

from __future__ import annotations

from datetime import datetime

from hearthkeeper.store.columns import utc
from hearthkeeper.store.errors import StoreError
from hearthkeeper.store.models import PointsRow
from hearthkeeper.store.records import PointsEntry
from hearthkeeper.store.scope import StoreBase


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
    ) -> PointsEntry:
        """Add an entry to the member's points in the community (negative to redeem)."""
        row = PointsRow(
            community_id=community_id,
            member_id=member_id,
            points=points,
            reason=reason,
            at=utc(at, "points time"),
            event_id=event_id,
        )
        with self._unit(write=True) as session:
            if not self._try_insert(session, row):
                raise StoreError(
                    f"cannot award points to member {member_id} in community {community_id}: "
                    f"the member, community or event {event_id} does not exist"
                )
            return PointsEntry(
                id=row.id,
                community_id=row.community_id,
                member_id=row.member_id,
                points=row.points,
                reason=row.reason,
                at=row.at,
                event_id=row.event_id,
            )
