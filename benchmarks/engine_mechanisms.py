"""The engine's throughput per mechanism: messages/s with the skincare template's mechanisms
all on, none on, and each one alone, and the statements the store ran per message.

Messages per CPU second (the process's CPU time: SQLite runs in it) is the steadier figure
on a shared machine; messages/s is wall time.

The same synthetic stream as `hearth bench engine` (500 groups, 20,000 members, 3% evasive
ads, FrozenClock), on SQLite in a temporary directory. Each run first pushes `--warm`
messages that are not timed (the first batches adopt 500 groups and create most members,
a one-off cost), then times `--messages` more in batches of `--batch`. Only public APIs
that both the step-12 tree and later ones have, so the integrator runs it against both:

    PYTHONPATH=<tree>/src .venv/bin/python benchmarks/engine_mechanisms.py [--json]
    [--messages N] [--warm N] [--batch N] [--only all,none,faq,...] [--full]
    [--texts varied]

`--texts varied` draws the chat from real people's lines (`benchmarks/varied_chat.py`).
"""

from __future__ import annotations

import argparse
import itertools
import json
import platform
import statistics
import tempfile
import time
from collections.abc import Collection
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import Engine as SqlEngine
from varied_chat import STREAMS

from hearthkeeper.assembly import runtime_for
from hearthkeeper.clock import FrozenClock
from hearthkeeper.engine.engine import Engine
from hearthkeeper.playbook import Playbook, parse_playbook
from hearthkeeper.playbook.templates import template_text
from hearthkeeper.store import Store, create_engine_for, sqlite_url, upgrade

START = datetime(2026, 6, 1, tzinfo=UTC)
MECHANISMS = ("faq", "check_in", "signups", "polls", "points", "titles", "crisis")
_STATEMENTS = [0]


@event.listens_for(SqlEngine, "before_cursor_execute")
def _count(*_: Any) -> None:
    _STATEMENTS[0] += 1


def only(playbook: Playbook, on: Collection[str]) -> Playbook:
    """The playbook with only the mechanisms in `on` running (the same switch-offs as
    `hearth bench engine --mechanisms`, written here so the old tree runs it too)."""
    m = playbook.mechanisms
    update: dict[str, object] = {}
    if "faq" not in on:
        update["faq"] = m.faq.model_copy(update={"entries": []})
        update["tags"] = []
    for name in ("check_in", "signups", "polls", "points", "crisis"):
        if name not in on:
            update[name] = getattr(m, name).model_copy(update={"enabled": False})
    if "titles" not in on:
        update["titles"] = []
    return playbook.model_copy(update={"mechanisms": m.model_copy(update=update)})


def measure(on: Collection[str] | None, messages: int, warm: int, batch: int,
            texts: str = "synthetic") -> dict[str, float]:  # fmt: skip
    """One run: messages/s, decision p99, statements per message (after the warm-up)."""
    with tempfile.TemporaryDirectory(prefix="hearth-bench-") as tmp:
        url = sqlite_url(Path(tmp))
        upgrade(url)
        clock = FrozenClock(START)
        store = Store(create_engine_for(url), clock)
        playbook = parse_playbook(template_text("skincare")).playbook
        if on is not None:
            playbook = only(playbook, on)
        runtime = runtime_for(store, playbook)
        engine = Engine(store, clock, [runtime], adopt_groups_into=runtime.community_id,
                        batch=batch)  # fmt: skip
        events = STREAMS[texts](warm + messages, start=START)
        for _ in range(0, warm, batch):
            engine.process(list(itertools.islice(events, batch)))
        spent, cpu, decisions, statements = 0.0, 0.0, [], _STATEMENTS[0]
        while chunk := list(itertools.islice(events, batch)):
            t0, c0 = time.perf_counter(), time.process_time()
            processed = engine.process(chunk)
            spent += time.perf_counter() - t0
            cpu += time.process_time() - c0
            decisions.extend(p.decided_in for p in processed)
        statements = _STATEMENTS[0] - statements
        store.engine.dispose()
    return {
        "messages_per_s": round(messages / spent, 1),
        # CPU seconds of this process: what the engine costs, whatever else the machine runs
        "cpu_messages_per_s": round(messages / cpu, 1),
        "decision_p99_ms": round(statistics.quantiles(decisions, n=100)[98] * 1000, 3),
        "statements_per_message": round(statements / messages, 3),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=5_000, help="timed messages per run")
    parser.add_argument("--warm", type=int, default=5_000, help="untimed messages first")
    parser.add_argument("--batch", type=int, default=1_000)
    parser.add_argument("--only", default="", help="comma-separated runs: all, none, faq, ...")
    parser.add_argument("--full", action="store_true", help="50,000 timed after 50,000 warm")
    parser.add_argument("--json", action="store_true", help="one JSON object on the last line")
    parser.add_argument("--texts", choices=sorted(STREAMS), default="synthetic",
                        help="the chat's lines: the synthetic stream's or real ones")  # fmt: skip
    args = parser.parse_args()
    if args.full:
        args.messages, args.warm = 50_000, 50_000
    runs = ["all", "none", *MECHANISMS]
    if args.only:
        runs = [r for r in args.only.split(",") if r]
    figures: dict[str, dict[str, float]] = {}
    for name in runs:
        on = None if name == "all" else [] if name == "none" else [name]
        figures[name] = measure(on, args.messages, args.warm, args.batch, args.texts)
        f = figures[name]
        label = {"all": "all mechanisms", "none": "no mechanism"}.get(name, f"{name} alone")
        print(f"{label:<16} {f['messages_per_s']:>8,.0f} messages/s ("
              f"{f['cpu_messages_per_s']:,.0f} per CPU second)  decision p99 "
              f"{f['decision_p99_ms']:.3f} ms  {f['statements_per_message']:.2f} statements"
              "/message", flush=True)  # fmt: skip
    print(f"({args.messages:,} timed after {args.warm:,} untimed messages per run, batches of "
          f"{args.batch}, SQLite; {platform.processor() or platform.machine()}, "
          f"Python {platform.python_version()})")  # fmt: skip
    if args.json:
        out: dict[str, Any] = {"messages": args.messages, "warm": args.warm}
        for name, f in figures.items():
            for key, value in f.items():
                out[f"{name}_{key}"] = value
        print(json.dumps(out))


if __name__ == "__main__":
    main()
