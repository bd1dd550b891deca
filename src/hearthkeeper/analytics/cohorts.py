"""Cohort retention: members grouped by the ISO week of their first join, and for each week
since joining the share of the cohort who posted in that week.

Week 0 is the calendar week (Monday to Sunday) of the join, week k the k-th calendar week
after it; so a member who joined on a Sunday has a one-day week 0. A cell whose week has not
begun by the as-of day is empty (None); the week holding the as-of day counts what was posted
up to and including it.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Iterable, Mapping, Sequence
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
    active_days: Mapping[int, Sequence[date]],
    as_of: date,
    *,
    weeks: int = 8,
    cohorts: int | None = 12,
) -> list[CohortRow]:
    """Weekly join cohorts (oldest first; the last `cohorts` of them, all when None) × weeks
    0..`weeks`-1 since joining. `joined`: member → first join day; `active_days`: member →
    days they posted, ascending. Joins after `as_of` are left out."""
    by_week: dict[date, list[int]] = {}
    mondays: dict[date, date] = {}  # join day → its Monday (members share few join days)
    for member, day in joined.items():
        if day <= as_of:
            start = mondays.get(day)
            if start is None:
                start = mondays[day] = monday(day)
            by_week.setdefault(start, []).append(member)
    starts = sorted(by_week)
    if cohorts is not None:
        starts = starts[-cohorts:] if cohorts > 0 else []
    rows: list[CohortRow] = []
    for start in starts:
        members = by_week[start]
        counts = _posted_per_week(start, members, active_days, as_of, weeks)
        posted: list[int | None] = [
            None if start + timedelta(weeks=k) > as_of else counts[k] for k in range(weeks)
        ]
        shares = tuple(None if p is None else p / len(members) for p in posted)
        rows.append(CohortRow(iso_week(start), start, len(members), tuple(posted), shares))
    return rows


def _posted_per_week(cohort_start: date, members: Iterable[int],
                     active_days: Mapping[int, Sequence[date]], as_of: date,
                     weeks: int) -> list[int]:  # fmt: skip
    """For each of the first `weeks` weeks since the cohort's Monday, how many of its
    members posted in it (up to `as_of`)."""
    last = min(as_of, cohort_start + timedelta(weeks=weeks, days=-1))
    counts = [0] * max(weeks, 0)
    for member in members:
        days = active_days.get(member, ())
        within = days[bisect_left(days, cohort_start) : bisect_right(days, last)]
        for week in {(d - cohort_start).days // 7 for d in within}:
            counts[week] += 1
    return counts
