"""The local day of a stored instant, computed inside the database, for any time zone.

Neither database shares Python's time-zone data (SQLite has none), so the zone is turned into
its UTC offsets over the span of the data — a few segments, one per clock change — and the
day becomes `CASE WHEN t < change₁ THEN date(t + offset₀) WHEN … END`: exact, and the same
days `rollups.local_day` gives in Python. SQLite's date() rounds to milliseconds, so the
instant is cut to whole seconds first (23:59:59.9999 stays on its day)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, tzinfo
from itertools import pairwise
from typing import Any

from sqlalchemy import Date, case, cast, func, literal_column
from sqlalchemy.sql.elements import ColumnElement

_DAY = timedelta(days=1)
_MINUTE = timedelta(minutes=1)


def offset_segments(zone: tzinfo, first: datetime, last: datetime) -> list[tuple[datetime, int]]:
    """[(from when, UTC offset in seconds)] covering first..last; the first entry starts at
    `first` (cut to its UTC midnight). Clock changes are found to the minute."""
    at = first.astimezone(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    current = _offset(zone, at)
    segments = [(at, current)]
    while at <= last:
        following = at + _DAY
        if _offset(zone, following) != current:
            low, high = 0, 24 * 60  # the change lies in (at + low min, at + high min]
            while high - low > 1:
                middle = (low + high) // 2
                if _offset(zone, at + middle * _MINUTE) == current:
                    low = middle
                else:
                    high = middle
            current = _offset(zone, at + high * _MINUTE)
            segments.append((at + high * _MINUTE, current))
            continue  # a second change on the same day is looked for from here
        at = following
    return segments


def _offset(zone: tzinfo, at: datetime) -> int:
    offset = at.astimezone(zone).utcoffset()
    return 0 if offset is None else int(offset.total_seconds())


def local_day_sql(column: Any, segments: list[tuple[datetime, int]],
                  dialect: str) -> ColumnElement[Any]:  # fmt: skip
    """The local day of `column` (a UTC instant) as SQL, for the offsets in `segments`."""
    parts = [(column < until, _shifted(column, offset, dialect))
             for (_, offset), (until, _) in pairwise(segments)]  # fmt: skip
    last = _shifted(column, segments[-1][1], dialect)
    return case(*parts, else_=last) if parts else last


def _shifted(column: Any, seconds: int, dialect: str) -> ColumnElement[Any]:
    if dialect == "postgresql":
        utc_wall = func.timezone("UTC", column)
        return cast(utc_wall + literal_column(f"interval '{int(seconds)} seconds'"), Date)
    return func.date(func.substr(column, 1, 19), f"{int(seconds):+d} seconds")


def as_date(value: Any) -> date:
    """A day as the database returns it (a date, or ISO text from SQLite)."""
    return value if isinstance(value, date) else date.fromisoformat(str(value))
