"""Readable schedules translate to the cron expression an operator means."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from croniter import croniter
from hypothesis import given
from hypothesis import strategies as st

from hearthkeeper.playbook.base import format_duration, parse_duration
from hearthkeeper.playbook.schedule import ScheduleError, parse_schedule


@pytest.mark.parametrize(
    ("readable", "cron"),
    [
        ("every day 08:00", "0 8 * * *"),
        ("daily at 7:30", "30 7 * * *"),
        ("每天 08:00", "0 8 * * *"),
        ("Mon,Wed,Fri,Sun 20:00", "0 20 * * 1,3,5,0"),
        ("every Monday 20:00", "0 20 * * 1"),
        ("Mon-Fri 09:30", "30 9 * * 1-5"),
        ("every weekday 09:00", "0 9 * * 1-5"),
        ("every weekend 10:00", "0 10 * * 0,6"),
        ("weekly on Sat 10:00", "0 10 * * 6"),
        ("每周一三五日 20:00", "0 20 * * 0,1,3,5"),
        ("monthly on day 18 at 20:00", "0 20 18 * *"),
        ("every month on the 1st 09:00", "0 9 1 * *"),
        ("每月18日 20:00", "0 20 18 * *"),
        ("0 8 * * *", "0 8 * * *"),
        ("*/15 9-17 * * 1-5", "*/15 9-17 * * 1-5"),
    ],
)
def test_readable_forms(readable: str, cron: str) -> None:
    assert parse_schedule(readable) == cron


def test_seed_002_micro_sharing_fires_on_mon_wed_fri_sun() -> None:
    it = croniter(parse_schedule("Mon,Wed,Fri,Sun 20:00"), datetime(2026, 11, 23, tzinfo=UTC))
    days = {it.get_next(datetime).strftime("%a") for _ in range(8)}
    assert days == {"Mon", "Wed", "Fri", "Sun"}


@pytest.mark.parametrize(
    ("bad", "hint"),
    [
        ("every dya 08:00", "not a day of the week"),
        ("monthly on day 40 at 10:00", "1-31"),
        ("99 * * * *", "not a valid cron"),
        ("whenever", "every day 08:00"),
        ("every day 25:00", "every day 08:00"),
    ],
)
def test_unreadable_schedules_explain_themselves(bad: str, hint: str) -> None:
    with pytest.raises(ScheduleError, match=hint):
        parse_schedule(bad)


@given(st.text(max_size=40))
def test_any_text_is_a_schedule_or_a_schedule_error(text: str) -> None:
    try:
        cron = parse_schedule(text)
    except ScheduleError as exc:
        assert str(exc)
    else:
        assert croniter.is_valid(cron)


@pytest.mark.parametrize(
    ("text", "seconds"),
    [("90s", 90), ("30m", 1800), ("1h30m", 5400), ("24h", 86400), ("7d", 604800),
     ("2 weeks", 1209600), ("24小时", 86400), ("3天", 259200)],
)  # fmt: skip
def test_durations(text: str, seconds: int) -> None:
    assert parse_duration(text) == timedelta(seconds=seconds)


@pytest.mark.parametrize("bad", ["", "soon", "10", "0h", "5 fortnights", "1h and then some"])
def test_bad_durations(bad: str) -> None:
    with pytest.raises(ValueError, match=r"duration|unit|longer"):
        parse_duration(bad)


@given(st.integers(min_value=1, max_value=10**8))
def test_duration_round_trips_through_its_written_form(seconds: int) -> None:
    delta = timedelta(seconds=seconds)
    assert parse_duration(format_duration(delta)) == delta
