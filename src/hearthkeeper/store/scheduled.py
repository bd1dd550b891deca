"""Scheduled work: an effect to run at a time (close a poll, alert about a question), once."""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, and_, or_, select, update
from sqlalchemy.exc import IntegrityError

from hearthkeeper.store.claims import claim_due
from hearthkeeper.store.columns import require_aware, utc
from hearthkeeper.store.errors import StoreError
from hearthkeeper.store.inserts import execute_many, insert_ignoring, table_of
from hearthkeeper.store.models import ScheduledRow
from hearthkeeper.store.records import Scheduled
from hearthkeeper.store.scope import StoreBase

_TABLE = table_of(ScheduledRow)


@dataclass(frozen=True)
class WorkOf:
    """One community's scheduled work whose keys start with `prefix` (`billing:`)."""

    community_id: int
    prefix: str


def _of(only: WorkOf | None) -> list[ColumnElement[bool]]:
    if only is None:
        return []
    return [_TABLE.c.community_id == only.community_id,
            _TABLE.c.key.startswith(only.prefix, autoescape=True)]  # fmt: skip


_INSERTS: dict[str, Any] = {}


class _Planned:
    """Scheduled work a transaction asked for, written together (one statement) before it
    commits or before anything in it reads `scheduled`; the first row of a key wins, as the
    database's "insert or ignore" would have it."""

    def __init__(self) -> None:
        self.rows: dict[str, dict[str, Any]] = {}

    def flush(self, scope: StoreBase) -> None:
        if not self.rows:
            return
        with ScheduledQueries.on(scope)._unit(write=True) as session:
            statement = insert_ignoring(session, ScheduledRow, ("key",))
            try:
                execute_many(session.connection(), statement, list(self.rows.values()))
            except IntegrityError as exc:
                raise StoreError(
                    f"cannot schedule {', '.join(self.rows)[:200]!r}: a community or group "
                    "does not exist"
                ) from exc


