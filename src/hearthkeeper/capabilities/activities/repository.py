"""Activities in the store: events and sign-ups. `Activities` is what the capability needs;
`SqlActivities.on(tx)` runs it in the caller's transaction.

Every change that must happen once is a conditional write: an occurrence of a playbook
activity is one row however often it is materialised (unique per community, activity and
start); a door code is marked attended only where it was not yet; an event is cancelled only
from scheduled. Sign-ups to one event are decided under a lock on the event's row, so two
members taking the last place at once get one place and one waitlist spot.
"""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta
from typing import Any, Protocol

from sqlalchemy import select, update

from hearthkeeper.capabilities.activities.records import (
    Event,
    EventStatus,
    NewEvent,
    SignUp,
    Status,
)
from hearthkeeper.store.columns import utc
from hearthkeeper.store.inserts import insert_one, table_of
from hearthkeeper.store.locks import lock_row
from hearthkeeper.store.models import (
    NAME,
    ActivityEventRow,
    ActivitySignUpRow,
    MemberRow,
    ScheduledRow,
)
from hearthkeeper.store.scope import StoreBase

_EVENTS = table_of(ActivityEventRow)
_SIGNUPS = table_of(ActivitySignUpRow)
_SCHEDULED = table_of(ScheduledRow)
CODE_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"  # Crockford's base32: easy to read aloud
CODE_LENGTH = 8


def new_code() -> str:
    """A random door code (40 bits), stored without its dash."""
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


class Activities(Protocol):
    """What the activities capability reads and writes."""

    def materialise(self, community_id: int, new: NewEvent, at: datetime) -> Event: ...
    def create(self, community_id: int, new: NewEvent, by: str, at: datetime) -> Event: ...
    def event(self, event_id: int) -> Event | None: ...
    def communities_with_events(self) -> set[int]: ...
    def events(self, community_id: int, *, after: datetime | None = None,
               before: datetime | None = None) -> list[Event]: ...  # fmt: skip
    def cancel_event(self, event_id: int) -> bool: ...
    def lock_event(self, event_id: int) -> None: ...
    def signups(self, event_id: int) -> list[SignUp]: ...
    def put(self, event_id: int, member_id: int, group_id: int, status: Status,
            at: datetime) -> SignUp: ...  # fmt: skip
    def set_status(self, signup_id: int, status: Status, at: datetime, *,
                   order_id: int | None = None, clear_order: bool = False) -> SignUp: ...  # fmt: skip
    def lapse(self, signup_id: int, held_since: datetime, at: datetime) -> bool: ...
    def by_code(self, code: str) -> SignUp | None: ...
    def mark_attended(self, signup_id: int, by: str, at: datetime) -> bool: ...


