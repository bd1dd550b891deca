"""Calendar periods over local days: days, ISO weeks (Monday first) and months."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from hearthkeeper.store.rollups import local_midnight

_DAY, _INSTANT = timedelta(days=1), timedelta(microseconds=1)


@dataclass(frozen=True)
class Period:
    """Local days `start`..`end` (both included); `label` names it: "2026-W14", "2026-04",
    "2026-04-01..2026-04-30". Weeks and months are cut to the range asked for."""

    grain: str  # day | week | month | range
    label: str
    start: date
    end: date

    @property
    def days(self) -> int:
        """How many days it spans."""
        return (self.end - self.start).days + 1

    def holds(self, day: date) -> bool:
        """Whether `day` falls in it."""
        return self.start <= day <= self.end


def days(start: date, end: date) -> list[date]:
    """Every day from `start` to `end`, both included."""
    return [start + timedelta(days=n) for n in range((end - start).days + 1)]


def whole(start: date, end: date) -> Period:
    """The whole range as one period."""
    return Period("range", f"{start.isoformat()}..{end.isoformat()}", start, end)


def weeks(start: date, end: date) -> list[Period]:
    """The ISO weeks (Monday to Sunday) that meet the range, cut to it."""
    found = []
    monday = start - timedelta(days=start.weekday())
    while monday <= end:
        year, week, _ = monday.isocalendar()
        sunday = monday + timedelta(days=6)
        found.append(Period("week", f"{year}-W{week:02d}", max(monday, start), min(sunday, end)))
        monday += timedelta(days=7)
    return found


def months(start: date, end: date) -> list[Period]:
    """The calendar months that meet the range, cut to it."""
    found = []
    first = start.replace(day=1)
    while first <= end:
        following = (first + timedelta(days=32)).replace(day=1)
        last = following - timedelta(days=1)
        found.append(Period("month", f"{first:%Y-%m}", max(first, start), min(last, end)))
        first = following
    return found


class LocalDays:
    """Local days of aware instants; the day found last is kept with its bounds, so instants
    in order (questions by time asked, stays by time joined) are placed by two comparisons
    each, not a conversion to the zone."""

    def __init__(self, zone: ZoneInfo) -> None:
        self.zone = zone
        self.day = date.min
        self.bounds: tuple[datetime, datetime] | None = None

    def of(self, at: datetime) -> date:
        if self.bounds is not None and self.bounds[0] <= at < self.bounds[1]:
            return self.day
        day = self.day = at.astimezone(self.zone).date()
        start, end = local_midnight(day, self.zone), local_midnight(day + _DAY, self.zone)
        exact = (start.astimezone(self.zone).date() == day
                 and (end - _INSTANT).astimezone(self.zone).date() == day)  # fmt: skip
        self.bounds = (start, end) if exact else None  # (not around a clock change at midnight)
        return day
