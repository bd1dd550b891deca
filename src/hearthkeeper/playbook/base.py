"""Shared building blocks of the playbook schema: the section base class and value types."""

from __future__ import annotations

import functools
import re
import typing
from collections.abc import Callable
from datetime import date, datetime, time, timedelta
from typing import Annotated, Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    PlainSerializer,
    ValidationInfo,
    model_validator,
)
from pydantic_core import PydanticCustomError

from hearthkeeper.playbook.schedule import check_fires, parse_schedule
from hearthkeeper.playbook.suggest import did_you_mean
from hearthkeeper.playbook.zones import meant
from hearthkeeper.text.controls import hidden_character, quoted, shown_input


class Section(BaseModel):
    """A part of the playbook: unknown keys are errors, values are immutable once loaded."""

    model_config = ConfigDict(
        extra="forbid",
        frozen=True,
        coerce_numbers_to_str=True,
        validate_by_name=True,
        validate_by_alias=True,
        validate_default=True,
    )

    @model_validator(mode="before")
    @classmethod
    def _none_written(cls, data: Any) -> Any:
        """`none` written for a duration that may be none (`grace: none`, `pay_within: none`)
        is none, as the docs write it: YAML reads the word as text, not as null."""
        if not isinstance(data, dict):
            return data
        keys = _optional_durations(cls)
        if not keys:
            return data
        return {k: None if k in keys and _is_none_word(v) else v for k, v in data.items()}


def _is_none_word(value: Any) -> bool:
    return isinstance(value, str) and value.strip().lower() == "none"


@functools.cache
def _optional_durations(model: type[BaseModel]) -> frozenset[str]:
    """The keys (names and aliases) of `model`'s fields typed `Duration | None`."""
    keys: set[str] = set()
    for name, info in model.model_fields.items():
        args = typing.get_args(info.annotation)
        if type(None) not in args:
            continue
        if any(timedelta in (a, *typing.get_args(a)) for a in args):
            keys.update(k for k in (name, info.alias) if k)
    return frozenset(keys)


_ID = re.compile(r"^[a-z][a-z0-9_-]{0,62}$")


def check_id(value: Any) -> Any:
    if isinstance(value, str) and not _ID.match(value):
        raise ValueError(
            f"{quoted(value)} is not a valid id: use lowercase letters, digits, '-' or '_', "
            "starting with a letter (e.g. 'manager', 'half-year')"
        )
    return value


Id = Annotated[str, BeforeValidator(check_id)]
"""An identifier the operator picks (role, level, plan, post ...): lowercase, digits, '-', '_'."""

# The most characters of any text a playbook gives: a welcome, a rule, an automatic reply, an
# answer, a prompt, a post. Such a text goes out as one chat message (or inside one). Telegram
# shows at most 4,096 characters a message, the OneBot carrier plans for 4,000 a QQ message,
# the web chat 2,000, and a Matrix event is at most 65,536 bytes with the text in it twice
# (text and HTML), three bytes a Chinese character: every carrier sends a longer text, such as
# a welcome quoting the rules, in parts (`carriers/cutting.py`); 8,000 is two Telegram
# messages. A longer text (an article) belongs in a content library
# (`calendar.posts[].content.library`), not the playbook.
MAX_TEXT = 8_000


OVER_LIMIT = "over_limit"
"""The error type of a bound on a text's length (`over_limit`): what a playbook written now must
keep within, and a version stored by an earlier release, which had no such bound, may pass."""

AS_STORED = "as_stored"
"""The validation context's key saying the text is a stored version, read as it was accepted
(`loader.parse_playbook(as_stored=True)`): its bounds and the checks added since its fields
were released (`refused_since`) are not checked here (its first reading located them)."""


def as_stored(info: ValidationInfo) -> bool:
    """Whether the playbook being validated is a stored version, read as it was accepted."""
    return bool(info.context and info.context.get(AS_STORED))


def over_limit(message: str) -> PydanticCustomError:
    """The error of a text over one of its bounds (`OVER_LIMIT`), saying `message`."""
    return PydanticCustomError(OVER_LIMIT, "{message}", {"message": message})


