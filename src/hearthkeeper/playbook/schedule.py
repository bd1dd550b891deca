"""Schedules: cron expressions, or readable forms that translate to cron.

Readable forms (case-insensitive; `at` is optional; times are HH:MM in the community's zone):

- `every day 08:00`, `daily 08:00`, `每天 08:00`
- `every weekday 09:00` (Mon-Fri), `every weekend 10:00` (Sat, Sun)
- `Mon,Wed,Fri,Sun 20:00`, `Mon-Fri 20:00`, `every Monday 20:00`, `weekly on Sat 10:00`,
  `每周一三五日 20:00`
- `monthly on day 18 at 20:00`, `every month on day 1 09:30`, `每月18日 20:00`
- a five-field cron expression, e.g. `0 8 * * *` (quote it in YAML when it starts with `*`)
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta

from croniter import CroniterBadDateError, croniter

from hearthkeeper.playbook.zones import looks_like_zone
from hearthkeeper.text.controls import quoted

_DAYS = {
    "sun": 0,
    "sunday": 0,
    "mon": 1,
    "monday": 1,
    "tue": 2,
    "tues": 2,
    "tuesday": 2,
    "wed": 3,
    "wednesday": 3,
    "thu": 4,
    "thur": 4,
    "thurs": 4,
    "thursday": 4,
    "fri": 5,
    "friday": 5,
    "sat": 6,
    "saturday": 6,
}
_ZH_DAYS = {"日": 0, "天": 0, "一": 1, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6}

_TIME = r"(?:at\s+)?([01]?\d|2[0-3])[:：]([0-5]\d)"
_DAILY = re.compile(rf"^(?:every\s+day|daily|每天|每日)\s*{_TIME}$")
_WEEKDAY = re.compile(rf"^every\s+weekday\s+{_TIME}$")
_WEEKEND = re.compile(rf"^every\s+weekend\s+{_TIME}$")
_MONTHLY = re.compile(
    rf"^(?:monthly|every\s+month)\s+on\s+(?:the\s+)?(?:day\s+)?(\d{{1,2}})(?:st|nd|rd|th)?\s+{_TIME}$"
)
_ZH_MONTHLY = re.compile(rf"^每月\s*(\d{{1,2}})\s*[日号]\s*{_TIME}$")
_ZH_WEEKLY = re.compile(rf"^每周([一二三四五六日天、,，\s]+?)\s*{_TIME}$")
_WEEKLY = re.compile(rf"^(?:every\s+|weekly\s+on\s+|on\s+)?([a-z,\s\-]+?)\s+{_TIME}$")


class ScheduleError(ValueError):
    """A schedule that is neither cron nor a readable form we know."""


def parse_schedule(text: str) -> str:
    """Translate a schedule to a five-field cron expression, or raise `ScheduleError`."""
    raw = text.strip()
    lowered = re.sub(r"\s+", " ", raw.lower())
    if (match := _DAILY.match(lowered)) is not None:
        return f"{int(match[2])} {int(match[1])} * * *"
    if (match := _WEEKDAY.match(lowered)) is not None:
        return f"{int(match[2])} {int(match[1])} * * 1-5"
    if (match := _WEEKEND.match(lowered)) is not None:
        return f"{int(match[2])} {int(match[1])} * * 0,6"
    for pattern in (_MONTHLY, _ZH_MONTHLY):
        if (match := pattern.match(lowered)) is not None:
            day = int(match[1])
            if not 1 <= day <= 31:
                raise ScheduleError(f"day {day} in {quoted(raw)} is not a day of the month (1-31)")
            return f"{int(match[3])} {int(match[2])} {day} * *"
    if (match := _ZH_WEEKLY.match(lowered)) is not None:
        zh_days = sorted({_ZH_DAYS[c] for c in match[1] if c in _ZH_DAYS})
        return f"{int(match[3])} {int(match[2])} * * {','.join(map(str, zh_days))}"
    if (match := _WEEKLY.match(lowered)) is not None:
        days = _weekdays(match[1], raw)
        return f"{int(match[3])} {int(match[2])} * * {days}"
    if _looks_like_cron(raw):
        if not croniter.is_valid(raw):
            raise ScheduleError(f"{quoted(raw)} is not a valid cron expression")
        return raw
    _refuse_zone(raw)
    if _CHINESE.search(raw):  # the forms read in Chinese, and the time as a clock shows it
        raise ScheduleError(
            f"cannot read the schedule {quoted(raw)}: write e.g. '每天 08:00', "
            "'每周一三五日 20:00', '每周日 21:00' or '每月18日 20:00', the time as HH:MM "
            "(21:00, not 晚上9点)"
        )
    raise ScheduleError(
        f"cannot read the schedule {quoted(raw)}: write e.g. 'every day 08:00', "
        "'Mon,Wed,Fri,Sun 20:00', 'monthly on day 18 at 20:00' or a cron expression '0 8 * * *'"
    )


_CHINESE = re.compile(r"[\u4e00-\u9fff]")


_GAP_SAMPLE = 64  # firings looked at: every gap a five-field cron can have shows within them
_GAP_FROM = datetime(2025, 1, 1)  # a fixed start, so the answer never depends on today


def shortest_gap(cron: str, below: timedelta) -> timedelta | None:
    """The shortest time between two firings of `cron` if it is under `below`, else None.

    Gaps within an hour, across hours and across days all recur within the first few
    dozen firings (the fields repeat), so a bounded sample finds them. A single minute
    (every readable form's) puts firings whole hours apart: nothing to sample then."""
    if cron.split()[0].isdigit() and below <= timedelta(hours=1):
        return None
    firings = croniter(cron, _GAP_FROM)
    previous: datetime = firings.get_next(datetime)
    shortest: timedelta | None = None
    for _ in range(_GAP_SAMPLE):
        moment: datetime = firings.get_next(datetime)
        gap = moment - previous
        if gap < below and (shortest is None or gap < shortest):
            shortest = gap
        previous = moment
    return shortest


def check_fires(cron: str) -> None:
    """ScheduleError unless `cron` (as `parse_schedule` gives it) ever fires: croniter gives
    up on a day no month it names has (`0 8 30 2 *`), and a scheduler asking for the next
    firing would fail each time. The playbook refuses such a schedule; the calendar's walks
    read one as never firing."""
    if not _ever_fires(cron):
        raise ScheduleError(
            f"{quoted(cron)} never fires: the months it names have no such day (e.g. 30 February); "
            "pick a day the month has"
        )


def _ever_fires(cron: str) -> bool:
    """Whether `cron` has a next firing at all."""
    try:
        croniter(cron, _GAP_FROM).get_next(datetime)
    except CroniterBadDateError:
        return False
    return True


def _weekdays(spec: str, raw: str) -> str:
    parts: list[str] = []
    for chunk in re.split(r"[,\s]+", spec.strip()):
        if not chunk:
            continue
        if "-" in chunk:
            start, _, end = chunk.partition("-")
            parts.append(f"{_day(start, raw)}-{_day(end, raw)}")
        else:
            parts.append(str(_day(chunk, raw)))
    if not parts:
        raise ScheduleError(f"no days of the week in {quoted(raw)}")
    return ",".join(parts)


def _day(name: str, raw: str) -> int:
    key = name.strip().rstrip("s") if name.strip() not in _DAYS else name.strip()
    if key in _DAYS:
        return _DAYS[key]
    raise ScheduleError(
        f"{quoted(name)} in {quoted(raw)} is not a day of the week (use Mon, Tue, Wed, Thu, Fri, Sat, Sun)"
    )


def _refuse_zone(raw: str) -> None:
    """`every day 09:00 Europe/London`: a schedule that would read but for a time zone at its
    end is refused saying so (a schedule's times are the community's), not as unreadable."""
    words = raw.split()
    if len(words) < 3 or not looks_like_zone(words[-1]):
        return
    rest = " ".join(words[:-1])
    try:
        parse_schedule(rest)
    except ScheduleError:
        return
    raise ScheduleError(
        f"{quoted(raw)} ends with a time zone ({quoted(words[-1])}), which a schedule cannot name: its "
        f"times are in the community's time zone (community.timezone); write {quoted(rest)} "
        "with the time as the community's clocks show it"
    )


def _looks_like_cron(text: str) -> bool:
    fields = text.split()
    return len(fields) == 5 and all(re.fullmatch(r"[\d*/,\-a-zA-Z?LW#]+", f) for f in fields)
