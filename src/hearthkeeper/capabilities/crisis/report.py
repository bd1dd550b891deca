"""Crisis episodes in `hearth report`: the episodes whose spike held during the report's
period, as JSON (docs/metrics.md, "Report format"; docs/crisis.md)."""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime
from typing import Any

from hearthkeeper.capabilities.crisis.repository import EpisodeRecord, SqlCrisis
from hearthkeeper.store.scope import StoreBase


def report_episodes(scope: StoreBase, community_id: int, start: datetime, end: datetime,
                    group_ids: Collection[int]) -> tuple[EpisodeRecord, ...]:  # fmt: skip
    """Episodes of the groups `group_ids` that overlap [start, end), oldest first."""
    found = SqlCrisis.on(scope).episodes(community_id, start)
    return tuple(reversed([e for e in found if e.group_id in group_ids and e.started_at < end]))


def episode_json(e: EpisodeRecord) -> dict[str, Any]:
    """One episode of the report's `crisis` list."""
    return {
        "group": {"id": e.group_id, "name": e.group},
        "started_at": e.started_at.isoformat(), "last_at": e.last_at.isoformat(),
        "messages": e.messages, "alarming": e.alarming, "authors": e.authors,
        "baseline": e.baseline, "bar": e.bar,
        "quotes": [{"at": m.at.isoformat(), "author": m.author, "text": m.text,
                    "markers": list(m.markers), "score": m.score} for m in e.marks],
    }  # fmt: skip
