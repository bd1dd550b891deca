"""What PostgreSQL's per-member strike count costs the engine: `hearth bench engine`'s run
(every skincare mechanism, the synthetic stream, one worker) on a throwaway PostgreSQL server
and on SQLite, with the time spent counting a judged member's strikes beside the whole.

On SQLite the engine reads the strikes and sanctions other processes wrote once per batch
(its batch holds the write lock); on PostgreSQL, where workers write side by side, it locks
each member it judges for breaking a rule and counts their strikes and blacklisting afresh
once per batch (`State.live_strikes`). This times `State.live_strikes` (wall clock and calls)
and `Engine.process` (process CPU and wall clock) on both databases, so the share is read off:

    PYTHONPATH=<tree>/src .venv/bin/python benchmarks/engine_strikes_pg.py [-n 50000]
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Callable, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # for tests.integration

from tests.integration import postgres

from hearthkeeper.bench import engine_bench
from hearthkeeper.engine.engine import Engine
from hearthkeeper.engine.events import Event
from hearthkeeper.engine.executor import Processed
from hearthkeeper.engine.state import State


def _measured(messages: int, url: str | None) -> dict[str, Any]:
    spent = {"process_cpu": 0.0, "process_wall": 0.0, "strikes_wall": 0.0, "strikes_calls": 0}
    process, live_strikes = Engine.process, State.live_strikes

    def timed(self: Engine, events: Sequence[Event]) -> list[Processed]:
        cpu, wall = time.process_time(), time.perf_counter()
        try:
            return process(self, events)
        finally:
            spent["process_cpu"] += time.process_time() - cpu
            spent["process_wall"] += time.perf_counter() - wall

    def counted(self: State, community_id: int, member_id: int, now: datetime) -> int:
        wall = time.perf_counter()
        try:
            return live_strikes(self, community_id, member_id, now)
        finally:
            spent["strikes_wall"] += time.perf_counter() - wall
            spent["strikes_calls"] += 1

    url_of: Callable[[Path], str] = engine_bench.sqlite_url
    Engine.process = timed  # type: ignore[method-assign]
    State.live_strikes = counted  # type: ignore[method-assign]
    if url is not None:
        engine_bench.sqlite_url = lambda _: url  # the run's store: the server's database
    try:
        figures = engine_bench.run(messages)
    finally:
        Engine.process, State.live_strikes = process, live_strikes  # type: ignore[method-assign]
        engine_bench.sqlite_url = url_of
    return {
        "database": "postgresql" if url else "sqlite", "messages": messages,
        "wall_msg_s": figures.messages_per_s, "actions": figures.actions,
        "per_cpu_second": round(messages / spent["process_cpu"], 1),
        "process_wall_s": round(spent["process_wall"], 3),
        "process_cpu_s": round(spent["process_cpu"], 3),
        "live_strikes_calls": spent["strikes_calls"],
        "live_strikes_wall_s": round(spent["strikes_wall"], 3),
        "live_strikes_share": round(spent["strikes_wall"] / spent["process_wall"], 4),
    }  # fmt: skip


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", "--messages", type=int, default=50_000)
    args = parser.parse_args()
    server = postgres.start()
    if isinstance(server, str):
        print(f"PostgreSQL cannot run here: {server}", file=sys.stderr)
        return 1
    try:
        with server.admin() as admin:
            admin.execute('CREATE DATABASE "engine_strikes"')
        print(json.dumps(_measured(args.messages, server.url("engine_strikes"))), flush=True)
    finally:
        server.stop()
    print(json.dumps(_measured(args.messages, None)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
