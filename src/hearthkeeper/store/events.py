"""Events the engine processed, each recorded once however often its carrier delivers it."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from hearthkeeper.store.columns import require_aware, sqlite_time, storable
from hearthkeeper.store.errors import StoreError
from hearthkeeper.store.inserts import insert_many, insert_many_prepared, insert_one, table_of
from hearthkeeper.store.models import EventRow
from hearthkeeper.store.records import EventType, NewEvent, RecordedEvent
from hearthkeeper.store.scope import StoreBase

_KEY = ("group_id", "carrier_event_id")
_TABLE = table_of(EventRow)
_COLUMNS = ("group_id", "carrier_event_id", "type", "member_id", "at", "recorded_at")


class EventQueries(StoreBase):
    def record_event(
        self,
        group_id: int,
        carrier_event_id: str,
        type: EventType | str,
        member_id: int | None,
        at: datetime,
    ) -> tuple[int, bool]:
        """Record that the engine processed an event: (its id, True) the first time, (the
        same id, False) for every later delivery of the same carrier event to the group."""
        values = _values(NewEvent(group_id, carrier_event_id, type, member_id, at))
        values["recorded_at"] = self._clock.now()
        with self._unit(write=True) as session:
            try:
                return insert_one(session, EventRow, _KEY, values)
            except IntegrityError as exc:
                raise StoreError(
                    f"cannot record event {carrier_event_id!r}: group {group_id} "
                    f"or member {member_id} does not exist"
                ) from exc

    def record_events_bulk(self, rows: Sequence[NewEvent]) -> list[tuple[int, bool]]:
        """`record_event` for many events in one statement: (id, created) for each, in order."""
        now = self._clock.now()
        with self._unit(write=True) as session:
            try:
                if session.get_bind().dialect.name == "sqlite":  # the engine's hot path
                    recorded = sqlite_time(now, "recorded_at")
                    return insert_many_prepared(session, _TABLE, _KEY, _COLUMNS, [
                        (row.group_id, storable(row.carrier_event_id), event_type(row.type).value,
                         row.member_id, sqlite_time(row.at, "event time"), recorded)
                        for row in rows
                    ])  # fmt: skip
                values = [_values(row) | {"recorded_at": now} for row in rows]
                return insert_many(session, EventRow, _KEY, values)
            except IntegrityError as exc:
                raise StoreError(
                    f"cannot record {len(rows)} events: a group or member among them does not exist"
                ) from exc

    def event_id_of(self, group_id: int, carrier_event_id: str, by: int) -> int | None:
        """The id of the recorded event the carrier calls `carrier_event_id` in the group, if
        member `by` sent it."""
        query = select(EventRow.id).where(EventRow.group_id == group_id,
                                          EventRow.carrier_event_id == storable(carrier_event_id),
                                          EventRow.member_id == by)  # fmt: skip
        with self._unit(write=False) as session:
            found = session.scalar(query)
            return None if found is None else int(found)

    def get_event(self, event_id: int) -> RecordedEvent | None:
        """The recorded event with this id, if there is one."""
        with self._unit(write=False) as session:
            row = session.get(EventRow, event_id)
            if row is None:
                return None
            return RecordedEvent(
                id=row.id,
                group_id=row.group_id,
                carrier_event_id=row.carrier_event_id,
                type=EventType(row.type),
                member_id=row.member_id,
                at=row.at,
                recorded_at=row.recorded_at,
            )


def event_type(type: EventType | str) -> EventType:
    """`type` as an `EventType`; ValueError naming the known types."""
    try:
        return EventType(type)
    except ValueError:
        known = ", ".join(t.value for t in EventType)
        raise ValueError(f"unknown event type {type!r}; the types are {known}") from None


def _values(row: NewEvent) -> dict[str, Any]:
    return {
        "group_id": row.group_id,
        "carrier_event_id": row.carrier_event_id,
        "type": event_type(row.type).value,
        "member_id": row.member_id,
        "at": require_aware(row.at, "event time"),
    }
