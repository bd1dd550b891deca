"""Points the capability reads and spends: balances, the once-a-day sharing reward and rewards
redeemed with points. Entries are written through the core ledger (`store/points.py`, also
used by the engine for AWARD_POINTS actions); `SqlPoints.on(tx)` adds the rest on the
caller's transaction."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Protocol

from sqlalchemy import func, select

from hearthkeeper.store.columns import utc
from hearthkeeper.store.locks import lock_row
from hearthkeeper.store.models import CommunityRow, MemberRow, PointsRow, RedemptionRow
from hearthkeeper.store.points import PointsQueries
from hearthkeeper.store.records import PointsEntry


class RedeemOutcome(StrEnum):
    REDEEMED = "redeemed"
    SHORT = "short"  # not enough points
    SOLD_OUT = "sold_out"


@dataclass(frozen=True)
class Redemption:
    """What became of a redemption: the balance after it (or as it stands) and stock left."""

    outcome: RedeemOutcome
    reward: str
    cost: int
    balance: int
    left: int | None  # None: unlimited


class Points(Protocol):
    """The points queries the capability (and the member card) needs."""

    def award_points(self, community_id: int, member_id: int, points: int, reason: str,
                     at: datetime, *, event_id: int | None = None) -> PointsEntry: ...  # fmt: skip
    def points_of(self, community_id: int, member_id: int) -> int: ...
    def award_once(self, community_id: int, member_id: int, points: int, reason: str,
                   at: datetime, since: datetime, *, event_id: int | None = None) -> bool: ...  # fmt: skip
    def redeem(self, community_id: int, member_id: int, reward: str, cost: int,
               stock: int | None, at: datetime, *, event_id: int | None = None) -> Redemption: ...  # fmt: skip
    def redeemed(self, community_id: int) -> dict[str, int]: ...


class SqlPoints(PointsQueries):
    """`Points` on SQLAlchemy (the ledger's `award_points` comes from the core store)."""

    def points_of(self, community_id: int, member_id: int) -> int:
        """The member's balance in the community: the sum of its ledger entries."""
        query = select(func.coalesce(func.sum(PointsRow.points), 0)).where(
            PointsRow.community_id == community_id, PointsRow.member_id == member_id
        )
        self.flush_deferred()  # a check-in's points may wait to be written
        self.flush_deferred()  # a check-in's points may wait to be written
        self.flush_deferred()  # a check-in's points may wait to be written
        with self._unit(write=False) as session:
            return int(session.scalar(query) or 0)

    def award_once(
        self, community_id: int, member_id: int, points: int, reason: str, at: datetime,
        since: datetime, *, event_id: int | None = None,
    ) -> bool:  # fmt: skip
        """Award points unless the member already got points for `reason` since `since`
        (sharing: once a day); False when they had."""
        at, since = utc(at, "points time"), utc(since, "since")
        with self._unit(write=True) as session:
            lock_row(session, MemberRow, member_id)
            earlier = session.scalar(
                select(PointsRow.id).where(
                    PointsRow.community_id == community_id, PointsRow.member_id == member_id,
                    PointsRow.reason == reason, PointsRow.at >= since,
                ).limit(1)
            )  # fmt: skip
            if earlier is not None:
                return False
            session.add(PointsRow(community_id=community_id, member_id=member_id, points=points,
                                  reason=reason, at=at, event_id=event_id))  # fmt: skip
            session.flush()
            return True

    def redeem(
        self, community_id: int, member_id: int, reward: str, cost: int, stock: int | None,
        at: datetime, *, event_id: int | None = None,
    ) -> Redemption:  # fmt: skip
        """Spend `cost` points on `reward`: a redemption and a negative ledger entry, or a
        refusal (not enough points, none left). Redemptions in a community are serialised,
        so the last one in stock goes to exactly one member."""
        at = utc(at, "redemption time")
        with self._unit(write=True) as session:
            lock_row(session, CommunityRow, community_id)
            balance = int(session.scalar(
                select(func.coalesce(func.sum(PointsRow.points), 0)).where(
                    PointsRow.community_id == community_id, PointsRow.member_id == member_id)
            ) or 0)  # fmt: skip
            taken = int(session.scalar(
                select(func.count()).where(RedemptionRow.community_id == community_id,
                                           RedemptionRow.reward == reward)
            ) or 0)  # fmt: skip
            left = None if stock is None else max(stock - taken, 0)
            if left == 0:
                return Redemption(RedeemOutcome.SOLD_OUT, reward, cost, balance, 0)
            if balance < cost:
                return Redemption(RedeemOutcome.SHORT, reward, cost, balance, left)
            session.add_all([
                RedemptionRow(community_id=community_id, member_id=member_id, reward=reward,
                              points=cost, at=at),
                PointsRow(community_id=community_id, member_id=member_id, points=-cost,
                          reason=f"redeemed {reward}", at=at, event_id=event_id),
            ])  # fmt: skip
            session.flush()
            return Redemption(RedeemOutcome.REDEEMED, reward, cost, balance - cost,
                              None if left is None else left - 1)  # fmt: skip

    def redeemed(self, community_id: int) -> dict[str, int]:
        """How many of each reward were redeemed in the community."""
        query = (
            select(RedemptionRow.reward, func.count())
            .where(RedemptionRow.community_id == community_id)
            .group_by(RedemptionRow.reward)
        )
        with self._unit(write=False) as session:
            return {reward: int(n) for reward, n in session.execute(query)}
