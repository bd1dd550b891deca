"""A tiny community built row by row for the metrics tests: every number can be counted by
hand. Days are 2026 dates in UTC (the community has no playbook, so its zone is UTC)."""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from hearthkeeper.analytics.metrics import CommunityMetrics, group_metrics
from hearthkeeper.store import Store

UTC_ZONE = ZoneInfo("UTC")


def at(day: str, hour: int = 12, minute: int = 0) -> datetime:
    """ "03-02" → 2026-03-02 at `hour`:`minute` UTC."""
    return datetime(2026, int(day[:2]), int(day[3:]), hour, minute, tzinfo=UTC)


def d(day: str) -> date:
    """ "03-02" → 2026-03-02."""
    return at(day).date()


@dataclass
class Town:
    store: Store
    community_id: int
    groups: dict[str, int] = field(default_factory=dict)
    members: dict[str, int] = field(default_factory=dict)
    _ids: itertools.count[int] = field(default_factory=lambda: itertools.count(1))

    def group(self, name: str) -> int:
        if name not in self.groups:
            self.groups[name] = self.store.add_group(self.community_id, name, "fake", name).id
        return self.groups[name]

    def member(self, name: str) -> int:
        if name not in self.members:
            self.members[name] = self.store.member_for("fake", name, name.title()).id
        return self.members[name]

    def stay(self, name: str, group: str, joined: datetime, left: datetime | None = None, *,
             role: str | None = None) -> None:  # fmt: skip
        self.store.join(self.member(name), self.group(group), role=role, at=joined)
        if left is not None:
            self.store.leave(self.member(name), self.group(group), at=left)

    def say(self, name: str, group: str, when: datetime, text: str = "hi", *, kind: str = "text",
            reply_to: str | None = None) -> str:  # fmt: skip
        """Store a message; returns its carrier event id (to reply to it)."""
        event_id = f"m{next(self._ids)}"
        self.store.record_message(self.group(group), event_id, self.member(name), kind, text,
                                  when, reply_to_event_id=reply_to)  # fmt: skip
        return event_id

    def metrics(self, start: str, end: str) -> CommunityMetrics:
        """Rebuild the rollups from the rows, then measure start..end."""
        self.store.rebuild_rollups(self.groups.values())
        return group_metrics(self.store, self.community_id, start=d(start), end=d(end),
                             tz=UTC_ZONE)  # fmt: skip


def town(store: Store) -> Town:
    return Town(store, store.ensure_community("tea", "Tea Friends").id)
