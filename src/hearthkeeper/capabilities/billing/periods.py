"""Period arithmetic on the calendar of the community's time zone, pure.

A month is a calendar month: 31 January plus one month is 28 (or 29) February, at the same
local time of day; a day is a calendar day, so a period crossing a daylight-saving change
still ends at the same wall-clock time.
"""

from __future__ import annotations

import calendar
from datetime import UTC, datetime, timedelta, tzinfo

_UNITS = {"day": "days", "days": "days", "week": "weeks", "weeks": "weeks",
          "month": "months", "months": "months", "year": "years", "years": "years"}  # fmt: skip


def parse_period(period: str) -> tuple[int, str]:
    """A normalised playbook period ('6 months', '1 year', '30 days') as (count, unit)."""
    count, _, unit = period.strip().partition(" ")
    if not count.isdigit() or unit not in _UNITS:
        raise ValueError(f"{period!r} is not a period such as '6 months', '1 year', '30 days'")
    return int(count), _UNITS[unit]


def add_months(moment: datetime, months: int, zone: tzinfo = UTC) -> datetime:
    """`moment` plus `months` calendar months in `zone`; a day the month lacks becomes its
    last day (31 Jan + 1 month = 28/29 Feb). The result is in UTC."""
    local = moment.astimezone(zone)
    index = local.year * 12 + (local.month - 1) + months
    year, month = divmod(index, 12)
    day = min(local.day, calendar.monthrange(year, month + 1)[1])
    wall = local.replace(tzinfo=None).replace(year=year, month=month + 1, day=day)
    return wall.replace(tzinfo=zone).astimezone(UTC)


def add_days(moment: datetime, days: int, zone: tzinfo = UTC) -> datetime:
    """`moment` plus `days` calendar days in `zone`, at the same wall-clock time, in UTC."""
    wall = moment.astimezone(zone).replace(tzinfo=None) + timedelta(days=days)
    return wall.replace(tzinfo=zone).astimezone(UTC)


def add_period(moment: datetime, period: str, zone: tzinfo = UTC, *, times: int = 1) -> datetime:
    """`moment` plus one playbook period ('6 months', '1 year', '30 days', '2 weeks'); `times`
    -1: minus one."""
    count, unit = parse_period(period)
    count *= times
    if unit == "months":
        return add_months(moment, count, zone)
    if unit == "years":
        return add_months(moment, 12 * count, zone)
    return add_days(moment, count * (7 if unit == "weeks" else 1), zone)
