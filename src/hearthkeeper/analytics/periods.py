"""Calendar periods over local days: days, ISO weeks (Monday first) and months."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta


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
