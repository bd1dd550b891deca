"""Paid membership through the engine: the door, the reminder, the expiry and removal, a
renewal in time, a refund — each exactly once across restarts (counted on the carrier)."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from hearthkeeper.capabilities.billing.ledger import BillingError
from hearthkeeper.capabilities.billing.payments import cancel, refund
from hearthkeeper.capabilities.billing.records import OrderKind, Status
from hearthkeeper.capabilities.billing.repository import SqlBilling
from hearthkeeper.clock import FrozenClock
from hearthkeeper.engine.admission import Entry
from hearthkeeper.store import Store
from tests.capabilities.billing.billing_setup import (
    PAID,
    billing,
    kicks,
    paid_community,
    pay,
    performed,
    reminders,
    run_at,
    screen,
    seat,
)
from tests.engine_setup import Community


def _subscription_status(c: Community, user: str) -> Status:
    member = c.store.find_member("fake", user)
    assert member is not None
    subs = SqlBilling.on(c.store).subscriptions(c.runtime.community_id, member_id=member.id)
    return subs[-1].status


def _ann_cancels(c: Community, store: Store, clock: FrozenClock) -> datetime:
    """Ann buys the plan (receipt shop-1) and is seated in g1; staff cancel it at the period's
    end: that end."""
    bought = pay(c, "ann", "shop-1")
    seat(c, "ann", "g1")
    community = store.get_community(c.runtime.slug)
    assert community is not None and bought.subscription is not None
    with store.transaction() as tx:
        cancel(tx, community, c.runtime.playbook, bought.subscription.id, "staff", clock.now())
    return bought.subscription.period_end


def test_a_stranger_is_refused_with_the_plan_and_a_payment_reference_then_admitted_once_paid(
    store: Store, store_clock: FrozenClock
) -> None:
    c = paid_community(store, store_clock)
    refused = screen(c, "ann")
    assert refused.entry is Entry.REFUSE
    assert "Half-year membership" in refused.reason and "299 CNY every 6 months" in refused.reason
    code = SqlBilling.on(store).reference_for("fake", "ann", "", store_clock.now()).code
    assert code in refused.reason
    assert store.find_member("fake", "ann") is None  # refused: not a member yet
    assert screen(c, "ann").reason == refused.reason  # the same code every time
    with store.transaction() as tx:  # the shop credits the code: ann becomes a member
        from hearthkeeper.capabilities.billing.payments import payer

        member_id = payer(tx, code.lower())
    assert store.find_member("fake", "ann") is not None
    assert member_id == store.find_member("fake", "ann").id  # type: ignore[union-attr]
    pay(c, "ann", "shop-1")
    assert screen(c, "ann").admitted


def test_bought_reminded_expired_and_removed_each_exactly_once_across_restarts(
    store: Store, store_clock: FrozenClock
) -> None:
    c = paid_community(store, store_clock)  # 2026-05-01 09:00 UTC
    paid = pay(c, "ann", "shop-1")
    seat(c, "ann", "g1", "g2")
    assert paid.created and paid.order.kind is OrderKind.PURCHASE
    end = paid.subscription.period_end  # type: ignore[union-attr]
    assert end.date().isoformat() == "2026-11-01"
    assert pay(c, "ann", "shop-1").created is False  # the same receipt again: nothing new

    assert run_at(c, end - timedelta(days=15)) == []
    reminded = run_at(c, end - timedelta(days=14))
    assert reminders(reminded) == [("g1", "ann"), ("g2", "ann")]
    assert "2026-11-01" in (reminded[0].text or "")
    assert reminders(run_at(c, end - timedelta(days=13), restart=True)) == []

    assert run_at(c, end + timedelta(days=1)) == []  # in grace: still in
    assert screen(c, "ann").admitted
    removed = run_at(c, end + timedelta(days=3), restart=True)
    assert kicks(removed) == [("g1", "ann"), ("g2", "ann")]
    assert "not renewed" in (removed[0].reason or "")
    assert _subscription_status(c, "ann") is Status.EXPIRED
    assert kicks(run_at(c, end + timedelta(days=4), restart=True)) == []
    c.engine.process([c.events.leave("ann", group=g, at=store_clock.now()) for g in ("g1", "g2")])
    verdict = screen(c, "ann")
    assert verdict.entry is Entry.REFUSE and "ended on" in verdict.reason


def test_a_renewal_in_time_calls_off_the_reminder_and_the_removal(
    store: Store, store_clock: FrozenClock
) -> None:
    c = paid_community(store, store_clock)
    end = pay(c, "ann", "shop-1").subscription.period_end  # type: ignore[union-attr]
    seat(c, "ann", "g1")
    store_clock.set(end - timedelta(days=20))
    renewed = pay(c, "ann", "shop-2")
    assert renewed.order.kind is OrderKind.RENEWAL
    new_end = renewed.subscription.period_end  # type: ignore[union-attr]
    assert new_end.date().isoformat() == "2027-05-01"
    for when in (end - timedelta(days=14), end + timedelta(days=3), end + timedelta(days=30)):
        assert run_at(c, when, restart=True) == []
    assert screen(c, "ann").admitted
    assert reminders(run_at(c, new_end - timedelta(days=14))) == [("g1", "ann")]


def test_a_refund_in_the_window_removes_at_once_and_outside_it_is_refused(
    store: Store, store_clock: FrozenClock
) -> None:
    c = paid_community(store, store_clock)
    bought = pay(c, "ann", "shop-1")
    late = pay(c, "bo", "shop-2")
    seat(c, "ann", "g1", "g2")
    community = store.get_community(c.runtime.slug)
    assert community is not None and bought.subscription and late.subscription
    store_clock.set(store_clock.now() + timedelta(days=6))
    with store.transaction() as tx:
        back = refund(tx, community, c.runtime.playbook, bought.subscription.id, "staff",
                      store_clock.now())  # fmt: skip
    assert back.order.amount == -bought.order.amount and back.order.kind is OrderKind.REFUND
    c.restart()
    assert kicks(billing(performed(c))) == [("g1", "ann"), ("g2", "ann")]
    with store.transaction() as tx:  # asked again: nothing new
        again = refund(tx, community, c.runtime.playbook, bought.subscription.id, "staff",
                       store_clock.now())  # fmt: skip
    assert not again.created and kicks(performed(c)) == []
    assert _subscription_status(c, "ann") is Status.REFUNDED
    assert screen(c, "ann").entry is Entry.REFUSE
    store_clock.set(store_clock.now() + timedelta(days=2))  # 8 days after bo paid
    with pytest.raises(BillingError, match="refund window"), store.transaction() as tx:
        refund(tx, community, c.runtime.playbook, late.subscription.id, "staff", store_clock.now())
    assert _subscription_status(c, "bo") is Status.ACTIVE
    assert len(SqlBilling.on(store).orders(community.id)) == 3


def test_cancelled_at_period_end_keeps_access_then_leaves_without_grace_or_reminder(
    store: Store, store_clock: FrozenClock
) -> None:
    c = paid_community(store, store_clock)
    end = _ann_cancels(c, store, store_clock)
    assert run_at(c, end - timedelta(days=14)) == []
    assert screen(c, "ann").admitted
    assert kicks(run_at(c, end, restart=True)) == [("g1", "ann")]


def test_a_trial_admits_a_newcomer_once_and_ends_like_a_period(
    store: Store, store_clock: FrozenClock
) -> None:
    c = paid_community(
        store, store_clock, PAID.replace("period: 6 months", "period: 6 months\n      trial: 3d")
    )
    assert screen(c, "ann").admitted
    assert screen(c, "ann").admitted  # asked twice: one trial
    member = store.find_member("fake", "ann")
    assert member is not None
    subs = SqlBilling.on(store).subscriptions(c.runtime.community_id, member_id=member.id)
    assert len(subs) == 1 and subs[0].trial_end is not None
    seat(c, "ann", "g1")
    removed = run_at(c, store_clock.now() + timedelta(days=6), restart=True)
    assert kicks(removed) == [("g1", "ann")]
    assert screen(c, "ann").entry is Entry.REFUSE  # no second trial


def test_a_refunded_renewal_leaves_the_period_paid_before_it(
    store: Store, store_clock: FrozenClock
) -> None:
    """A member who renewed early and asked for the renewal back was removed at once: 299
    given back of 598 paid, and the first period, paid for, lost with it."""
    from hearthkeeper.capabilities.billing.metrics import money_figures

    c = paid_community(store, store_clock)
    bought = pay(c, "ann", "shop-1")
    seat(c, "ann", "g1")
    community = store.get_community(c.runtime.slug)
    assert community is not None and bought.subscription is not None
    first_end = bought.subscription.period_end
    store_clock.set(store_clock.now() + timedelta(days=60))
    renewed = pay(c, "ann", "shop-2")
    assert renewed.order.kind is OrderKind.RENEWAL and renewed.subscription is not None
    assert renewed.subscription.period_end > first_end
    store_clock.set(store_clock.now() + timedelta(days=3))
    with store.transaction() as tx:
        back = refund(tx, community, c.runtime.playbook, bought.subscription.id, "staff",
                      store_clock.now())  # fmt: skip
    assert back.created and back.order.amount == -renewed.order.amount
    assert back.subscription is not None and back.subscription.period_end == first_end
    c.restart()
    assert kicks(performed(c)) == [], "ann keeps the period she paid for first"
    assert _subscription_status(c, "ann") is Status.ACTIVE and screen(c, "ann").admitted
    with store.transaction() as tx:  # Refund clicked twice: nothing more is given back
        again = refund(tx, community, c.runtime.playbook, bought.subscription.id, "staff",
                       store_clock.now())  # fmt: skip
    assert not again.created and again.order.id == back.order.id
    figures = money_figures(store, community.id, store_clock.now())
    assert (figures.renewed, figures.revenue) == (0, {"CNY": bought.order.amount})
    assert reminders(run_at(c, first_end - timedelta(days=14))) == [("g1", "ann")]
    assert kicks(run_at(c, first_end + timedelta(days=3), restart=True)) == [("g1", "ann")]


def test_cancelled_on_a_plan_without_grace_is_removed_at_the_period_end(
    store: Store, store_clock: FrozenClock
) -> None:
    """A plan with `grace: none`: its expiry was planned at the period's end, and the
    cancellation planned the very same moment again, which its own calling off had left
    cancelled: a member who cancelled was never removed."""
    c = paid_community(store, store_clock, PAID.replace("grace: 3d", "grace: none"))
    end = _ann_cancels(c, store, store_clock)
    assert kicks(run_at(c, end, restart=True)) == [("g1", "ann")]
    assert _subscription_status(c, "ann") is Status.EXPIRED
    assert screen(c, "ann").entry is Entry.REFUSE


def test_a_trial_shorter_than_the_reminder_is_reminded_the_day_before_it_ends(
    store: Store, store_clock: FrozenClock
) -> None:
    """A 3-day trial of a plan reminding 14 days before the end: the reminder's moment fell
    before the trial began, so nobody was ever reminded, and the newcomer was removed for a
    membership that "ended and was not renewed", never having paid. The reminder now comes a
    day before the trial ends, saying it is a trial and what to pay."""
    c = paid_community(
        store, store_clock, PAID.replace("period: 6 months", "period: 6 months\n      trial: 3d")
    )
    start = store_clock.now()
    assert screen(c, "ann").admitted
    seat(c, "ann", "g1")
    code = SqlBilling.on(store).reference_for("fake", "ann", "", start).code
    assert run_at(c, start + timedelta(days=1)) == []
    said = run_at(c, start + timedelta(days=2), restart=True)
    assert reminders(said) == [("g1", "ann")]
    [text] = [a.text or "" for a in said]
    assert "free trial" in text and "299 CNY" in text and code in text
    assert "Renew" not in text, "a trial is not renewed"
    assert run_at(c, start + timedelta(days=2, hours=12), restart=True) == []  # once
    removed = run_at(c, start + timedelta(days=6), restart=True)
    assert kicks(removed) == [("g1", "ann")]
    assert "trial" in (removed[0].reason or "") and "renewed" not in (removed[0].reason or "")


TRIAL = PAID.replace("period: 6 months", "period: 6 months\n      trial: 3d")


def test_a_purchase_made_in_the_trial_and_refunded_gives_the_trial_back_to_its_end(
    store: Store, store_clock: FrozenClock
) -> None:
    """A newcomer in a 3-day trial paid on day 1 and asked for the money back: the refund
    removed them at once, ending the two trial days they had before paying. Giving the
    payment back now returns them to the trial, which ends (and removes them) as it would
    have."""
    c = paid_community(store, store_clock, TRIAL)
    start = store_clock.now()
    assert screen(c, "ann").admitted
    seat(c, "ann", "g1")
    store_clock.set(start + timedelta(days=1))
    bought = pay(c, "ann", "shop-1")
    assert bought.order.kind is OrderKind.PURCHASE and bought.subscription is not None
    trial_end = bought.subscription.trial_end
    assert trial_end is not None
    community = store.get_community(c.runtime.slug)
    assert community is not None
    with store.transaction() as tx:
        back = refund(tx, community, c.runtime.playbook, bought.subscription.id, "staff",
                      store_clock.now())  # fmt: skip
    assert back.created and back.order.amount == -bought.order.amount
    assert back.subscription is not None and back.subscription.period_end == trial_end
    assert not back.subscription.paid, "a trial again"
    c.restart()
    assert kicks(performed(c)) == [], "ann is still in her trial"
    assert _subscription_status(c, "ann") is Status.ACTIVE and screen(c, "ann").admitted
    said = run_at(c, trial_end - timedelta(hours=1), restart=True)
    assert kicks(said) == []
    removed = run_at(c, trial_end, restart=True)
    assert kicks(removed) == [("g1", "ann")]
    assert "trial" in (removed[0].reason or "")
    assert _subscription_status(c, "ann") is Status.EXPIRED


def test_a_free_trial_ends_when_its_reminder_says_without_the_plans_grace(
    store: Store, store_clock: FrozenClock
) -> None:
    """A 3-day trial of a plan with a 3-day grace: the reminder said the trial ends on day
    3, yet the newcomer stayed in the group until day 6 (the grace, for nobody's payment).
    A trial now ends, and its member leaves, when the reminder said."""
    c = paid_community(store, store_clock, TRIAL)
    start = store_clock.now()
    assert screen(c, "ann").admitted
    seat(c, "ann", "g1")
    said = run_at(c, start + timedelta(days=2))
    assert reminders(said) == [("g1", "ann")]
    removed = run_at(c, start + timedelta(days=3), restart=True)
    assert kicks(removed) == [("g1", "ann")]
    assert screen(c, "ann").entry is Entry.REFUSE
    store_clock.set(start + timedelta(days=4))
    bought = pay(c, "ann", "shop-1")  # paying after the trial: a period from the payment
    assert bought.subscription is not None
    assert bought.subscription.period_start == start + timedelta(days=4)


def test_a_member_who_paid_after_the_trial_lapsed_is_not_removed_by_its_expiry(
    store: Store, store_clock: FrozenClock
) -> None:
    """The trial ended on day 3 while the server was down (or its expiry was planned for
    the old grace); she paid on day 4, a new period, and the trial's expiry, run then,
    removed her from the group she had just paid for."""
    c = paid_community(store, store_clock, TRIAL)
    start = store_clock.now()
    assert screen(c, "ann").admitted
    seat(c, "ann", "g1")
    store_clock.set(start + timedelta(days=4))
    bought = pay(c, "ann", "shop-1")
    assert bought.subscription is not None and bought.subscription.paid
    assert kicks(run_at(c, start + timedelta(days=4, minutes=1), restart=True)) == []
    assert screen(c, "ann").admitted
    member = store.find_member("fake", "ann")
    assert member is not None
    trial, paid = SqlBilling.on(store).subscriptions(c.runtime.community_id, member_id=member.id)
    assert (trial.status, paid.status) == (Status.EXPIRED, Status.ACTIVE)
