"""What the activities repository gives back: events and members' sign-ups to them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from enum import StrEnum


class Status(StrEnum):
    """Where a sign-up stands."""

    CONFIRMED = "confirmed"  # has a place (paid, where the event is priced)
    UNPAID = "unpaid"  # a place is held until staff record the member's payment
    WAITLISTED = "waitlisted"  # the event was full: moves up when someone cancels
    CANCELLED = "cancelled"  # the member cancelled (or the event was cancelled)
    LAPSED = "lapsed"  # held unpaid past the event's payment window: the place went on


HOLDS = (Status.CONFIRMED, Status.UNPAID)  # what takes one of the event's places
LIVE = (*HOLDS, Status.WAITLISTED)  # a sign-up still in play (not given up, not lapsed)


class EventStatus(StrEnum):
    SCHEDULED = "scheduled"
    CANCELLED = "cancelled"


@dataclass(frozen=True)
class NewEvent:
    """An event to make: from the playbook (`activity_id` set) or by staff (None)."""

    activity_id: str | None
    title: str
    place: str | None
    starts_at: datetime
    capacity: int | None = None
    price: Decimal | None = None
    currency: str = "CNY"
    sign_up: bool = True
    pay_within: timedelta | None = None  # how long an unpaid place is held (None: until paid)


@dataclass(frozen=True)
class Event:
    """One dated event of a community."""

    id: int
    community_id: int
    activity_id: str | None
    title: str
    place: str | None
    starts_at: datetime
    capacity: int | None
    price: Decimal | None
    currency: str
    sign_up: bool
    status: EventStatus
    created_by: str
    created_at: datetime
    pay_within: timedelta | None = None  # a priced event: how long an unpaid place is held

    @property
    def priced(self) -> bool:
        """Whether a sign-up is confirmed only once paid."""
        return self.price is not None and self.price > 0

    @property
    def cancelled(self) -> bool:
        return self.status is EventStatus.CANCELLED


@dataclass(frozen=True)
class SignUp:
    """A member's sign-up to an event (with their display name, for lists)."""

    id: int
    event_id: int
    member_id: int
    group_id: int
    status: Status
    code: str  # the door code, stored without its dash
    order_id: int | None
    signed_up_at: datetime
    changed_at: datetime
    attended_at: datetime | None
    checked_in_by: str | None
    display_name: str = ""

    @property
    def holds_place(self) -> bool:
        return self.status in HOLDS

    @property
    def live(self) -> bool:
        """Holding a place or waiting for one."""
        return self.status in LIVE
