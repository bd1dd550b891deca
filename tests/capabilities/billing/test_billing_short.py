"""A payment short of the plan's price (less, 0, another currency) never buys a full period
silently, on SQLite and PostgreSQL: a provider's is recorded as held, grants nothing and
tells staff what was paid against the price, until staff grant it with a reason; staff's own
needs a discount reason, else nothing is stored."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest

from hearthkeeper.capabilities.billing.ledger import BillingError
from hearthkeeper.capabilities.billing.payments import Recorded, grant, record_payment
from hearthkeeper.capabilities.billing.records import NewOrder, OrderKind, Provider
from hearthkeeper.capabilities.billing.repository import SqlBilling
from hearthkeeper.clock import FrozenClock
from hearthkeeper.store import NewStaffAlert, Store
from tests.capabilities.billing.billing_setup import paid_community, screen
from tests.engine_setup import Community


def record(c: Community, user: str, ref: str, amount: str, currency: str = "CNY",
           provider: Provider = Provider.WEBHOOK, discount: str = "") -> Recorded:  # fmt: skip
    with c.store.transaction() as tx:
        member = tx.member_for("fake", user, user)
        community = tx.get_community(c.runtime.slug)
        assert community is not None
        order = NewOrder("half-year", Decimal(amount), currency, provider, ref, provider.value)
        return record_payment(tx, community, c.runtime.playbook, member.id, order, c.clock.now(),
                              discount=discount)  # fmt: skip


def grant_order(c: Community, order_id: int, reason: str) -> Recorded:
    with c.store.transaction() as tx:
        community = tx.get_community(c.runtime.slug)
        assert community is not None
        return grant(tx, community, c.runtime.playbook, order_id, reason, "console:ann",
                     c.clock.now())  # fmt: skip


@pytest.mark.parametrize(("amount", "currency", "said"), [
    ("0", "CNY", "0.00 CNY was paid, below the price of plan 'half-year', 299 CNY"),
    ("100", "CNY", "100.00 CNY was paid, below the price of plan 'half-year', 299 CNY"),
    ("299", "USD", "299.00 USD was paid, in another currency than the price of plan 'half-year', 299 CNY"),
])  # fmt: skip
def test_a_providers_short_payment_is_held_told_to_staff_and_granted_only_deliberately(
    store: Store, store_clock: FrozenClock, amount: str, currency: str, said: str
) -> None:
    c = paid_community(store, store_clock)
    held = record(c, "ann", "evt-1", amount, currency)
    assert held.created and held.subscription is None and said in held.held
    assert held.order.kind is OrderKind.HELD and held.order.amount == Decimal(amount)
    assert not screen(c, "ann").admitted  # no period: the door still asks to pay
    assert SqlBilling.on(store).subscriptions(c.runtime.community_id) == []
    inbox = store.staff_alerts(c.runtime.community_id)
    assert [(a.key, a.handler) for a in inbox] == [(f"billing:held:{held.order.id}", "billing")]
    assert said in inbox[0].text and f"hearth billing grant {held.order.id}" in inbox[0].text
    again = record(c, "ann", "evt-1", amount, currency)  # the provider delivers it again
    assert not again.created and again.order.id == held.order.id
    assert len(SqlBilling.on(store).orders(c.runtime.community_id)) == 1
    assert len(store.staff_alerts(c.runtime.community_id)) == 1
    with pytest.raises(BillingError, match="say why"):
        grant_order(c, held.order.id, "  ")
    granted = grant_order(c, held.order.id, "paid the rest in cash at the meetup")
    assert granted.subscription is not None and granted.order.kind is OrderKind.PURCHASE
    assert screen(c, "ann").admitted
    assert store.staff_alerts(c.runtime.community_id) == []  # handled by the grant
    entry = next(e for e in store.audit_log(c.runtime.community_id) if e.action == "billing grant")
    assert entry.actor == "console:ann"
    assert entry.detail["reason"] == "paid the rest in cash at the meetup"
    assert said.partition(" was paid")[2] in entry.detail["short"]  # paid vs price
    with pytest.raises(BillingError, match="not a held payment"):
        grant_order(c, held.order.id, "twice")
    with pytest.raises(BillingError, match="has no order 999"):
        grant_order(c, 999, "no such order")


def test_staff_recording_below_the_price_must_say_why_else_nothing_is_stored(
    store: Store, store_clock: FrozenClock
) -> None:
    c = paid_community(store, store_clock)
    with pytest.raises(BillingError, match=r"100\.00 CNY was paid, below .* nothing was recorded"):
        record(c, "bo", "TB-1", "100", provider=Provider.MANUAL)
    with pytest.raises(BillingError, match="another currency"):
        record(c, "bo", "TB-1", "299", "USD", provider=Provider.MANUAL)
    assert SqlBilling.on(store).orders(c.runtime.community_id) == []
    assert not screen(c, "bo").admitted
    done = record(c, "bo", "TB-1", "100", provider=Provider.MANUAL, discount="founding member")
    assert done.created and done.subscription is not None and screen(c, "bo").admitted
    entry = next(e for e in store.audit_log(c.runtime.community_id)
                 if e.action == "billing purchase")  # fmt: skip
    assert "founding member" in str(entry.detail)
    full = record(c, "cy", "TB-2", "299", provider=Provider.MANUAL)  # the price: no reason needed
    assert full.subscription is not None
    more = record(c, "dee", "evt-9", "350")  # a provider's above the price: a full period
    assert more.order.kind is OrderKind.PURCHASE and more.subscription is not None


def test_a_discount_reason_nobody_can_read_or_a_pasted_page_is_no_reason(
    store: Store, store_clock: FrozenClock
) -> None:
    """A reason of zero-width spaces (nothing anyone reading the audit log can see) gave a
    full period for 0 as any reason would, and a pasted page of 1 MiB went whole into the
    audit log; now the first is no reason, the second is refused saying how long it is, and
    a terminal's escape codes are taken out of what is kept."""
    c = paid_community(store, store_clock)
    with pytest.raises(BillingError, match="give the discount's reason"):
        record(c, "bo", "TB-1", "0", provider=Provider.MANUAL, discount="\u200b\u200b")
    with pytest.raises(BillingError, match=r"the discount's reason is 600 characters long; "
                       r"keep it to 500"):  # fmt: skip
        record(c, "bo", "TB-1", "0", provider=Provider.MANUAL, discount="x" * 600)
    held = record(c, "ann", "evt-1", "100")
    with pytest.raises(BillingError, match="say why"):
        grant_order(c, held.order.id, "\u2066\u2069")
    assert SqlBilling.on(store).orders(c.runtime.community_id) == [held.order]
    done = record(c, "bo", "TB-1", "0", provider=Provider.MANUAL,
                  discount="\x1b[31mquiz prize\x07")  # fmt: skip
    assert done.subscription is not None
    entry = next(e for e in store.audit_log(c.runtime.community_id)
                 if e.action == "billing purchase")  # fmt: skip
    assert entry.detail["discount"] == "[31mquiz prize"


