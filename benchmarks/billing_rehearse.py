"""How long `hearth billing rehearse` takes for a paid circle of many members.

One community on a new SQLite store (the skincare template's playbook with a monthly plan
added), two web chat groups, M members in them, each with a monthly subscription whose
period ends on a day spread over the coming month. Rehearses D days (default 60: every
member reminded once, then removed) and prints the time and what it found.

Run: .venv/bin/python -m benchmarks.billing_rehearse [--members M] [--days D]
"""

from __future__ import annotations

import argparse
import tempfile
import time
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path

from hearthkeeper.apply import apply_playbook
from hearthkeeper.capabilities.billing.rehearse import rehearse
from hearthkeeper.capabilities.billing.repository import SqlBilling
from hearthkeeper.clock import FrozenClock
from hearthkeeper.playbook import parse_playbook
from hearthkeeper.playbook.templates import template_text
from hearthkeeper.store import Store, create_engine_for, sqlite_url, upgrade

NOW = datetime(2026, 12, 6, 9, 0, tzinfo=UTC)
MONTHLY = (
    "  plans:\n    - id: monthly\n      name: 月卡\n      price: 39\n      currency: CNY\n"
    "      period: 1 month\n      renewal_reminder: 5d\n      grace: 2d\n"
)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--members", type=int, default=2_000)
    parser.add_argument("--days", type=int, default=60)
    args = parser.parse_args()
    parsed = parse_playbook(template_text("skincare").replace("  plans:\n", MONTHLY, 1))
    playbook = parsed.playbook
    with tempfile.TemporaryDirectory() as folder:
        url = sqlite_url(Path(folder))
        upgrade(url)
        engine = create_engine_for(url)
        store = Store(engine, FrozenClock(NOW))
        community = store.ensure_community(playbook.community.slug, playbook.community.name)
        apply_playbook(store, parsed, "bench")
        groups = [store.add_group(community.id, f"g{n}", "webchat", f"room-{n}") for n in (1, 2)]
        with store.transaction() as tx:
            repo = SqlBilling.on(tx)
            for i in range(args.members):
                member = tx.member_for("webchat", f"u-{i}", f"会员{i}")
                tx.join(member.id, groups[i % 2].id, at=NOW - timedelta(days=40))
                end = NOW + timedelta(minutes=i * 30 * 24 * 60 // args.members)
                repo.start(community.id, member.id, "monthly", end - timedelta(days=30), end,
                           trial=False, at=end - timedelta(days=30))  # fmt: skip
        began = time.perf_counter()
        found = rehearse(store, community, playbook, NOW, args.days)
        took = time.perf_counter() - began
        engine.dispose()
    kinds = Counter(h.what for h in found)
    print(f"{args.members} members, {args.days} days rehearsed: {took:.1f} s "
          f"({', '.join(f'{n} {k}' for k, n in sorted(kinds.items()))})")  # fmt: skip


if __name__ == "__main__":
    main()
