"""Play the demo conversation through the real engine, on the demo's own store."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import timedelta
from importlib.resources import files
from zoneinfo import ZoneInfo

from hearthkeeper.clock import Clock
from hearthkeeper.dryrun import give_role
from hearthkeeper.engine.carrier import Carrier
from hearthkeeper.engine.engine import Engine
from hearthkeeper.engine.executor import Processed, Runtime
from hearthkeeper.recorded import Recorded, read_events
from hearthkeeper.store import Store


@dataclass(frozen=True)
class Played:
    """One event of the conversation and what the engine did about it."""

    recorded: Recorded
    processed: Processed


def play(store: Store, clock: Clock, runtime: Runtime, carrier: Carrier) -> list[Played]:
    """Feed the bundled conversation to an engine that performs through `carrier`."""
    lines = (
        files("hearthkeeper.demo").joinpath("conversation.jsonl").read_text("utf-8").splitlines()
    )
    zone = ZoneInfo(runtime.playbook.community.timezone)
    start = clock.now() - timedelta(minutes=10)
    engine = Engine(store, clock, [runtime], {carrier.name: carrier})
    played: list[Played] = []
    for item in read_events(lines, zone, start, carrier=carrier.name):
        if not isinstance(item, Recorded):  # the bundled file is well-formed
            raise ValueError(f"demo conversation, {item}")
        if item.role is not None:
            give_role(store, runtime.community_id, item)
        [processed] = engine.process([item.event])
        played.append(Played(item, processed))
    asyncio.run(engine.drain())
    return played
