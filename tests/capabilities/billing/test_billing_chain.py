"""Plans bought in advance one after another (a monthly card, a second monthly card, then a
yearly card): a refund of the first moves every later one up, with their reminders and
removal, through the store and the lifecycle's scheduled jobs."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from hearthkeeper.apply import apply_playbook
from hearthkeeper.capabilities.billing.payments import Recorded, record_payment, refund
from hearthkeeper.capabilities.billing.records import NewOrder, Provider
from hearthkeeper.capabilities.billing.repository import SqlBilling
from hearthkeeper.capabilities.billing.staff import subscription_lines
from hearthkeeper.clock import FrozenClock
from hearthkeeper.playbook import parse_playbook
from hearthkeeper.store import Store
from tests.capabilities.billing.billing_setup import kicks, paid_community, reminders, run_at, seat
from tests.engine_setup import MINIMAL, RULES, Community

THREE_PLANS = """\
joining:
  threshold: {kind: paid, plan: monthly}
monetisation:
  plans:
    - id: monthly
      name: Monthly card
      price: 39
      currency: CNY
      period: 1 month
      refund_window: 7d
      renewal_reminder: 5d
      grace: 2d
    - id: coaching
      name: Coaching month
      price: 99
      currency: CNY
      period: 1 month
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

PRICES = {"monthly": "39", "coaching": "99", "yearly": "365"}


def pay(c: Community, user: str, plan: str, receipt: str) -> Recorded:
    with c.store.transaction() as tx:
        member = tx.member_for("fake", user, user)
        community = tx.get_community(c.runtime.slug)
        assert community is not None
        order = NewOrder(plan, Decimal(PRICES[plan]), "CNY", Provider.MANUAL, receipt, "staff")
        return record_payment(tx, community, c.runtime.playbook, member.id, order, c.clock.now())


def test_refunding_the_first_of_three_plans_bought_in_advance_moves_both_later_ones_up(
    store: Store, store_clock: FrozenClock
) -> None:
    """A member bought the monthly card, a coaching month to follow it and a yearly card to
    follow that, then had the monthly card refunded: the coaching month started at once but
    the yearly card still started where the coaching month used to end — a month of paid
    membership nobody had (no reminder; removed when the coaching month's grace ended, then
    let back in a month later) and the year's reminder and removal a month late."""
    apply_playbook(store, parse_playbook(MINIMAL + RULES + THREE_PLANS), "test")  # the console's
    c = paid_community(store, store_clock, THREE_PLANS)
    seat(c, "ann", "g1")
    monthly = pay(c, "ann", "monthly", "WX-1").subscription
    coaching = pay(c, "ann", "coaching", "WX-2").subscription
    yearly = pay(c, "ann", "yearly", "WX-3").subscription
    assert monthly is not None and coaching is not None and yearly is not None
    assert coaching.period_start == monthly.period_end  # each bought to follow the one before
    assert yearly.period_start == coaching.period_end
    c.clock.advance(timedelta(days=1))
    found = store.get_community(c.runtime.slug)
    assert found is not None
    # what the console's Refund asks first: both later plans move up
    [asked] = [line.other for line in subscription_lines(store, found, c.clock.now())
               if line.subscription.id == monthly.id]  # fmt: skip
    with store.transaction() as tx:
        community = tx.get_community(c.runtime.slug)
        assert community is not None
        done = refund(tx, community, c.runtime.playbook, monthly.id, "staff", c.clock.now())
    refunded_at = c.clock.now()
    assert [s.id for s in done.chain] == [coaching.id, yearly.id]
    repo = SqlBilling.on(store)
    moved_coaching, moved_yearly = repo.subscription(coaching.id), repo.subscription(yearly.id)
    assert moved_coaching is not None and moved_yearly is not None
    # the coaching month runs from the refund, the year from the end of that month
    assert moved_coaching.period_start == refunded_at
    assert moved_coaching.period_end == refunded_at.replace(month=refunded_at.month + 1)
    assert moved_yearly.period_start == moved_coaching.period_end
    assert moved_yearly.period_end == moved_coaching.period_end.replace(
        year=moved_coaching.period_end.year + 1
    )
    assert asked is not None and asked.moved and asked.until == moved_coaching.period_end
    assert asked.then == ("Yearly card",) and asked.last == moved_yearly.period_end
    # she stays in the whole time: not removed at the refund, nor told to renew the coaching
    # month, nor removed when it ends (the yearly card follows at once)
    assert kicks(run_at(c, refunded_at + timedelta(minutes=1))) == []
    end = moved_coaching.period_end
    done_then = run_at(c, end - timedelta(days=5, minutes=-1))
    done_then += run_at(c, end + timedelta(days=2, minutes=1))
    done_then += run_at(c, coaching.period_end + timedelta(days=2, minutes=1))  # the old dates
    assert reminders(done_then) == [] and kicks(done_then) == []
    # reminded 14 days before the year she paid for ends, removed when its grace ends
    assert reminders(run_at(c, moved_yearly.period_end - timedelta(days=14, minutes=-1))) == [
        ("g1", "ann")
    ]
    assert kicks(run_at(c, moved_yearly.period_end + timedelta(days=3, minutes=1))) == [
        ("g1", "ann")
    ]
    # nothing more at the year's old end: she is out once
    assert run_at(c, yearly.period_end + timedelta(days=3, minutes=1)) == []


def test_paying_the_monthly_card_again_while_a_yearly_card_follows_it_adds_a_month_after_the_year(
    store: Store, store_clock: FrozenClock
) -> None:
    """A monthly member who had bought the yearly card to follow the month paid the monthly
    card again: the month was added to the first one, inside the year she had already paid
    for — 39 CNY for days she had anyway, and the month she paid for never came."""
    c = paid_community(store, store_clock, THREE_PLANS)
    seat(c, "ann", "g1")
    monthly = pay(c, "ann", "monthly", "WX-1").subscription
    yearly = pay(c, "ann", "yearly", "WX-2").subscription
    again = pay(c, "ann", "monthly", "WX-3").subscription
    assert monthly is not None and yearly is not None and again is not None
    first = SqlBilling.on(store).subscription(monthly.id)
    assert first is not None and first.period_end == monthly.period_end  # not extended
    assert again.id != monthly.id and again.period_start == yearly.period_end
    assert again.period_end == yearly.period_end.replace(month=yearly.period_end.month + 1)
    # the year runs to its end without a reminder to renew (the month follows it), and she
    # is reminded and removed when that month ends
    done = run_at(c, yearly.period_end - timedelta(days=14, minutes=-1))
    done += run_at(c, yearly.period_end + timedelta(days=3, minutes=1))
    assert reminders(done) == [] and kicks(done) == []
    assert reminders(run_at(c, again.period_end - timedelta(days=5, minutes=-1))) == [("g1", "ann")]
    assert kicks(run_at(c, again.period_end + timedelta(days=2, minutes=1))) == [("g1", "ann")]