def test_granting_a_held_payment_closes_its_alert_behind_a_thousand_newer_open_ones(
    store: Store, store_clock: FrozenClock
) -> None:
    c = paid_community(store, store_clock)
    held = record(c, "ann", "evt-1", "100")
    later = c.clock.now() + timedelta(minutes=1)
    store.add_staff_alerts([NewStaffAlert(f"quarrel:{i}", c.runtime.community_id, None, None,
                                          None, "moderation", "…", "a quarrel", later)
                            for i in range(1_001)])  # fmt: skip
    grant_order(c, held.order.id, "paid the rest in cash")
    still_open = store.staff_alerts(c.runtime.community_id, limit=2_000)
    assert f"billing:held:{held.order.id}" not in {a.key for a in still_open}, (
        "the held payment's alert leaves the inbox once granted"
    )
    assert len(still_open) == 1_001


def test_a_held_payment_is_listed_under_a_group_a_carrier_serves(
    store: Store, store_clock: FrozenClock
) -> None:
    """The community's oldest group is an imported history: the held payment's alert was
    listed in the staff inbox under it, a group no one can act in; now under the group
    members talk in."""
    c = paid_community(store, store_clock, groups=())
    store.add_group(c.runtime.community_id, "微信1群", "import:csv", "club/微信1群")
    store.add_group(c.runtime.community_id, "g1", "fake", "g1")
    held = record(c, "ann", "evt-1", "100")
    [alert] = store.staff_alerts(c.runtime.community_id)
    assert alert.key == f"billing:held:{held.order.id}"
    group = store.get_group(alert.group_id or 0)
    assert group is not None and group.name == "g1", f"listed under {group}"
