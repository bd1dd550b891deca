"""The billing repository on SQLite and PostgreSQL: references, subscriptions, the ledger."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import insert

from hearthkeeper.capabilities.billing.records import NewOrder, OrderKind, Provider, Status
from hearthkeeper.capabilities.billing.references import reference_code
from hearthkeeper.capabilities.billing.repository import SqlBilling
from hearthkeeper.clock import FrozenClock
from hearthkeeper.store import Store
from hearthkeeper.store.models import PaymentReferenceRow
from tests.sql_plans import plans

NOW = datetime(2026, 5, 1, 9, 0, tzinfo=UTC)


def test_a_reference_is_kept_and_resolves_to_whom_it_names(store: Store) -> None:
    repo = SqlBilling.on(store)
    first = repo.reference_for("webchat", "u-1", "Ann", NOW)
    again = repo.reference_for("webchat", "u-1", "Ann B", NOW)
    other = repo.reference_for("webchat", "u-2", "Bo", NOW)
    assert first == again and first.code != other.code
    assert repo.resolve(first.code) == first
    assert (first.carrier, first.carrier_user_id, first.display_name) == ("webchat", "u-1", "Ann")
    assert repo.resolve("0000-0000") is None


def test_an_order_is_recorded_once_per_provider_reference(store: Store) -> None:
    community = store.ensure_community("tea", "Tea")
    ann = store.member_for("webchat", "u-1", "Ann")
    with store.transaction() as tx:
        repo = SqlBilling.on(tx)
        sub = repo.start(community.id, ann.id, "half-year", NOW, NOW + timedelta(days=30),
                         trial=False, at=NOW)  # fmt: skip
        paid = NewOrder("half-year", Decimal("299.00"), "CNY", Provider.MANUAL, "shop-77", "staff")
        order, created = repo.record(community.id, ann.id, sub.id, paid, OrderKind.PURCHASE, NOW)
        again, created_again = repo.record(community.id, ann.id, sub.id, paid,
                                           OrderKind.PURCHASE, NOW)  # fmt: skip
        stripe = NewOrder("half-year", Decimal("299"), "CNY", Provider.STRIPE, "shop-77", "stripe")
        _, other_provider = repo.record(community.id, ann.id, sub.id, stripe,
                                        OrderKind.RENEWAL, NOW)  # fmt: skip
    assert created and not created_again and other_provider
    assert again.id == order.id and order.amount == Decimal("299.00")
    ledger = SqlBilling.on(store).orders(community.id)
    assert [(o.kind, o.amount, o.provider) for o in ledger] == [
        (OrderKind.PURCHASE, Decimal("299.00"), Provider.MANUAL),
        (OrderKind.RENEWAL, Decimal("299.00"), Provider.STRIPE),
    ]


def test_subscriptions_change_and_their_pending_work_is_called_off(store: Store) -> None:
    community = store.ensure_community("tea", "Tea")
    ann = store.member_for("webchat", "u-1", "Ann")
    repo = SqlBilling.on(store)
    trial = repo.start(community.id, ann.id, "half-year", NOW, NOW + timedelta(days=3),
                       trial=True, at=NOW)  # fmt: skip
    assert trial.trial_end == trial.period_end and not trial.paid
    store.schedule(f"billing:{trial.id}:expire:x", community.id, "billing.expire", {}, NOW)
    store.schedule(f"billing:{trial.id}0:expire:x", community.id, "billing.expire", {}, NOW)
    assert repo.call_off(trial.id) == 1
    assert store.scheduled(f"billing:{trial.id}0:expire:x").status == "pending"  # type: ignore[union-attr]
    ended = repo.change(trial.id, status=Status.EXPIRED, ended_at=NOW)
    assert ended.status is Status.EXPIRED and ended.ended_at == NOW
    assert repo.live_subscriptions(community.id) == []
    assert [s.id for s in repo.subscriptions(community.id, member_id=ann.id)] == [trial.id]


def test_the_newest_orders_and_their_reasons_only_are_read_for_a_page(
    store: Store, store_clock: FrozenClock
) -> None:
    """The Billing page lists the newest orders: it reads those and their discounts' and
    grants' reasons (a grant is audited after its order), not the whole ledger and audit."""
    community = store.ensure_community("tea", "Tea")
    ann = store.member_for("webchat", "u-1", "Ann")
    repo = SqlBilling.on(store)
    recorded = []
    for n in range(5):
        at = NOW + timedelta(days=30 * n)
        store_clock.set(at)  # recorded and audited together
        paid = NewOrder("half-year", Decimal("199"), "CNY", Provider.MANUAL, f"shop-{n}", "staff")
        order, _ = repo.record(community.id, ann.id, None, paid, OrderKind.PURCHASE, at)
        recorded.append(order)
        store.audit("staff", "billing purchase", community.id, target=f"member {ann.id}",
                    detail={"order": order.id, "discount": f"coupon {n}"})  # fmt: skip
    # the second newest, held, was granted its period a month after the newest order
    store_clock.set(NOW + timedelta(days=150))
    store.audit("staff", "billing grant", community.id, target=f"member {ann.id}",
                detail={"order": recorded[3].id, "reason": "paid the rest in cash"})  # fmt: skip
    newest = repo.newest_orders(community.id, 2)
    assert [o.provider_ref for o in newest] == ["shop-4", "shop-3"]
    assert repo.reasons(community.id, newest) == {
        recorded[4].id: "coupon 4", recorded[3].id: "paid the rest in cash"}  # fmt: skip
    assert repo.reasons(community.id, []) == {}
    assert len(repo.reasons(community.id)) == 5  # the whole ledger's (export's)


