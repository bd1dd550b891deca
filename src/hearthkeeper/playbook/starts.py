"""Warnings about a one-off activity's start that is probably not what was meant: a date
written without a time (YAML and pydantic read `when: 2026-12-20` as midnight), and a start
already past when the playbook is checked (nobody can sign up; the activity is never listed)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
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
        if when.tzinfo is None:
            shifted = _clock_change(when, zone)
            if shifted is not None:
                yield loc, shifted.format(name=activity.name, tz=playbook.community.timezone)
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


def _clock_change(local: datetime, zone: ZoneInfo) -> str | None:
    """What a local time skipped or repeated by a clock change makes of the start (as the
    calendar's `to_instant` resolves it: the first instant the clock shows it or later; of
    two, the first), with `{name}` and `{tz}` to fill; None for an ordinary time."""
    first = local.replace(tzinfo=zone, fold=0)
    second = local.replace(tzinfo=zone, fold=1)
    if first.utcoffset() == second.utcoffset():
        return None
    written = f"{local:%Y-%m-%d %H:%M}"
    if first.astimezone(UTC).astimezone(zone).replace(tzinfo=None) == local:
        return (f"{written} happens twice in {{tz}} (the clocks go back that night): {{name!r}} "
                f"starts at the first, {first:%H:%M} {first:%Z} (UTC{first:%z}); write the "
                "offset to choose, e.g. " + f"{second:%Y-%m-%dT%H:%M%z}"[:-2] + ":"
                + f"{second:%z}"[-2:] + " for the second")  # fmt: skip
    instant = second.astimezone(UTC).replace(second=0, microsecond=0)
    while instant.astimezone(zone).replace(tzinfo=None) < local:
        instant += timedelta(minutes=1)
    starts = instant.astimezone(zone)
    jump = (instant - timedelta(minutes=1)).astimezone(zone) + timedelta(minutes=1)
    return (f"{written} does not exist in {{tz}} (the clocks go forward that night, from "
            f"{jump:%H:%M} to {starts:%H:%M}): "
            f"{{name!r}} starts at {starts:%H:%M}; write a time the clocks show")  # fmt: skip


def _day_only(value: object) -> bool:
    if isinstance(value, datetime):
        return False
    if isinstance(value, date):
        return True
    return isinstance(value, str) and _DAY_ONLY.fullmatch(value) is not None
