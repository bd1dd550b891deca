"""A paid circle with two plans (a monthly card behind the door with a free trial, and a
yearly card): a member of either plan is a member, and one who changes plans keeps what
they paid for and counts as renewing."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest

from hearthkeeper.analytics.report_money import money_json
from hearthkeeper.apply import apply_playbook
from hearthkeeper.capabilities.billing.metrics import money_figures
from hearthkeeper.capabilities.billing.payments import Recorded, record_payment, refund
from hearthkeeper.capabilities.billing.records import NewOrder, Provider
from hearthkeeper.capabilities.billing.repository import SqlBilling
from hearthkeeper.capabilities.billing.staff import subscription_lines
from hearthkeeper.clock import FrozenClock
from hearthkeeper.engine.admission import Entry
from hearthkeeper.playbook import parse_playbook
from hearthkeeper.store import Store
from tests.capabilities.billing.billing_setup import (
    kicks,
    paid_community,
    performed,
    reminders,
    run_at,
    screen,
    seat,
)
from tests.engine_setup import MINIMAL, RULES, Community

TWO_PLANS = """\
joining:
  threshold: {kind: paid, plan: monthly}
monetisation:
  plans:
    - id: monthly
      name: Monthly card
      price: 39
      currency: CNY
      period: 1 month
      trial: 3d
      renewal_reminder: 5d
      grace: 2d
    - id: yearly
      name: Yearly card
      price: 365
      currency: CNY
      period: 1 year
      renewal_reminder: 14d
      grace: 3d
"""

PRICES = {"monthly": "39", "yearly": "365"}


def pay(c: Community, user: str, plan: str, receipt: str) -> Recorded:
    """Staff record `user`'s payment of `plan` at its price."""
    with c.store.transaction() as tx:
        member = tx.member_for("fake", user, user)
        community = tx.get_community(c.runtime.slug)
        assert community is not None
        order = NewOrder(plan, Decimal(PRICES[plan]), "CNY", Provider.MANUAL, receipt, "staff")
        return record_payment(tx, community, c.runtime.playbook, member.id, order, c.clock.now())


def test_a_member_who_bought_the_yearly_card_is_let_in_not_told_to_buy_the_monthly_one(
    store: Store, store_clock: FrozenClock
) -> None:
    c = paid_community(store, store_clock, TWO_PLANS)
    pay(c, "ann", "yearly", "WX-1")
    verdict = screen(c, "ann", network="10.0.0.1")
    assert verdict.entry is Entry.ADMIT, verdict.reason
    # let in as a member, not as a newcomer on the monthly card's free trial
    subs = SqlBilling.on(store).subscriptions(c.runtime.community_id)
    assert [(s.plan_id, s.paid) for s in subs] == [("yearly", True)]


def test_a_lapsed_yearly_member_reads_that_the_yearly_card_ended_and_gets_no_trial(
    store: Store, store_clock: FrozenClock
) -> None:
    c = paid_community(store, store_clock, TWO_PLANS)
    bought = pay(c, "ann", "yearly", "WX-1")
    assert bought.subscription is not None
    c.clock.set(bought.subscription.period_end + timedelta(days=10))
    c.engine.tick()  # the yearly card expires
    verdict = screen(c, "ann", network="10.0.0.1")
    assert verdict.entry is Entry.REFUSE
    assert "Your “Yearly card” membership ended on" in verdict.reason
    assert "Monthly card" in verdict.reason  # what to buy to come back
    assert len(SqlBilling.on(store).subscriptions(c.runtime.community_id)) == 1  # no trial


