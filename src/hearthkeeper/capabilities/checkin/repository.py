"""Check-ins (打卡): one per member and community per day, each carrying the streak it makes.
`CheckIns` is what the capability needs; `SqlCheckIns.on(tx)` runs it in the caller's
transaction."""

from __future__ import annotations

import functools
from collections.abc import Collection
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Protocol

from sqlalchemy import Insert, bindparam, func, select
from sqlalchemy.dialects import postgresql, sqlite

from hearthkeeper.store.columns import utc
from hearthkeeper.store.inserts import table_of
from hearthkeeper.store.models import CheckInDayRow, CheckInRow, MemberRow
from hearthkeeper.store.scope import StoreBase

_TABLE = table_of(CheckInRow)
_KEY = ("community_id", "member_id", "day")
_EXISTING = select(_TABLE).where(*(_TABLE.c[k] == bindparam(k) for k in _KEY))
_DAYS = table_of(CheckInDayRow)
# The how-manieth check-in of its day in the community a row is (a repeated check-in's).
_POSITION = select(func.count()).where(
    _TABLE.c.community_id == bindparam("community_id"),
    _TABLE.c.day == bindparam("day"),
    _TABLE.c.id <= bindparam("id"),
)


@functools.cache
def _insert_check_in(dialect: str) -> Insert:
    """Today's check-in, its streak going on from yesterday's row (read in the same
    statement), unless the member checked in today already; the row comes back."""
    yesterday = (
        select(_TABLE.c.streak)
        .where(_TABLE.c.community_id == bindparam("community_id"),
               _TABLE.c.member_id == bindparam("member_id"),
               _TABLE.c.day == bindparam("yesterday"))
        .scalar_subquery()
    )  # fmt: skip
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    return (
        insert(_TABLE)
        .values(community_id=bindparam("community_id"), member_id=bindparam("member_id"),
                group_id=bindparam("group_id"), day=bindparam("day"), at=bindparam("at"),
                streak=func.coalesce(yesterday, 0) + 1)
        .on_conflict_do_nothing(index_elements=list(_KEY))
        .returning(*_TABLE.c)
    )  # fmt: skip


@functools.cache
def _count_check_in(dialect: str) -> Insert:
    """One more check-in on the community's day; its place comes back. The day's row is
    locked until the commit: a check-in at the same instant in another worker waits for it
    and gets the next place (counting the rows instead, neither would see the other's).
    Made at its first check-in, the row starts at that day's check-ins (a day begun before
    the counter existed)."""
    so_far = (
        select(func.count())
        .where(_TABLE.c.community_id == bindparam("community_id"),
               _TABLE.c.day == bindparam("day"))
        .scalar_subquery()
    )  # fmt: skip
    insert = postgresql.insert(_DAYS) if dialect == "postgresql" else sqlite.insert(_DAYS)
    return (
        insert.values(community_id=bindparam("community_id"), day=bindparam("day"), count=so_far)
        .on_conflict_do_update(index_elements=["community_id", "day"],
                               set_={"count": _DAYS.c.count + 1})
        .returning(_DAYS.c.count)
    )  # fmt: skip


@dataclass(frozen=True)
class CheckIn:
    """One member's check-in on one day (the community's day), with the streak it makes."""

    id: int
    community_id: int
    member_id: int
    group_id: int | None
    day: str  # YYYY-MM-DD in the community's time zone
    at: datetime
    streak: int
    created: bool = True  # False: the member had already checked in that day
    position: int = 0  # the how-manieth check-in of that day in the community


@dataclass(frozen=True)
class Ranked:
    """A line of a leaderboard: a member and their number (streak days, check-ins)."""

    member_id: int
    display_name: str
    value: int


class CheckIns(Protocol):
    """The check-in queries the capability (and the member card) needs."""

    def check_in(self, community_id: int, member_id: int, day: date, at: datetime, *,
                 group_id: int | None = None) -> CheckIn: ...  # fmt: skip
    def streak_of(self, community_id: int, member_id: int, today: date) -> int: ...
    def check_ins_on(self, community_id: int, day: date, *, group_id: int | None = None) -> int: ...
    def top_streaks(self, community_id: int, days: Collection[date], *,
                    group_id: int | None = None, limit: int = 5) -> list[Ranked]: ...  # fmt: skip
    def most_check_ins(self, community_id: int, since: date, *, limit: int = 5) -> list[Ranked]: ...


