"""Days of membership given free ("a week free"), on SQLite and PostgreSQL: the end moves on
and the removal at the old end does not happen, a member without one gets a period of that
many days, the member is told, the ledger and the Billing page's figures call it given free,
and a number of days out of 1..3650 is refused with nothing recorded."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest

from hearthkeeper.capabilities.billing import staff
from hearthkeeper.capabilities.billing.ledger import BillingError
from hearthkeeper.capabilities.billing.metrics import money_figures
from hearthkeeper.capabilities.billing.repository import SqlBilling
from hearthkeeper.clock import FrozenClock
from hearthkeeper.engine.actions import ActionKind
from hearthkeeper.store import Community as StoredCommunity
from hearthkeeper.store import Store
from tests.capabilities.billing.billing_setup import (
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


def _community(c: Community) -> StoredCommunity:
    found = c.store.get_community(c.runtime.slug)
    assert found is not None
    return found


def _member(c: Community, user: str) -> str:
    return f"member:{c.store.member_for('fake', user, user).id}"


def test_a_week_given_moves_the_end_on_and_the_removal_at_the_old_end_does_not_happen(
    store: Store, store_clock: FrozenClock
) -> None:
    c = paid_community(store, store_clock)
    c.carrier.capabilities = replace(c.carrier.capabilities, private_replies=True)
    seat(c, "ann", "g1")
    end = pay(c, "ann", "shop-1").subscription.period_end  # type: ignore[union-attr]
    given = staff.give(store, _community(c), _member(c, "ann"), 7, "a week free: an apology",
                       "staff", store_clock.now())  # fmt: skip
    assert given.created and given.was == end
    assert given.subscription.period_end == end + timedelta(days=7)
    told = [a for a in performed(c) if a.kind is ActionKind.SEND and a.handler == "billing"]
    assert [a.text for a in told] == [
        f"ann, you were given 7 days of “Half-year membership”: your membership now runs "
        f"until {(end + timedelta(days=7)).date().isoformat()}."
    ]
    # past the old end and its 3 days' grace: still in, nobody removed
    assert kicks(run_at(c, end + timedelta(days=4))) == []
    assert screen(c, "ann").admitted
    # the ledger says what it was
    lines = staff.order_lines(store, _community(c))
    gift = lines[0][0]
    assert (gift.kind.value, gift.amount) == ("days_given", 0)
    reasons = SqlBilling.on(store).reasons(c.runtime.community_id)
    assert reasons[gift.id] == "7 days given: a week free: an apology"
    # the new end (and its grace) over: removed then
    assert kicks(run_at(c, end + timedelta(days=11))) == [("g1", "ann")]


def test_days_given_to_a_member_without_a_membership_start_now_and_count_as_given_free(
    store: Store, store_clock: FrozenClock
) -> None:
    c = paid_community(store, store_clock)
    for user in ("ann", "bo"):
        seat(c, user, "g1")
    pay(c, "ann", "shop-1")
    now = store_clock.now()
    given = staff.give(store, _community(c), _member(c, "bo"), 7, "invited a friend", "staff",
                       now)  # fmt: skip
    assert given.was is None
    sub = given.subscription
    assert (sub.plan_id, sub.period_start, sub.period_end) == (
        "half-year",
        now,
        now + timedelta(days=7),
    )
    figures = money_figures(store, c.runtime.community_id, now)
    assert figures.members_now_text == "1 paying, 1 on a period given free"
    assert figures.purchase_rate_text == "50% (1 of 2)"  # bo bought nothing
    assert figures.revenue_text.startswith("299.00")
    # a week is shorter than the plan's 14 days' reminder: bo is reminded the day before
    assert reminders(run_at(c, now + timedelta(days=5, hours=23))) == []
    assert reminders(run_at(c, now + timedelta(days=6, minutes=1))) == [("g1", "bo")]


@pytest.mark.parametrize(("days", "said"), [
    (0, "0 days: give 1 to 3650 days"), (-7, "-7 days: give 1 to 3650 days; days given "
                                               "are not taken back"),
    (4000, "4000 days: at most 3650 days"),
])  # fmt: skip
def test_days_out_of_one_to_3650_are_refused_and_nothing_is_recorded(
    store: Store, store_clock: FrozenClock, days: int, said: str
) -> None:
    c = paid_community(store, store_clock)
    seat(c, "ann", "g1")
    with pytest.raises(BillingError, match=said.replace("?", r"\?")):
        staff.give(store, _community(c), _member(c, "ann"), days, "", "staff", store_clock.now())
    billing = SqlBilling.on(store)
    assert billing.order_count(c.runtime.community_id) == 0
    assert billing.subscription_count(c.runtime.community_id) == 0