REFUSED_SINCE = "refused_since"
"""The error type of a check a release added to a field after earlier releases accepted and ran
its value (a keyword joined by a Chinese comma, an unknown brace in a ladder message): a
playbook written now is refused for it, a version stored before runs as it was accepted, the
problem said as a warning. Only for a value the runtime runs safely as accepted; a value that
crashed or wedged the release that stored it stays an error of its own type."""

STORED_PASSES = frozenset({OVER_LIMIT, REFUSED_SINCE})
"""The error types a stored version passes (`loader.parse_playbook(as_stored=True)` says them
as warnings); any other error refuses a stored version too."""


def refused_since(info: ValidationInfo, check: Callable[[], object]) -> None:
    """Run `check` (raising `ValueError`) as a check added after its field was released
    (`REFUSED_SINCE`): its error refuses a playbook written now; a stored version, read as it
    was accepted, passes it (its first reading located the problem as a warning)."""
    if as_stored(info):
        return
    try:
        check()
    except ValueError as exc:
        raise PydanticCustomError(REFUSED_SINCE, "{message}", {"message": str(exc)}) from None


def check_length(value: str, info: ValidationInfo) -> str:
    """`value` when it has at most `MAX_TEXT` characters (or is read as stored); else an
    `OVER_LIMIT` error saying which field, its length and the limit."""
    if len(value) > MAX_TEXT and not as_stored(info):
        field = f"`{info.field_name}`" if info.field_name else "this text"
        raise over_limit(
            f"{field} is {len(value):,} characters; a playbook text is at most {MAX_TEXT:,} "
            "(about two chat messages): shorten it, or put a long text in a content library "
            "(calendar.posts[].content.library)"
        )
    return value


Text = Annotated[str, Field(min_length=1), AfterValidator(check_length)]
"""A text of the playbook: at least one character, at most `MAX_TEXT`."""

MAX_NAME = 200
"""The longest name the store keeps (its name columns, `store/models/base.py` NAME): a
community's, an event's title and place, a title members claim."""


def check_shown(value: str) -> str:
    """A name members read in chat is one line of visible text: no control, text-direction
    or invisible character (one would reorder or hide what they read)."""
    hidden = hidden_character(value)
    if hidden is not None:
        raise ValueError(f"carries {hidden}; a name is shown to members as one line of "
                         "visible text")  # fmt: skip
    return value


def _shown(value: str, info: ValidationInfo) -> str:
    # added in session 20: a stored name with such a character is shown as before
    refused_since(info, lambda: check_shown(value))
    return value


Name = Annotated[str, Field(min_length=1, max_length=MAX_NAME), AfterValidator(_shown)]
"""A text the store keeps as a name (at most `MAX_NAME` characters), shown as one line."""

MAX_COUNT = 1_000_000_000
"""The largest count or amount of points a playbook may give: sums of them must stay within
what the store's integer columns hold."""


# --- durations -------------------------------------------------------------------------------

_UNITS: dict[str, int] = {
    "s": 1,
    "sec": 1,
    "secs": 1,
    "second": 1,
    "seconds": 1,
    "秒": 1,
    "m": 60,
    "min": 60,
    "mins": 60,
    "minute": 60,
    "minutes": 60,
    "分钟": 60,
    "分": 60,
    "h": 3600,
    "hr": 3600,
    "hrs": 3600,
    "hour": 3600,
    "hours": 3600,
    "小时": 3600,
    "时": 3600,
    "d": 86400,
    "day": 86400,
    "days": 86400,
    "天": 86400,
    "日": 86400,
    "w": 604800,
    "week": 604800,
    "weeks": 604800,
    "周": 604800,
}
# The longest duration a playbook may give: every duration is added to today's date somewhere
# (a deadline, a window, a reminder), which must stay a date the store can hold.
MAX_DURATION = timedelta(days=36500)
_PART = re.compile(r"(\d+)\s*([a-zA-Z]+|秒|分钟|分|小时|时|天|日|周)")
_MOST_DIGITS = 10  # a count of seconds in 100 years has 10 digits


