"""A digest of everything the engine decided and stored, to show a speed change decides the same.

Runs the skincare template, every mechanism on, over the synthetic stream of
`hearth bench engine` on SQLite, then prints one SHA-256 per part: every action of every
event (in order, with the handlers that decided and the typed request of an effect), and
every table the store holds (all rows, all columns, in primary-key order). Two passes:

- `stream`: `--messages` messages in batches of `--batch`, the clock frozen (as the benchmark);
- `days`: `--days-messages` messages spread over four days, the clock following them and the
  engine's `tick` run after each batch (scheduled work, lifted mutes, the level rounds).

With `--texts varied` both passes draw their chat from real people's lines
(`benchmarks/varied_chat.py`) instead of the synthetic stream's ~35 repeated ones, so a cache
of texts' readings is checked on texts it has not seen. Run it with each tree's `src/` on
`PYTHONPATH` and compare the output (`diff`):

    PYTHONPATH=<tree>/src .venv/bin/python benchmarks/engine_digest.py > <tree>.digest
    PYTHONPATH=<tree>/src .venv/bin/python benchmarks/engine_digest.py --texts varied
"""

from __future__ import annotations

import argparse
import hashlib
import itertools
import logging
import sqlite3
import tempfile
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

from varied_chat import STREAMS

from hearthkeeper.assembly import runtime_for
from hearthkeeper.clock import FrozenClock
from hearthkeeper.engine.engine import Engine
from hearthkeeper.engine.events import Message
from hearthkeeper.playbook import parse_playbook
from hearthkeeper.playbook.templates import template_text
from hearthkeeper.store import Store, create_engine_for, sqlite_url, upgrade

START = datetime(2026, 6, 1, tzinfo=UTC)


def spread(messages: Iterator[Message], stretch: int) -> Iterator[Message]:
    """The stream with its gaps `stretch` times longer (days pass within it)."""
    for m in messages:
        yield Message(carrier=m.carrier, group=m.group, event_id=m.event_id,
                      at=START + (m.at - START) * stretch, sender=m.sender,
                      text=m.text)  # fmt: skip


def run(name: str, count: int, batch: int, stretch: int | None,
        texts: str = "synthetic") -> list[str]:  # fmt: skip
    """One pass: the digests of its actions and of each table, as printable lines."""
    lines: list[str] = []
    with tempfile.TemporaryDirectory(prefix="hearth-digest-") as tmp:
        url = sqlite_url(Path(tmp))
        upgrade(url)
        clock = FrozenClock(START)
        store = Store(create_engine_for(url), clock)
        playbook = parse_playbook(template_text("skincare")).playbook
        runtime = runtime_for(store, playbook)
        engine = Engine(store, clock, [runtime], adopt_groups_into=runtime.community_id,
                        batch=batch)  # fmt: skip
        events: Iterator[Message] = STREAMS[texts](count, start=START)
        if stretch is not None:
            events = spread(events, stretch)
        actions = hashlib.sha256()
        n_actions = 0
        while chunk := list(itertools.islice(events, batch)):
            if stretch is not None:
                clock.set(max(clock.now(), chunk[-1].at))
            for p in engine.process(chunk):
                actions.update(repr((p.event.key, p.duplicate, p.ignored, p.handlers)).encode())
                for a in p.actions:
                    n_actions += 1
                    actions.update(repr((sorted(a.to_json().items()), a.request)).encode())
            if stretch is not None:
                engine.tick()
        store.engine.dispose()
        lines.append(f"{name} actions {n_actions} {actions.hexdigest()}")
        db = sqlite3.connect(url.removeprefix("sqlite:///"))
        tables = [r[0] for r in db.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' "
            "AND name != 'alembic_version' ORDER BY name")]  # fmt: skip
        for table in tables:
            digest = hashlib.sha256()
            rows = 0
            for row in db.execute(f'SELECT * FROM "{table}" ORDER BY 1, 2'):
                rows += 1
                digest.update(repr(row).encode())
            if rows:
                lines.append(f"{name} {table} {rows} {digest.hexdigest()}")
        db.close()
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=20_000, help="the frozen-clock pass")
    parser.add_argument("--days-messages", type=int, default=6_000, help="the days pass")
    parser.add_argument("--batch", type=int, default=1_000)
    parser.add_argument("--texts", choices=sorted(STREAMS), default="synthetic",
                        help="the chat's lines: the synthetic stream's or real ones")  # fmt: skip
    args = parser.parse_args()
    logging.disable(logging.WARNING)  # the days pass skips missed posts, saying so each time
    for line in run("stream", args.messages, args.batch, None, args.texts):
        print(line, flush=True)
    # 6,000 messages ~20 ms apart, stretched 2,880 times: about four days, a tick an hour
    for line in run("days", args.days_messages, 100, 2_880, args.texts):
        print(line, flush=True)


if __name__ == "__main__":
    main()
