"""What a member's post costs the web chat in CPU, to weigh the closed group's check.

A web chat member's post checks whether the group is closed, read fresh from the store so a
`hearth groups close` in another process applies from the next message on
(`carriers/webchat/closed.py`). This measures the CPU time of `WebChatCarrier.say` — the
checks, the store write of the message and its engine event, the broadcast — on SQLite:
`--posts` posts by five members of one open group, `--rounds` times, after 200 to warm up.
CPU time of this process (`time.process_time`, every thread), not wall-clock time, so other
work on the machine weighs less. Run it with `PYTHONPATH=<tree>/src` for each tree compared,
alternating.

    PYTHONPATH=<tree>/src .venv/bin/python benchmarks/webchat_post_read.py [--posts N]
        [--rounds N] [--json]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import platform
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # for tests.*

from tests.migrated import migrated_file
from tests.webchat_setup import build_chat, sqlite_store

from hearthkeeper.carriers.webchat.carrier import WebChatCarrier
from hearthkeeper.clock import FrozenClock

START = "2026-12-06T12:00:00+00:00"


def posts(carrier: WebChatCarrier, group_id: int, users: list[str], n: int) -> float:
    """CPU seconds per post of `n` posts by `users` in turn."""

    async def run() -> None:
        for i in range(n):
            await carrier.say(group_id, users[i % len(users)], f"message {i}")

    started = time.process_time()
    asyncio.run(run())
    return (time.process_time() - started) / n


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--posts", type=int, default=2000, help="posts per measurement")
    parser.add_argument("--rounds", type=int, default=5, help="alternating pairs")
    parser.add_argument("--json", action="store_true")
    options = parser.parse_args()
    from datetime import datetime

    clock = FrozenClock(datetime.fromisoformat(START))
    with tempfile.TemporaryDirectory() as folder, \
            sqlite_store(Path(folder), migrated_file(), clock) as store:  # fmt: skip
        chat = build_chat(store, clock, Path(folder))
        carrier = chat.carrier
        garden = chat.groups[1]
        users = []
        for n in range(5):
            user, _ = carrier.create_user(f"member{n}")
            asyncio.run(carrier.join(garden.id, user.user_id))
            users.append(user.user_id)
        posts(carrier, garden.id, users, 200)  # warm up: imports, statement caches
        cpu = [posts(carrier, garden.id, users, options.posts) for _ in range(options.rounds)]
    result = {
        "machine": f"{platform.machine()}, Python {platform.python_version()}",
        "posts": options.posts, "rounds": [round(x * 1000, 4) for x in cpu],
        "median_ms": round(statistics.median(cpu) * 1000, 4),
    }  # fmt: skip
    if options.json:
        print(json.dumps(result))
        return
    print(
        f"per post, CPU: median {result['median_ms']:.3f} ms "
        f"(rounds: {', '.join(f'{x:.3f}' for x in result['rounds'])})"
    )


if __name__ == "__main__":
    main()
