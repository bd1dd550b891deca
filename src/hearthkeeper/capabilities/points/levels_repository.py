"""The member pyramid: levels and their changes, and the activity that earns them. `Levels`
is what the capability needs; `SqlLevels.on(tx)` runs it in the caller's transaction."""

from __future__ import annotations

import functools
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta, tzinfo
from typing import Any, Protocol

from sqlalchemy import (
    BindParameter,
    Select,
    bindparam,
    case,
    exists,
    func,
    literal_column,
    select,
    true,
    update,
)

from hearthkeeper.capabilities.checkin.repository import pending_activity
from hearthkeeper.store.columns import UTCDateTime, utc
from hearthkeeper.store.inserts import insert_ignoring, table_of
from hearthkeeper.store.models import (
    CheckInRow,
    GroupRow,
    LevelChangeRow,
    MemberLevelRow,
    MembershipRow,
    MessageRow,
    PointsRow,
)
from hearthkeeper.store.prepared import run
from hearthkeeper.store.scope import StoreBase

_LEVELS = table_of(MemberLevelRow)
_LEVEL = select(_LEVELS).where(_LEVELS.c.community_id == bindparam("community_id"),
                               _LEVELS.c.member_id == bindparam("member_id"))  # fmt: skip
# A member's activity since `since` (`SqlLevels.activity`): their messages' times (not those
# the bot deleted: spam climbs no level), and the
# points earned and check-ins made, in one round trip.
_SENT = (
    select(MessageRow.sent_at)
    .join(GroupRow, GroupRow.id == MessageRow.group_id)
    .where(GroupRow.community_id == bindparam("community_id"),
           MessageRow.member_id == bindparam("member_id"),
           MessageRow.sent_at >= bindparam("since"),
           MessageRow.deleted_at.is_(None))
)  # fmt: skip
_EARNED_AND_CHECKED = select(
    select(func.coalesce(func.sum(PointsRow.points), 0)).where(
        PointsRow.community_id == bindparam("community_id"),
        PointsRow.member_id == bindparam("member_id"),
        PointsRow.points > 0, PointsRow.at >= bindparam("since"),
    ).scalar_subquery(),
    select(func.count()).where(
        CheckInRow.community_id == bindparam("community_id"),
        CheckInRow.member_id == bindparam("member_id"),
        CheckInRow.at >= bindparam("since"),
    ).scalar_subquery(),
)  # fmt: skip


@functools.cache
def _standing(level_ids: tuple[str, ...]) -> Select[Any]:
    """`SqlLevels.standing` in one statement: the member's level row, and their activity
    from the moment their level names (`:since_<i>` for `level_ids[i]`, `:since_other` for
    none or another id; a null moment reads no activity), the same reads as `member_level`
    and `activity` make. One row per message (its time), or one with none."""
    c: BindParameter[int] = bindparam("community_id")
    m: BindParameter[int] = bindparam("member_id")
    placed = (
        select(_LEVELS.c.level, _LEVELS.c.since)
        .where(_LEVELS.c.community_id == c, _LEVELS.c.member_id == m)
        .cte("placed")
    )  # fmt: skip
    level = select(placed.c.level).scalar_subquery()
    moment = bindparam("since_other", type_=UTCDateTime())
    if level_ids:
        moment = case({level_id: bindparam(f"since_{i}", type_=UTCDateTime())
                       for i, level_id in enumerate(level_ids)},
                      value=level, else_=moment)  # type: ignore[assignment]  # fmt: skip
    window = select(moment.label("since")).cte("judged")  # its parameters bound once
    since = select(window.c.since).scalar_subquery()
    earned = select(func.coalesce(func.sum(PointsRow.points), literal_column("0"))).where(
        PointsRow.community_id == c, PointsRow.member_id == m,
        PointsRow.points > literal_column("0"), PointsRow.at >= since,
    ).scalar_subquery()  # fmt: skip
    checked = select(func.count()).where(CheckInRow.community_id == c,
                                         CheckInRow.member_id == m,
                                         CheckInRow.at >= since).scalar_subquery()  # fmt: skip
    sent = (
        select(MessageRow.sent_at)
        .join(GroupRow, GroupRow.id == MessageRow.group_id)
        .where(GroupRow.community_id == c, MessageRow.member_id == m,
               MessageRow.sent_at >= since, MessageRow.deleted_at.is_(None))
        .subquery()
    )  # fmt: skip
    one = select(literal_column("1").label("one")).subquery()
    return select(
        level.label("level"), select(placed.c.since).scalar_subquery().label("held"),
        earned.label("earned"), checked.label("checked"), sent.c.sent_at,
    ).select_from(one.outerjoin(sent, true()))  # fmt: skip


@dataclass(frozen=True)
class MemberLevel:
    """A member's place on the pyramid (a `structure.levels` id) and since when."""

    community_id: int
    member_id: int
    level: str
    since: datetime


@dataclass(frozen=True)
class LevelChange:
    """A promotion or demotion, with why."""

    id: int
    community_id: int
    member_id: int
    from_level: str | None
    to_level: str
    reason: str
    at: datetime


@dataclass(frozen=True)
class Activity:
    """What a member did over a window: what levels are earned and kept with."""

    points: int  # earned (redemptions do not count against it)
    messages: int
    active_days: int
    check_ins: int