class SqlCheckIns(StoreBase):
    """`CheckIns` on SQLAlchemy."""

    def check_in(
        self, community_id: int, member_id: int, day: date, at: datetime, *,
        group_id: int | None = None,
    ) -> CheckIn:  # fmt: skip
        """Record the member's check-in for `day` (the community's day); the streak goes on
        from yesterday's. Once per day, even when two arrive at once: a second call returns
        the first, with created=False."""
        at = utc(at, "check-in time")
        values = {
            "community_id": community_id, "member_id": member_id, "group_id": group_id,
            "day": day.isoformat(), "at": at, "yesterday": (day - timedelta(days=1)).isoformat(),
        }  # fmt: skip
        with self._unit(write=True) as session:
            db = session.connection()  # plain statements built once: on the engine's path
            row = db.execute(_insert_check_in(db.dialect.name), values).first()
            created = row is not None
            if row is None:  # checked in already today: the first one stands
                row = db.execute(_EXISTING, values).one()
                position = db.execute(_POSITION, {"community_id": community_id, "day": row.day,
                                                  "id": row.id}).scalar()  # fmt: skip
            else:
                position = db.execute(_count_check_in(db.dialect.name), values).scalar()
            return CheckIn(
                id=row.id, community_id=row.community_id, member_id=row.member_id,
                group_id=row.group_id, day=row.day, at=row.at, streak=row.streak,
                created=created, position=int(position or 0),
            )  # fmt: skip

    def streak_of(self, community_id: int, member_id: int, today: date) -> int:
        """The member's running streak: 0 unless they checked in today or yesterday."""
        days = [today.isoformat(), (today - timedelta(days=1)).isoformat()]
        query = select(func.max(CheckInRow.streak)).where(
            CheckInRow.community_id == community_id,
            CheckInRow.member_id == member_id,
            CheckInRow.day.in_(days),
        )
        with self._unit(write=False) as session:
            return int(session.scalar(query) or 0)

    def check_ins_on(self, community_id: int, day: date, *, group_id: int | None = None) -> int:
        """How many members checked in on `day` (in one group, when given)."""
        query = select(func.count()).where(
            CheckInRow.community_id == community_id, CheckInRow.day == day.isoformat()
        )
        if group_id is not None:
            query = query.where(CheckInRow.group_id == group_id)
        with self._unit(write=False) as session:
            return int(session.scalar(query) or 0)

    def top_streaks(
        self, community_id: int, days: Collection[date], *, group_id: int | None = None,
        limit: int = 5,
    ) -> list[Ranked]:  # fmt: skip
        """The longest streaks among check-ins on `days` (today and yesterday: streaks still
        running), longest first."""
        streak = func.max(CheckInRow.streak)
        query = (
            select(CheckInRow.member_id, MemberRow.display_name, streak)
            .join(MemberRow, MemberRow.id == CheckInRow.member_id)
            .where(
                CheckInRow.community_id == community_id,
                CheckInRow.day.in_(sorted(d.isoformat() for d in days)),
            )
            .group_by(CheckInRow.member_id, MemberRow.display_name)
            .order_by(streak.desc(), CheckInRow.member_id)
            .limit(limit)
        )
        if group_id is not None:
            query = query.where(CheckInRow.group_id == group_id)
        with self._unit(write=False) as session:
            return [Ranked(m, name, int(n)) for m, name, n in session.execute(query)]

    def most_check_ins(self, community_id: int, since: date, *, limit: int = 5) -> list[Ranked]:
        """Members with the most check-ins from `since` on (e.g. the first of the month)."""
        count = func.count(CheckInRow.id)
        query = (
            select(CheckInRow.member_id, MemberRow.display_name, count)
            .join(MemberRow, MemberRow.id == CheckInRow.member_id)
            .where(CheckInRow.community_id == community_id, CheckInRow.day >= since.isoformat())
            .group_by(CheckInRow.member_id, MemberRow.display_name)
            .order_by(count.desc(), CheckInRow.member_id)
            .limit(limit)
        )
        with self._unit(write=False) as session:
            return [Ranked(m, name, int(n)) for m, name, n in session.execute(query)]