class DurationTooLong(ValueError):
    """A duration written correctly, but longer than `MAX_DURATION`."""


_CHINESE = re.compile(r"[\u4e00-\u9fff]")


def parse_duration(value: Any) -> timedelta:
    """Read `90s`, `30m`, `1h30m`, `24h`, `7d`, `2 weeks`, `24小时` as a timedelta."""
    if isinstance(value, timedelta):
        return value
    if isinstance(value, bool) or not isinstance(value, str | int):
        raise ValueError("write a duration such as '30m', '24h' or '7d'")
    if isinstance(value, int):
        shown = shown_input(value)
        raise ValueError(f"{shown} has no unit: write e.g. '{shown}m', '{shown}h' or '{shown}d'")
    text = value.strip().lower()
    pos, total = 0, 0
    for match in _PART.finditer(text):
        if text[pos : match.start()].strip():
            break
        unit = match.group(2)
        if unit not in _UNITS:
            known = did_you_mean(unit, [u for u in _UNITS if u.isascii()])
            raise ValueError(f"unknown time unit {quoted(unit)} in {quoted(value)}{known}")
        if len(match.group(1).lstrip("0")) > _MOST_DIGITS:  # more than 100 years in any unit
            raise DurationTooLong(f"{quoted(value)} is too long: at most 36500d (100 years)")
        total += int(match.group(1)) * _UNITS[unit]
        pos = match.end()
    if pos == 0 or text[pos:].strip():
        if _CHINESE.search(value):  # `三天`, `半小时`: the units are read, the number in digits
            raise ValueError(
                f"{quoted(value)} is not a duration: write the number in digits, e.g. "
                "'30分钟', '24小时', '3天' (or '30m', '24h', '3d')"
            )
        raise ValueError(
            f"{quoted(value)} is not a duration: write e.g. '30m', '24h', '7d' or '1h30m'"
        )
    if total <= 0:
        raise ValueError(f"{quoted(value)} must be longer than zero")
    if total > MAX_DURATION.total_seconds():
        raise DurationTooLong(f"{quoted(value)} is too long: at most 36500d (100 years)")
    return timedelta(seconds=total)


def format_duration(delta: timedelta) -> str:
    """Write a timedelta back in the compact form (`1d12h`, `30m`)."""
    seconds = int(delta.total_seconds())
    out = []
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60), ("s", 1)):
        count, seconds = divmod(seconds, size)
        if count:
            out.append(f"{count}{unit}")
    return "".join(out) or "0s"


Duration = Annotated[
    timedelta, BeforeValidator(parse_duration), PlainSerializer(format_duration, return_type=str)
]
"""A length of time written like `30m`, `24h`, `7d`, `1h30m` or `2 weeks`."""


# --- dates -----------------------------------------------------------------------------------


def refuse_number_as_date(value: Any, info: ValidationInfo) -> Any:
    """A date written as a bare number (`when: 20261220`, YAML reads it as one): pydantic would
    take it for seconds since 1970 and the activity would fall on 23 August 1970. Refused since
    session 32: a version stored before keeps the date it was read as then."""

    def check() -> None:
        if isinstance(value, int | float) and not isinstance(value, bool):
            raise ValueError(
                f"{shown_input(value)} is a number, not a date: write YYYY-MM-DD (YYYY-MM-DD "
                "HH:MM for a start), e.g. 2026-12-19 19:30"
            )

    refused_since(info, check)
    return value


# The years a start may fall in: a time zone moves a clock by up to a day, so a start in year
# 1 or 9999 may be no instant at all in UTC (Python's datetimes hold years 1-9999), and every
# reading of the activity (members' /events and /rsvp, the Events page) would fail on it.
FIRST_YEAR, LAST_YEAR = 2, 9998


def within_the_calendar(value: datetime) -> datetime:
    """A start every time zone can hold: in the years FIRST_YEAR to LAST_YEAR."""
    if not FIRST_YEAR <= value.year <= LAST_YEAR:
        raise ValueError(
            f"'{value.isoformat(' ', 'minutes')}' is at the calendar's edge, where a time zone "
            f"can move it out of the dates there are: write a start between the years "
            f"{FIRST_YEAR} and {LAST_YEAR}"
        )
    return value


