"""What reading one member's or group's audit entries costs, with and without the target
index (`ix_audit_log_community_id_target`, migration 0044), and what the index costs the
writes: a SQLite database at the tree's newest migration filled with `-n` entries about
2,000 targets (one in seven a role given), then the member page's read (`audit_entries` by
target and action, every entry) and a closing's (`last_audit`) for 50 targets, best of three;
then the index dropped and the same again. Prints milliseconds a read and microseconds an
entry written.

    PYTHONPATH=<tree>/src .venv/bin/python benchmarks/audit_target.py [-n 200000]
"""

from __future__ import annotations

import argparse
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from hearthkeeper.clock import FrozenClock
from hearthkeeper.store import NewAudit, Store, create_engine_for, sqlite_url, upgrade

START = datetime(2026, 1, 1, tzinfo=UTC)
TARGETS, CHUNK = 2000, 20_000
INDEX = "ix_audit_log_community_id_target"


def fill(store: Store, community_id: int, first: int, count: int) -> float:
    """Write `count` entries from number `first` on; seconds taken."""
    began = time.perf_counter()
    for chunk in range(first, first + count, CHUNK):
        store.audit_bulk([
            NewAudit("engine", "member.role" if n % 7 == 0 else "strike", community_id,
                     f"member {n % TARGETS}", {"n": n}, START + timedelta(seconds=n))
            for n in range(chunk, min(chunk + CHUNK, first + count))
        ])  # fmt: skip
    return time.perf_counter() - began


def reads(store: Store, community_id: int) -> float:
    """Seconds a read, best of three rounds of 50 targets × two reads."""
    rounds = []
    for _ in range(3):
        began = time.perf_counter()
        for m in range(0, TARGETS, TARGETS // 50):
            store.audit_entries(community_id, target=f"member {m}", actions=["member.role"],
                                limit=None)  # fmt: skip
            store.last_audit(community_id, f"member {m}", ["member.role"])
        rounds.append((time.perf_counter() - began) / 100)
    return min(rounds)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("-n", type=int, default=200_000, help="audit entries to fill with")
    count = parser.parse_args().n
    with tempfile.TemporaryDirectory() as folder:
        url = sqlite_url(Path(folder))
        upgrade(url)
        engine = create_engine_for(url)
        store = Store(engine, FrozenClock(START))
        tea = store.ensure_community("tea", "Tea")
        fill(store, tea.id, 0, count)
        written = fill(store, tea.id, count, CHUNK)
        print(f"with the index:    {reads(store, tea.id) * 1000:8.2f} ms a read, "
              f"{written / CHUNK * 1e6:6.1f} µs an entry written")  # fmt: skip
        with engine.begin() as connection:
            connection.exec_driver_sql(f"DROP INDEX {INDEX}")
        written = fill(store, tea.id, count + CHUNK, CHUNK)
        print(f"without the index: {reads(store, tea.id) * 1000:8.2f} ms a read, "
              f"{written / CHUNK * 1e6:6.1f} µs an entry written")  # fmt: skip
        engine.dispose()


if __name__ == "__main__":
    main()
