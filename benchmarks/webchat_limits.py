"""What counting a web chat limit in the store costs per use, on SQLite: `SqlMisses.take`
(one write transaction: the uses of the key in its window read, the expired uses of the kind
deleted, one row written), beside the same count in memory (`limits.Meter`) and beside what a
member's message costs today (`WebChatCarrier.say`: its checks and its store write). Run on a
database at the tree's newest migration, in a temporary folder. Prints wall and process CPU
time per call: whether the per-message limit (`messages_per_10s`) could be counted in the
store as joins, renames and uploads are.

    PYTHONPATH=<tree>/src .venv/bin/python benchmarks/webchat_limits.py [-n 2000] [--members 50]
"""

from __future__ import annotations

import argparse
import asyncio
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

from hearthkeeper.carriers.webchat.carrier import WebChatCarrier
from hearthkeeper.carriers.webchat.limits import Meter
from hearthkeeper.clock import FrozenClock
from hearthkeeper.store import Store, create_engine_for, sqlite_url, upgrade
from hearthkeeper.store.misses import SqlMisses

START = datetime(2026, 6, 1, tzinfo=UTC)
WINDOW, MOST = timedelta(seconds=10), 8  # `messages_per_10s`'s default


def timed(calls: int, run: Callable[[int], object]) -> tuple[float, float]:
    """Wall and CPU milliseconds per call of `run(n)`, n = 0 … calls - 1."""
    wall, cpu = time.perf_counter(), time.process_time()
    for n in range(calls):
        run(n)
    return ((time.perf_counter() - wall) * 1000 / calls,
            (time.process_time() - cpu) * 1000 / calls)  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", "--calls", type=int, default=2000)
    parser.add_argument("--members", type=int, default=50)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="hearth-limits-") as tmp:
        url = sqlite_url(Path(tmp))
        upgrade(url)
        clock = FrozenClock(START)
        store = Store(create_engine_for(url), clock)
        community = store.ensure_community("bench", "Bench")
        group = store.add_group(community.id, "Tea room", "webchat", "tea-1")
        carrier = WebChatCarrier(store, clock, Path(tmp) / "uploads")
        users = []
        for m in range(args.members):
            user, _ = carrier.create_user(f"member {m}")
            carrier.platform.take_seat(group.id, user.user_id, clock.now())
            users.append(user.user_id)

        def tick(n: int) -> datetime:
            clock.set(START + timedelta(milliseconds=50 * n))  # 20 messages a second in all
            return clock.now()

        counted = SqlMisses.on(store)
        meter = Meter(MOST, WINDOW)
        rows: list[tuple[str, tuple[float, float]]] = [
            ("in memory (Meter.take)",
             timed(args.calls, lambda n: meter.take(users[n % args.members], tick(n)))),
            ("in the store (SqlMisses.take)",
             timed(args.calls, lambda n: counted.take("message", [users[n % args.members]],
                                                      tick(n), MOST, WINDOW))),
        ]  # fmt: skip

        async def say_all() -> None:
            for n in range(args.calls):
                tick(n)
                await carrier.say(group.id, users[n % args.members], f"message {n}")

        wall, cpu = time.perf_counter(), time.process_time()
        asyncio.run(say_all())
        rows.append(("a message today (WebChatCarrier.say)",
                     ((time.perf_counter() - wall) * 1000 / args.calls,
                      (time.process_time() - cpu) * 1000 / args.calls)))  # fmt: skip
        store.engine.dispose()
    print(f"{args.calls} calls, {args.members} members, SQLite")
    for name, (ms, cpu_ms) in rows:
        print(f"  {name:40} {ms:7.3f} ms wall  {cpu_ms:7.3f} ms CPU per call")


if __name__ == "__main__":
    main()