Day = Annotated[date, BeforeValidator(refuse_number_as_date)]
"""A calendar date, `YYYY-MM-DD`."""
When = Annotated[
    datetime, BeforeValidator(refuse_number_as_date), AfterValidator(within_the_calendar)
]
"""A date and time, `YYYY-MM-DD HH:MM`, in the community's time zone."""


# --- clock times, time zones, schedules -------------------------------------------------------

_HHMM = re.compile(r"^([01]?\d|2[0-3])[:：]([0-5]\d)$")


def parse_clock_time(value: Any) -> Any:
    if isinstance(value, str):
        match = _HHMM.match(value.strip())
        if not match:
            raise ValueError(f"{quoted(value)} is not a time of day: write HH:MM, e.g. '08:00'")
        return time(int(match.group(1)), int(match.group(2)))
    return value


ClockTime = Annotated[
    time,
    BeforeValidator(parse_clock_time),
    PlainSerializer(lambda t: t.strftime("%H:%M"), return_type=str),
]
"""A time of day, `HH:MM`, in the community's time zone."""


# Names the server's time zone database answers to that are no place's time: `localtime` is
# the server's own setting (a community's days would move with the server it runs on),
# `Factory` a placeholder ("-00"), `posixrules` the rules of POSIX strings; `right/…` zones
# count leap seconds (every time 27 s off), `posix/…` are copies under another name that
# other servers do not have.
NOT_ZONES = frozenset({"localtime", "Factory", "posixrules"})
NOT_ZONE_FOLDERS = ("posix/", "right/")
ZONE_SPELLING = 0.8  # how alike a misspelt zone name must be to the zone suggested


def zone_problem(name: str) -> str | None:
    """What is wrong with time zone `name` for a community's days, or None: an IANA name the
    tz database knows and that means the same place on every server."""
    real = name.removeprefix(NOT_ZONE_FOLDERS[0]).removeprefix(NOT_ZONE_FOLDERS[1])
    if name in NOT_ZONES or (real != name and real not in NOT_ZONES):
        instead = real if real != name else "Asia/Shanghai"
        return (f"{quoted(name)} is not the time zone of a place (it depends on the server or is a "
                f"placeholder); name one such as {instead}")  # fmt: skip
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        reason = meant(name)  # an offset, an abbreviation, a city without a zone of its own
        if reason is not None:
            return f"unknown time zone {quoted(name)}: {reason}"
        # otherwise only a near spelling: a looser match names a stranger's zone (Asia/Brunei)
        places = sorted(z for z in available_timezones() if zone_problem_free(z))
        hint = did_you_mean(name, places, cutoff=ZONE_SPELLING)
        return (
            f"unknown time zone {quoted(name)}{hint or ' (use an IANA name such as Asia/Shanghai)'}"
        )
    return None


def zone_problem_free(name: str) -> bool:
    """Whether `name`, a key of the tz database, is a place's zone (see `NOT_ZONES`)."""
    return name not in NOT_ZONES and not name.startswith(NOT_ZONE_FOLDERS)


def check_timezone(value: Any) -> Any:
    if isinstance(value, int | float) and not isinstance(value, bool):
        # `timezone: +8` is a number to YAML, which would otherwise be kept as the text "8.0"
        said = f"{value:+g}"
        reason = (
            meant(said) or "a number is not a time zone; use an IANA name such as Asia/Shanghai"
        )
        raise ValueError(f"unknown time zone {said}: {reason}")
    if not isinstance(value, str):
        return value
    problem = zone_problem(value)
    if problem is not None:
        raise ValueError(problem)
    return value


TimeZoneName = Annotated[str, BeforeValidator(check_timezone)]


def check_schedule(value: Any) -> Any:
    if isinstance(value, str):
        check_fires(parse_schedule(value))
    return value


Schedule = Annotated[str, BeforeValidator(check_schedule)]
"""When something happens: a cron expression or a readable form (see `schedule.py`)."""
