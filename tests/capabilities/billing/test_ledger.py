"""The ledger's pure decisions: what a payment covers, when access ends, refunds, trials."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from hearthkeeper.capabilities.billing.ledger import (
    BillingError,
    coverage,
    expiry_at,
    has_access,
    refundable,
    reminder_at,
    shown_status,
    trial_period,
)
from hearthkeeper.capabilities.billing.records import (
    Order,
    OrderKind,
    Provider,
    Status,
    Subscription,
)
from hearthkeeper.playbook.business import Plan

ZONE = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 1, 31, 2, 0, tzinfo=UTC)  # 10:00 in Shanghai
PLAN = Plan.model_validate({"id": "half-year", "name": "Half year", "price": "299",
                            "period": "6 months", "trial": "3d", "refund_window": "7d",
                            "renewal_reminder": "14d", "grace": "3d"})  # fmt: skip


def sub(start: datetime = NOW, end: datetime | None = None, *, status: Status = Status.ACTIVE,
        trial: bool = False) -> Subscription:  # fmt: skip
    end = end or start + timedelta(days=181)
    return Subscription(id=1, community_id=1, member_id=1, plan_id="half-year", status=status,
                        period_start=start, period_end=end, trial_end=end if trial else None,
                        created_at=start, ended_at=None)  # fmt: skip


def order(at: datetime, amount: str = "299", kind: OrderKind = OrderKind.PURCHASE) -> Order:
    return Order(id=7, community_id=1, member_id=1, subscription_id=1, plan_id="half-year",
                 amount=Decimal(amount), currency="CNY", kind=kind, provider=Provider.MANUAL,
                 provider_ref="r-1", recorded_by="staff", at=at)  # fmt: skip


def test_a_first_payment_starts_a_period_of_calendar_months() -> None:
    cover = coverage(None, PLAN, NOW, ZONE)
    assert cover.kind is OrderKind.PURCHASE and cover.extends is None
    assert cover.period_start == NOW
    assert cover.period_end.astimezone(ZONE) == datetime(2026, 7, 31, 10, tzinfo=ZONE)


def test_a_renewal_extends_from_the_end_not_from_the_day_of_payment() -> None:
    current = sub(NOW, datetime(2026, 7, 31, 2, tzinfo=UTC))
    early = datetime(2026, 7, 20, tzinfo=UTC)
    cover = coverage(current, PLAN, early, ZONE)
    assert cover.kind is OrderKind.RENEWAL and cover.extends == current
    assert cover.period_end == datetime(2027, 1, 31, 2, tzinfo=UTC)


def test_paying_in_the_grace_renews_from_the_end_after_it_a_new_period_starts() -> None:
    current = sub(NOW, datetime(2026, 7, 31, 2, tzinfo=UTC))
    in_grace = datetime(2026, 8, 2, tzinfo=UTC)
    assert coverage(current, PLAN, in_grace, ZONE).period_end == datetime(
        2027, 1, 31, 2, tzinfo=UTC
    )
    too_late = datetime(2026, 8, 4, tzinfo=UTC)
    cover = coverage(current, PLAN, too_late, ZONE)
    assert cover.extends is None and cover.period_start == too_late


def test_paying_during_a_trial_is_a_purchase_that_keeps_the_trial_days() -> None:
    trial = sub(NOW, NOW + timedelta(days=3), trial=True)
    cover = coverage(trial, PLAN, NOW + timedelta(days=1), ZONE)
    assert cover.kind is OrderKind.PURCHASE and cover.extends == trial
    assert cover.period_end.astimezone(ZONE) == datetime(2026, 8, 3, 10, tzinfo=ZONE)


def test_access_lasts_to_the_end_plus_grace_and_a_cancellation_gets_no_grace() -> None:
    current = sub(NOW, NOW + timedelta(days=10))
    assert has_access(current, PLAN, NOW + timedelta(days=12))
    assert not has_access(current, PLAN, NOW + timedelta(days=13))
    assert shown_status(current, PLAN, NOW + timedelta(days=11)) == "in grace"
    assert expiry_at(current, PLAN) == NOW + timedelta(days=13)
    cancelled = replace(current, status=Status.CANCEL_AT_PERIOD_END)
    assert has_access(cancelled, PLAN, NOW + timedelta(days=9))
    assert not has_access(cancelled, PLAN, NOW + timedelta(days=10))
    assert expiry_at(cancelled, PLAN) == NOW + timedelta(days=10)
    assert reminder_at(cancelled, PLAN) is None
    # 10 days, shorter than the 14 days' reminder: the day before it ends (until session 40 a
    # moment before it began, never sent), as a short trial is
    assert reminder_at(current, PLAN) == NOW + timedelta(days=9)
    longer = sub(NOW, NOW + timedelta(days=30))
    assert reminder_at(longer, PLAN) == NOW + timedelta(days=30) - timedelta(days=14)
    for ended in (Status.EXPIRED, Status.REFUNDED):
        assert not has_access(replace(current, status=ended), PLAN, NOW)


def test_a_trial_is_offered_once_and_only_where_the_plan_has_one() -> None:
    assert trial_period(PLAN, False, NOW) == (NOW, NOW + timedelta(days=3))
    assert trial_period(PLAN, True, NOW) is None
    assert trial_period(PLAN.model_copy(update={"trial": None}), False, NOW) is None


def test_a_refund_gives_back_the_latest_payment_within_the_window() -> None:
    current = sub()
    first, renewal = (
        order(NOW),
        replace(order(NOW + timedelta(days=170), "259", OrderKind.RENEWAL), id=8),
    )
    assert refundable(current, [first, renewal], PLAN, NOW + timedelta(days=176)) == renewal
    with pytest.raises(BillingError, match=r"refund window .* closed on 2026-07-27"):
        refundable(current, [first, renewal], PLAN, NOW + timedelta(days=178))
    with pytest.raises(BillingError, match="no payment to refund"):
        refundable(current, [], PLAN, NOW)
    with pytest.raises(BillingError, match="allows no refunds"):
        refundable(current, [first], PLAN.model_copy(update={"refund_window": None}), NOW)
    with pytest.raises(BillingError, match="refunded already"):
        refundable(replace(current, status=Status.REFUNDED), [first], PLAN, NOW)
