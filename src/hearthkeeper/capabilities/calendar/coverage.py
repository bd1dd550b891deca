"""How long a content library lasts: the firings its remaining items cover."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from itertools import islice
from zoneinfo import ZoneInfo

from hearthkeeper.capabilities.calendar.firings import iter_firings
from hearthkeeper.capabilities.calendar.library import ContentItem
from hearthkeeper.playbook.output import Order


@dataclass(frozen=True)
class Coverage:
    """Remaining items and when the library runs out (None: never, e.g. a rotation with items)."""

    remaining: int
    runs_out: datetime | None  # the first firing with nothing left to post (aware UTC)
    days: int | None  # whole days from `now` to `runs_out`, in the community's calendar

    def alert_due(self, now: datetime, ahead: timedelta) -> bool:
        """Whether staff should be told now (the library runs out within `ahead`)."""
        return self.runs_out is not None and self.runs_out - now <= ahead


def coverage(
    items: Sequence[ContentItem],
    posted_ids: Sequence[str],
    order: Order,
    schedule: str,
    zone: ZoneInfo,
    now: datetime,
) -> Coverage:
    """The coverage of a library's items from `now` on, given its posting schedule."""
    if order is Order.ROTATION and items:
        return Coverage(remaining=len(items), runs_out=None, days=None)
    posted = set(posted_ids)
    remaining = sum(1 for item in items if item.id not in posted)
    runs_out = next(islice(iter_firings(schedule, zone, now), remaining, None), None)
    if runs_out is None:  # a schedule that never fires never uses its items up
        return Coverage(remaining=remaining, runs_out=None, days=None)
    days = (runs_out.astimezone(zone).date() - now.astimezone(zone).date()).days
    return Coverage(remaining=remaining, runs_out=runs_out, days=days)
