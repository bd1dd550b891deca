"""What the billing repository gives back: payment references, subscriptions (a member's paid
membership of a plan) and orders (the ledger: purchases, renewals, refunds)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from enum import StrEnum


class Status(StrEnum):
    """Where a subscription stands."""

    ACTIVE = "active"  # paid (or in its trial); renews when the member pays again
    CANCEL_AT_PERIOD_END = "cancel_at_period_end"  # access to the end of the period, then out
    EXPIRED = "expired"  # the period (and its grace) ended unpaid: removed from the groups
    REFUNDED = "refunded"  # refunded: access ended at once


LIVE = (Status.ACTIVE, Status.CANCEL_AT_PERIOD_END)


class OrderKind(StrEnum):
    PURCHASE = "purchase"  # the first payment of a subscription
    RENEWAL = "renewal"  # a payment extending a paid period from its end
    REFUND = "refund"  # money given back (a negative amount)
    EVENT_FEE = "event_fee"  # an offline event's fee (plan_id `event:<id>`; activities/fees.py)
    # a provider's payment short of the plan's price (or in another currency): recorded,
    # granting nothing until staff grant it (`payments.grant`), then a purchase or renewal
    HELD = "held"
    # days of membership staff or a referral reward gave (`given.give_days`): amount 0, no
    # payment; the days and the reason are in its audit entry (`billing days given`)
    DAYS_GIVEN = "days_given"

    @property
    def shown(self) -> str:
        """The kind as staff read it in a list ('days given', 'event fee'); exports (CSV,
        JSON) keep the value."""
        return self.value.replace("_", " ")


class Provider(StrEnum):
    """Where a payment was recorded: by staff (CLI, console, API), Stripe, the generic webhook."""

    MANUAL = "manual"
    STRIPE = "stripe"
    WEBHOOK = "webhook"


@dataclass(frozen=True)
class PaymentReference:
    """The code a person quotes when paying, and whom it names on which carrier."""

    code: str
    carrier: str
    carrier_user_id: str
    display_name: str


@dataclass(frozen=True)
class Subscription:
    """A member's paid membership of one plan in one community. `period_start` is when the
    current unbroken coverage began (a trial or the first payment), `period_end` when it ends;
    `trial_end` is set when it started as a free trial."""

    id: int
    community_id: int
    member_id: int
    plan_id: str
    status: Status
    period_start: datetime
    period_end: datetime
    trial_end: datetime | None
    created_at: datetime
    ended_at: datetime | None

    @property
    def paid(self) -> bool:
        """Whether a payment covers it (not only a trial)."""
        return self.trial_end is None or self.period_end > self.trial_end

    @property
    def live(self) -> bool:
        return self.status in LIVE


@dataclass(frozen=True)
class Order:
    """One line of the ledger."""

    id: int
    community_id: int
    member_id: int
    subscription_id: int | None
    plan_id: str
    amount: Decimal
    currency: str
    kind: OrderKind
    provider: Provider
    provider_ref: str
    recorded_by: str
    at: datetime
    refund_of: int | None = None  # a refund: the payment (order id) it gave back


@dataclass(frozen=True)
class NewOrder:
    """An order to record (its subscription is decided when it is recorded)."""

    plan_id: str
    amount: Decimal
    currency: str
    provider: Provider
    provider_ref: str
    recorded_by: str


def given_text(days: int, reason: str) -> str:
    """How an order of days given reads in the ledger: "7 days given: an apology"."""
    said = f"{days} day{'' if days == 1 else 's'} given"
    return f"{said}: {reason}" if reason else said
