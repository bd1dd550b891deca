"""Days and times given to a command's options (`--from 2026-03-01`, `--at "2026-06-01 19:00"`),
within the dates the commands can work with."""

from __future__ import annotations

from datetime import date, datetime

from hearthkeeper.playbook.base import MAX_DURATION

# The days an option takes. Python's dates end at 9999-12-31 and a command works a little
# past the day it is given (the end of that day in the community's time zone, a week of
# look-ahead, a year of calendar), so the last day leaves two years; nothing a community records
# is older than 1970 (chat platforms' clocks start there), and a report from year 1 would
# measure every day since.
FIRST_DAY = date(1970, 1, 1)
LAST_DAY = date(9997, 12, 31)
MAX_DAYS = MAX_DURATION.days  # a count of days back or ahead (`--days`): the playbook's longest


class DayError(ValueError):
    """An option's day that is not one, or outside FIRST_DAY..LAST_DAY; says which option."""


def parse_day(value: str, option: str) -> date:
    """The day `value` (YYYY-MM-DD) given to `option`, or a DayError naming the option."""
    try:
        day = date.fromisoformat(value.strip())
    except ValueError:
        raise DayError(
            f"{option} {value!r} is not a date; write it as YYYY-MM-DD, e.g. 2026-03-01"
        ) from None
    return _within(day, value, option)


def parse_minute(value: str, option: str) -> datetime:
    """The local time `value` (YYYY-MM-DD HH:MM) given to `option`, or a DayError."""
    try:
        moment = datetime.strptime(value.strip(), "%Y-%m-%d %H:%M")
    except ValueError:
        raise DayError(
            f"{option} {value!r} is not a time: write YYYY-MM-DD HH:MM, e.g. 2026-06-01 19:00"
        ) from None
    _within(moment.date(), value, option)
    return moment


def _within(day: date, value: str, option: str) -> date:
    if not FIRST_DAY <= day <= LAST_DAY:
        raise DayError(
            f"{option} {value.strip()!r} is out of range: give a day from "
            f"{FIRST_DAY.isoformat()} to {LAST_DAY.isoformat()}"
        )
    return day
