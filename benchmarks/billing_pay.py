"""How long `hearth billing pay` takes to read whom a payment reference names, on a large
community.

One community on a new SQLite store with M members on the web chat, one in ten already
given their payment reference (they were reminded once), the others not: all but the last
1,000 written at migration 0047, then the upgrade to the head (0050 derives every member's
code: its time is printed), then the last 1,000 (joined since). Prints the first look of all
(a code nobody holds: on 0050, it derives the 1,000 newcomers' codes), then the best of
five of each way staff name the payer by a reference: one given already, one derived for a
member not given it yet (what a rehearsal shows them), and one nobody holds (a typo);
each through `known_payer`, as `hearth billing pay` reads it before it records anything.

Run: .venv/bin/python -m benchmarks.billing_pay [--members M]
"""

from __future__ import annotations

import argparse
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import insert

from hearthkeeper.capabilities.billing.ledger import BillingError
from hearthkeeper.capabilities.billing.payments import known_payer
from hearthkeeper.capabilities.billing.references import reference_code
from hearthkeeper.clock import FrozenClock
from hearthkeeper.store import Store, create_engine_for, sqlite_url, upgrade
from hearthkeeper.store.models import IdentityRow, MemberRow, PaymentReferenceRow

NOW = datetime(2026, 12, 7, 9, 0, tzinfo=UTC)
GIVEN_EVERY = 10  # one member in ten was given their reference already
JOINED_SINCE = 1_000  # members who joined after the upgrade, before the first look


def fill(store: Store, members: int, first: int = 0) -> None:
    """Members `first` to `first + members - 1` and their identities, a tenth of them with
    their reference (written by hand: the columns every revision measured has)."""
    store.ensure_community("bench", "Bench")
    people: list[dict[str, Any]] = []
    identities: list[dict[str, Any]] = []
    references: list[dict[str, Any]] = []
    for i in range(first, first + members):
        people.append({"id": i + 1, "display_name": f"member {i}", "profile": {}, "notes": "",
                       "created_at": NOW})  # fmt: skip
        identities.append({"carrier": "webchat", "carrier_user_id": f"w-{i:08x}",
                           "member_id": i + 1, "created_at": NOW})  # fmt: skip
        if i % GIVEN_EVERY == 0:
            references.append({"code": reference_code("webchat", f"w-{i:08x}"),
                               "carrier": "webchat", "carrier_user_id": f"w-{i:08x}",
                               "display_name": f"member {i}", "created_at": NOW})  # fmt: skip
    with store.engine.begin() as connection:
        for table, values in ((MemberRow, people), (IdentityRow, identities),
                              (PaymentReferenceRow, references)):  # fmt: skip
            for start in range(0, len(values), 5000):  # only the keys given: the same on 0047
                connection.execute(insert(table), values[start : start + 5000])


def best_of_five(read: Callable[[], object]) -> float:
    best = float("inf")
    for _ in range(5):
        began = time.perf_counter()
        read()
        best = min(best, time.perf_counter() - began)
    return best


def _unknown(store: Store) -> None:
    try:
        known_payer(store, "ZZZZ-ZZZZ")
    except BillingError:
        return
    raise AssertionError("ZZZZ-ZZZZ named someone")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--members", type=int, default=50_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        url = sqlite_url(Path(folder))
        upgrade(url, to="0047")  # the store before the derived codes (0050), filled
        engine = create_engine_for(url)
        store = Store(engine, FrozenClock(NOW))
        fill(store, args.members - JOINED_SINCE)
        began = time.perf_counter()
        upgrade(url)
        upgraded = time.perf_counter() - began
        fill(store, JOINED_SINCE, first=args.members - JOINED_SINCE)  # joined since
        given = reference_code("webchat", f"w-{0:08x}")
        coming = reference_code("webchat", f"w-{args.members - 1:08x}")
        assert (args.members - 1) % GIVEN_EVERY != 0, "the last member must not be given one"
        began = time.perf_counter()
        _unknown(store)
        first = time.perf_counter() - began
        times = {
            "given": best_of_five(lambda: known_payer(store, given)),
            "derived, not given yet": best_of_five(lambda: known_payer(store, coming)),
            "nobody's (a typo)": best_of_five(lambda: _unknown(store)),
        }
        engine.dispose()
    print(f"{args.members} members ({args.members // GIVEN_EVERY} given a reference), SQLite")
    print(f"  the upgrade past 0047 (with {args.members - JOINED_SINCE} members): "
          f"{upgraded * 1000:.0f} ms")  # fmt: skip
    print(f"  the first look, {JOINED_SINCE} members joined since: {first * 1000:.1f} ms")
    print("  then, best of 5:")
    for what, took in times.items():
        print(f"    reference {what}: {took * 1000:.1f} ms")


if __name__ == "__main__":
    main()
