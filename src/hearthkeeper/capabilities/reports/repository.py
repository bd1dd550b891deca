"""Reports in the database: one row per message reported, one per member who reported it,
and what staff decided."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Select, func, select

from hearthkeeper.store.columns import utc
from hearthkeeper.store.errors import StoreError
from hearthkeeper.store.inserts import insert_one
from hearthkeeper.store.models import MessageRow, ReportedMessageRow, ReportRow, StaffAlertRow
from hearthkeeper.store.scope import StoreBase


@dataclass(frozen=True)
class ReportedMessage:
    """A message members reported; hidden once enough in good standing did; decided by staff."""

    id: int
    community_id: int
    group_id: int
    message_id: int
    author_id: int
    at: datetime
    hidden_at: datetime | None
    decided_at: datetime | None
    decided_by: str | None
    outcome: str | None


@dataclass(frozen=True)
class Report:
    """One member's report of a reported message."""

    id: int
    reported_id: int
    reporter_id: int
    reason: str
    not_counted: str | None  # why it does not count toward hiding; None: it counts
    at: datetime


@dataclass(frozen=True)
class Against:
    """A member's message others reported: how many did, how many of those count."""

    reported: ReportedMessage
    text: str
    reports: int
    counting: int


@dataclass(frozen=True)
class MadeReport:
    """A report a member made, with the message they reported."""

    report: Report
    reported: ReportedMessage
    text: str


class AlreadyDecided(StoreError):
    """Staff decided these reports already (another screen a moment before, too): the first
    decision stands."""


def already(reported: ReportedMessage) -> AlreadyDecided:
    """The refusal of a second decision on `reported`: who decided it, how and when."""
    return AlreadyDecided(f"reported message {reported.id} was already {reported.outcome} by "
                          f"{reported.decided_by} at {reported.decided_at:%Y-%m-%d %H:%M} UTC")  # fmt: skip


HIDDEN_BY = "reports"  # a message's `deleted_by` when reports hid it (the DELETE's handler)


def alert_key(reported_id: int) -> str:
    """The staff alert's key of a reported message (one alert however many report it)."""
    return f"report:{reported_id}"


def hidden_key(reported_id: int) -> str:
    """The key of the one notice to staff that reports hid the message (its deliveries, or
    its hold through quiet hours, derive from it)."""
    return f"report-hidden:{reported_id}"


def reported_of_alert(key: str) -> int | None:
    """The reported message a staff alert's key names, if it is a report's."""
    head, _, tail = key.partition(":")
    return int(tail) if head == "report" and tail.isdigit() else None


