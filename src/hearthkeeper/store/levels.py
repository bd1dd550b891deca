"""The member pyramid (levels and their changes), the activity that earns them, and rewards
bought with points."""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime, tzinfo

from sqlalchemy import exists, func, select, update
from sqlalchemy.orm import Session

from hearthkeeper.store.columns import utc
from hearthkeeper.store.inserts import insert_ignoring, table_of
from hearthkeeper.store.models import (
    Base,
    CheckInRow,
    CommunityRow,
    GroupRow,
    LevelChangeRow,
    MemberLevelRow,
    MemberRow,
    MembershipRow,
    MessageRow,
    PointsRow,
    RedemptionRow,
)
from hearthkeeper.store.records import (
    Activity,
    LevelChange,
    MemberLevel,
    RedeemOutcome,
    Redemption,
)
from hearthkeeper.store.scope import StoreBase


def lock_row(session: Session, model: type[Base], row_id: int) -> None:
    """Serialise writers on one row until the transaction ends. PostgreSQL takes a row lock
    that does not block foreign-key checks; SQLite writers are serialised already."""
    if session.get_bind().dialect.name == "postgresql":
        table = table_of(model)
        session.execute(
            select(table.c.id).where(table.c.id == row_id).with_for_update(key_share=True)
        )


class LevelQueries(StoreBase):
    def member_level(self, community_id: int, member_id: int) -> MemberLevel | None:
        """The member's level in the community; None: never placed (the bottom level)."""
        with self._unit(write=False) as session:
            row = session.get(MemberLevelRow, (community_id, member_id))
            return None if row is None else _level(row)

    def members_at(self, community_id: int, levels: Collection[str]) -> list[MemberLevel]:
        """Members whose level is one of `levels`."""
        query = (
            select(MemberLevelRow)
            .where(MemberLevelRow.community_id == community_id, MemberLevelRow.level.in_(levels))
            .order_by(MemberLevelRow.member_id)
        )
        with self._unit(write=False) as session:
            return [_level(row) for row in session.scalars(query)]

    def change_level(
        self, community_id: int, member_id: int, expected: str | None, to_level: str,
        reason: str, at: datetime,
    ) -> LevelChange | None:  # fmt: skip
        """Move the member from `expected` (None: never placed) to `to_level`, recording why;
        None (and nothing changed) when someone else changed the level first."""
        at = utc(at, "level change time")
        with self._unit(write=True) as session:
            if expected is None:
                inserted = session.execute(
                    insert_ignoring(session, MemberLevelRow, ("community_id", "member_id")).values(
                        community_id=community_id, member_id=member_id, level=to_level, since=at
                    )
                )
                changed = inserted.rowcount  # type: ignore[attr-defined]
            else:
                changed = session.execute(
                    update(MemberLevelRow)
                    .where(
                        MemberLevelRow.community_id == community_id,
                        MemberLevelRow.member_id == member_id,
                        MemberLevelRow.level == expected,
                    )
                    .values(level=to_level, since=at)
                ).rowcount  # type: ignore[attr-defined]
            if not changed:
                return None
            row = LevelChangeRow(community_id=community_id, member_id=member_id,
                                 from_level=expected, to_level=to_level, reason=reason, at=at)  # fmt: skip
            session.add(row)
            session.flush()
            return _change(row)

    def level_changes(self, community_id: int, member_id: int | None = None) -> list[LevelChange]:
        """Promotions and demotions in the community (of one member, when given), oldest first."""
        query = select(LevelChangeRow).where(LevelChangeRow.community_id == community_id)
        if member_id is not None:
            query = query.where(LevelChangeRow.member_id == member_id)
        with self._unit(write=False) as session:
            rows = session.scalars(query.order_by(LevelChangeRow.at, LevelChangeRow.id))
            return [_change(row) for row in rows]

    def activity(
        self, community_id: int, member_id: int, since: datetime, zone: tzinfo
    ) -> Activity:
        """What the member did in the community from `since` on: points earned, messages,
        days with a message (days in `zone`), check-ins."""
        since = utc(since, "since")
        earned = select(func.coalesce(func.sum(PointsRow.points), 0)).where(
            PointsRow.community_id == community_id, PointsRow.member_id == member_id,
            PointsRow.points > 0, PointsRow.at >= since,
        )  # fmt: skip
        sent = (
            select(MessageRow.sent_at)
            .join(GroupRow, GroupRow.id == MessageRow.group_id)
            .where(GroupRow.community_id == community_id, MessageRow.member_id == member_id,
                   MessageRow.sent_at >= since)
        )  # fmt: skip
        checked = select(func.count()).where(
            CheckInRow.community_id == community_id, CheckInRow.member_id == member_id,
            CheckInRow.at >= since,
        )  # fmt: skip
        with self._unit(write=False) as session:
            times = list(session.scalars(sent))
            return Activity(
                points=int(session.scalar(earned) or 0),
                messages=len(times),
                active_days=len({t.astimezone(zone).date() for t in times}),
                check_ins=int(session.scalar(checked) or 0),
            )

    def recent_posters(self, community_id: int, since: datetime) -> dict[int, int]:
        """Members without a staff role who posted in the community from `since` on, each
        with the group of their latest message there."""
        staff = exists().where(
            MembershipRow.member_id == MessageRow.member_id, MembershipRow.role.is_not(None),
            MembershipRow.left_at.is_(None),
            MembershipRow.group_id.in_(select(GroupRow.id).where(GroupRow.community_id == community_id)),
        )  # fmt: skip
        latest = func.max(MessageRow.sent_at)
        query = (
            select(MessageRow.member_id, MessageRow.group_id, latest)
            .join(GroupRow, GroupRow.id == MessageRow.group_id)
            .where(GroupRow.community_id == community_id, MessageRow.member_id.is_not(None),
                   MessageRow.sent_at >= utc(since, "since"), ~staff)
            .group_by(MessageRow.member_id, MessageRow.group_id)
        )  # fmt: skip
        found: dict[int, tuple[datetime, int]] = {}
        with self._unit(write=False) as session:
            for member_id, group_id, at in session.execute(query):
                if member_id is not None and (member_id not in found or at > found[member_id][0]):
                    found[member_id] = (at, group_id)
        return {member_id: group_id for member_id, (_, group_id) in sorted(found.items())}

    # --- points: earned at most once a day, spent on rewards --------------------------------

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


def _level(row: MemberLevelRow) -> MemberLevel:
    return MemberLevel(row.community_id, row.member_id, row.level, row.since)


def _change(row: LevelChangeRow) -> LevelChange:
    return LevelChange(row.id, row.community_id, row.member_id, row.from_level, row.to_level,
                       row.reason, row.at)  # fmt: skip
