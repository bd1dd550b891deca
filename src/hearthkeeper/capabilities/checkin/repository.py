"""Check-ins (打卡): one per member and community per day, each carrying the streak it makes.
`CheckIns` is what the capability needs; `SqlCheckIns.on(tx)` runs it in the caller's
transaction.

Inside a transaction (the engine's batch) a check-in and its points wait in memory
(`_Pending`, `StoreBase.deferred`) and are written together before the commit: a check-in
reads only the member's rows of today and yesterday. Its place in the day comes from the
community's counter of that day (`checkin_days`), whose row the transaction locks until the
commit (a worker checking a member in at the same instant waits and gets the next place):
the engine takes every counter a batch will need before deciding it, in order of community
and day (`take_days`, so no two workers deadlock), a check-in not foreseen takes its own at
its first of the day; the others count on and are added when written. The members' rows of
those days and the days before are read then too, in one statement for the batch
(`read_ahead`). Every read of check-ins or points in the transaction writes them first
(`flush_deferred`), except the level check after each check-in, which adds them
(`pending_activity`)."""

from __future__ import annotations

import functools
from collections import defaultdict
from collections.abc import Collection
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any, Protocol

from sqlalchemy import Insert, bindparam, func, insert, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import IntegrityError

from hearthkeeper.store.columns import utc
from hearthkeeper.store.errors import StoreError
from hearthkeeper.store.inserts import execute_many, table_of
from hearthkeeper.store.models import CheckInDayRow, CheckInRow, MemberRow, PointsRow
from hearthkeeper.store.points import PointsQueries
from hearthkeeper.store.scope import StoreBase

