"""Paid membership: payment references, subscriptions and the orders ledger (billing).

`memberships` already means a member's stays in groups, so a paid membership is a
`subscriptions` row; every payment, renewal and refund is an `orders` row, unique per
payment provider and the provider's reference, so a webhook delivered twice or a command
typed twice records nothing new.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from sqlalchemy import ForeignKey, Index, Numeric, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from hearthkeeper.store.columns import SafeString, UTCDateTime
from hearthkeeper.store.models.base import KEY, NAME, Base


class PaymentReferenceRow(Base):
    """The short code a person quotes when paying, kept so it resolves back to the
    carrier's user id before the store knows them as a member."""

    __tablename__ = "payment_references"
    __table_args__ = (UniqueConstraint("carrier", "carrier_user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(SafeString(16), unique=True)
    carrier: Mapped[str] = mapped_column(SafeString(32))
    carrier_user_id: Mapped[str] = mapped_column(SafeString(KEY))
    display_name: Mapped[str] = mapped_column(SafeString(NAME))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class SubscriptionRow(Base):
    """A member's paid membership of a plan in a community: the period it covers."""

    __tablename__ = "subscriptions"
    __table_args__ = (
        Index("ix_subscriptions_community_id_member_id", "community_id", "member_id"),
        Index("ix_subscriptions_community_id_trial_network", "community_id", "trial_network"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("communities.id"))
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id"))
    plan_id: Mapped[str] = mapped_column(SafeString(64))
    # active | cancel_at_period_end | expired | refunded
    status: Mapped[str] = mapped_column(SafeString(24))
    period_start: Mapped[datetime] = mapped_column(UTCDateTime)
    period_end: Mapped[datetime] = mapped_column(UTCDateTime)
    trial_end: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # a free trial started from a web join page: a digest of the client's network (an IPv4
    # address, an IPv6 /64), so that network gets one trial per community in a while
    trial_network: Mapped[str | None] = mapped_column(SafeString(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class OrderRow(Base):
    """One payment, renewal or refund (negative amount)."""

    __tablename__ = "orders"
    __table_args__ = (
        UniqueConstraint("provider", "provider_ref"),
        Index("ix_orders_community_id_at", "community_id", "at"),
        # a payment is given back once: by staff or by its provider, never both
        Index("ux_orders_refund_of", "refund_of", unique=True),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("communities.id"))
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id"))
    subscription_id: Mapped[int | None] = mapped_column(ForeignKey("subscriptions.id"))
    plan_id: Mapped[str] = mapped_column(SafeString(64))
    amount: Mapped[Decimal] = mapped_column(Numeric(12, 2))
    currency: Mapped[str] = mapped_column(SafeString(3))
    kind: Mapped[str] = mapped_column(
        SafeString(16)
    )  # purchase | renewal | refund | event_fee | held
    provider: Mapped[str] = mapped_column(SafeString(16))  # manual | stripe | webhook
    provider_ref: Mapped[str] = mapped_column(SafeString(KEY))
    recorded_by: Mapped[str] = mapped_column(SafeString(NAME))
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    # a refund: the payment (order) it gives back (0035)
    refund_of: Mapped[int | None] = mapped_column(
        ForeignKey("orders.id", name="fk_orders_refund_of_orders")
    )
