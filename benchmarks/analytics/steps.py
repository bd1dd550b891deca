"""The steps the benchmark times, through Hearthkeeper's own APIs: open a store, set up the
community, import the CSV as `hearth import csv FILE --community bench` does, build the
report."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from benchmarks.analytics import fallback

from hearthkeeper import importers
from hearthkeeper.analytics.report import build_report
from hearthkeeper.apply import apply_playbook
from hearthkeeper.clock import SystemClock
from hearthkeeper.playbook import parse_playbook
from hearthkeeper.playbook.templates import template_text
from hearthkeeper.store import Store, create_engine_for

COMMUNITY = "bench"
TEMPLATE = "skincare"  # its time zone, Asia/Shanghai, is the generated history's


@dataclass(frozen=True)
class Imported:
    community_id: int
    added: int
    how: str  # which path imported it


@contextmanager
def open_store(url: str) -> Iterator[Store]:
    engine = create_engine_for(url)
    try:
        yield Store(engine, SystemClock())
    finally:
        engine.dispose()


def set_up_community(store: Store) -> str:
    """Community `bench` running the skincare template, as an operator would have it before
    importing the groups' history; its time zone."""
    lines = template_text(TEMPLATE).splitlines(keepends=True)
    slug = next(i for i, line in enumerate(lines) if line.lstrip().startswith("slug:"))
    indent = lines[slug][: len(lines[slug]) - len(lines[slug].lstrip())]
    lines[slug] = f"{indent}slug: {COMMUNITY}\n"
    loaded = parse_playbook("".join(lines), f"{TEMPLATE} template as {COMMUNITY}")
    apply_playbook(store, loaded, actor="bench")
    return loaded.playbook.community.timezone


def import_file(store: Store, path: Path, *, fallback_only: bool = False) -> Imported:
    """Import `path` into community `bench` (created if needed); what was added, and how."""
    if not fallback_only:
        return _import_with_importers(store, path)
    community = store.get_community(COMMUNITY) or store.ensure_community(COMMUNITY, COMMUNITY)
    added = fallback.import_csv(store, community.id, path)
    return Imported(community.id, added, "store bulk methods (fallback)")


def report_builder() -> Callable[..., dict[str, Any]]:
    """A function building the JSON report of a community, as `hearth report --format json`,
    as of `now` (default: `report_clock`'s reading, which the benchmark takes before it times
    the report: the clock is the benchmark's, not part of the report)."""

    def build(store: Store, community_id: int, now: datetime | None = None) -> dict[str, Any]:
        now = report_clock(store, community_id) if now is None else now
        return build_report(store, community_id, now=now).to_json()

    return build


def _import_with_importers(store: Store, path: Path) -> Imported:
    """As `hearth import csv FILE --community bench` does, without its progress bar."""
    source = importers.open_source("csv", path, importers.ImportOptions())
    summary = importers.import_source(store, source, community=COMMUNITY)
    if summary.bad_rows:
        shown = "; ".join(str(bad) for bad in summary.bad_rows[:5])
        raise SystemExit(f"the import skipped {len(summary.bad_rows)} rows: {shown}")
    assert summary.community is not None, "the import found the community"
    return Imported(summary.community.id, summary.messages_added, "hearthkeeper.importers")


def report_clock(store: Store, community_id: int) -> datetime:
    """A clock reading just after the community's last message, so the report's period
    covers the history and no empty months after it."""
    with store.engine.connect() as connection:
        last = connection.exec_driver_sql(
            "SELECT max(m.sent_at) FROM messages m JOIN groups g ON g.id = m.group_id "
            f"WHERE g.community_id = {int(community_id)}"
        ).scalar()
    if last is None:
        return datetime.now(UTC)
    if isinstance(last, str):
        last = datetime.fromisoformat(last)
    assert isinstance(last, datetime)
    return (last if last.tzinfo else last.replace(tzinfo=UTC)) + timedelta(days=1)
