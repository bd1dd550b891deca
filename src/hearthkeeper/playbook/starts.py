"""Warnings about a one-off activity's start that is probably not what was meant: a date
written without a time (YAML and pydantic read `when: 2026-12-20` as midnight), and a start
already past when the playbook is checked (nobody can sign up; the activity is never listed)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from hearthkeeper.playbook.model import Playbook

Finding = tuple[tuple[str | int, ...], str]

_DAY_ONLY = re.compile(r"\s*\d{4}-\d{1,2}-\d{1,2}\s*")


def start_warnings(playbook: Playbook, raw: Any, now: datetime | None) -> Iterator[Finding]:
    """Each `activities[n].when` written as a day alone, and (given `now`, aware) each before
    `now`. `raw` is the YAML as read, which alone tells `2026-12-20` from `2026-12-20 00:00`:
    an explicit midnight is the operator's choice, and how to say it is meant."""
    zone = ZoneInfo(playbook.community.timezone)
    written = raw.get("activities") if isinstance(raw, dict) else None
    for n, activity in enumerate(playbook.activities):
        when = activity.when
        if when is None:
            continue
        loc = ("activities", n, "when")
        value = written[n].get("when") if isinstance(written, list) and n < len(written) and \
            isinstance(written[n], dict) else None  # fmt: skip
        if _day_only(value):
            day = f"{when:%Y-%m-%d}"
            yield (
                loc,
                (
                    f"{day} has no time, so {activity.name!r} starts at midnight (00:00): if you "
                    f"meant the day, write its start time, e.g. {day} 19:30 (or {day} 00:00 if "
                    "midnight is meant)"
                ),
            )
        if now is None:
            continue
        starts = when if when.tzinfo is not None else when.replace(tzinfo=zone)
        if starts < now:
            today = now.astimezone(zone)
            written = f"{when:%Y-%m-%d %H:%M}"
            if when.tzinfo is not None and when.utcoffset() != starts.astimezone(zone).utcoffset():
                # `2026-12-07T06:00+08:00` said "06:00 is in the past (it is 05:30 …)"
                written += (f" ({when:%z}, {starts.astimezone(zone):%Y-%m-%d %H:%M} in "
                            f"{playbook.community.timezone})")  # fmt: skip
            yield (
                loc,
                (
                    f"{written} is in the past (it is {today:%Y-%m-%d %H:%M} in "
                    f"{playbook.community.timezone}): {activity.name!r} is never listed and nobody "
                    "can sign up; give its next date, or remove it"
                ),
            )


def _day_only(value: object) -> bool:
    if isinstance(value, datetime):
        return False
    if isinstance(value, date):
        return True
    return isinstance(value, str) and _DAY_ONLY.fullmatch(value) is not None
