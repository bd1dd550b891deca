"""Live rollups: messages per member and day, per group and day, per group, day and kind.

The engine bumps them in the transaction that records a batch (`bump_rollups`, called by
its after-batch observer `engine.observers.tally_rollups`), so a report reads a few rows per day instead of every message. `rebuild_rollups` recomputes them
from `messages`, `memberships` and `strikes` (after an import, or to repair) through the same
`RollupTally`, so the live and the rebuilt numbers follow one set of rules:

- a day is a local calendar day in the community's time zone (its latest playbook's
  `community.timezone`; UTC for a community without a playbook);
- a question is a message whose text holds "?" or "？";
- a staff message is one whose sender's stay in the group (open when it was sent) holds a
  role of the playbook's `structure.roles` (any role when the community has no playbook);
- a join is a stay opened, a leave a stay closed; a violation is a strike written;
- a message the bot deleted (`messages.deleted_at`: moderation, a held member's message,
  staff in the console) is not counted: `delete_messages` marks it and takes it out of the
  rollups that counted it already — not one imported since its group's `uncounted_imports`
  (an import that stopped before rebuilding the rollups), which they never counted; one
  brought back (reports dismissed) is counted again on its own day by `count_again`.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Collection, Iterable, Sequence
from datetime import UTC, date, datetime, time, tzinfo
from typing import Any, TypeVar
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy import (
    Insert,
    Table,
    and_,
    bindparam,
    case,
    delete,
    exists,
    func,
    literal,
    or_,
    select,
    text,
    update,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session, aliased
from sqlalchemy.sql.elements import ColumnElement

from hearthkeeper.store.columns import utc
from hearthkeeper.store.driver_rows import driver_rows
from hearthkeeper.store.inserts import execute_rows, insert_ignoring, table_of
from hearthkeeper.store.localday import as_date, local_day_sql, offset_segments
from hearthkeeper.store.models import (
    ActivityDayRow,
    Base,
    EventRow,
    GroupDayKindRow,
    GroupDayRow,
    GroupRow,
    MembershipRow,
    MessageRow,
    PlaybookVersionRow,
    ReactionRow,
    StrikeRow,
    UncountedImportRow,
)
from hearthkeeper.store.models.events import QUESTION_MARKS, question_predicate
from hearthkeeper.store.records import (
    ActivityDay,
    GroupDay,
    GroupDayActivity,
    GroupDayKind,
    MessageDeletion,
    NewReaction,
)
from hearthkeeper.store.scope import StoreBase

_STREAM = 10_000  # rows fetched at a time while rebuilding
_MESSAGES = table_of(MessageRow)
# A message recorded in the same transaction marked deleted (each once: the first decides).
_MARK_UNCOUNTED = (
    update(_MESSAGES)
    .where(_MESSAGES.c.group_id == bindparam("g"),
           _MESSAGES.c.carrier_event_id == bindparam("e"),
           _MESSAGES.c.deleted_at.is_(None))
    .values(deleted_at=bindparam("at_"), deleted_by=bindparam("by_"))
)  # fmt: skip
_DAY_COUNTERS = ("messages", "joins", "leaves", "staff_messages", "violations")


_MARK, _WIDE_MARK = QUESTION_MARKS


def is_question(text: str) -> bool:
    """Whether a message counts as a question in the rollups: it holds "?" or "？"."""
    return _MARK in text or _WIDE_MARK in text  # read for every message: no generator


def local_day(at: datetime, zone: tzinfo) -> date:
    """The local calendar day in `zone` of the instant `at`."""
    if at.tzinfo is not UTC:  # the engine's times are UTC already (one per event)
        at = utc(at, "time")
    return at.astimezone(zone).date()


def local_midnight(day: date, zone: tzinfo) -> datetime:
    """The instant (UTC) the local day `day` starts in `zone`."""
    return datetime.combine(day, time(0), zone).astimezone(UTC)


class RollupTally:
    """Increments to the rollups, gathered in memory and written in one go."""

    def __init__(self) -> None:
        self.activity: dict[tuple[int, int, date], list[int]] = {}  # messages, questions
        self.days: dict[tuple[int, date], list[int]] = {}  # in the order of _DAY_COUNTERS
        self.kinds: dict[tuple[int, date, str], int] = {}

    def __bool__(self) -> bool:
        return bool(self.activity or self.days or self.kinds)

    def message(self, group_id: int, member_id: int | None, day: date, kind: str, *,
                question: bool, staff: bool) -> None:  # fmt: skip
        """Count one message (`messages` for one, inline: the engine counts every message)."""
        if member_id is not None:
            seat = (group_id, member_id, day)  # each key built once: this runs per message
            counts = self.activity.get(seat)
            if counts is None:
                self.activity[seat] = [1, int(question)]
            else:
                counts[0] += 1
                counts[1] += question
        group_day = (group_id, day)
        days = self.days.get(group_day)
        if days is None:
            days = self.days[group_day] = [0, 0, 0, 0, 0]
        days[0] += 1
        days[3] += staff
        kinds, of_kind = self.kinds, (group_id, day, kind)
        kinds[of_kind] = kinds.get(of_kind, 0) + 1

    def messages(self, group_id: int, member_id: int | None, day: date, kind: str, count: int,
                 questions: int, staff: int) -> None:  # fmt: skip
        """Count `count` messages of one sender, kind and day (`questions` and `staff` of
        them are questions and staff messages)."""
        if member_id is not None:
            counts = self.activity.setdefault((group_id, member_id, day), [0, 0])
            counts[0] += count
            counts[1] += questions
        self._bump(group_id, day, 0, count)
        self._bump(group_id, day, 3, staff)
        self.kinds[(group_id, day, kind)] = self.kinds.get((group_id, day, kind), 0) + count

    def join(self, group_id: int, day: date) -> None:
        """Count one stay opened."""
        self._bump(group_id, day, 1)

    def leave(self, group_id: int, day: date) -> None:
        """Count one stay closed."""
        self._bump(group_id, day, 2)

    def violation(self, group_id: int, day: date) -> None:
        """Count one strike."""
        self._bump(group_id, day, 4)

    def _bump(self, group_id: int, day: date, index: int, by: int = 1) -> None:
        counts = self.days.setdefault((group_id, day), [0, 0, 0, 0, 0])
        counts[index] += by


class RollupQueries(StoreBase):
    def community_timezone(self, community_id: int) -> str:
        """The community's time zone: its latest playbook's, else "UTC"."""
        with self._unit(write=False) as session:
            return _timezone(session, community_id)

    def bump_rollups(self, tally: RollupTally) -> None:
        """Add `tally` to the rollups (run it in the transaction that recorded the events)."""
        if not tally:
            return
        with self._unit(write=True) as session:
            _write(session, tally)

    def delete_messages(self, deletions: Sequence[MessageDeletion],
                        uncounted: Collection[tuple[int, str]] = ()) -> int:  # fmt: skip
        """Mark the stored messages of `deletions` deleted (each once: a deletion decided again
        changes nothing) and take them out of the rollups, except those keyed (group id,
        carrier event id) in `uncounted` (recorded in this batch, not tallied yet). One UPDATE
        per group, deciding handler and time; the rollups only for messages counted before.
        Returns how many messages were marked."""
        if not deletions:
            return 0
        m = table_of(MessageRow)
        skip = set(uncounted)
        own = [d for d in deletions if (d.group_id, d.carrier_event_id) in skip]
        by_what: dict[tuple[int, str, datetime], list[str]] = {}
        for d in deletions:
            if (d.group_id, d.carrier_event_id) not in skip:
                key = (d.group_id, d.by[:64], utc(d.at, "deletion time"))
                by_what.setdefault(key, []).append(d.carrier_event_id)
        with self._unit(write=True) as session:
            if own:  # not tallied yet: only marked, in one executemany (the engine's path)
                session.connection().execute(_MARK_UNCOUNTED, [
                    {"g": d.group_id, "e": d.carrier_event_id,
                     "at_": utc(d.at, "deletion time"), "by_": d.by[:64]} for d in own
                ])  # fmt: skip
            marked: list[Any] = []
            for (group_id, by, at), event_ids in sorted(by_what.items()):
                statement = (
                    update(m)
                    .where(m.c.group_id == group_id,
                           m.c.carrier_event_id.in_(sorted(set(event_ids))),
                           m.c.deleted_at.is_(None))
                    .values(deleted_at=at, deleted_by=by)
                    .returning(m.c.id, m.c.group_id, m.c.member_id, m.c.kind, m.c.text,
                               m.c.sent_at, m.c.carrier_event_id, m.c.recorded_at)
                )  # fmt: skip
                marked += [r for r in session.execute(statement)
                           if (r.group_id, r.carrier_event_id) not in skip]  # fmt: skip
            counted = _counted(session, marked)
            if counted:
                _uncount(session, counted)
        return len(marked)

    def count_again(self, message_ids: Collection[int]) -> None:
        """Count messages brought back (no longer deleted: a message reports hid, the reports
        dismissed) in the rollups again, by the rules `delete_messages` took them out with:
        only their own day's rows change, whatever their age. One the rollups never counted
        (imported since its group's `uncounted_imports`) is left out, as there. Run it in
        the transaction that marked them not deleted."""
        if not message_ids:
            return
        m = table_of(MessageRow)
        query = select(m.c.id, m.c.group_id, m.c.member_id, m.c.kind, m.c.text, m.c.sent_at,
                       m.c.carrier_event_id, m.c.recorded_at).where(
            m.c.id.in_(sorted(set(message_ids))), m.c.deleted_at.is_(None))  # fmt: skip
        with self._unit(write=True) as session:
            counted = _counted(session, list(session.execute(query)))
            if counted:
                _count(session, counted, 1)

    def rebuild_rollups(self, group_ids: Iterable[int], since: date | datetime | None = None,
                        *, zone: tzinfo | None = None) -> None:  # fmt: skip
        """Recompute the rollups of `group_ids` from the stored messages, stays and strikes,
        for every day (or from the local day of `since` on). Idempotent. `zone` overrides the
        community's time zone (tests; a community whose playbook is not stored). Rebuilt
        for every day, the groups' imported messages all count (`uncounted_imports` cleared)."""
        ids = sorted(set(group_ids))
        if not ids:
            return
        with self._unit(write=True) as session:
            query = select(GroupRow.community_id, GroupRow.id).where(GroupRow.id.in_(ids))
            by_community: dict[int, list[int]] = {}
            for community_id, group_id in session.execute(query):
                by_community.setdefault(int(community_id), []).append(int(group_id))
            if since is None:
                # Every imported message is counted from here on: those of an import chunk
                # committing meanwhile are either seen by the counting below or marked
                # uncounted again by their chunk (its row, not visible to this delete).
                u = table_of(UncountedImportRow)
                session.execute(delete(u).where(u.c.group_id.in_(ids)))
            for community_id, groups in sorted(by_community.items()):
                tz = zone or _zone(_timezone(session, community_id))
                first = since if not isinstance(since, datetime) else local_day(since, tz)
                start = None if first is None else local_midnight(first, tz)
                for model in (ActivityDayRow, GroupDayRow, GroupDayKindRow):
                    table = table_of(model)
                    gone = delete(table).where(table.c.group_id.in_(groups))
                    if first is not None:
                        gone = gone.where(table.c.day >= first)
                    session.execute(gone)
                tally = RollupTally()
                roles = _staff_roles(session, community_id)
                _tally_messages(session, groups, start, tz, roles, tally)
                _tally_stays(session, groups, start, tz, tally)
                _tally_strikes(session, groups, start, tz, tally)
                _write(session, tally)

    def activity_days(
        self, group_ids: Collection[int], start: date, end: date
    ) -> list[ActivityDay]:
        """Per member and day, the rollup rows of `group_ids` from `start` to `end` (included)."""
        t = table_of(ActivityDayRow)
        ids = list(group_ids)
        with self._unit(write=False) as session:
            dialect = session.get_bind().dialect.name
            # On SQLite, many groups' rows are read from `ix_activity_days_day` in order of
            # day (`+ 0` keeps the planner off the per-group index, whose rows need a sort and
            # a look-up each); one group's from the per-group index.
            group = t.c.group_id + 0 if dialect == "sqlite" and len(ids) > 1 else t.c.group_id
            query = select(t.c.group_id, t.c.member_id, t.c.day, t.c.messages, t.c.questions).where(
                group.in_(ids), t.c.day >= start, t.c.day <= end
            ).order_by(t.c.day, t.c.group_id, t.c.member_id)  # fmt: skip
            if dialect == "postgresql":
                # A report sorts every row of the community (400,000 at 1M messages: 12 MB);
                # the default 4 MB of sort memory would spill them to disk.
                session.execute(text("SET LOCAL work_mem = '64MB'"))
            rows = driver_rows(session, query)
        return _records(ActivityDay, _with_days(rows, 2))

    def group_day_activity(
        self, group_ids: Collection[int], start: date, end: date
    ) -> list[GroupDayActivity]:
        """The rows of `activity_days` gathered per group and day, in order of day and group.
        The database gathers them (SQLite: `group_concat`, PostgreSQL: `array_agg`; the
        members and their messages in one pass over the rows, hence in the same order), so a
        report makes 17,800 records at 1M messages instead of 403,000. (An order by member
        inside PostgreSQL's aggregates doubled its time, 0.13 → 0.26 s: none is promised.)"""
        t = table_of(ActivityDayRow)
        ids = list(group_ids)
        with self._unit(write=False) as session:
            dialect = session.get_bind().dialect.name
            members, messages = _gather(dialect, t.c.member_id), _gather(dialect, t.c.messages)
            # As `activity_days`: on SQLite, many groups' rows from `ix_activity_days_day`.
            group = t.c.group_id + 0 if dialect == "sqlite" and len(ids) > 1 else t.c.group_id
            query = select(t.c.group_id, t.c.day, members, messages, func.sum(t.c.questions)).where(
                group.in_(ids), t.c.day >= start, t.c.day <= end
            ).group_by(t.c.day, t.c.group_id).order_by(t.c.day, t.c.group_id)  # fmt: skip
            rows = driver_rows(session, query)
        return _gathered(rows)

    def group_days(self, group_ids: Collection[int], start: date, end: date) -> list[GroupDay]:
        """Per group and day, the rollup rows from `start` to `end` (included)."""
        t = table_of(GroupDayRow)
        query = select(t.c.group_id, t.c.day, t.c.messages, t.c.joins, t.c.leaves,
                       t.c.staff_messages, t.c.violations).where(
            t.c.group_id.in_(list(group_ids)), t.c.day >= start, t.c.day <= end
        ).order_by(t.c.day, t.c.group_id)  # fmt: skip
        with self._unit(write=False) as session:
            rows = driver_rows(session, query)
        return _records(GroupDay, _with_days(rows, 1))

    def group_day_kinds(self, group_ids: Collection[int], start: date,
                        end: date) -> list[GroupDayKind]:  # fmt: skip
        """Per group, day and message kind, the rollup rows from `start` to `end` (included)."""
        t = table_of(GroupDayKindRow)
        query = select(t.c.group_id, t.c.day, t.c.kind, t.c.messages).where(
            t.c.group_id.in_(list(group_ids)), t.c.day >= start, t.c.day <= end
        ).order_by(t.c.day, t.c.group_id, t.c.kind)  # fmt: skip
        with self._unit(write=False) as session:
            rows = driver_rows(session, query)
        return _records(GroupDayKind, _with_days(rows, 1))

    def record_reactions(self, rows: Sequence[NewReaction]) -> None:
        """Store reactions once each (a redelivered one is skipped)."""
        if not rows:
            return
        values = [{"group_id": r.group_id, "member_id": r.member_id,
                   "carrier_event_id": r.carrier_event_id, "target_event_id": r.target_event_id,
                   "emoji": r.emoji[:64], "at": utc(r.at, "reaction time")} for r in rows]  # fmt: skip
        with self._unit(write=True) as session:
            statement = insert_ignoring(session, ReactionRow, ("group_id", "carrier_event_id"))
            session.connection().execute(statement, values)


# --- writing ------------------------------------------------------------------------------------


_R = TypeVar("_R", bound=tuple[Any, ...])


def _records(record: type[_R], rows: Iterable[tuple[Any, ...]]) -> list[_R]:
    """`rows` as `record`s (named tuples of the same fields), each made by `tuple.__new__` in
    C: `record._make` is a Python call per row, 0.1 s of a report's 400,000 rollup rows."""
    return list(map(functools.partial(tuple.__new__, record), rows))


def _with_days(rows: list[tuple[Any, ...]], column: int) -> Iterable[tuple[Any, ...]]:
    """The driver's rollup rows with their day (`column`) a `date`. A report reads hundreds of
    thousands: the rows are made into records in C, with no per-row fetch or type processing;
    SQLite gives days as text, and each distinct one is parsed once."""
    if not rows or not isinstance(rows[0][column], str):
        return rows
    columns: list[Iterable[Any]] = list(zip(*rows, strict=True))
    parsed = {day: date.fromisoformat(day) for day in set(columns[column])}
    columns[column] = map(parsed.__getitem__, columns[column])
    return zip(*columns, strict=True)


def _gather(dialect: str, column: ColumnElement[Any]) -> ColumnElement[Any]:
    """`column`'s values of a group of rows, in the order the rows were read: an array on
    PostgreSQL, a text of them separated by commas on SQLite."""
    if dialect == "postgresql":
        return func.array_agg(column)
    return func.group_concat(column)


def _gathered(rows: list[tuple[Any, ...]]) -> list[GroupDayActivity]:
    """The rows of `group_day_activity` as records, their members and messages tuples of
    ints: PostgreSQL gives lists; SQLite texts ("12,40,41"), read in one pass as a JSON array
    of them all (0.10 s at 1M messages, against 0.14 s to split each and parse its parts)."""
    if not rows:
        return []
    if isinstance(rows[0][2], str):
        pairs = json.loads("[[" + "],[".join(f"{row[2]}],[{row[3]}" for row in rows) + "]]")
        members, messages = pairs[0::2], pairs[1::2]
    else:
        members, messages = [row[2] for row in rows], [row[3] for row in rows]
    return [
        GroupDayActivity(group_id, day, tuple(on_day), tuple(counts), int(questions))
        for (group_id, day, _, _, questions), on_day, counts
        in zip(_with_days(rows, 1), members, messages, strict=True)
    ]  # fmt: skip


def _write(session: Session, tally: RollupTally) -> None:
    # Sorted keys: two workers bumping the same rows lock them in the same order. Rows as
    # tuples in the order of their keys (one a message of a batch: no mapping built per row).
    _upsert(session, ActivityDayRow, ("group_id", "member_id", "day"), ("messages", "questions"),
            [(g, m, d, c[0], c[1]) for (g, m, d), c in sorted(tally.activity.items())])  # fmt: skip
    _upsert(
        session,
        GroupDayRow,
        ("group_id", "day"),
        _DAY_COUNTERS,
        [(g, d, *c) for (g, d), c in sorted(tally.days.items())],
    )  # c in _DAY_COUNTERS' order
    _upsert(session, GroupDayKindRow, ("group_id", "day", "kind"), ("messages",),
            [(g, d, k, n) for (g, d, k), n in sorted(tally.kinds.items())])  # fmt: skip


def _upsert(session: Session, model: type[Base], keys: Sequence[str], counters: Sequence[str],
            rows: list[tuple[Any, ...]]) -> None:  # fmt: skip
    """INSERT … ON CONFLICT (keys) DO UPDATE SET counter = counter + excluded.counter; each
    row holds the values of `keys` then of `counters`, in that order."""
    if not rows:
        return
    statement = _upsert_statement(session.get_bind().dialect.name, table_of(model), tuple(keys),
                                  tuple(counters))  # fmt: skip
    execute_rows(session.connection(), statement, (*keys, *counters), rows)


@functools.cache
def _upsert_statement(dialect_name: str, table: Table, keys: tuple[str, ...],
                      counters: tuple[str, ...]) -> Insert:  # fmt: skip
    """Built once per dialect and table: every engine batch bumps the rollups, and building
    the ON CONFLICT clause took longer than running it."""
    if dialect_name == "postgresql":
        on_pg = postgresql.insert(table)
        return on_pg.on_conflict_do_update(
            index_elements=list(keys), set_={c: table.c[c] + on_pg.excluded[c] for c in counters}
        )
    on_sqlite = sqlite.insert(table)
    return on_sqlite.on_conflict_do_update(
        index_elements=list(keys), set_={c: table.c[c] + on_sqlite.excluded[c] for c in counters}
    )


def _counted(session: Session, rows: Sequence[Any]) -> list[Any]:
    """Of messages just marked deleted (rows with group, carrier event id, recorded at),
    those the rollups count: all but the ones imported into a group since its
    `uncounted_imports` (an import that stopped before rebuilding its rollups). A message
    the engine handled has an event and was counted as it came, whatever the group says."""
    if not rows:
        return []
    u = table_of(UncountedImportRow)
    query = select(u.c.group_id, u.c.since).where(
        u.c.group_id.in_(sorted({int(r.group_id) for r in rows}))
    )
    pending = {int(group_id): since for group_id, since in session.execute(query)}
    if not pending:
        return list(rows)
    doubtful = [r for r in rows if r.group_id in pending
                and utc(r.recorded_at, "recorded") >= utc(pending[r.group_id], "uncounted")]  # fmt: skip
    if not doubtful:
        return list(rows)
    e = table_of(EventRow)
    keys = [and_(e.c.group_id == r.group_id, e.c.carrier_event_id == r.carrier_event_id)
            for r in doubtful]  # fmt: skip
    query = select(e.c.group_id, e.c.carrier_event_id).where(or_(*keys))
    handled = {(int(group_id), event_id) for group_id, event_id in session.execute(query)}
    uncounted = {(r.group_id, r.carrier_event_id) for r in doubtful} - handled
    return [r for r in rows if (r.group_id, r.carrier_event_id) not in uncounted]


def _count(session: Session, rows: Sequence[Any], by: int) -> RollupTally:
    """Add messages (rows of id, group, member, kind, text, sent at) to the rollups `by`
    times (-1: take them out), by the rules the engine counts them with; the tally written."""
    groups = sorted({int(r.group_id) for r in rows})
    query = select(GroupRow.id, GroupRow.community_id).where(GroupRow.id.in_(groups))
    communities = {int(g): int(c) for g, c in session.execute(query)}
    zones: dict[int, tzinfo] = {}
    roles: dict[int, frozenset[str] | None] = {}
    tally = RollupTally()
    for row in rows:
        community_id = int(communities[row.group_id])
        if community_id not in zones:
            zones[community_id] = _zone(_timezone(session, community_id))
            roles[community_id] = _staff_roles(session, community_id)
        staff = _staff_sql(session, [row.group_id], roles[community_id])
        by_staff = session.scalar(select(staff).where(MessageRow.id == row.id))
        day = local_day(row.sent_at, zones[community_id])
        tally.messages(row.group_id, row.member_id, day, row.kind, by,
                       by * int(is_question(row.text)), by * int(by_staff or 0))  # fmt: skip
    _write(session, tally)
    return tally


def _uncount(session: Session, rows: Sequence[Any]) -> None:
    """Take messages (rows of id, group, member, kind, text, sent at) out of the rollups, by
    the rules they were counted with; a member's day left with no message loses its row
    (it would count them among the day's speakers)."""
    tally = _count(session, rows, -1)
    a, k = table_of(ActivityDayRow), table_of(GroupDayKindRow)
    for group_id, member_id, day in sorted(tally.activity):
        session.execute(delete(a).where(a.c.group_id == group_id, a.c.member_id == member_id,
                                        a.c.day == day, a.c.messages <= 0))  # fmt: skip
    for group_id, day, kind in sorted(tally.kinds):
        session.execute(delete(k).where(k.c.group_id == group_id, k.c.day == day,
                                        k.c.kind == kind, k.c.messages <= 0))  # fmt: skip
    # A day counted before rollups were kept (a database upgraded to schema 0006, or one whose
    # import stopped before 0027, without `hearth db rollups` since) is never shown below 0.
    d = table_of(GroupDayRow)
    for group_id, day in sorted(tally.days):
        session.execute(
            update(d)
            .where(d.c.group_id == group_id, d.c.day == day,
                   or_(d.c.messages < 0, d.c.staff_messages < 0))
            .values(messages=case((d.c.messages < 0, 0), else_=d.c.messages),
                    staff_messages=case((d.c.staff_messages < 0, 0), else_=d.c.staff_messages))
        )  # fmt: skip


# --- rebuilding ---------------------------------------------------------------------------------


def _tally_messages(session: Session, groups: list[int], start: datetime | None, zone: tzinfo,
                    roles: frozenset[str] | None, tally: RollupTally) -> None:  # fmt: skip
    """Count the stored messages per group, member, kind and local day, in the database."""
    m = MessageRow
    window: list[ColumnElement[bool]] = [m.group_id.in_(groups), m.deleted_at.is_(None)]
    window += [m.sent_at >= start] if start is not None else []
    span = select(func.min(m.sent_at), func.max(m.sent_at)).where(*window)
    first, last = session.execute(span).one()
    if first is None or last is None:
        return
    dialect = session.get_bind().dialect.name
    day = local_day_sql(m.sent_at, offset_segments(zone, first, last), dialect).label("day")
    question = case((text(question_predicate(dialect)), 1), else_=0)
    staff = _staff_sql(session, groups, roles)
    query = (
        select(m.group_id, m.member_id, m.kind, day, func.count(), func.sum(question),
               func.sum(staff))
        .where(*window)
        .group_by(m.group_id, m.member_id, m.kind, day)
    )  # fmt: skip
    for group_id, member_id, kind, local, count, asked, by_staff in session.execute(query):
        tally.messages(group_id, member_id, as_date(local), kind, int(count), int(asked or 0),
                       int(by_staff or 0))  # fmt: skip


def _staff_sql(session: Session, groups: list[int],
               roles: frozenset[str] | None) -> ColumnElement[int]:  # fmt: skip
    """1 for a message whose sender's stay in the group, open when it was sent, holds a
    staff role; else 0. Only the few staff members' messages look their stays up."""
    s, m = aliased(MembershipRow), MessageRow
    if roles is not None and not roles:
        return literal(0)
    role = s.role.is_not(None) if roles is None else s.role.in_(sorted(roles))
    staff = select(s.member_id).where(s.group_id.in_(groups), role).distinct()
    members = sorted(int(i) for i in session.scalars(staff))
    if not members:
        return literal(0)
    covering = (
        exists()
        .where(s.group_id == m.group_id, s.member_id == m.member_id, role,
               s.joined_at <= m.sent_at, or_(s.left_at.is_(None), s.left_at > m.sent_at))
    )  # fmt: skip
    return case((and_(m.member_id.in_(members), covering), 1), else_=0)


def _tally_stays(session: Session, groups: list[int], start: datetime | None, zone: tzinfo,
                 tally: RollupTally) -> None:  # fmt: skip
    s = MembershipRow
    days = _DayCache(zone)
    opened = select(s.group_id, s.joined_at).where(s.group_id.in_(groups))
    closed = select(s.group_id, s.left_at).where(s.group_id.in_(groups), s.left_at.is_not(None))
    if start is not None:
        opened = opened.where(s.joined_at >= start)
        closed = closed.where(s.left_at >= start)
    for group_id, joined in session.execute(opened, execution_options={"yield_per": _STREAM}):
        tally.join(group_id, days.of(joined))
    for group_id, left in session.execute(closed, execution_options={"yield_per": _STREAM}):
        if left is not None:
            tally.leave(group_id, days.of(left))


def _tally_strikes(session: Session, groups: list[int], start: datetime | None, zone: tzinfo,
                   tally: RollupTally) -> None:  # fmt: skip
    # Strikes without a group (given by hand, outside any group) are not a group's violations.
    query = select(StrikeRow.group_id, StrikeRow.at).where(StrikeRow.group_id.in_(groups))
    if start is not None:
        query = query.where(StrikeRow.at >= start)
    days = _DayCache(zone)
    for group_id, at in session.execute(query):
        if group_id is not None:
            tally.violation(group_id, days.of(at))


class _DayCache:
    """Local days of instants, remembered per UTC quarter hour (every zone's offsets and
    clock changes fall on quarter hours, so all instants of one quarter share a day)."""

    def __init__(self, zone: tzinfo) -> None:
        self.zone = zone
        self.known: dict[datetime, date] = {}

    def of(self, at: datetime) -> date:
        quarter = at.replace(minute=at.minute - at.minute % 15, second=0, microsecond=0)
        day = self.known.get(quarter)
        if day is None:
            day = self.known[quarter] = local_day(quarter, self.zone)
        return day


# --- the community's playbook, read as data -------------------------------------------------


def _latest_content(session: Session, community_id: int) -> dict[str, Any] | None:
    query = (
        select(PlaybookVersionRow.content)
        .where(PlaybookVersionRow.community_id == community_id)
        .order_by(PlaybookVersionRow.version.desc())
        .limit(1)
    )
    content = session.scalar(query)
    return content if isinstance(content, dict) else None


def _timezone(session: Session, community_id: int) -> str:
    content = _latest_content(session, community_id) or {}
    name = (content.get("community") or {}).get("timezone")
    return name if isinstance(name, str) and name else "UTC"


def _zone(name: str) -> tzinfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return UTC


def _staff_roles(session: Session, community_id: int) -> frozenset[str] | None:
    """The playbook's staff role ids; None (any role is staff) without a playbook."""
    content = _latest_content(session, community_id)
    if content is None:
        return None
    roles = (content.get("structure") or {}).get("roles") or {}
    return frozenset(str(role) for role in roles)