_TABLE = table_of(CheckInRow)
_KEY = ("community_id", "member_id", "day")
_EXISTING = select(_TABLE).where(*(_TABLE.c[k] == bindparam(k) for k in _KEY))
# The how-manieth check-in of its day in the community a row is.
_POSITION = select(func.count()).where(
    _TABLE.c.community_id == bindparam("community_id"),
    _TABLE.c.day == bindparam("day"),
    _TABLE.c.id <= bindparam("id"),
)
_DAYS = table_of(CheckInDayRow)
# The check-ins a transaction made after its first of the day, added to the day's counter
# (whose row that first one locked) when they are written.
_MORE_COUNTED = (
    _DAYS.update()
    .where(_DAYS.c.community_id == bindparam("c"), _DAYS.c.day == bindparam("d"))
    .values(count=_DAYS.c.count + bindparam("more"))
)
# A member's check-ins of today and yesterday: whether today's is done, and the streak it makes.
_RECENT = select(_TABLE).where(
    _TABLE.c.community_id == bindparam("community_id"),
    _TABLE.c.member_id == bindparam("member_id"),
    _TABLE.c.day.in_([bindparam("day"), bindparam("yesterday")]),
)
# The check-ins of a batch's checking-in members on the days they check in and the days
# before (`read_ahead`): what `_RECENT` would read for each, in one statement.
_AHEAD = select(_TABLE).where(
    _TABLE.c.community_id == bindparam("community_id"),
    _TABLE.c.member_id.in_(bindparam("members", expanding=True)),
    _TABLE.c.day.in_(bindparam("days", expanding=True)),
)
_WRITE_CHECK_INS = insert(_TABLE)
_POINTS = table_of(PointsRow)
_WRITE_POINTS = insert(_POINTS)
_PENDING = "checkin"  # the family of deferred writes
_COLUMNS = ("community_id", "member_id", "group_id", "day", "at")  # and the streak


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
def _count_check_in(dialect: str, more: int = 1) -> Insert:
    """`more` check-ins (0: none, only the lock) on the community's day; the count comes
    back. The day's row is locked until the commit: a check-in at the same instant in
    another worker waits for it and gets the next place (counting the rows instead, neither
    would see the other's). Made at its first check-in, the row starts at that day's stored
    check-ins plus `adding` (1 for a check-in not written yet; a day begun before the
    counter existed counts on)."""
    so_far = (
        select(func.count())
        .where(_TABLE.c.community_id == bindparam("community_id"),
               _TABLE.c.day == bindparam("day"))
        .scalar_subquery()
    )  # fmt: skip
    insert = postgresql.insert(_DAYS) if dialect == "postgresql" else sqlite.insert(_DAYS)
    return (
        insert.values(community_id=bindparam("community_id"), day=bindparam("day"),
                      count=so_far + bindparam("adding"))
        .on_conflict_do_update(index_elements=["community_id", "day"],
                               set_={"count": _DAYS.c.count + more})
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
        the first, with created=False. Inside a transaction the new row is written with the
        transaction's others (its id is 0 until then)."""
        at = utc(at, "check-in time")
        values = {
            "community_id": community_id, "member_id": member_id, "group_id": group_id,
            "day": day.isoformat(), "at": at, "yesterday": (day - timedelta(days=1)).isoformat(),
        }  # fmt: skip
        pending = self.deferred(_PENDING, _Pending)
        if pending is not None:
            return self._check_in_later(pending, values)
        with self._unit(write=True) as session:
            db = session.connection()  # plain statements built once: on the engine's path
            # The day's counter first, as a batch's check-in does (`_check_in_later`): one
            # order of locks, so two at the same instant wait for each other, never deadlock.
            position = db.execute(_count_check_in(db.dialect.name), {**values, "adding": 1})
            place = position.scalar()
            row = db.execute(_insert_check_in(db.dialect.name), values).first()
            if row is None:  # checked in already today: the first one stands, counted once
                db.execute(_MORE_COUNTED, {"c": community_id, "d": values["day"], "more": -1})
                row = db.execute(_EXISTING, values).one()
                return self._with_position(db, row, created=False)
            return _made(row, True, place)

    def take_days(self, community_id: int, days: Collection[date]) -> None:
        """Lock the community's counters of `days` for this transaction, in order of day,
        before anything else of its check-ins (the engine does so for every community of a
        batch, in order of community: `Registry.lock_ahead`). Its check-ins on those days
        then count on from there in memory. Outside a transaction, nothing to do: a lone
        check-in locks its one day."""
        pending = self.deferred(_PENDING, _Pending)
        if pending is None:
            return
        with self._unit(write=True) as session:
            db = session.connection()
            lock = _count_check_in(db.dialect.name, 0)
            for day in sorted(days):
                key = (community_id, day.isoformat())
                if key not in pending.counted:
                    values = {"community_id": community_id, "day": key[1], "adding": 0}
                    pending.counted[key] = int(db.execute(lock, values).scalar() or 0)

    def read_ahead(self, community_id: int, ahead: Collection[tuple[int, date]]) -> None:
        """Read in one statement the rows `_check_in_later` would read one check-in at a
        time: each (member, day) of `ahead`'s check-ins and its day before. Called after
        `take_days` locked those days' counters, as each check-in's own read comes after
        them. Kept for the transaction (`_ReadAhead`), but not for the rows it writes: a
        member's check-in written (`_Pending.flush`) is read again. Outside a transaction,
        nothing to do."""
        known = _ReadAhead.of(self)
        if known is None:
            return
        members = sorted({member_id for member_id, _ in ahead})
        days = sorted({d.isoformat() for _, day in ahead
                       for d in (day, day - timedelta(days=1))})  # fmt: skip
        covered = {(community_id, m, d) for m in members for d in days}
        if covered <= known.read:
            return
        with self._unit(write=True) as session:
            values = {"community_id": community_id, "members": members, "days": days}
            rows = session.connection().execute(_AHEAD, values).all()
        known.read |= covered
        for row in rows:
            known.stored[(community_id, row.member_id, row.day)] = row

    def _check_in_later(self, pending: _Pending, values: dict[str, Any]) -> CheckIn:
        """`check_in` inside a transaction: decided from the member's rows of today and
        yesterday (pending or stored), the new row left to `_Pending.flush`."""
        community_id, member_id = values["community_id"], values["member_id"]
        today, yesterday = values["day"], values["yesterday"]
        done = pending.check_ins.get((community_id, member_id, today))
        if done is not None:  # checked in earlier in this transaction
            return done.made(created=False)
        with self._unit(write=True) as session:
            db = session.connection()
            known = _ReadAhead.of(self)
            stored = None if known is None else known.recent(community_id, member_id, today,
                                                             yesterday)  # fmt: skip
            if stored is None:  # not read ahead
                stored = {row.day: row for row in db.execute(_RECENT, values)}
            if today in stored:  # checked in already today: the first one stands
                return self._with_position(db, stored[today], created=False)
            before = pending.check_ins.get((community_id, member_id, yesterday))
            if before is not None:  # yesterday's, made earlier in this transaction
                streak = before.streak
            else:
                streak = stored[yesterday].streak if yesterday in stored else 0
            counted = pending.counted.get((community_id, today))
            if counted is None:  # the day's first here, not taken ahead: the counter locked now
                bumped = db.execute(_count_check_in(db.dialect.name), {**values, "adding": 1})
                position = int(bumped.scalar() or 0)
            else:  # the row is this transaction's (taken ahead, or by its first check-in):
                # one more, added when written
                position = counted + 1
                pending.more[(community_id, today)] += 1
        pending.counted[(community_id, today)] = position
        row = _Row(values, streak + 1, position)
        pending.check_ins[(community_id, member_id, today)] = row
        return row.made(created=True)

    @staticmethod
    def _with_position(db: Any, row: Any, created: bool) -> CheckIn:
        position = db.execute(_POSITION, {"community_id": row.community_id, "day": row.day,
                                          "id": row.id}).scalar()  # fmt: skip
        return _made(row, created, position)

    def award_later(self, community_id: int, member_id: int, points: int, reason: str,
                    at: datetime, *, event_id: int | None) -> None:  # fmt: skip
        """Add a check-in's reward to the member's points: with the transaction's check-ins
        (`_Pending`) inside one, at once outside."""
        pending = self.deferred(_PENDING, _Pending)
        if pending is None:
            PointsQueries.on(self).award_points(community_id, member_id, points, reason, at,
                                                event_id=event_id, known=True)  # fmt: skip
            return
        pending.points.append({
            "community_id": community_id, "member_id": member_id, "points": points,
            "reason": reason, "at": utc(at, "points time"), "event_id": event_id,
        })  # fmt: skip

    def streak_of(self, community_id: int, member_id: int, today: date) -> int:
        """The member's running streak: 0 unless they checked in today or yesterday."""
        days = [today.isoformat(), (today - timedelta(days=1)).isoformat()]
        query = select(func.max(CheckInRow.streak)).where(
            CheckInRow.community_id == community_id,
            CheckInRow.member_id == member_id,
            CheckInRow.day.in_(days),
        )
        self.flush_deferred()  # the transaction's pending check-ins count
        with self._unit(write=False) as session:
            return int(session.scalar(query) or 0)

    def check_ins_on(self, community_id: int, day: date, *, group_id: int | None = None) -> int:
        """How many members checked in on `day` (in one group, when given)."""
        query = select(func.count()).where(
            CheckInRow.community_id == community_id, CheckInRow.day == day.isoformat()
        )
        if group_id is not None:
            query = query.where(CheckInRow.group_id == group_id)
        self.flush_deferred()  # the transaction's pending check-ins count
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
        self.flush_deferred()  # the transaction's pending check-ins count
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
        self.flush_deferred()  # the transaction's pending check-ins count
        with self._unit(write=False) as session:
            return [Ranked(m, name, int(n)) for m, name, n in session.execute(query)]


def _made(row: Any, created: bool, position: object) -> CheckIn:
    """The check-in of a stored `row`, the how-manieth of its day at `position`."""
    return CheckIn(
        id=row.id, community_id=row.community_id, member_id=row.member_id,
        group_id=row.group_id, day=row.day, at=row.at, streak=row.streak,
        created=created, position=int(position or 0),  # type: ignore[call-overload]
    )  # fmt: skip


class _Row:
    """A check-in made in this transaction, not yet written."""

    __slots__ = ("position", "streak", "values")

    def __init__(self, values: dict[str, Any], streak: int, position: int) -> None:
        self.values, self.streak, self.position = values, streak, position

    def made(self, *, created: bool) -> CheckIn:
        v = self.values
        return CheckIn(id=0, community_id=v["community_id"], member_id=v["member_id"],
                       group_id=v["group_id"], day=v["day"], at=v["at"], streak=self.streak,
                       created=created, position=self.position)  # fmt: skip


class _Pending:
    """The check-ins one transaction made and the points they earned, written together
    before it commits or before anything in it reads check-ins or points."""

    def __init__(self) -> None:
        self.check_ins: dict[tuple[int, int, str], _Row] = {}  # (community, member, day)
        self.counted: dict[tuple[int, str], int] = {}  # (community, day): check-ins so far
        # (community, day): check-ins after the transaction's first, not yet on the counter
        self.more: defaultdict[tuple[int, str], int] = defaultdict(int)
        self.points: list[dict[str, Any]] = []

    def flush(self, scope: StoreBase) -> None:
        rows = [{**{k: row.values[k] for k in _COLUMNS}, "streak": row.streak}
                for row in self.check_ins.values()]  # fmt: skip
        known = _ReadAhead.of(scope)
        if known is not None:  # what was read ahead of these no longer tells
            known.read.difference_update(self.check_ins)
        with scope._unit(write=True) as session:
            db = session.connection()
            try:
                if rows:
                    execute_many(db, _WRITE_CHECK_INS, rows)
            except IntegrityError as exc:  # another worker checked one of them in meanwhile
                raise StoreError(
                    f"{len(rows)} check-ins could not be written: one of the members checked in "
                    "at the same moment elsewhere"
                ) from exc
            if self.points:
                execute_many(db, _WRITE_POINTS, self.points)
            for (community_id, day), more in self.more.items():
                db.execute(_MORE_COUNTED, {"c": community_id, "d": day, "more": more})

    def activity(self, community_id: int, member_id: int, since: datetime) -> tuple[int, int]:
        """The member's pending points earned and check-ins made from `since` on."""
        points = sum(p["points"] for p in self.points if p["member_id"] == member_id
                     and p["community_id"] == community_id and p["points"] > 0
                     and p["at"] >= since)  # fmt: skip
        check_ins = sum(1 for (c, m, _), row in self.check_ins.items()
                        if c == community_id and m == member_id and row.values["at"] >= since)  # fmt: skip
        return points, check_ins


class _ReadAhead:
    """Check-in rows read ahead in one transaction (`SqlCheckIns.read_ahead`): the
    (community, member, day) read, and the stored rows among them. Kept in the
    transaction's memo: writing the transaction's pending check-ins drops what was read of
    theirs, nothing else in a transaction writes check-ins."""

    __slots__ = ("read", "stored")
    _KEY = ("checkin", "read ahead")

    def __init__(self) -> None:
        self.read: set[tuple[int, int, str]] = set()
        self.stored: dict[tuple[int, int, str], Any] = {}

    @classmethod
    def of(cls, scope: StoreBase) -> _ReadAhead | None:
        """The transaction's (made the first time); None outside a transaction."""
        memo = scope.transaction_memo()
        if memo is None:
            return None
        found = memo.get(cls._KEY)
        if found is None:
            found = memo[cls._KEY] = cls()
        return found

    def recent(self, community_id: int, member_id: int, today: str,
               yesterday: str) -> dict[str, Any] | None:  # fmt: skip
        """The member's stored rows of `today` and `yesterday` by day, as `_RECENT` reads
        them, if both days were read ahead; None if not."""
        read = self.read
        if (community_id, member_id, today) not in read or (
            community_id, member_id, yesterday) not in read:  # fmt: skip
            return None
        found = {}
        for day in (today, yesterday):
            row = self.stored.get((community_id, member_id, day))
            if row is not None:
                found[day] = row
        return found


def pending_activity(scope: StoreBase, community_id: int, member_id: int,
                     since: datetime) -> tuple[int, int]:  # fmt: skip
    """Points earned and check-ins made from `since` on that `scope`'s transaction holds and
    has not written yet: what the level check adds to what it reads (`SqlLevels.activity`)."""
    pending = scope.deferred_if_any(_PENDING)
    if not isinstance(pending, _Pending):
        return 0, 0
    return pending.activity(community_id, member_id, utc(since, "since"))
