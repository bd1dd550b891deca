"""The store's bulk path, as the engine uses it: rows/s for events, messages and outbox rows.

Records 20,000 messages from 2,000 members in 100 groups, in batches of 200: each batch in
one transaction resolves its members and groups (one query each), records the events,
the messages and one outbox row per message, as the engine persists what it processed.
Then records the same 20,000 again (every row already seen: the redelivery path).
SQLite, a file in a temporary directory, WAL, as `hearth` runs it.

    .venv/bin/python benchmarks/store_bulk.py [--rows N] [--batch N]
"""

from __future__ import annotations

import argparse
import platform
import sqlite3
import tempfile
import time
from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from hearthkeeper.clock import SystemClock
from hearthkeeper.store import (
    NewEvent,
    NewMessage,
    NewOutboxItem,
    Store,
    create_engine_for,
    sqlite_url,
    upgrade,
)

GROUPS = 100
MEMBERS = 2_000
CARRIER = "webchat"
BASE = datetime(2026, 1, 1, tzinfo=UTC)


@dataclass(frozen=True)
class Incoming:
    group: str
    user: str
    name: str
    event_id: str
    text: str
    at: datetime


def incoming(count: int) -> list[Incoming]:
    return [
        Incoming(
            group=f"g{i % GROUPS}",
            user=f"u{(i * 7) % MEMBERS}",
            name=f"Member {(i * 7) % MEMBERS}",
            event_id=f"ev-{i}",
            text=f"message {i}: 今天打卡了吗? see https://example.org/{i}",
            at=BASE + timedelta(milliseconds=50 * i),
        )
        for i in range(count)
    ]


class Timings:
    def __init__(self) -> None:
        self.seconds: dict[str, float] = defaultdict(float)

    @contextmanager
    def phase(self, name: str) -> Iterator[None]:
        start = time.perf_counter()
        yield
        self.seconds[name] += time.perf_counter() - start


def record(store: Store, batch: list[Incoming], timings: Timings) -> int:
    """Persist one batch in one transaction; the number of rows created."""
    created = 0
    with store.transaction() as tx:
        with timings.phase("resolve members + groups"):
            members = tx.member_ids({(CARRIER, m.user): m.name for m in batch})
            groups = tx.group_ids({(CARRIER, m.group) for m in batch})
        with timings.phase("events"):
            events = tx.record_events_bulk(
                [
                    NewEvent(
                        groups[(CARRIER, m.group)],
                        m.event_id,
                        "message",
                        members[(CARRIER, m.user)],
                        m.at,
                    )
                    for m in batch
                ]
            )
        with timings.phase("messages"):
            messages = tx.record_messages_bulk(
                [
                    NewMessage(
                        groups[(CARRIER, m.group)],
                        m.event_id,
                        members[(CARRIER, m.user)],
                        "text",
                        m.text,
                        m.at,
                    )
                    for m in batch
                ]
            )
        with timings.phase("outbox"):
            outbox = tx.enqueue_bulk(
                [
                    NewOutboxItem(
                        key=f"{event_id}:reply",
                        carrier=CARRIER,
                        action={"kind": "reply", "carrier": CARRIER, "text": "收到 ✔"},
                        priority=2,
                        event_id=event_id,
                        group_id=groups[(CARRIER, m.group)],
                    )
                    for m, (event_id, _) in zip(batch, events, strict=True)
                ]
            )
    for outcome in (events, messages, outbox):
        created += sum(1 for _, new in outcome if new)
    return created


def run(rows: int, batch_size: int, data_dir: Path) -> None:
    url = sqlite_url(data_dir)
    upgrade(url)
    engine = create_engine_for(url)
    store = Store(engine, SystemClock())
    community = store.ensure_community("bench", "Bench")
    for g in range(GROUPS):
        store.add_group(community.id, f"Group {g}", CARRIER, f"g{g}")
    stream = incoming(rows)
    batches = [stream[i : i + batch_size] for i in range(0, rows, batch_size)]

    for label, expected in (("new", 3 * rows), ("already seen", 0)):
        timings = Timings()
        start = time.perf_counter()
        created = sum(record(store, batch, timings) for batch in batches)
        elapsed = time.perf_counter() - start
        assert created == expected, f"{label}: created {created} rows, expected {expected}"
        print(f"\n{rows:,} {label} messages in batches of {batch_size}: {elapsed:.2f} s")
        print(f"  {'all three tables (wall clock)':<28} {3 * rows / elapsed:>10,.0f} rows/s")
        for phase, seconds in timings.seconds.items():
            print(f"  {phase:<28} {rows / seconds:>10,.0f} rows/s   ({seconds:.2f} s)")
    engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=20_000)
    parser.add_argument("--batch", type=int, default=200)
    args = parser.parse_args()
    print(
        f"store bulk path — Python {platform.python_version()}, SQLite {sqlite3.sqlite_version}, "
        f"{platform.machine()}, {platform.system()} {platform.release()}"
    )
    with tempfile.TemporaryDirectory(prefix="hearth-bench-") as tmp:
        run(args.rows, args.batch, Path(tmp))


if __name__ == "__main__":
    main()