class SqlActivities(StoreBase):
    """The activities repository on SQLAlchemy."""

    def materialise(self, community_id: int, new: NewEvent, at: datetime) -> Event:
        """The occurrence of a playbook activity at `new.starts_at`, made the first time."""
        assert new.activity_id is not None, "only playbook activities are materialised"
        values = _event_values(community_id, new, "playbook", at)
        with self._unit(write=True) as session:
            event_id, _ = insert_one(session, ActivityEventRow,
                                     ("community_id", "activity_id", "starts_at"), values)  # fmt: skip
            return _event(session.execute(select(_EVENTS).where(_EVENTS.c.id == event_id)).one())

    def create(self, community_id: int, new: NewEvent, by: str, at: datetime) -> Event:
        """A new event staff made (no playbook activity behind it)."""
        values = _event_values(community_id, new, by, at) | {"activity_id": None}
        with self._unit(write=True) as session:
            event_id = session.scalar(_EVENTS.insert().values(values).returning(_EVENTS.c.id))
            return _event(session.execute(select(_EVENTS).where(_EVENTS.c.id == event_id)).one())

    def communities_with_events(self) -> set[int]:
        """The communities that have at least one event (made by staff or their playbook)."""
        with self._unit(write=False) as session:
            return set(session.scalars(select(_EVENTS.c.community_id).distinct()))

    def event(self, event_id: int) -> Event | None:
        with self._unit(write=False) as session:
            row = session.execute(select(_EVENTS).where(_EVENTS.c.id == event_id)).first()
            return None if row is None else _event(row)

    def events(self, community_id: int, *, after: datetime | None = None,
               before: datetime | None = None) -> list[Event]:  # fmt: skip
        """The community's events starting in [after, before), earliest first."""
        query = select(_EVENTS).where(_EVENTS.c.community_id == community_id)
        if after is not None:
            query = query.where(_EVENTS.c.starts_at >= utc(after, "after"))
        if before is not None:
            query = query.where(_EVENTS.c.starts_at < utc(before, "before"))
        with self._unit(write=False) as session:
            rows = session.execute(query.order_by(_EVENTS.c.starts_at, _EVENTS.c.id))
            return [_event(row) for row in rows]

    def cancel_event(self, event_id: int) -> bool:
        """Cancel a scheduled event and call off its pending work (`activity:<id>:…`);
        False when it was cancelled already."""
        self.flush_deferred()  # work this transaction planned is called off too
        with self._unit(write=True) as session:
            done = session.execute(
                update(_EVENTS).where(_EVENTS.c.id == event_id,
                                      _EVENTS.c.status == EventStatus.SCHEDULED.value)
                .values(status=EventStatus.CANCELLED.value)
            )  # fmt: skip
            if not done.rowcount:  # type: ignore[attr-defined]
                return False
            session.execute(
                update(_SCHEDULED).where(_SCHEDULED.c.key.like(f"activity:{event_id}:%"),
                                         _SCHEDULED.c.status == "pending")
                .values(status="cancelled")
            )  # fmt: skip
            return True

    def lock_event(self, event_id: int) -> None:
        """Serialise sign-ups to one event until the transaction ends."""
        with self._unit(write=True) as session:
            lock_row(session, ActivityEventRow, event_id)

    def signups(self, event_id: int) -> list[SignUp]:
        """The event's sign-ups (cancelled ones too) in the order they joined the queue."""
        query = (
            select(_SIGNUPS, MemberRow.display_name)
            .join(MemberRow, MemberRow.id == _SIGNUPS.c.member_id)
            .where(_SIGNUPS.c.event_id == event_id)
            .order_by(_SIGNUPS.c.signed_up_at, _SIGNUPS.c.id)
        )
        with self._unit(write=False) as session:
            return [_signup(row) for row in session.execute(query)]

    def put(self, event_id: int, member_id: int, group_id: int, status: Status,
            at: datetime) -> SignUp:  # fmt: skip
        """Sign the member up with `status` (again, after a cancellation: to the back of the
        queue, keeping their door code)."""
        when = utc(at, "at")
        with self._unit(write=True) as session:
            found = session.scalar(select(_SIGNUPS.c.id).where(
                _SIGNUPS.c.event_id == event_id, _SIGNUPS.c.member_id == member_id))  # fmt: skip
            if found is None:
                values = {"event_id": event_id, "member_id": member_id, "group_id": group_id,
                          "status": status.value, "code": new_code(), "order_id": None,
                          "signed_up_at": when, "changed_at": when, "attended_at": None,
                          "checked_in_by": None}  # fmt: skip
                found = session.scalar(_SIGNUPS.insert().values(values).returning(_SIGNUPS.c.id))
            else:
                session.execute(update(_SIGNUPS).where(_SIGNUPS.c.id == found).values(
                    status=status.value, group_id=group_id, signed_up_at=when, changed_at=when))  # fmt: skip
            return self._one(session, int(found))

    def set_status(self, signup_id: int, status: Status, at: datetime, *,
                   order_id: int | None = None, clear_order: bool = False) -> SignUp:  # fmt: skip
        """A sign-up's new status; `order_id` the fee it holds now (`clear_order`: none, the
        fee refunded)."""
        values: dict[str, Any] = {"status": status.value, "changed_at": utc(at, "at")}
        if order_id is not None or clear_order:
            values["order_id"] = order_id
        with self._unit(write=True) as session:
            session.execute(update(_SIGNUPS).where(_SIGNUPS.c.id == signup_id).values(values))
            return self._one(session, signup_id)

    def lapse(self, signup_id: int, held_since: datetime, at: datetime) -> bool:
        """Let an unpaid place go, once, only if it is still the hold that began at
        `held_since`: False when the fee was recorded (or the member gave it up, or signed
        up again) in the meantime — a payment committed first wins."""
        with self._unit(write=True) as session:
            done = session.execute(
                update(_SIGNUPS).where(_SIGNUPS.c.id == signup_id,
                                       _SIGNUPS.c.status == Status.UNPAID.value,
                                       _SIGNUPS.c.changed_at == utc(held_since, "held_since"))
                .values(status=Status.LAPSED.value, changed_at=utc(at, "at"))
            )  # fmt: skip
            return bool(done.rowcount)  # type: ignore[attr-defined]

    def by_code(self, code: str) -> SignUp | None:
        """The sign-up a door code belongs to."""
        with self._unit(write=False) as session:
            found = session.scalar(select(_SIGNUPS.c.id).where(_SIGNUPS.c.code == code))
            return None if found is None else self._one(session, int(found))

    def mark_attended(self, signup_id: int, by: str, at: datetime) -> bool:
        """Mark the member in, once: False when the code was used already."""
        with self._unit(write=True) as session:
            done = session.execute(
                update(_SIGNUPS).where(_SIGNUPS.c.id == signup_id,
                                       _SIGNUPS.c.attended_at.is_(None))
                .values(attended_at=utc(at, "at"), checked_in_by=by[:NAME])
            )  # fmt: skip
            return bool(done.rowcount)  # type: ignore[attr-defined]

    def attendees(self, community_id: int) -> set[int]:
        """Members who came in at the door of any of the community's events."""
        query = (
            select(_SIGNUPS.c.member_id).distinct()
            .join(_EVENTS, _EVENTS.c.id == _SIGNUPS.c.event_id)
            .where(_EVENTS.c.community_id == community_id, _SIGNUPS.c.attended_at.is_not(None))
        )  # fmt: skip
        with self._unit(write=False) as session:
            return set(session.scalars(query))

    def all_signups(self, community_id: int) -> list[SignUp]:
        """Every sign-up to the community's events (for attendance figures)."""
        query = (
            select(_SIGNUPS, MemberRow.display_name)
            .join(MemberRow, MemberRow.id == _SIGNUPS.c.member_id)
            .join(_EVENTS, _EVENTS.c.id == _SIGNUPS.c.event_id)
            .where(_EVENTS.c.community_id == community_id)
            .order_by(_SIGNUPS.c.event_id, _SIGNUPS.c.signed_up_at, _SIGNUPS.c.id)
        )
        with self._unit(write=False) as session:
            return [_signup(row) for row in session.execute(query)]

    def member_signups(self, community_id: int, member_id: int,
                       limit: int = 50) -> list[tuple[SignUp, Event]]:  # fmt: skip
        """One member's sign-ups to the community's events, with each event, the event
        starting latest first (the console's member page)."""
        query = (
            select(_SIGNUPS, MemberRow.display_name)
            .join(MemberRow, MemberRow.id == _SIGNUPS.c.member_id)
            .join(_EVENTS, _EVENTS.c.id == _SIGNUPS.c.event_id)
            .where(_EVENTS.c.community_id == community_id, _SIGNUPS.c.member_id == member_id)
            .order_by(_EVENTS.c.starts_at.desc(), _SIGNUPS.c.id.desc())
            .limit(limit)
        )
        with self._unit(write=False) as session:
            signups = [_signup(row) for row in session.execute(query)]
            ids = sorted({s.event_id for s in signups})
            events = {row.id: _event(row) for row in
                      session.execute(select(_EVENTS).where(_EVENTS.c.id.in_(ids)))}  # fmt: skip
        return [(s, events[s.event_id]) for s in signups]

    def _one(self, session: Any, signup_id: int) -> SignUp:
        query = (select(_SIGNUPS, MemberRow.display_name)
                 .join(MemberRow, MemberRow.id == _SIGNUPS.c.member_id)
                 .where(_SIGNUPS.c.id == signup_id))  # fmt: skip
        return _signup(session.execute(query).one())