def test_moving_from_the_monthly_to_the_yearly_card_keeps_the_days_paid_and_counts_as_renewing(
    store: Store, store_clock: FrozenClock
) -> None:
    c = paid_community(store, store_clock, TWO_PLANS)
    seat(c, "ann", "g1")
    monthly = pay(c, "ann", "monthly", "WX-1").subscription
    assert monthly is not None
    c.clock.advance(timedelta(days=20))  # before the monthly card's reminder (5 days before)
    yearly = pay(c, "ann", "yearly", "WX-2").subscription
    assert yearly is not None
    # the yearly card starts where the monthly card she paid for ends: no day lost
    assert yearly.period_start == monthly.period_end
    assert yearly.period_end.date() == monthly.period_end.date().replace(
        year=monthly.period_end.year + 1
    )
    # she is not told to renew the monthly card, nor removed when it ends
    done = run_at(c, monthly.period_end - timedelta(days=5, minutes=-1))
    done += run_at(c, monthly.period_end + timedelta(days=3))
    assert reminders(done) == [] and kicks(done) == []
    # she renewed her membership (on another card): not a member lost
    figures = money_figures(store, c.runtime.community_id, c.clock.now())
    assert (figures.renewed, figures.renewable) == (1, 1)


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)  # a decision, not a query
def test_a_newcomer_whose_free_trial_ended_reads_that_the_trial_ended_not_a_membership(
    store: Store, store_clock: FrozenClock
) -> None:
    """The door told someone who had only tried the circle for free that their “Monthly
    card” membership had ended (你的「星球月卡」会员已于 … 结束), as if they had paid."""
    c = paid_community(store, store_clock, TWO_PLANS)
    assert screen(c, "bo", network="10.0.0.2").entry is Entry.ADMIT  # the 3-day trial
    seat(c, "bo", "g1")
    [trial] = SqlBilling.on(store).subscriptions(c.runtime.community_id)
    run_at(c, trial.period_end + timedelta(hours=1))  # the trial ends: bo is removed
    verdict = screen(c, "bo", network="10.0.0.2")
    assert verdict.entry is Entry.REFUSE
    assert "Your free trial of “Monthly card” ended on" in verdict.reason, verdict.reason
    assert "membership ended" not in verdict.reason


def test_the_money_figures_say_who_pays_now_who_is_on_trial_and_who_was_lost(
    store: Store, store_clock: FrozenClock
) -> None:
    """Two months in, the Billing page and the report gave rates and revenue but not how many
    members pay now, nor how many who paid are gone (the churn an operator watches)."""
    apply_playbook(store, parse_playbook(MINIMAL + RULES + TWO_PLANS), "test")  # its graces
    c = paid_community(store, store_clock, TWO_PLANS)
    lapsed = pay(c, "cy", "monthly", "WX-1").subscription  # pays once, never renews
    refunded = pay(c, "dee", "monthly", "WX-2").subscription
    assert lapsed is not None and refunded is not None
    with store.transaction() as tx:
        community = tx.get_community(c.runtime.slug)
        assert community is not None
        refund(tx, community, c.runtime.playbook, refunded.id, "staff", c.clock.now())
    c.clock.set(lapsed.period_end + timedelta(days=1))  # cy in her grace: still a payer
    pay(c, "ann", "yearly", "WX-3")
    assert screen(c, "bo", network="10.0.0.2").entry is Entry.ADMIT  # a free trial
    figures = money_figures(store, c.runtime.community_id, c.clock.now())
    assert figures.members_now_text == (
        "2 paying, 1 in a free trial; 1 who paid before has no access now (lapsed or refunded)"
    )
    run_at(c, lapsed.period_end + timedelta(days=3))  # cy's grace ends: cy is lost too
    money = money_json(money_figures(store, c.runtime.community_id, c.clock.now()), c.clock.now())
    assert (money["paying_now"], money["in_trial"], money["lost"]) == (1, 1, 2)  # bo: 3 days


def test_the_door_names_every_plan_that_lets_a_member_in(
    store: Store, store_clock: FrozenClock
) -> None:
    """Refused at the door, a newcomer read only of the monthly card the threshold names:
    the yearly card the circle also sells (and which lets them in) was never mentioned."""
    c = paid_community(store, store_clock, TWO_PLANS)
    assert screen(c, "bo", network="10.0.0.3").entry is Entry.ADMIT  # a trial from here
    refused = screen(c, "cy", network="10.0.0.3")  # the same connection: no second trial
    assert refused.entry is Entry.REFUSE
    assert "join with the plan “Monthly card” (39 CNY a month)" in refused.reason
    assert refused.reason.endswith(" Also offered: “Yearly card” (365 CNY a year)."), refused.reason


