"""What the demo's simulated members are struck for: the demo simulator (`hearthkeeper.demo`)
run through a real host's engine on a fresh SQLite database, its pauses stepping a frozen
clock (as `tests/test_simulator.py` runs it), then every strike listed with the line it was
for, the cast's advertisers apart from the ordinary members.

    PYTHONPATH=<tree>/src .venv/bin/python benchmarks/demo_struck.py [--beats 400] [--runs 3]

The simulator's members draw their lines at random, so runs differ; compare several.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # for tests.serve_setup

from tests.serve_setup import build, eventually, project, stepping

from hearthkeeper.carriers.webchat.carrier import WebChatCarrier
from hearthkeeper.carriers.webchat.groups import add_webchat_group
from hearthkeeper.clock import FrozenClock
from hearthkeeper.demo.cast import load_lines
from hearthkeeper.demo.simulator import Simulator
from hearthkeeper.store import sqlite_url


def run(beats: int) -> tuple[int, list[tuple[str, str, str]]]:
    """Lines said, and (member, strike explanation, line) for each ordinary member's strike."""
    root = Path(tempfile.mkdtemp(prefix="demo-struck-"))
    clock = FrozenClock(datetime(2026, 5, 1, 9, 0, tzinfo=UTC))
    host = build(project(root / "site"), sqlite_url(root / "site" / "data"), clock)
    community = host.running[0].community.id
    runtime = host.runtimes[community]
    for n in (2, 3):
        add_webchat_group(host.store, community, runtime.playbook, n)
    groups = host.store.list_groups(community)

    async def scenario() -> int:
        stop = asyncio.Event()
        engine = asyncio.create_task(host.engine.run(stop, idle=0.02))
        simulator = Simulator(host.carrier(WebChatCarrier), host.store, runtime.playbook,
                              groups, wait=stepping(clock))  # fmt: skip
        await simulator.run(stop, steps=beats)
        said = sum(1 for b in simulator.performed if b.kind == "say") - sum(
            1 for b, _ in simulator.refusals if b.kind == "say"
        )
        recorded = lambda: sum(len(host.store.messages(g.id)) for g in groups)  # noqa: E731
        await eventually(lambda: recorded() >= said, "every line recorded", within=120)
        stop.set()
        await engine
        return said

    try:
        said = asyncio.run(scenario())
        lines = load_lines()
        advertisers = {r.nickname for r in lines.cast if r.advertiser} | set(
            lines.extra_advertisers
        )
        struck = []
        for strike in host.store.strikes(community_id=community):
            name = host.store.member_names([strike.member_id]).get(strike.member_id, "?")
            if name in advertisers:
                continue
            message = (host.store.message_of_event(strike.event_id)
                       if strike.event_id is not None else None)  # fmt: skip
            struck.append((name, strike.explanation, message.text if message else ""))
        return said, struck
    finally:
        host.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--beats", type=int, default=400)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    total = 0
    for number in range(1, args.runs + 1):
        said, struck = run(args.beats)
        total += len(struck)
        print(f"run {number}: {said} lines said, {len(struck)} ordinary members' lines struck")
        for name, why, line in struck:
            print(f"  {name}: {line!r} — {why.split(' — in ')[0]}")
    print(f"in all: {total} ordinary lines struck in {args.runs} runs of {args.beats} beats")


if __name__ == "__main__":
    main()
