"""The staff inbox: every alert the engine raised for staff, open until someone handles it."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import select

from hearthkeeper.store.columns import utc
from hearthkeeper.store.errors import StoreError
from hearthkeeper.store.inserts import insert_many
from hearthkeeper.store.models import StaffAlertRow
from hearthkeeper.store.records import NewStaffAlert, StaffAlert
from hearthkeeper.store.scope import StoreBase


class AlertQueries(StoreBase):
    def add_staff_alerts(self, alerts: Sequence[NewStaffAlert]) -> int:
        """Put alerts in the inbox in one statement; an alert whose key is already there
        (a redelivered event) is skipped. How many were new."""
        if not alerts:
            return 0
        values = [
            {"key": a.key, "community_id": a.community_id, "group_id": a.group_id,
             "member_id": a.member_id, "violation": a.violation, "handler": a.handler,
             "text": a.text, "reason": a.reason, "at": utc(a.at, "alert time")}
            for a in alerts
        ]  # fmt: skip
        with self._unit(write=True) as session:
            outcome = insert_many(session, StaffAlertRow, ("key",), values)
            return sum(1 for _, created in outcome if created)

    def staff_alerts(
        self, community_id: int, *, open_only: bool = True, limit: int = 100
    ) -> list[StaffAlert]:
        """The community's alerts, newest first: only those not handled yet, or all."""
        query = select(StaffAlertRow).where(StaffAlertRow.community_id == community_id)
        if open_only:
            query = query.where(StaffAlertRow.handled_at.is_(None))
        query = query.order_by(StaffAlertRow.at.desc(), StaffAlertRow.id.desc()).limit(limit)
        with self._unit(write=False) as session:
            return [_alert(row) for row in session.scalars(query)]

    def get_staff_alert(self, alert_id: int) -> StaffAlert | None:
        """One alert, handled or not."""
        with self._unit(write=False) as session:
            row = session.get(StaffAlertRow, alert_id)
            return None if row is None else _alert(row)

    def staff_alert_by_key(self, key: str) -> StaffAlert | None:
        """The alert written under `key` (its outbox key: unique), handled or not; found by
        its own index however many other alerts are open."""
        query = select(StaffAlertRow).where(StaffAlertRow.key == key)
        with self._unit(write=False) as session:
            row = session.scalars(query).first()
            return None if row is None else _alert(row)

    def open_alerts_keyed(self, community_id: int, prefix: str) -> list[StaffAlert]:
        """The community's alerts not handled yet whose key starts with `prefix`, oldest
        first (a family of alerts keyed by what they are about, one a day)."""
        r = StaffAlertRow
        query = (
            select(r)
            .where(r.community_id == community_id, r.handled_at.is_(None),
                   r.key.startswith(prefix, autoescape=True))
            .order_by(r.at, r.id)
        )  # fmt: skip
        with self._unit(write=False) as session:
            return [_alert(row) for row in session.scalars(query)]

    def revise_staff_alert(self, key: str, text: str) -> StaffAlert | None:
        """Give the alert written under `key` a new text, open again if it was handled: what
        it counts grew (more of the same since staff read it). None if there is no such
        alert. Nothing is sent again: only the inbox shows it."""
        with self._unit(write=True) as session:
            row = session.scalars(
                select(StaffAlertRow).where(StaffAlertRow.key == key).with_for_update()
            ).first()
            if row is None:
                return None
            row.text = text
            row.handled_at, row.handled_by = None, None
            session.flush()
            return _alert(row)

    def handle_alert(self, alert_id: int, by: str, at: datetime) -> StaffAlert:
        """Mark an alert handled by `by`: it leaves the open inbox but stays on record."""
        with self._unit(write=True) as session:
            row = session.get(StaffAlertRow, alert_id, with_for_update=True)
            if row is None:
                raise StoreError(f"there is no staff alert with id {alert_id}")
            if row.handled_at is not None:
                raise StoreError(
                    f"alert {alert_id} was already handled by {row.handled_by} "
                    f"at {row.handled_at:%Y-%m-%d %H:%M} UTC"
                )
            row.handled_at = utc(at, "handling time")
            row.handled_by = by
            session.flush()
            return _alert(row)


def _alert(row: StaffAlertRow) -> StaffAlert:
    return StaffAlert(
        id=row.id,
        key=row.key,
        community_id=row.community_id,
        group_id=row.group_id,
        member_id=row.member_id,
        violation=row.violation,
        handler=row.handler,
        text=row.text,
        reason=row.reason,
        at=row.at,
        handled_at=row.handled_at,
        handled_by=row.handled_by,
    )