@dataclass(frozen=True)
class Standing:
    """A member's level and, read with it, their activity over the window their next
    promotion is judged on (`SqlLevels.standing`)."""

    placed: MemberLevel | None  # None: never placed (the bottom level)
    window: timedelta | None  # what `activity` covers; None: nothing to judge from here
    activity: Activity | None


class Levels(Protocol):
    """The level queries the capability (and the member card) needs."""

    def member_level(self, community_id: int, member_id: int) -> MemberLevel | None: ...
    def members_at(self, community_id: int, levels: Collection[str]) -> list[MemberLevel]: ...
    def standing(self, community_id: int, member_id: int, windows: Mapping[str, timedelta | None],
                 other: timedelta | None, now: datetime, zone: tzinfo) -> Standing: ...  # fmt: skip
    def change_level(self, community_id: int, member_id: int, expected: str | None,
                     to_level: str, reason: str, at: datetime) -> LevelChange | None: ...  # fmt: skip
    def level_changes(self, community_id: int,
                      member_id: int | None = None) -> list[LevelChange]: ...  # fmt: skip
    def activity(self, community_id: int, member_id: int, since: datetime,
                 zone: tzinfo) -> Activity: ...  # fmt: skip
    def recent_posters(self, community_id: int, since: datetime) -> dict[int, int]: ...


class SqlLevels(StoreBase):
    """`Levels` on SQLAlchemy."""

    def member_level(self, community_id: int, member_id: int) -> MemberLevel | None:
        """The member's level in the community; None: never placed (the bottom level)."""
        with self._unit(write=False) as session:  # a plain query: once per check-in
            found = (
                session.connection()
                .execute(_LEVEL, {"community_id": community_id, "member_id": member_id})
                .first()
            )
            return None if found is None else MemberLevel(*found)

    def standing(
        self, community_id: int, member_id: int, windows: Mapping[str, timedelta | None],
        other: timedelta | None, now: datetime, zone: tzinfo,
    ) -> Standing:  # fmt: skip
        """`member_level`, and `activity` over the window the level found names (`windows`
        by level id; `other` for no level or one not in `windows`; None: none to read), in
        one round trip: what the level check after each check-in reads. The same values as
        the two reads apart (`tests/capabilities/points/test_levels_standing.py`)."""
        apart = [(level, window) for level, window in windows.items() if window != other]
        values: dict[str, Any] = {
            "community_id": community_id, "member_id": member_id,
            "since_other": None if other is None else utc(now - other, "since"),
        }  # fmt: skip
        for i, (_, window) in enumerate(apart):
            values[f"since_{i}"] = None if window is None else utc(now - window, "since")
        ids = tuple(level for level, _ in apart)
        with self._unit(write=False) as session:  # a statement built once: per check-in
            rows = run(session.connection(), _standing(ids), values, processed=True).all()
        level, held, points, check_ins = rows[0][:4]
        placed = None if level is None else MemberLevel(community_id, member_id, level, held)
        window = other if level is None else windows.get(level, other)
        if window is None:
            return Standing(placed, None, None)
        times = [row[4] for row in rows if row[4] is not None]
        # and what this transaction's check-ins earned, still waiting to be written
        waiting_points, waiting_check_ins = pending_activity(self, community_id, member_id,
                                                             now - window)  # fmt: skip
        return Standing(placed, window, Activity(
            points=int(points or 0) + waiting_points,
            messages=len(times),
            active_days=len({t.astimezone(zone).date() for t in times}),
            check_ins=int(check_ins or 0) + waiting_check_ins,
        ))  # fmt: skip

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
        values = {"community_id": community_id, "member_id": member_id,
                  "since": utc(since, "since")}  # fmt: skip
        with self._unit(write=False) as session:  # plain queries built once: per check-in
            db = session.connection()
            times = list(db.execute(_SENT, values).scalars())
            points, check_ins = db.execute(_EARNED_AND_CHECKED, values).one()  # one round trip
        # and what this transaction's check-ins earned, still waiting to be written
        waiting_points, waiting_check_ins = pending_activity(self, community_id, member_id, since)
        return Activity(
            points=int(points or 0) + waiting_points,
            messages=len(times),
            active_days=len({t.astimezone(zone).date() for t in times}),
            check_ins=int(check_ins or 0) + waiting_check_ins,
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
                   MessageRow.sent_at >= utc(since, "since"), MessageRow.deleted_at.is_(None),
                   ~staff)
            .group_by(MessageRow.member_id, MessageRow.group_id)
        )  # fmt: skip
        found: dict[int, tuple[datetime, int]] = {}
        with self._unit(write=False) as session:
            for member_id, group_id, at in session.execute(query):
                if member_id is not None and (member_id not in found or at > found[member_id][0]):
                    found[member_id] = (at, group_id)
        return {member_id: group_id for member_id, (_, group_id) in sorted(found.items())}


def _level(row: MemberLevelRow) -> MemberLevel:
    return MemberLevel(row.community_id, row.member_id, row.level, row.since)


def _change(row: LevelChangeRow) -> LevelChange:
    return LevelChange(row.id, row.community_id, row.member_id, row.from_level, row.to_level,
                       row.reason, row.at)  # fmt: skip
