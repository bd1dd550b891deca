"""`hearth bench engine`: the full pipeline — normalise, moderate, persist, outbox — on SQLite,
or on an empty database it is given (a throwaway PostgreSQL one)."""

from __future__ import annotations

import itertools
import statistics
import tempfile
import time
from collections.abc import Collection
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import inspect, make_url, text

from hearthkeeper.assembly import runtime_for
from hearthkeeper.bench.synthetic import stream
from hearthkeeper.clock import FrozenClock
from hearthkeeper.engine.engine import Engine
from hearthkeeper.playbook import Playbook, parse_playbook
from hearthkeeper.playbook.templates import template_text
from hearthkeeper.store import Store, StoreError, create_engine_for, sqlite_url, upgrade

START = datetime(2026, 6, 1, tzinfo=UTC)

# The template's mechanisms (`mechanisms:` in the playbook) that can be measured one at a time;
# moderation, the ceremony and the calendar always run (they are the pipeline, not a mechanism).
MECHANISMS = ("faq", "check_in", "signups", "polls", "points", "titles", "crisis")


def with_mechanisms(playbook: Playbook, on: Collection[str]) -> Playbook:
    """`playbook` with only the mechanisms named in `on` (of `MECHANISMS`) left running: the
    FAQ without entries and expert tags, the others disabled or emptied."""
    unknown = set(on) - set(MECHANISMS)
    if unknown:
        raise ValueError(f"unknown mechanisms {sorted(unknown)}; known: {', '.join(MECHANISMS)}")
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


@dataclass(frozen=True)
class EngineFigures:
    """What one run measured."""

    messages: int
    seconds: float
    messages_per_s: float
    p50_ms: float
    p99_ms: float
    batch_p50_ms: float
    batch_p99_ms: float
    actions: int
    batch: int
    mechanisms: str = "all"  # which mechanisms ran (`--mechanisms`), "all" by default
    database: str = "sqlite"  # the store's kind: "sqlite", "postgresql"

    def to_json(self) -> dict[str, float | int]:
        """The JSON object `--json` prints."""
        return dict(self.__dict__)


def require_empty(url: str) -> None:
    """Refuse (`StoreError`, saying why) a database the benchmark cannot fill: one it cannot
    reach, one that holds a community already (a deployment's, or an earlier run's), or one
    holding another application's tables (no Hearthkeeper revision: it would be migrated into)."""
    engine = create_engine_for(url)
    try:
        with engine.connect() as db:
            tables = set(inspect(db).get_table_names())
            held = (
                db.execute(text("SELECT count(*) FROM communities")).scalar()
                if "communities" in tables else 0
            )  # fmt: skip
    finally:
        engine.dispose()
    where = make_url(url).render_as_string(hide_password=True)
    if tables and "alembic_version" not in tables:
        shown = ", ".join(sorted(tables)[:3]) + (", …" if len(tables) > 3 else "")
        raise StoreError(
            f"{where} holds {len(tables)} table{'' if len(tables) == 1 else 's'} of something "
            f"else ({shown}) and no Hearthkeeper revision: the benchmark migrates and fills the "
            "database it runs on, so give it an empty one (a new, throwaway database)"
        )
    if held:
        raise StoreError(
            f"{where} holds {held} "
            f"communit{'y' if held == 1 else 'ies'} already: the benchmark fills the database "
            "it runs on, so give it an empty one (a new, throwaway database)"
        )


def run(messages: int = 200_000, *, batch: int = 1000, template: str = "skincare",
        workdir: Path | None = None, mechanisms: Collection[str] | None = None,
        database_url: str | None = None) -> EngineFigures:  # fmt: skip
    """Push `messages` synthetic messages through the engine and time it; with `mechanisms`,
    only those of the template's mechanisms run (`with_mechanisms`). On a new SQLite file,
    or on `database_url`: an empty database (`require_empty`), migrated and filled, left as
    the run leaves it."""
    with tempfile.TemporaryDirectory(prefix="hearth-bench-") as tmp:
        if database_url is None:
            url = sqlite_url(workdir or Path(tmp))
        else:
            require_empty(database_url)
            url = database_url
        upgrade(url)
        clock = FrozenClock(START)
        store = Store(create_engine_for(url), clock)
        playbook = parse_playbook(template_text(template)).playbook
        if mechanisms is not None:
            playbook = with_mechanisms(playbook, mechanisms)
        runtime = runtime_for(store, playbook)
        engine = Engine(
            store, clock, [runtime], adopt_groups_into=runtime.community_id, batch=batch
        )
        # Generated as they are consumed: a real server never holds the whole stream in memory.
        events = stream(messages, start=START)
        decisions: list[float] = []
        batches: list[float] = []
        actions = 0
        while chunk := list(itertools.islice(events, batch)):
            t0 = time.perf_counter()
            processed = engine.process(chunk)
            spent = time.perf_counter() - t0
            batches.append(spent)
            decisions.extend(p.decided_in for p in processed)
            actions += sum(len(p.actions) for p in processed)
        # Throughput counts the pipeline only, not the generator feeding it.
        elapsed = sum(batches)
        database = store.engine.dialect.name
        engine.executor.store.engine.dispose()
    q = statistics.quantiles(decisions, n=100)
    qb = statistics.quantiles(batches, n=100) if len(batches) > 1 else [batches[0]] * 99
    return EngineFigures(
        messages=messages, seconds=round(elapsed, 3), messages_per_s=round(messages / elapsed, 1),
        p50_ms=round(q[49] * 1000, 3), p99_ms=round(q[98] * 1000, 3),
        batch_p50_ms=round(qb[49] * 1000, 2), batch_p99_ms=round(qb[98] * 1000, 2),
        actions=actions, batch=batch,
        mechanisms="all" if mechanisms is None else ",".join(mechanisms) or "none",
        database=database,
    )  # fmt: skip
