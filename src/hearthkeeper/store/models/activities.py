"""Offline activities (seed 004): events (an occurrence of a playbook activity, or one staff
made) and members' sign-ups to them, each with its own door code and attendance."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from sqlalchemy import Boolean, ForeignKey, Index, Integer, Numeric, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from hearthkeeper.store.columns import SafeString, UTCDateTime
from hearthkeeper.store.models.base import NAME, Base

CODE = 16  # a door code (`7KQ2M9XD`, kept without its dash)


class ActivityEventRow(Base):
    """One event: a dated occurrence of `activities[].id` (unique per community, activity and
    start, so materialising it twice makes one row) or, with no activity id, one staff made."""

    __tablename__ = "activity_events"
    __table_args__ = (
        UniqueConstraint("community_id", "activity_id", "starts_at"),
        Index("ix_activity_events_community_id_starts_at", "community_id", "starts_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("communities.id"))
    activity_id: Mapped[str | None] = mapped_column(SafeString(64))
    title: Mapped[str] = mapped_column(SafeString(NAME))
    place: Mapped[str | None] = mapped_column(SafeString(NAME))
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime)
    capacity: Mapped[int | None] = mapped_column(Integer)
    price: Mapped[Decimal | None] = mapped_column(Numeric(12, 2))
    currency: Mapped[str] = mapped_column(SafeString(3))
    sign_up: Mapped[bool] = mapped_column(Boolean)
    status: Mapped[str] = mapped_column(SafeString(16))  # scheduled | cancelled
    created_by: Mapped[str] = mapped_column(SafeString(NAME))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # A priced event: seconds an unpaid place is held (None: until paid; events made before
    # payment windows existed keep that).
    pay_within: Mapped[int | None] = mapped_column(Integer)


class ActivitySignUpRow(Base):
    """A member's sign-up to an event, from the group they signed up in: confirmed, waiting
    for their payment (a priced event: the place is held), waitlisted or cancelled; the
    door code on their ticket, and when they came in."""

    __tablename__ = "activity_signups"
    __table_args__ = (UniqueConstraint("event_id", "member_id"), UniqueConstraint("code"))

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("activity_events.id"))
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id"))
    group_id: Mapped[int] = mapped_column(ForeignKey("groups.id"))
    # confirmed | unpaid | waitlisted | cancelled | lapsed
    status: Mapped[str] = mapped_column(SafeString(16))
    code: Mapped[str] = mapped_column(SafeString(CODE))
    order_id: Mapped[int | None] = mapped_column(ForeignKey("orders.id"))
    signed_up_at: Mapped[datetime] = mapped_column(UTCDateTime)  # the place in the queue
    changed_at: Mapped[datetime] = mapped_column(UTCDateTime)
    attended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    checked_in_by: Mapped[str | None] = mapped_column(SafeString(NAME))
