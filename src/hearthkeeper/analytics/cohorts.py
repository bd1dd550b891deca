"""Cohort retention: members grouped by the ISO week of their first join, and for each week
since joining the share of the cohort who posted in that week.

Week 0 is the calendar week (Monday to Sunday) of the join, week k the k-th calendar week
after it; so a member who joined on a Sunday has a one-day week 0. A cell whose week has not
begun by the as-of day is empty (None); the week holding the as-of day counts what was posted
up to and including it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, timedelta


@dataclass(frozen=True)
class CohortRow:
    """One weekly join cohort."""

    week: str  # ISO week, e.g. "2026-W45"
    week_start: date  # its Monday
    size: int  # members who first joined in that week
    posted: tuple[int | None, ...]  # per week since joining: members who posted
    retention: tuple[float | None, ...]  # per week since joining: posted / size

    def to_json(self) -> dict[str, object]:
        """JSON-able form; shares rounded to 4 places."""
        return {
            "week": self.week,
            "week_start": self.week_start.isoformat(),
            "size": self.size,
            "posted": list(self.posted),
            "retention": [None if r is None else round(r, 4) for r in self.retention],
        }


def monday(day: date) -> date:
    """The Monday of `day`'s ISO week."""
    return day - timedelta(days=day.weekday())


def iso_week(day: date) -> str:
    """`2026-W45`."""
    year, week, _ = day.isocalendar()
    return f"{year}-W{week:02d}"


def cohort_table(
    joined: Mapping[int, date],
    active_days: Mapping[int, Iterable[date]],
    as_of: date,
    *,
    weeks: int = 8,
    cohorts: int | None = 12,
) -> list[CohortRow]:
    """Weekly join cohorts (oldest first; the last `cohorts` of them, all when None) × weeks
    0..`weeks`-1 since joining. `joined`: member → first join day; `active_days`: member →
    days they posted. Joins after `as_of` are left out."""
    by_week: dict[date, list[int]] = {}
    for member, day in joined.items():
        if day <= as_of:
            by_week.setdefault(monday(day), []).append(member)
    starts = sorted(by_week)
    if cohorts is not None:
        starts = starts[-cohorts:] if cohorts > 0 else []
    rows: list[CohortRow] = []
    for start in starts:
        members = by_week[start]
        posted_weeks = {m: _weeks_posted(start, active_days.get(m, ()), as_of) for m in members}
        posted: list[int | None] = []
        for k in range(weeks):
            if start + timedelta(weeks=k) > as_of:
                posted.append(None)
            else:
                posted.append(sum(1 for ws in posted_weeks.values() if k in ws))
        shares = tuple(None if p is None else p / len(members) for p in posted)
        rows.append(CohortRow(iso_week(start), start, len(members), tuple(posted), shares))
    return rows


def _weeks_posted(cohort_start: date, days: Iterable[date], as_of: date) -> set[int]:
    """The weeks since the cohort's Monday in which the member posted (up to `as_of`)."""
    return {(d - cohort_start).days // 7 for d in days if cohort_start <= d <= as_of}
