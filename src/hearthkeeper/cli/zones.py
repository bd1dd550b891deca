"""Times as `hearth`'s lists print them: in the community's time zone, the zone named once
above the rows (as the console and the billing ledger show them), never bare UTC."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, tzinfo
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from hearthkeeper.store import Store

UTC_ZONE = ZoneInfo("UTC")


def named_zone(name: str | None) -> ZoneInfo:
    """The zone called `name` (UTC when it is empty or unknown)."""
    try:
        return ZoneInfo(name) if name else UTC_ZONE
    except (ZoneInfoNotFoundError, ValueError):
        return UTC_ZONE


def community_zone(store: Store, community_id: int) -> ZoneInfo:
    """The community's time zone: its latest playbook's (UTC without one)."""
    return named_zone(store.community_timezone(community_id))


def server_zone(store: Store) -> tuple[ZoneInfo, str]:
    """The zone for what belongs to no community (operators, API tokens, a blacklist from
    every community), and why: the one every community here shares, else UTC."""
    communities = store.list_communities()
    names = {store.community_timezone(c.id) for c in communities}
    if len(names) == 1:
        return named_zone(names.pop()), "the communities' time zone"
    return UTC_ZONE, ("the communities' time zones differ" if communities
                      else "no community yet")  # fmt: skip


def local_time(at: datetime, zone: tzinfo) -> str:
    """`at` on the clock of `zone`: 2026-12-06 01:00."""
    return f"{at.astimezone(zone):%Y-%m-%d %H:%M}"


def named_time(at: datetime, zone: ZoneInfo) -> str:
    """`at` on the clock of `zone`, the zone named after it, as a one-line message (no list
    to head) says it: 2026-12-06 01:00 Asia/Shanghai."""
    return f"{local_time(at, zone)} {zone.key}"


def local_day(at: datetime, zone: tzinfo) -> str:
    """`at`'s day in `zone`: 2026-12-06."""
    return f"{at.astimezone(zone):%Y-%m-%d}"


def times_in(zone: ZoneInfo, why: str = "the community's time zone") -> str:
    """The line a list prints once above its rows: "Times in Asia/Shanghai (…)."."""
    return f"Times in {zone.key} ({why})."


def one_zone(zones: Iterable[ZoneInfo]) -> ZoneInfo | None:
    """The zone all of `zones` are, or None when they differ (or there are none)."""
    found = {z.key for z in zones}
    return named_zone(found.pop()) if len(found) == 1 else None
