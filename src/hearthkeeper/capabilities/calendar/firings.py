"""When schedules fire: cron or readable forms, in the community's time zone, across DST."""

from __future__ import annotations

import bisect
import calendar as months_calendar
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from croniter import CroniterBadDateError, croniter

from hearthkeeper.playbook.output import Anniversary, LiveSession
from hearthkeeper.playbook.schedule import parse_schedule

# Local times are walked from a little before the window, so a firing near its start whose
# wall-clock time is shifted by a DST change is not missed.
_MARGIN = timedelta(hours=3)


def to_instant(local: datetime, zone: ZoneInfo) -> datetime:
    """The UTC instant of a naive local time in `zone`, resolving DST gaps and overlaps."""
    # A repeated local time (fall back) takes its first occurrence: fold=0 is the earlier one.
    first = local.replace(tzinfo=zone, fold=0)
    if first.astimezone(UTC).astimezone(zone).replace(tzinfo=None) == local:
        return first.astimezone(UTC)
    # `local` falls in a spring-forward gap: fire at the first instant the clock shows it or later.
    instant = local.replace(tzinfo=zone, fold=1).astimezone(UTC).replace(second=0, microsecond=0)
    while instant.astimezone(zone).replace(tzinfo=None) < local:
        instant += timedelta(minutes=1)
    return instant


def iter_firings(schedule: str, zone: ZoneInfo, after: datetime) -> Iterator[datetime]:
    """Every firing of `schedule` at or after the aware `after`, as aware UTC datetimes, in order.

    Read from the schedule's walk remembered from a moment shortly before (`_Walk`): planning
    a calendar asks for the same schedules at nearly the same moment for every group."""
    key = (schedule, zone)
    with _WALKS_LOCK:
        walk = _WALKS.get(key)
        if walk is None or not walk.anchor <= after <= walk.anchor + _REUSE:
            if len(_WALKS) >= _WALKS_KEPT:
                _WALKS.clear()
            walk = _WALKS[key] = _Walk(schedule, zone, after)
    return walk.firings_from(after)


# A walk serves the moments up to a day after the one it started from, then starts again.
_REUSE = timedelta(days=1)
_WALKS_KEPT = 256  # schedules remembered (a playbook has a few dozen at most)
_WALKS: dict[tuple[str, ZoneInfo], _Walk] = {}
_WALKS_LOCK = threading.Lock()


class _Walk:
    """The firings of one schedule from `anchor` on, computed as far as anyone asked.

    What `walk(after)` yields for a later `after` is exactly this walk's firings at or after
    it: local times are mapped to instants in order (`to_instant` never goes back), and
    those the later walk would start past, more than `_MARGIN` of local time earlier, fire
    before `after` (no clock goes back three hours)."""

    def __init__(self, schedule: str, zone: ZoneInfo, anchor: datetime) -> None:
        self.anchor = anchor
        self._found: list[datetime] = []
        self._source: Iterator[datetime] | None = _walk(schedule, zone, anchor)
        self._error: Exception | None = None  # what ended the walk (an unreadable schedule)
        self._lock = threading.Lock()

    def firings_from(self, after: datetime) -> Iterator[datetime]:
        index = bisect.bisect_left(self._found, after)
        while True:
            if index < len(self._found):
                found = self._found[index]
                index += 1
                if found >= after:  # (walked just now from further back: skip to `after`)
                    yield found
                continue
            with self._lock:
                if index < len(self._found):
                    continue  # another reader went further meanwhile
                if self._source is None:
                    if self._error is not None:
                        raise self._error  # every reader learns it, as from its own walk
                    return
                try:
                    walked = next(self._source, None)
                except Exception as error:
                    self._source, self._error = None, error
                    raise
                if walked is None:
                    self._source = None
                    return
                self._found.append(walked)


def _walk(schedule: str, zone: ZoneInfo, after: datetime) -> Iterator[datetime]:
    """Every firing of `schedule` at or after `after`, walked with croniter."""
    cron = parse_schedule(schedule)
    walk = croniter(cron, after.astimezone(zone).replace(tzinfo=None) - _MARGIN)
    last: datetime | None = None
    while True:
        try:
            local: datetime = walk.get_next(datetime)
        except CroniterBadDateError:  # a date that never comes, e.g. '0 8 30 2 *'
            return
        instant = to_instant(local, zone)
        # Several local times in one gap land on the same instant; a time never fires twice.
        if instant < after or (last is not None and instant <= last):
            continue
        last = instant
        yield instant


def firings_between(
    schedule: str, zone: ZoneInfo, start: datetime, end: datetime
) -> list[datetime]:
    """The firings of `schedule` in [start, end), as aware UTC datetimes."""
    out: list[datetime] = []
    for instant in iter_firings(schedule, zone, start):
        if instant >= end:
            break
        out.append(instant)
    return out


@dataclass(frozen=True)
class AnniversaryFiring:
    """One monthly anniversary: when, and how many months old the community is (None: unknown)."""

    at: datetime
    months: int | None


def anniversary_firings(
    ritual: Anniversary, founded: date | None, zone: ZoneInfo, start: datetime, end: datetime
) -> list[AnniversaryFiring]:
    """Anniversaries in [start, end): on `day`, else founded's day; the month's last day if shorter."""
    day = ritual.day or (founded.day if founded else None)
    if not ritual.enabled or day is None:
        return []
    out: list[AnniversaryFiring] = []
    cursor = (start.astimezone(zone) - _MARGIN).date().replace(day=1)
    while True:
        last_day = months_calendar.monthrange(cursor.year, cursor.month)[1]
        on = cursor.replace(day=min(day, last_day))
        at = to_instant(datetime.combine(on, ritual.at), zone)
        if at >= end:
            return out
        months = None
        if founded is not None:
            months = (on.year - founded.year) * 12 + on.month - founded.month
        if at >= start and (months is None or months > 0):
            out.append(AnniversaryFiring(at=at, months=months))
        cursor = (cursor + timedelta(days=32)).replace(day=1)


@dataclass(frozen=True)
class SessionMoment:
    """One moment of a live session: a reminder `before` the start, the start, or the digest."""

    at: datetime
    moment: str  # "reminder", "start" or "digest"
    starts: datetime
    before: timedelta | None = None


def session_moments(
    session: LiveSession, zone: ZoneInfo, start: datetime, end: datetime
) -> list[SessionMoment]:
    """Reminders, start and digest of a live session that fall in [start, end), in time order."""
    ahead = max(session.remind_before, default=timedelta(0))
    out: list[SessionMoment] = []
    for starts in firings_between(session.schedule, zone, start - session.duration, end + ahead):
        moments = [SessionMoment(starts - b, "reminder", starts, b) for b in session.remind_before]
        moments.append(SessionMoment(starts, "start", starts))
        if session.digest:
            moments.append(SessionMoment(starts + session.duration, "digest", starts))
        out.extend(m for m in moments if start <= m.at < end)
    return sorted(out, key=lambda m: m.at)
