"""What storing a message costs the database: the engine's batches of messages written with
the store's own prepared INSERT (`message_rows.insert_prepared`) into a database at the
tree's newest migration, with every index and foreign key of `messages`, one transaction per
batch of 1,000 as the engine writes them. Prints the process CPU time per message (SQLite
runs in the process), so two trees (say, before and after an index change) can be compared
on a shared machine. `--replies` is the share of messages that reply to an earlier one.

    PYTHONPATH=<tree>/src .venv/bin/python benchmarks/message_insert.py [-n 100000] [--replies 0.2]
"""

from __future__ import annotations

import argparse
import json
import random
import sqlite3
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from hearthkeeper.clock import FrozenClock
from hearthkeeper.store import Store, create_engine_for, sqlite_url, upgrade
from hearthkeeper.store.message_rows import insert_prepared
from hearthkeeper.store.records import MessageKind

START = datetime(2026, 6, 1, tzinfo=UTC)
GROUPS, MEMBERS, BATCH = 500, 20_000, 1000
TEXTS = ["早上好呀", "请问这个精华液敏感肌能用吗？", "+1", "thanks for sharing", "打卡"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", "--messages", type=int, default=100_000)
    parser.add_argument("--replies", type=float, default=0.0)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="hearth-insert-") as tmp:
        url = sqlite_url(Path(tmp))
        upgrade(url)
        store = Store(create_engine_for(url), FrozenClock(START))
        community = store.ensure_community("bench", "Bench").id
        setup = sqlite3.connect(Path(tmp) / "hearth.db")
        with setup:
            setup.executemany(
                "INSERT INTO groups (id, community_id, name, carrier, carrier_group_id, "
                "created_at) VALUES (?, ?, ?, 'bench', ?, '2026-06-01 00:00:00.000000')",
                [(g, community, f"g{g}", f"g{g}") for g in range(1, GROUPS + 1)],
            )
            setup.executemany(
                "INSERT INTO members (id, display_name, profile, notes, created_at) "
                "VALUES (?, ?, '{}', '', '2026-06-01 00:00:00.000000')",
                [(m, f"member {m}") for m in range(1, MEMBERS + 1)],
            )
        setup.close()
        rng = random.Random(7)
        spent, at = 0.0, START
        written: list[tuple[int, int]] = []  # (message number, its group)
        for start in range(0, args.messages, BATCH):
            rows = []
            for n in range(start, min(start + BATCH, args.messages)):
                at += timedelta(milliseconds=rng.randrange(1, 40))
                group = rng.randrange(1, GROUPS + 1)
                reply = None
                if written and rng.random() < args.replies:
                    number, group = rng.choice(written[-5000:])  # in the replied one's group
                    reply = f"m{number}"
                rows.append((group, rng.randrange(1, MEMBERS + 1), f"m{n}", MessageKind.TEXT,
                             rng.choice(TEXTS), at, reply))  # fmt: skip
            began = time.process_time()
            with store.engine.begin() as connection:  # committed at the end, as a batch is
                insert_prepared(connection, rows, at)
            spent += time.process_time() - began
            written.extend((int(row[2][1:]), row[0]) for row in rows)
        with store.engine.connect() as connection:
            linked = connection.exec_driver_sql(
                "SELECT count(*) FROM messages WHERE reply_to_id IS NOT NULL"
            ).scalar()
        store.engine.dispose()
    print(json.dumps({"messages": args.messages, "replies": args.replies, "linked": linked,
                      "us_per_message": round(spent / args.messages * 1e6, 2)}))  # fmt: skip


if __name__ == "__main__":
    main()
