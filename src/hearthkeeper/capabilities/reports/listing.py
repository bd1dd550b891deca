"""Reported messages as staff list them (`hearth reports list`, the REST API's
`/communities/{slug}/reports`): whose message, where, what it says, how many reported it, and
where it stands."""

from __future__ import annotations

from dataclasses import dataclass

from hearthkeeper.capabilities.reports.repository import Against, ReportedMessage, SqlReports
from hearthkeeper.store import Store

WAITING = "waiting"  # the status of reports staff have not decided yet


@dataclass(frozen=True)
class Listed:
    """A reported message with the names staff read."""

    reported: ReportedMessage
    community: str  # its slug
    group: str
    author: str
    text: str  # the message as stored (callers cut it to what they show)
    reports: int
    counting: int  # reports from members in good standing

    @property
    def status(self) -> str:
        """`waiting`, `upheld` or `dismissed`."""
        return self.reported.outcome or WAITING

    @property
    def hidden(self) -> bool:
        """Whether reports hid the message (until staff looked)."""
        return self.reported.hidden_at is not None


def listed(store: Store, community_id: int | None, *, open_only: bool = False,
           limit: int = 200) -> list[Listed]:  # fmt: skip
    """The reported messages of one community (None: every one), oldest first, named."""
    found = SqlReports.on(store).listed(community_id, open_only=open_only, limit=limit)
    return named(store, found)


def one(store: Store, reported_id: int) -> Listed | None:
    """One reported message, named (None: no such reported message)."""
    found = SqlReports.on(store).listed_one(reported_id)
    return None if found is None else named(store, [found])[0]


def named(store: Store, found: list[Against]) -> list[Listed]:
    """`found` with the names staff read."""
    names = store.member_names(a.reported.author_id for a in found)
    slugs = {c.id: c.slug for c in store.list_communities()}
    groups: dict[int, str] = {}
    for a in found:
        group_id = a.reported.group_id
        if group_id not in groups:
            group = store.get_group(group_id)
            groups[group_id] = group.name if group is not None else str(group_id)
    return [
        Listed(a.reported, slugs.get(a.reported.community_id, str(a.reported.community_id)),
               groups[a.reported.group_id],
               names.get(a.reported.author_id, f"member {a.reported.author_id}"), a.text,
               a.reports, a.counting)
        for a in found
    ]  # fmt: skip
