"""Check-ins (打卡): one per member and community per day, each carrying the streak it makes.
`CheckIns` is what the capability needs; `SqlCheckIns.on(tx)` runs it in the caller's
transaction."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Protocol

from sqlalchemy import func, select

from hearthkeeper.store.columns import utc
from hearthkeeper.store.inserts import insert_ignoring, table_of
from hearthkeeper.store.models import CheckInRow, MemberRow
from hearthkeeper.store.scope import StoreBase

_TABLE = table_of(CheckInRow)


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
        with self._unit(write=True) as session:
            db = session.connection()  # plain statements: a check-in is on the engine's path
            yesterday = db.execute(
                select(_TABLE.c.streak).where(
                    _TABLE.c.community_id == community_id,
                    _TABLE.c.member_id == member_id,
                    _TABLE.c.day == (day - timedelta(days=1)).isoformat(),
                )
            ).scalar()
            values = {
                "community_id": community_id, "member_id": member_id, "group_id": group_id,
                "day": day.isoformat(), "at": at, "streak": (yesterday or 0) + 1,
            }  # fmt: skip
            keys = ("community_id", "member_id", "day")
            insert = insert_ignoring(session, CheckInRow, keys).returning(*_TABLE.c)
            row = db.execute(insert, values).first()
            created = row is not None
            if row is None:  # checked in already today: the first one stands
                row = db.execute(
                    select(_TABLE).where(*(_TABLE.c[k] == values[k] for k in keys))
                ).one()
            position = db.execute(
                select(func.count()).where(
                    _TABLE.c.community_id == community_id,
                    _TABLE.c.day == row.day,
                    _TABLE.c.id <= row.id,
                )
            ).scalar()
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
