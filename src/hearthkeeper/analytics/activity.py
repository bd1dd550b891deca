"""Per-member inputs for segments and cohorts, read from the rollups and the stays.

Days are local days in the community's time zone (`Store.community_timezone`)."""

from __future__ import annotations

from collections.abc import Collection
from datetime import date
from zoneinfo import ZoneInfo

from hearthkeeper.analytics.member_groups import counted_groups
from hearthkeeper.store import Store
from hearthkeeper.store.rollups import local_day


def _group_ids(store: Store, community_id: int, group_ids: Collection[int] | None) -> list[int]:
    return [g.id for g in counted_groups(store, community_id, group_ids)]


def member_activity(store: Store, community_id: int, *, start: date, end: date,
                    group_ids: Collection[int] | None = None
                    ) -> dict[int, list[tuple[date, int]]]:  # fmt: skip
    """Per member, the days from `start` to `end` on which they posted in the community's
    groups (or in `group_ids`), with how many messages, in day order."""
    totals: dict[int, dict[date, int]] = {}
    for row in store.activity_days(_group_ids(store, community_id, group_ids), start, end):
        days = totals.setdefault(row.member_id, {})
        days[row.day] = days.get(row.day, 0) + row.messages
    return {member: sorted(days.items()) for member, days in sorted(totals.items())}


def members_joined(store: Store, community_id: int, *,
                   group_ids: Collection[int] | None = None) -> dict[int, date]:  # fmt: skip
    """Per member, the local day they first joined one of the community's groups (or of
    `group_ids`). Members seen only through their messages (no join recorded, as in imported
    history) are absent."""
    zone = ZoneInfo(store.community_timezone(community_id))
    first: dict[int, date] = {}
    for stay in store.stays(_group_ids(store, community_id, group_ids)):
        day = local_day(stay.joined_at, zone)
        if stay.member_id not in first or day < first[stay.member_id]:
            first[stay.member_id] = day
    return first