class SqlReports(StoreBase):
    """Reports; `SqlReports.on(tx)` works in the caller's transaction."""

    def flag(self, community_id: int, group_id: int, message_id: int, author_id: int,
             at: datetime) -> ReportedMessage:  # fmt: skip
        """The message's row, kept at its first report (the same row for every later one)."""
        values = {"community_id": community_id, "group_id": group_id, "message_id": message_id,
                  "author_id": author_id, "at": utc(at, "report time")}  # fmt: skip
        with self._unit(write=True) as session:
            reported_id, _ = insert_one(session, ReportedMessageRow, ("message_id",), values)
            # locked: two reports of one message at once count each other
            row = session.get(ReportedMessageRow, reported_id, with_for_update=True)
            assert row is not None
            return _reported(row)

    def add(self, reported_id: int, reporter_id: int, reason: str, not_counted: str | None,
            at: datetime) -> bool:  # fmt: skip
        """Keep a member's report; False when they reported this message already (the
        first report stands)."""
        values = {"reported_id": reported_id, "reporter_id": reporter_id, "reason": reason,
                  "not_counted": not_counted, "at": utc(at, "report time")}  # fmt: skip
        with self._unit(write=True) as session:
            _, created = insert_one(session, ReportRow, ("reported_id", "reporter_id"), values)
            return created

    def reports(self, reported_id: int) -> list[Report]:
        """The reports of a reported message, oldest first."""
        query = (
            select(ReportRow)
            .where(ReportRow.reported_id == reported_id)
            .order_by(ReportRow.at, ReportRow.id)
        )
        with self._unit(write=False) as session:
            return [_report(row) for row in session.scalars(query)]

    def of_message(self, message_id: int) -> ReportedMessage | None:
        """The reported message's row of a stored message, if anyone reported it."""
        query = select(ReportedMessageRow).where(ReportedMessageRow.message_id == message_id)
        with self._unit(write=False) as session:
            row = session.scalars(query).first()
            return None if row is None else _reported(row)

    def get(self, reported_id: int) -> ReportedMessage | None:
        """One reported message, decided or not."""
        with self._unit(write=False) as session:
            row = session.get(ReportedMessageRow, reported_id)
            return None if row is None else _reported(row)

    def made_since(self, community_id: int, reporter_id: int, since: datetime) -> int:
        """How many reports the member made in the community from `since` on."""
        query = (
            select(func.count())
            .select_from(ReportRow)
            .join(ReportedMessageRow, ReportedMessageRow.id == ReportRow.reported_id)
            .where(ReportRow.reporter_id == reporter_id, ReportRow.at >= utc(since, "since"),
                   ReportedMessageRow.community_id == community_id)
        )  # fmt: skip
        with self._unit(write=False) as session:
            return int(session.scalar(query) or 0)

    def against(self, community_id: int, author_id: int,
                limit: int = 50) -> list[Against]:  # fmt: skip
        """The member's messages others reported in the community, the latest first, each
        with how many reported it and how many of those count toward hiding it."""
        query = (
            _counted_query()
            .where(ReportedMessageRow.community_id == community_id,
                   ReportedMessageRow.author_id == author_id)
            .order_by(ReportedMessageRow.at.desc(), ReportedMessageRow.id.desc())
            .limit(limit)
        )  # fmt: skip
        with self._unit(write=False) as session:
            return [Against(_reported(row), text, int(n or 0), int(c or 0))
                    for row, text, n, c in session.execute(query)]  # fmt: skip

    def listed(self, community_id: int | None, *, open_only: bool = False,
               limit: int = 200) -> list[Against]:  # fmt: skip
        """The reported messages of a community (None: of every one), the latest `limit`,
        oldest first, each with how many reported it and how many of those count;
        `open_only`: those staff have not decided yet."""
        query = _counted_query()
        if community_id is not None:
            query = query.where(ReportedMessageRow.community_id == community_id)
        if open_only:
            query = query.where(ReportedMessageRow.decided_at.is_(None))
        query = query.order_by(ReportedMessageRow.at.desc(),
                               ReportedMessageRow.id.desc()).limit(limit)  # fmt: skip
        with self._unit(write=False) as session:
            found = [Against(_reported(row), text, int(n or 0), int(c or 0))
                     for row, text, n, c in session.execute(query)]  # fmt: skip
        return found[::-1]

    def listed_one(self, reported_id: int) -> Against | None:
        """One reported message with how many reported it and how many of those count."""
        query = _counted_query().where(ReportedMessageRow.id == reported_id)
        with self._unit(write=False) as session:
            found = session.execute(query).first()
            if found is None:
                return None
            row, text, n, c = found
            return Against(_reported(row), text, int(n or 0), int(c or 0))

    def made_by(self, community_id: int, reporter_id: int,
                limit: int = 50) -> list[MadeReport]:  # fmt: skip
        """The reports the member made in the community, the latest first, each with the
        message reported."""
        query = (
            select(ReportRow, ReportedMessageRow, MessageRow.text)
            .join(ReportedMessageRow, ReportedMessageRow.id == ReportRow.reported_id)
            .join(MessageRow, MessageRow.id == ReportedMessageRow.message_id)
            .where(ReportRow.reporter_id == reporter_id,
                   ReportedMessageRow.community_id == community_id)
            .order_by(ReportRow.at.desc(), ReportRow.id.desc())
            .limit(limit)
        )  # fmt: skip
        with self._unit(write=False) as session:
            return [MadeReport(_report(report), _reported(row), text)
                    for report, row, text in session.execute(query)]  # fmt: skip

    def hide(self, reported_id: int, at: datetime) -> None:
        """Mark the message hidden by reports."""
        with self._unit(write=True) as session:
            row = session.get(ReportedMessageRow, reported_id)
            if row is not None and row.hidden_at is None:
                row.hidden_at = utc(at, "hiding time")
                session.flush()

    def bring_back(self, message_id: int) -> bool:
        """Mark a stored message reports hid not deleted again (staff dismissed the reports);
        False when it is not deleted, or something else deleted it (its deletion not the
        reports' own: `deleted_by`)."""
        with self._unit(write=True) as session:
            row = session.get(MessageRow, message_id, with_for_update=True)
            if row is None or row.deleted_at is None or row.deleted_by != HIDDEN_BY:
                return False
            row.deleted_at, row.deleted_by = None, None
            session.flush()
            return True

    def waiting(self, community_id: int, limit: int = 200) -> list[ReportedMessage]:
        """The community's reported messages staff have not decided yet, oldest first."""
        query = (
            select(ReportedMessageRow)
            .where(ReportedMessageRow.community_id == community_id,
                   ReportedMessageRow.decided_at.is_(None))
            .order_by(ReportedMessageRow.at, ReportedMessageRow.id)
            .limit(limit)
        )  # fmt: skip
        with self._unit(write=False) as session:
            return [_reported(row) for row in session.scalars(query)]

    def decide(self, reported_id: int, outcome: str, by: str, at: datetime) -> ReportedMessage:
        """Record staff's decision; one decided already is refused (StoreError)."""
        with self._unit(write=True) as session:
            row = session.get(ReportedMessageRow, reported_id, with_for_update=True)
            if row is None:
                raise StoreError(f"there is no reported message with id {reported_id}")
            if row.decided_at is not None:
                raise already(_reported(row))
            row.decided_at, row.decided_by, row.outcome = utc(at, "decision time"), by, outcome
            session.flush()
            return _reported(row)

    def restate_alert(self, key: str, text: str) -> bool:
        """Say the reported message's alert afresh (a later report, or hidden): one alert per
        message, its text what staff read now in the inbox (and the REST API), and in the
        quiet hours' digest while it is held for it. Whether it is still held."""
        from hearthkeeper.capabilities.alerts.repository import SqlAlerts

        with self._unit(write=True) as session:
            row = session.scalars(select(StaffAlertRow).where(StaffAlertRow.key == key)).first()
            if row is not None:
                row.text = text
                session.flush()
        return SqlAlerts.on(self).restate(key, text)


def _counted_query() -> Select[ReportedMessageRow, str, int, int]:
    """Reported messages with their text, how many reported each and how many of those
    count toward hiding it."""
    of_it = ReportRow.reported_id == ReportedMessageRow.id
    total = select(func.count()).where(of_it).correlate(ReportedMessageRow).scalar_subquery()
    counting = (
        select(func.count())
        .where(of_it, ReportRow.not_counted.is_(None))
        .correlate(ReportedMessageRow)
        .scalar_subquery()
    )
    return select(ReportedMessageRow, MessageRow.text, total, counting).join(
        MessageRow, MessageRow.id == ReportedMessageRow.message_id
    )


def _reported(row: ReportedMessageRow) -> ReportedMessage:
    return ReportedMessage(id=row.id, community_id=row.community_id, group_id=row.group_id,
                           message_id=row.message_id, author_id=row.author_id, at=row.at,
                           hidden_at=row.hidden_at, decided_at=row.decided_at,
                           decided_by=row.decided_by, outcome=row.outcome)  # fmt: skip


def _report(row: ReportRow) -> Report:
    return Report(id=row.id, reported_id=row.reported_id, reporter_id=row.reporter_id,
                  reason=row.reason, not_counted=row.not_counted, at=row.at)  # fmt: skip
