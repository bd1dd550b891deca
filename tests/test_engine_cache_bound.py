"""A long-running engine's caches stay bounded, and starting them afresh changes nothing.

The executor keeps every member and seat it met in memory; past `CACHED_MAX` it drops them
between two batches and reads them again from the store. The same stream, run with a bound
small enough to drop them every few batches, must decide and store exactly what a run that
never drops them does: mutes, strikes and bans still hold, check-in streaks still count.
"""

from __future__ import annotations

import itertools
import logging
import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from hearthkeeper.assembly import runtime_for
from hearthkeeper.bench.synthetic import stream
from hearthkeeper.clock import FrozenClock
from hearthkeeper.engine import executor as executor_module
from hearthkeeper.engine.engine import Engine
from hearthkeeper.engine.events import Message
from hearthkeeper.playbook import parse_playbook
from hearthkeeper.playbook.templates import template_text
from hearthkeeper.store import Store, create_engine_for
from tests.migrated import migrated_sqlite

START = datetime(2026, 6, 1, tzinfo=UTC)
BATCH = 100


def _run(root: Path, count: int) -> tuple[list[object], dict[str, list[tuple[object, ...]]], int]:
    """The skincare template, every mechanism on, over the synthetic stream spread over
    two days (ticks between batches): every action, every table's rows, and the most seats
    the executor held after a batch."""
    url = migrated_sqlite(root)
    clock = FrozenClock(START)
    store = Store(create_engine_for(url), clock)
    runtime = runtime_for(store, parse_playbook(template_text("skincare")).playbook)
    engine = Engine(store, clock, [runtime], adopt_groups_into=runtime.community_id,
                    batch=BATCH)  # fmt: skip
    actions: list[object] = []
    held = 0
    events = (Message(carrier=m.carrier, group=m.group, event_id=m.event_id,
                      at=START + (m.at - START) * 6_000, sender=m.sender, text=m.text)
              for m in stream(count, start=START))  # fmt: skip
    while chunk := list(itertools.islice(events, BATCH)):
        clock.set(max(clock.now(), chunk[-1].at))
        for p in engine.process(chunk):
            actions.append((p.event.key, p.duplicate, p.ignored, p.handlers))
            actions += [(sorted(a.to_json().items()), a.request) for a in p.actions]
        engine.tick()
        held = max(held, len(engine.executor._seats))
    clock.set(clock.now() + timedelta(days=1))
    engine.tick()
    store.engine.dispose()
    db = sqlite3.connect(url.removeprefix("sqlite:///"))
    names = [r[0] for r in db.execute(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' "
        "AND name != 'alembic_version' ORDER BY name")]  # fmt: skip
    tables = {n: list(db.execute(f'SELECT * FROM "{n}" ORDER BY 1, 2')) for n in names}
    db.close()
    return actions, tables, held


def test_dropping_the_caches_between_batches_decides_and_stores_the_same(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    # 1,000 messages over about 33 hours (two days' scheduled work), ~970 members: the caches
    # are dropped at nearly every batch. 2,000 over the same days took twice as long for the
    # same kinds of action (check-ins, warnings, deletions, strikes, replies) and tables filled.
    count = 1_000
    (tmp_path / "kept").mkdir()
    (tmp_path / "dropped").mkdir()
    kept_actions, kept_tables, kept_most = _run(tmp_path / "kept", count)

    monkeypatch.setattr(executor_module, "CACHED_MAX", 60)
    with caplog.at_level(logging.INFO, logger=executor_module.__name__):
        actions, tables, most = _run(tmp_path / "dropped", count)

    dropped = [r for r in caplog.records if "starting the caches afresh" in r.getMessage()]
    assert len(dropped) >= 3  # the bound was met again and again
    assert kept_most > 60 * 2 and most <= 60 + BATCH  # held at most the bound and one batch
    # the run decided something of every kind worth checking
    kinds = {dict(a[0]).get("kind") for a in kept_actions if isinstance(a, tuple)
             and isinstance(a[0], list)}  # fmt: skip
    assert {"delete", "warn", "reply"} <= kinds, kinds
    assert actions == kept_actions
    assert tables.keys() == kept_tables.keys()
    for name, rows in kept_tables.items():
        assert tables[name] == rows, name
