"""What the console's Billing page reads at a paid circle's realistic size.

One community on a new SQLite store: M members who joined over a year, each with a monthly
subscription, N orders in all (each member's purchase, then renewals; one in twenty below the
price with a discount's reason, as staff's `--discount` writes it into the audit log), and A
other audit entries of the community over the year (the engine's moderation decisions that a
live community's audit log is mostly made of). Prints the best of three of each read the page
makes (the orders shown, the discount reasons, the subscriptions, the money figures) and of
the whole page's reads together.

Run: .venv/bin/python -m benchmarks.billing_page [--orders N] [--members M] [--audit A]
"""

from __future__ import annotations

import argparse
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

from sqlalchemy import insert

from hearthkeeper.capabilities.billing import staff
from hearthkeeper.capabilities.billing.metrics import money_figures
from hearthkeeper.capabilities.billing.repository import SqlBilling
from hearthkeeper.clock import FrozenClock
from hearthkeeper.store import Community, Store, create_engine_for, sqlite_url, upgrade
from hearthkeeper.store.models import AuditRow, MemberRow, OrderRow, SubscriptionRow

START = datetime(2025, 1, 1, tzinfo=UTC)
SHOWN = 200  # the orders the page lists (the newest)
MONTH = timedelta(days=30)
YEAR = timedelta(days=365)


def fill(store: Store, orders: int, members: int, audit: int) -> Community:
    """The community, its members, subscriptions, orders and audit log."""
    community = store.ensure_community("bench", "Bench")
    people = [{"id": i + 1, "display_name": f"member {i}", "profile": {}, "notes": "",
               "created_at": START} for i in range(members)]  # fmt: skip
    subs: list[dict[str, Any]] = []
    rows: list[dict[str, Any]] = []
    entries: list[dict[str, Any]] = []
    per_member = [orders // members + (1 if i < orders % members else 0) for i in range(members)]
    order_id = 0
    span = (YEAR - MONTH * 3).total_seconds()  # members joined over the year
    for i, count in enumerate(per_member):
        begun = START + timedelta(seconds=span * i / members)
        subs.append({"id": i + 1, "community_id": community.id, "member_id": i + 1,
                     "plan_id": "monthly", "status": "active", "period_start": begun,
                     "period_end": begun + MONTH * max(count, 1), "trial_end": None,
                     "trial_network": None, "created_at": begun, "ended_at": None})  # fmt: skip
        for n in range(count):
            order_id += 1
            at = begun + MONTH * n
            kind = "purchase" if n == 0 else "renewal"
            discount = order_id % 20 == 0
            rows.append({"id": order_id, "community_id": community.id, "member_id": i + 1,
                         "subscription_id": i + 1, "plan_id": "monthly",
                         "amount": Decimal("29" if discount else "39"), "currency": "CNY",
                         "kind": kind, "provider": "manual", "provider_ref": f"WX-{order_id}",
                         "recorded_by": "staff", "at": at, "refund_of": None})  # fmt: skip
            detail: dict[str, Any] = {"order": order_id, "kind": kind, "plan": "monthly",
                                      "amount": rows[-1]["amount"].__format__("f")}  # fmt: skip
            if discount:
                detail |= {"discount": f"老会员券 {order_id}", "short": "below the price"}
            entries.append({"at": at, "actor": "staff", "community_id": community.id,
                            "action": f"billing {kind}", "target": f"member {i + 1}",
                            "detail": detail})  # fmt: skip
    for n in range(audit):  # the year's moderation, evenly
        at = START + timedelta(seconds=YEAR.total_seconds() * n / max(audit, 1))
        entries.append({"at": at, "actor": "moderation", "community_id": community.id,
                        "action": "delete message", "target": f"member {n % members + 1}",
                        "detail": {"rule": "links", "strike": 1}})  # fmt: skip
    entries.sort(key=lambda e: e["at"])
    with store.engine.begin() as connection:
        for table, values in ((MemberRow, people), (SubscriptionRow, subs), (OrderRow, rows),
                              (AuditRow, entries)):  # fmt: skip
            for start in range(0, len(values), 5000):
                connection.execute(insert(table), values[start : start + 5000])
    return community


def best_of_three(read: Callable[[], object]) -> float:
    best = float("inf")
    for _ in range(3):
        began = time.perf_counter()
        read()
        best = min(best, time.perf_counter() - began)
    return best


def _orders_shown(store: Store, community: Community) -> list[Any]:
    """The orders the page shows, as the code measured reads them (main: every order, then
    the first 200 kept)."""
    try:
        return staff.order_lines(store, community, SHOWN)
    except TypeError:
        return staff.order_lines(store, community)[:SHOWN]


def _reasons(store: Store, community: Community, shown: list[Any]) -> object:
    repo = SqlBilling.on(store)
    try:
        return repo.reasons(community.id, shown)
    except TypeError:
        return repo.reasons(community.id)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--orders", type=int, default=20_000)
    parser.add_argument("--members", type=int, default=8_000)
    parser.add_argument("--audit", type=int, default=200_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        url = sqlite_url(Path(folder))
        upgrade(url)
        engine = create_engine_for(url)
        now = START + YEAR
        store = Store(engine, FrozenClock(now))
        community = fill(store, args.orders, args.members, args.audit)
        shown = [o for o, _ in _orders_shown(store, community)]
        reads: dict[str, Callable[[], object]] = {
            f"orders shown ({SHOWN} of {args.orders})": lambda: _orders_shown(store, community),
            "discount reasons": lambda: _reasons(store, community, shown),
            f"subscriptions ({args.members})": lambda: staff.subscription_lines(store, community, now),
            "money figures": lambda: money_figures(store, community.id, now),
        }  # fmt: skip
        print(f"{args.orders} orders ({args.orders // 20} discounted), {args.members} members, "
              f"{args.audit} other audit entries")  # fmt: skip
        total = 0.0
        for name, read in reads.items():
            took = best_of_three(read)
            total += took
            print(f"  {name}: {took:.3f} s")
        print(f"  the page's reads together: {total:.3f} s")
        engine.dispose()


if __name__ == "__main__":
    main()