class ScheduledQueries(StoreBase):
    def schedule_later(
        self,
        key: str,
        community_id: int,
        effect: str,
        payload: Mapping[str, Any],
        due_at: datetime,
        *,
        group_id: int | None = None,
    ) -> None:
        """`schedule`, without its answer: inside a transaction the row is gathered with the
        transaction's other scheduled work and written with it (once per key, the first
        wins); outside one it is written at once."""
        planned = self.deferred("scheduled", _Planned)
        if planned is None:
            self.schedule(key, community_id, effect, payload, due_at, group_id=group_id)
            return
        if key not in planned.rows:
            planned.rows[key] = {
                "key": key, "community_id": community_id, "group_id": group_id,
                "effect": effect, "payload": dict(payload), "due_at": utc(due_at, "due_at"),
                "status": "pending", "created_at": self._clock.now(), "done_at": None,
            }  # fmt: skip

    def schedule(
        self,
        key: str,
        community_id: int,
        effect: str,
        payload: Mapping[str, Any],
        due_at: datetime,
        *,
        group_id: int | None = None,
    ) -> tuple[int, bool]:
        """Run `effect` with `payload` at `due_at`; once per `key` (a second call with the
        same key changes nothing and returns created=False)."""
        self.flush_deferred()
        values = {
            "key": key, "community_id": community_id, "group_id": group_id, "effect": effect,
            "payload": dict(payload), "due_at": utc(due_at, "due_at"), "status": "pending",
            "created_at": self._clock.now(), "done_at": None,
        }  # fmt: skip
        with self._unit(write=True) as session:
            dialect = session.get_bind().dialect.name
            statement = _INSERTS.get(dialect)
            if statement is None:  # built once per dialect: scheduling is on the hot path
                statement = _INSERTS[dialect] = insert_ignoring(
                    session, ScheduledRow, ("key",)
                ).returning(_TABLE.c.id)
            try:
                new_id = session.connection().execute(statement, values).scalar()
            except IntegrityError as exc:
                raise StoreError(
                    f"cannot schedule {key!r}: its community or group does not exist"
                ) from exc
            if new_id is not None:
                return int(new_id), True
            existing = session.scalar(select(_TABLE.c.id).where(_TABLE.c.key == key))
            assert existing is not None, "a conflicting key must exist"
            return int(existing), False

    def cancel_scheduled(self, key: str) -> bool:
        """Call off pending work by key; False if there is none pending."""
        self.flush_deferred()
        with self._unit(write=True) as session:
            result = session.execute(
                update(_TABLE)
                .where(_TABLE.c.key == key, _TABLE.c.status == "pending")
                .values(status="cancelled")
            )
            return bool(result.rowcount)  # type: ignore[attr-defined]

    def take_due(self, now: datetime, limit: int = 50, *,
                 passing_over: Collection[int] = (), skipping: Collection[int] = (),
                 only: WorkOf | None = None) -> list[Scheduled]:  # fmt: skip
        """Pending work due at `now`, marked done in the caller's transaction: run it in the
        same `store.transaction()` so that a failure leaves it pending (exactly once). Work
        of the groups `passing_over` names is left for others, and the items `skipping`
        names for later; `only`: just one community's work of one kind (a rehearsal of its
        membership calendar)."""
        self.flush_deferred()
        require_aware(now, "now")
        due = and_(_TABLE.c.status == "pending", _TABLE.c.due_at <= now, *_of(only))
        if passing_over:
            due = and_(due, or_(_TABLE.c.group_id.is_(None),
                                _TABLE.c.group_id.not_in(sorted(passing_over))))  # fmt: skip
        if skipping:
            due = and_(due, _TABLE.c.id.not_in(sorted(skipping)))
        order = (_TABLE.c.due_at, _TABLE.c.id)
        with self._unit(write=True) as session:
            rows = claim_due(session, _TABLE, due, order, limit, {"status": "done", "done_at": now})
            items = [_scheduled(row) for row in rows]
        return sorted(items, key=lambda item: (item.due_at, item.id))

    def next_due(self, only: WorkOf | None = None) -> datetime | None:
        """When the earliest pending work falls due (of `only`'s kind), if any is pending."""
        self.flush_deferred()
        with self._unit(write=False) as session:
            return session.scalar(
                select(_TABLE.c.due_at)
                .where(_TABLE.c.status == "pending", *_of(only))
                .order_by(_TABLE.c.due_at)
                .limit(1)
            )

    def pending_work(self, only: WorkOf) -> list[Scheduled]:
        """The pending work of `only`'s community and kind, soonest first."""
        self.flush_deferred()
        query = select(_TABLE).where(_TABLE.c.status == "pending", *_of(only))
        with self._unit(write=False) as session:
            rows = session.connection().execute(query.order_by(_TABLE.c.due_at, _TABLE.c.id))
            return [_scheduled(row) for row in rows]

    def fail_scheduled(self, scheduled_id: int) -> None:
        """Set aside work whose effect failed, so it does not block the rest (work another
        worker has run meanwhile stays done)."""
        self.flush_deferred()
        with self._unit(write=True) as session:
            session.execute(
                update(_TABLE)
                .where(_TABLE.c.id == scheduled_id, _TABLE.c.status == "pending")
                .values(status="failed")
            )

    def scheduled(self, key: str) -> Scheduled | None:
        """The work scheduled under `key`, whatever its status."""
        self.flush_deferred()
        with self._unit(write=False) as session:
            row = session.connection().execute(select(_TABLE).where(_TABLE.c.key == key)).first()
            return None if row is None else _scheduled(row)


def _scheduled(row: Any) -> Scheduled:
    return Scheduled(
        id=row.id, key=row.key, community_id=row.community_id, group_id=row.group_id,
        effect=row.effect, payload=dict(row.payload), due_at=row.due_at, status=row.status,
        done_at=row.done_at,
    )  # fmt: skip
