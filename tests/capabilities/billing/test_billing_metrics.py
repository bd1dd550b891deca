"""The money figures on SQLite and PostgreSQL: purchase, repurchase, free → paid, revenue."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from hearthkeeper.apply import apply_playbook
from hearthkeeper.capabilities.billing.metrics import money_figures
from hearthkeeper.clock import FrozenClock
from hearthkeeper.playbook import parse_playbook
from hearthkeeper.store import Store
from tests.capabilities.billing.billing_setup import paid_community, pay, seat
from tests.playbook_samples import MINIMAL


def test_purchase_repurchase_upgrade_and_revenue_per_group(
    store: Store, store_clock: FrozenClock
) -> None:
    free = apply_playbook(store, parse_playbook(MINIMAL.replace("slug: tea", "slug: tea-free")),
                          "setup").community  # fmt: skip
    lobby = store.add_group(free.id, "Free lobby", "fake", "lobby")
    c = paid_community(store, store_clock)
    g1, g2 = (store.group_for_carrier("fake", g) for g in ("g1", "g2"))
    assert g1 is not None and g2 is not None
    people = {u: store.member_for("fake", u, u).id for u in ("ann", "bo", "cy", "di")}
    store.join(people["ann"], lobby.id, at=store_clock.now() - timedelta(days=30))
    store.join(people["di"], lobby.id, at=store_clock.now() - timedelta(days=30))
    for user, group in (("ann", g1), ("bo", g1), ("cy", g2)):
        store.join(people[user], group.id)
    pay(c, "ann", "r-1")
    end = pay(c, "bo", "r-2").subscription.period_end  # type: ignore[union-attr]
    store_clock.set(end - timedelta(days=1))
    pay(c, "bo", "r-3", amount="259", discount="loyal member")
    store_clock.set(end + timedelta(days=10))  # ann's first period ended unrenewed

    figures = money_figures(store, c.runtime.community_id, store_clock.now())

    assert (figures.payers, figures.people) == (2, 3)  # cy never paid
    assert (figures.renewed, figures.renewable) == (1, 2)
    assert (figures.upgraded, figures.free_members) == (1, 2)  # ann came from the free lobby
    assert figures.revenue == {"CNY": Decimal("857.00")}
    per_group = {g.name: (g.payers, g.revenue) for g in figures.per_group}
    assert per_group == {"g1": (2, {"CNY": Decimal("857.00")}), "g2": (0, {})}
    assert figures.purchase_rate_text == "67% (2 of 3)"


def test_someone_who_paid_and_never_came_is_revenue_not_a_member_who_bought(
    store: Store, store_clock: FrozenClock
) -> None:
    c = paid_community(store, store_clock)
    g1 = store.group_for_carrier("fake", "g1")
    assert g1 is not None
    ann = store.member_for("fake", "ann", "ann").id
    store.member_for("fake", "eve", "eve")
    store.join(ann, g1.id)
    pay(c, "eve", "r-9")  # paid, never joined a group

    figures = money_figures(store, c.runtime.community_id, store_clock.now())

    assert (figures.payers, figures.people) == (0, 1)
    assert figures.purchase_rate_text == "0% (0 of 1)"
    assert figures.revenue == {"CNY": Decimal("299.00")}


def test_an_event_fee_counts_in_the_revenue_of_the_group_its_payer_joined_first(
    store: Store, store_clock: FrozenClock
) -> None:
    """A member who never bought the plan but paid an offline event's fee: the fee was in
    the community's revenue, yet in no group's, so the groups' revenue did not add up to the
    total (a free community running paid tastings showed 0 in every group)."""
    from hearthkeeper.capabilities.billing.records import NewOrder, OrderKind, Provider
    from hearthkeeper.capabilities.billing.repository import SqlBilling

    c = paid_community(store, store_clock)
    g1, g2 = (store.group_for_carrier("fake", g) for g in ("g1", "g2"))
    assert g1 is not None and g2 is not None
    ann = store.member_for("fake", "ann", "ann").id
    cy = store.member_for("fake", "cy", "cy").id
    store.join(ann, g1.id)
    store.join(cy, g2.id)
    pay(c, "ann", "r-1")
    fee = NewOrder("event:1", Decimal("45"), "CNY", Provider.MANUAL, "wx-7", "staff")
    SqlBilling.on(store).record(c.runtime.community_id, cy, None, fee, OrderKind.EVENT_FEE,
                                store_clock.now())  # fmt: skip

    figures = money_figures(store, c.runtime.community_id, store_clock.now())

    assert figures.revenue == {"CNY": Decimal("344.00")}
    per_group = {g.name: (g.payers, g.revenue) for g in figures.per_group}
    assert per_group == {
        "g1": (1, {"CNY": Decimal("299.00")}),
        "g2": (0, {"CNY": Decimal("45.00")}),
    }
    assert (figures.payers, figures.people) == (1, 2), "a fee is no purchase of the plan"


def test_a_renewal_given_back_is_no_renewal_once_the_membership_has_lapsed(
    store: Store, store_clock: FrozenClock
) -> None:
    """Ann paid, renewed, and had the renewal refunded; her first period then ran out and
    she was removed. She did not renew: the repurchase rate says 0 of 1 (a renewal's refund
    was taken off only while the subscription was live, so it read 1 of 1)."""
    from hearthkeeper.capabilities.billing.payments import refund
    from tests.capabilities.billing.billing_setup import kicks, run_at, seat

    c = paid_community(store, store_clock)
    seat(c, "ann", "g1")
    end = pay(c, "ann", "r-1").subscription.period_end  # type: ignore[union-attr]
    renewal = pay(c, "ann", "r-2")
    assert renewal.order.kind.value == "renewal" and renewal.subscription is not None
    community = store.get_community(c.runtime.slug)
    assert community is not None
    with store.transaction() as tx:
        refund(tx, community, c.runtime.playbook, renewal.subscription.id, "staff",
               store_clock.now())  # fmt: skip
    figures = money_figures(store, c.runtime.community_id, store_clock.now())
    assert (figures.renewed, figures.renewable) == (0, 0)  # not due yet: the first period runs

    assert kicks(run_at(c, end + timedelta(days=3), restart=True)) == [("g1", "ann")]
    figures = money_figures(store, c.runtime.community_id, store_clock.now())
    assert (figures.renewed, figures.renewable, figures.repurchase_rate_text) == (
        0, 1, "0% (0 of 1)")  # fmt: skip
    assert (figures.paying_now, figures.lost) == (0, 1)


def test_a_member_in_grace_is_paying_renewing_in_grace_is_renewed_and_lapsing_is_lost(
    store: Store, store_clock: FrozenClock
) -> None:
    """The half-year plan's 3 days' grace, read from the stored playbook as in a deployment:
    a member whose period ended yesterday is still let in, so paying, not lost."""
    c = paid_community(store, store_clock)  # grace: 3d
    seat(c, "ann", "g1")
    seat(c, "bo", "g1")
    ends = pay(c, "ann", "TB-1").subscription.period_end  # type: ignore[union-attr]
    pay(c, "bo", "TB-2")

    store_clock.set(ends + timedelta(days=1))  # both in grace
    figures = money_figures(store, c.runtime.community_id, store_clock.now())
    assert (figures.paying_now, figures.lost) == (2, 0)
    assert figures.members_now_text == "2 paying"
    assert figures.repurchase_rate_text == "0% (0 of 2)"  # both periods ended, none renewed

    assert pay(c, "bo", "TB-3").order.kind.value == "renewal"  # bo renews in grace
    figures = money_figures(store, c.runtime.community_id, store_clock.now())
    assert (figures.paying_now, figures.lost) == (2, 0)
    assert figures.repurchase_rate_text == "50% (1 of 2)"

    store_clock.set(ends + timedelta(days=3, seconds=1))  # ann's grace is over
    figures = money_figures(store, c.runtime.community_id, store_clock.now())
    assert (figures.paying_now, figures.lost) == (1, 1)
    assert figures.members_now_text == (
        "1 paying; 1 who paid before has no access now (lapsed or refunded)"
    )
    assert figures.repurchase_rate_text == "50% (1 of 2)"


def test_a_period_given_free_is_no_purchase_no_renewal_and_no_paying_member(
    store: Store, store_clock: FrozenClock
) -> None:
    """A book club gives a week or a month free for a referral or a complaint, recorded at 0
    with its reason (`hearth billing pay … --amount 0 --discount "referral reward"`). The
    Billing page counted such a member as one who bought (purchase rate, the group's payers),
    a free month added to a paid one as a renewal (repurchase rate) and the member as
    *paying*; once it ran out, as a payer lost."""
    c = paid_community(store, store_clock)  # half-year plan, grace 3d
    for user in ("ann", "bo", "cy"):
        seat(c, user, "g1")
    ends = pay(c, "ann", "r-1").subscription.period_end  # type: ignore[union-attr]
    pay(c, "ann", "gift-1", amount="0", discount="referral reward")  # added to a paid period
    pay(c, "bo", "gift-2", amount="0", discount="referral reward")  # all bo ever had
    pay(c, "cy", "r-2")

    figures = money_figures(store, c.runtime.community_id, store_clock.now())
    assert figures.purchase_rate_text == "67% (2 of 3)"  # ann and cy paid; bo was given it
    assert [g.payers for g in figures.per_group if g.name == "g1"] == [2]
    assert figures.members_now_text == "2 paying, 1 on a period given free"

    store_clock.set(ends + timedelta(days=4))  # cy's and bo's periods and graces are over
    figures = money_figures(store, c.runtime.community_id, store_clock.now())
    # ann's free period was no renewal: she and cy paid once and did not renew; bo's period
    # given free was no paid subscription to renew
    assert figures.repurchase_rate_text == "0% (0 of 2)"
    assert figures.members_now_text == (
        "1 paying; 1 who paid before has no access now (lapsed or refunded)"
    )  # ann on her free half-year; cy lost; bo never paid
    assert figures.lost == 1

    assert pay(c, "ann", "r-3").order.kind.value == "renewal"  # paid again: a renewal
    figures = money_figures(store, c.runtime.community_id, store_clock.now())
    assert figures.repurchase_rate_text == "50% (1 of 2)"