def test_the_reason_for_a_payment_below_the_price_is_read_back_by_order(
    store: Store, store_clock: FrozenClock
) -> None:
    c = paid_community(store, store_clock, TWO_PLANS)
    with c.store.transaction() as tx:
        member = tx.member_for("fake", "ann", "ann")
        community = tx.get_community(c.runtime.slug)
        assert community is not None
        order = NewOrder("monthly", Decimal("29"), "CNY", Provider.MANUAL, "WX-1", "staff")
        coupon = record_payment(tx, community, c.runtime.playbook, member.id, order,
                                c.clock.now(), discount="新人券 10 元").order  # fmt: skip
    full = pay(c, "ann", "monthly", "WX-2").order
    reasons = SqlBilling.on(store).reasons(c.runtime.community_id)
    assert reasons == {coupon.id: "新人券 10 元"} and full.id not in reasons


def test_refunding_the_monthly_card_a_yearly_card_follows_starts_the_yearly_card_now(
    store: Store, store_clock: FrozenClock
) -> None:
    """A monthly member bought the yearly card (to start when the month ends), then had the
    month refunded: the yearly card still started a month later, its year ending a month
    after what she paid for, its reminder and removal a month late."""
    apply_playbook(store, parse_playbook(MINIMAL + RULES + TWO_PLANS), "test")  # the console's
    c = paid_community(store, store_clock, TWO_PLANS)
    seat(c, "ann", "g1")
    monthly = pay(c, "ann", "monthly", "WX-1").subscription
    c.clock.advance(timedelta(days=2))
    yearly = pay(c, "ann", "yearly", "WX-2").subscription
    assert monthly is not None and yearly is not None
    assert yearly.period_start == monthly.period_end  # bought to follow the month
    c.clock.advance(timedelta(days=1))
    found = store.get_community(c.runtime.slug)
    assert found is not None
    # what the console's Refund asks first (the month's line): the yearly card starts now
    [asked] = [line.other for line in subscription_lines(store, found, c.clock.now())
               if line.subscription.id == monthly.id]  # fmt: skip
    with store.transaction() as tx:
        community = tx.get_community(c.runtime.slug)
        assert community is not None
        done = refund(tx, community, c.runtime.playbook, monthly.id, "staff", c.clock.now())
    refunded_at = c.clock.now()
    assert done.moved is not None and done.moved.id == yearly.id
    assert asked is not None and asked.moved and asked.until == done.moved.period_end
    moved = SqlBilling.on(store).subscription(yearly.id)
    assert moved is not None
    assert moved.period_start == refunded_at  # the year runs from the refund ...
    assert moved.period_end.date() == refunded_at.date().replace(year=refunded_at.year + 1)
    # ... she stays in, and is reminded 14 days before the year she paid for ends
    assert kicks(run_at(c, refunded_at + timedelta(minutes=1))) == []
    assert reminders(run_at(c, moved.period_end - timedelta(days=14, minutes=-1))) == [
        ("g1", "ann")
    ]
    done_late = run_at(c, moved.period_end + timedelta(days=3, minutes=1))
    assert kicks(done_late) == [("g1", "ann")]  # removed when that year and its grace end


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)  # a decision, not a query
def test_the_reminders_say_which_plan_ends_and_name_the_others(
    store: Store, store_clock: FrozenClock
) -> None:
    """The monthly card's trial and renewal reminders named only the monthly card: a member
    never learned of the yearly card that would keep them in too."""
    c = paid_community(store, store_clock, TWO_PLANS)
    assert screen(c, "bo", network="10.0.0.4").entry is Entry.ADMIT  # the 3-day trial
    seat(c, "bo", "g1")
    [trial] = SqlBilling.on(store).subscriptions(c.runtime.community_id)
    said = [a.text or "" for a in run_at(c, trial.period_end - timedelta(hours=23))]
    assert len(said) == 1 and "your free trial of “Monthly card” ends on" in said[0], said
    assert said[0].endswith(" Also offered: “Yearly card” (365 CNY a year)."), said
    monthly = pay(c, "bo", "monthly", "WX-1").subscription
    assert monthly is not None
    said = [a.text or "" for a in run_at(c, monthly.period_end - timedelta(days=5, minutes=-1))]
    assert len(said) == 1 and "your “Monthly card” membership ends on" in said[0], said
    assert "Renew for 39 CNY for another month;" in said[0], said  # not "another 1 month"
    assert said[0].endswith(" Also offered: “Yearly card” (365 CNY a year)."), said