def test_a_page_of_subscription_lines_is_the_same_as_those_lines_of_all(
    store: Store, store_clock: FrozenClock
) -> None:
    """The console's page of subscriptions reads only its own rows (its members' other plans,
    its orders): each line reads as it does in the whole list."""
    from hearthkeeper.capabilities.billing.staff import subscription_lines
    from tests.capabilities.billing.billing_setup import paid_community, seat
    from tests.capabilities.billing.test_billing_plans import TWO_PLANS, pay

    c = paid_community(store, store_clock, TWO_PLANS)
    for n in range(7):
        seat(c, f"fan-{n}", "g1")
        pay(c, f"fan-{n}", "monthly", f"WX-{n}")
        if n % 2:
            pay(c, f"fan-{n}", "yearly", f"WX-{n}-y")  # follows the month: "other" on its line
    community = store.get_community(c.runtime.slug)
    assert community is not None
    every = subscription_lines(store, community, store_clock.now())
    assert SqlBilling.on(store).subscription_count(community.id) == len(every) == 10
    pages = [subscription_lines(store, community, store_clock.now(), (4, offset))
             for offset in (0, 4, 8)]  # fmt: skip
    assert [len(p) for p in pages] == [4, 4, 2]
    assert [line for p in pages for line in p] == every


def test_a_page_of_the_ledger_is_the_same_as_those_orders_of_all(
    store: Store, store_clock: FrozenClock
) -> None:
    """`billing list --orders` reads a page of the ledger: the pages, one after the other,
    are the whole ledger newest first, and the count says how many there are."""
    from hearthkeeper.capabilities.billing.staff import order_lines
    from tests.capabilities.billing.billing_setup import paid_community, seat
    from tests.capabilities.billing.test_billing_plans import TWO_PLANS, pay

    c = paid_community(store, store_clock, TWO_PLANS)
    for n in range(5):
        seat(c, f"fan-{n}", "g1")
        pay(c, f"fan-{n}", "monthly", f"WX-{n}")
        store_clock.advance(timedelta(minutes=1))
        pay(c, f"fan-{n}", "monthly", f"WX-{n}-again")  # a renewal: two orders a member
    community = store.get_community(c.runtime.slug)
    assert community is not None
    every = order_lines(store, community)
    assert SqlBilling.on(store).order_count(community.id) == len(every) == 10
    pages = [order_lines(store, community, 4, skip) for skip in (0, 4, 8)]
    assert [len(p) for p in pages] == [4, 4, 2]
    assert [line for p in pages for line in p] == every
    assert every[0][0].provider_ref == "WX-4-again" and every[-1][0].provider_ref == "WX-0"


def test_a_reference_quoted_before_it_was_given_is_found_by_its_index(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`hearth billing pay` quoting a reference not given yet (a rehearsal showed it) hashed
    the four candidate codes of every member without a reference, for a code nobody holds
    too: 1.6 s at 50,000 members (docs/benchmarks.md). Now each person's code is kept with
    their identity, derived once (on the next look, for those who came since), and looked up
    by its index; a code someone else holds moves them to their next one, as
    `reference_for` would give it."""
    repo = SqlBilling.on(store)
    ann = store.member_for("webchat", "w-ann", "Ann")
    # Zed holds Ann's first code already (one in a trillion): hers is her second
    zed = {"code": reference_code("webchat", "w-ann"), "carrier": "webchat",
           "carrier_user_id": "w-zed", "display_name": "Zed", "created_at": NOW}  # fmt: skip
    with store.engine.begin() as connection:
        connection.execute(insert(PaymentReferenceRow), [zed])
    hers = reference_code("webchat", "w-ann", 1)
    found, read = plans(store, lambda: repo.coming(hers), "member_identities")
    assert found is not None and (found.carrier_user_id, found.display_name) == ("w-ann", "Ann")
    # the codes still to derive and the one quoted: each read by the code's index
    assert not [p for p in read if "SCAN member_identities" in p or "Seq Scan" in p], read
    assert "ix_member_identities_payment_code" in read[0], read
    assert "ix_member_identities_payment_code" in read[-1], read
    assert repo.coming(reference_code("webchat", "w-ann")) is None, "Zed's, not hers"
    assert repo.coming("ZZZZ-ZZZZ") is None

    bo = store.member_for("webchat", "w-bo", "Bo")  # came after the last look
    bos = repo.coming(reference_code("webchat", "w-bo"))
    assert bos is not None and bos.display_name == "Bo" and bo.id != ann.id

    # Dan is given Bo's code (as if his own were taken three times): Bo's moves on
    real = reference_code

    def giving_dan_bos(carrier: str, user_id: str, attempt: int = 0) -> str:
        return real("webchat", "w-bo") if user_id == "w-dan" else real(carrier, user_id, attempt)

    monkeypatch.setattr("hearthkeeper.capabilities.billing.repository.reference_code",
                        giving_dan_bos)  # fmt: skip
    assert repo.reference_for("webchat", "w-dan", "Dan", NOW).code == real("webchat", "w-bo")
    monkeypatch.undo()
    assert repo.coming(real("webchat", "w-bo")) is None
    moved = repo.coming(real("webchat", "w-bo", 1), keep=True)
    assert moved is not None and moved.display_name == "Bo"
    assert repo.resolve(moved.code) == moved, "given now, as a reminder would give it"
