"""Joins and leaves through the engine: `hearth bench engine`'s stream has none, so what a
join or a leave costs (who was here before, approvals waiting for room) never shows there.

`--events` events on SQLite (the skincare template, every mechanism, batches of 1,000): of
each ten, one a member leaving their group, one a member joining it (half of them members who
left earlier: welcomed back), the rest the synthetic stream's messages. Prints the process
CPU time spent inside `Engine.process` per event (as `engine_cpu.py`) and the actions taken,
so two trees can be compared on a shared machine; only public APIs older trees have too:

    PYTHONPATH=<tree>/src .venv/bin/python benchmarks/engine_joins.py [--events 50000]
"""

from __future__ import annotations

import argparse
import itertools
import json
import random
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

from hearthkeeper.assembly import runtime_for
from hearthkeeper.bench.engine_bench import START
from hearthkeeper.bench.synthetic import CARRIER, stream
from hearthkeeper.clock import FrozenClock
from hearthkeeper.engine.engine import Engine
from hearthkeeper.engine.events import Event, Join, Leave, Sender
from hearthkeeper.playbook import parse_playbook
from hearthkeeper.playbook.templates import template_text
from hearthkeeper.store import Store, create_engine_for, sqlite_url, upgrade

GROUPS, MEMBERS = 500, 20_000  # the synthetic stream's


def events(count: int, seed: int = 11) -> Iterator[Event]:
    """The synthetic stream's messages with a leave and a join in every ten events."""
    rng = random.Random(seed)
    left: list[int] = []
    for n, message in enumerate(stream(count, start=START)):
        if n % 10 == 3:
            user = rng.randrange(MEMBERS)
            left.append(user)
            yield Leave(carrier=CARRIER, group=f"g{user % GROUPS}", event_id=f"l{n}",
                        at=message.at, sender=Sender(user_id=f"u{user}"))  # fmt: skip
        elif n % 10 == 7:
            back = left and rng.random() < 0.5
            user = left.pop(rng.randrange(len(left))) if back else rng.randrange(MEMBERS)
            yield Join(carrier=CARRIER, group=f"g{user % GROUPS}", event_id=f"j{n}",
                       at=message.at, sender=Sender(user_id=f"u{user}",
                                                    display_name=f"member {user}"))  # fmt: skip
        else:
            yield message


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=50_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="hearth-joins-") as tmp:
        url = sqlite_url(Path(tmp))
        upgrade(url)
        clock = FrozenClock(START)
        store = Store(create_engine_for(url), clock)
        runtime = runtime_for(store, parse_playbook(template_text("skincare")).playbook)
        engine = Engine(store, clock, [runtime], adopt_groups_into=runtime.community_id)
        feed = events(args.events)
        cpu = wall = 0.0
        actions = 0
        while chunk := list(itertools.islice(feed, 1000)):
            started, ticked = time.process_time(), time.perf_counter()
            done = engine.process(chunk)
            cpu += time.process_time() - started
            wall += time.perf_counter() - ticked
            actions += sum(len(p.actions) for p in done)
        store.engine.dispose()
    print(json.dumps({
        "events": args.events, "cpu_seconds": round(cpu, 3), "seconds": round(wall, 3),
        "per_cpu_second": round(args.events / cpu, 1), "actions": actions,
    }))  # fmt: skip


if __name__ == "__main__":
    main()