def test_a_lapsed_member_who_pays_again_and_rejoins_is_welcomed_back_not_as_a_newcomer(
    store: Store, store_clock: FrozenClock
) -> None:
    """A yearly member whose card lapsed, removed, paid again and rejoined: the group read the
    full newcomer welcome again (rules, introduction request) as if she had never been in."""
    c = paid_community(store, store_clock, TWO_PLANS)
    yearly = pay(c, "ann", "yearly", "WX-1").subscription
    assert yearly is not None
    c.engine.process([c.events.join("ann", group="g1", at=c.clock.now())])
    first = [a.text or "" for a in performed(c) if a.handler == "welcome"]
    assert first and first[0].startswith("Welcome to g1, ann!"), first
    removed = run_at(c, yearly.period_end + timedelta(days=3, minutes=1))
    assert kicks(removed) == [("g1", "ann")]  # the card lapsed: she is out
    c.engine.process([c.events.leave("ann", group="g1", at=c.clock.now())])  # the carrier says
    pay(c, "ann", "yearly", "WX-2")
    c.engine.process([c.events.join("ann", group="g1", at=c.clock.now())])
    again = [a.text or "" for a in performed(c) if a.handler == "welcome"]
    assert len(again) == 1 and again[0].startswith("Welcome back to g1, ann! Good to see you"), (
        again
    )
    assert "Group rules" not in again[0] and "introduce yourself" not in again[0], again


def test_refunding_a_renewal_a_yearly_card_follows_starts_the_card_where_the_month_now_ends(
    store: Store, store_clock: FrozenClock
) -> None:
    """A monthly member renewed early, bought the yearly card to follow, then had the renewal
    given back: the month she paid first stays, and the card starts where it now ends, not a
    month after it (a gap the reminders and the Billing page left unexplained)."""
    c = paid_community(store, store_clock, TWO_PLANS)
    seat(c, "ann", "g1")
    first = pay(c, "ann", "monthly", "WX-1").subscription
    renewed = pay(c, "ann", "monthly", "WX-2").subscription  # two months paid
    yearly = pay(c, "ann", "yearly", "WX-3").subscription
    assert first is not None and renewed is not None and yearly is not None
    assert yearly.period_start == renewed.period_end
    c.clock.advance(timedelta(days=1))
    with store.transaction() as tx:
        community = tx.get_community(c.runtime.slug)
        assert community is not None
        done = refund(tx, community, c.runtime.playbook, renewed.id, "staff", c.clock.now())
    assert done.subscription is not None and done.subscription.period_end == first.period_end
    moved = SqlBilling.on(store).subscription(yearly.id)
    assert moved is not None and moved.period_start == first.period_end  # no gap
    assert moved.period_end.date() == first.period_end.date().replace(
        year=first.period_end.year + 1
    )
    # the month ends, then the card runs on: she is neither reminded to renew nor removed
    done_then = run_at(c, first.period_end - timedelta(days=5, minutes=-1))
    done_then += run_at(c, first.period_end + timedelta(days=3))
    assert reminders(done_then) == [] and kicks(done_then) == []