def _event_values(community_id: int, new: NewEvent, by: str, at: datetime) -> dict[str, Any]:
    return {"community_id": community_id, "activity_id": new.activity_id,
            "title": new.title[:NAME], "place": None if new.place is None else new.place[:NAME],
            "starts_at": utc(new.starts_at, "starts_at"), "capacity": new.capacity,
            "price": new.price, "currency": new.currency, "sign_up": new.sign_up,
            "status": EventStatus.SCHEDULED.value, "created_by": by[:NAME],
            "created_at": utc(at, "at"),
            "pay_within": None if new.pay_within is None
            else int(new.pay_within.total_seconds())}  # fmt: skip


def _event(row: Any) -> Event:
    return Event(id=row.id, community_id=row.community_id, activity_id=row.activity_id,
                 title=row.title, place=row.place, starts_at=row.starts_at,
                 capacity=row.capacity, price=row.price, currency=row.currency,
                 sign_up=bool(row.sign_up), status=EventStatus(row.status),
                 created_by=row.created_by, created_at=row.created_at,
                 pay_within=None if row.pay_within is None
                 else timedelta(seconds=row.pay_within))  # fmt: skip


def _signup(row: Any) -> SignUp:
    return SignUp(id=row.id, event_id=row.event_id, member_id=row.member_id,
                  group_id=row.group_id, status=Status(row.status), code=row.code,
                  order_id=row.order_id, signed_up_at=row.signed_up_at,
                  changed_at=row.changed_at, attended_at=row.attended_at,
                  checked_in_by=row.checked_in_by, display_name=row.display_name or "")  # fmt: skip
