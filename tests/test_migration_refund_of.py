"""0035: each refund names the payment it gave back (`orders.refund_of`), filled from the
audit log for refunds recorded before; two refunds of one payment (the defect it closes)
keep the first's link only."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import text

from hearthkeeper.capabilities.billing.repository import SqlBilling
from hearthkeeper.clock import FrozenClock
from hearthkeeper.store import Store, create_engine_for, upgrade

AT = datetime(2026, 5, 1, tzinfo=UTC)


def test_refunds_recorded_before_name_the_payment_their_audit_entry_said(
    database_url: str,
) -> None:
    upgrade(database_url, to="0034")
    engine = create_engine_for(database_url)
    try:
        before = Store(engine, FrozenClock(AT))
        tea = before.ensure_community("tea", "Tea Friends")
        ann = before.member_for("webchat", "ann", "Ann")
        with engine.begin() as connection:
            for n, (kind, amount) in enumerate([("purchase", 299), ("renewal", 299),
                                                ("refund", -299), ("refund", -299)], 1):  # fmt: skip
                connection.execute(text(
                    "INSERT INTO orders (id, community_id, member_id, subscription_id, plan_id, "
                    "amount, currency, kind, provider, provider_ref, recorded_by, at) VALUES "
                    "(:id, :c, :m, NULL, 'year', :amount, 'CNY', :kind, 'manual', :ref, 'cli', "
                    ":at)"), {"id": n, "c": tea.id, "m": ann.id, "amount": amount, "kind": kind,
                              "ref": f"r-{n}", "at": AT})  # fmt: skip
        # refund 3 gave back the renewal (2), and so did refund 4 (Stripe's, the defect)
        for refund in (3, 4):
            before.audit("cli", "billing refund", tea.id, target=f"member {ann.id}",
                         detail={"order": refund, "refunds": 2, "amount": "-299.00"})  # fmt: skip
        assert upgrade(database_url, to="0035") == ["0035"]
        after = SqlBilling.on(Store(engine, FrozenClock(AT)))
        assert [(o.id, o.refund_of) for o in after.orders(tea.id)] == [
            (1, None),
            (2, None),
            (3, 2),
            (4, None),
        ]
        assert after.refund_for(2) is not None and after.refund_for(1) is None
    finally:
        engine.dispose()
