"""Two payments of one member recorded at the same moment (two web nodes, a webhook and a
staff member) each extend the period: neither is lost. On both databases, each payment in a
Store of its own."""

from __future__ import annotations

import threading
from dataclasses import replace

from hearthkeeper.capabilities.billing.repository import SqlBilling
from hearthkeeper.clock import FrozenClock
from hearthkeeper.store import Store, create_engine_for
from tests.capabilities.billing.billing_setup import paid_community, pay, seat


def test_two_payments_recorded_at_once_extend_the_period_twice(
    store: Store, store_clock: FrozenClock, database_url: str
) -> None:
    c = paid_community(store, store_clock)
    seat(c, "mei", "g1")
    pay(c, "mei", "R-0")  # half a year, to 2026-11-01
    other = Store(create_engine_for(database_url), store_clock)
    start = threading.Barrier(2)
    failed: list[BaseException] = []

    def paying(store_of: Store, receipt: str) -> None:
        start.wait(10)
        try:
            pay(replace(c, store=store_of), "mei", receipt)
        except BaseException as error:  # shown by the assertion below
            failed.append(error)

    threads = [threading.Thread(target=paying, args=(store, "R-1")),
               threading.Thread(target=paying, args=(other, "R-2"))]  # fmt: skip
    try:
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(30)
    finally:
        other.engine.dispose()
    assert failed == []
    [sub] = SqlBilling.on(store).subscriptions(c.runtime.community_id)
    assert sub.period_end.date().isoformat() == "2027-11-01", "three half-years paid"
    assert len(SqlBilling.on(store).orders(c.runtime.community_id)) == 3
