"""Firings of schedules, rituals and live sessions in the community's zone, across DST."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from hearthkeeper.capabilities.calendar.firings import (
    SessionMoment,
    anniversary_firings,
    firings_between,
    iter_firings,
    session_moments,
)
from hearthkeeper.capabilities.calendar.sessions import next_moment
from hearthkeeper.playbook.output import Anniversary, LiveSession

LONDON = ZoneInfo("Europe/London")
NEW_YORK = ZoneInfo("America/New_York")
SHANGHAI = ZoneInfo("Asia/Shanghai")
UTC_ZONE = ZoneInfo("UTC")


def local(zone: ZoneInfo, schedule: str, first: date, last: date) -> list[str]:
    start = datetime.combine(first, time(0), zone)
    end = datetime.combine(last, time(0), zone)
    return [f.astimezone(zone).isoformat() for f in firings_between(schedule, zone, start, end)]


@pytest.mark.parametrize(
    ("zone", "schedule", "day", "expected"),
    [
        # London springs forward at 01:00 on 29 March 2026: 01:30 does not exist
        (LONDON, "every day 01:30", date(2026, 3, 29), "2026-03-29T02:00:00+01:00"),
        # New York springs forward at 02:00 on 8 March 2026: 02:30 does not exist
        (NEW_YORK, "every day 02:30", date(2026, 3, 8), "2026-03-08T03:00:00-04:00"),
    ],
)
def test_a_skipped_local_time_fires_once_when_the_gap_ends(
    zone: ZoneInfo, schedule: str, day: date, expected: str
) -> None:
    got = local(zone, schedule, day - timedelta(days=1), day + timedelta(days=2))
    assert len(got) == 3
    assert got[1] == expected
    assert got[0].startswith(f"{day - timedelta(days=1)}T{schedule[-5:]}")
    assert got[2].startswith(f"{day + timedelta(days=1)}T{schedule[-5:]}")


def test_several_firings_inside_one_gap_fire_only_once() -> None:
    got = local(NEW_YORK, "*/20 2 * * *", date(2026, 3, 8), date(2026, 3, 9))
    assert got == ["2026-03-08T03:00:00-04:00"]


@pytest.mark.parametrize(
    ("zone", "day", "expected"),
    [
        (LONDON, date(2026, 10, 25), "2026-10-25T01:30:00+01:00"),  # BST, the first 01:30
        (NEW_YORK, date(2026, 11, 1), "2026-11-01T01:30:00-04:00"),  # EDT, the first 01:30
    ],
)
def test_a_repeated_local_time_fires_once_at_its_first_occurrence(
    zone: ZoneInfo, day: date, expected: str
) -> None:
    assert local(zone, "every day 01:30", day, day + timedelta(days=1)) == [expected]


@pytest.mark.parametrize(
    ("zone", "first", "offsets"),
    [
        (LONDON, date(2026, 3, 28), ["+00:00", "+01:00"]),
        (LONDON, date(2026, 10, 24), ["+01:00", "+00:00"]),
        (NEW_YORK, date(2026, 3, 7), ["-05:00", "-04:00"]),
        (NEW_YORK, date(2026, 10, 31), ["-04:00", "-05:00"]),
        (SHANGHAI, date(2026, 3, 28), ["+08:00", "+08:00"]),
    ],
)
def test_daily_posts_keep_their_wall_clock_time_across_dst(
    zone: ZoneInfo, first: date, offsets: list[str]
) -> None:
    got = local(zone, "every day 08:00", first, first + timedelta(days=2))
    assert [g[11:16] for g in got] == ["08:00", "08:00"]
    assert [g[-6:] for g in got] == offsets


def test_weekly_readable_form_across_the_london_change() -> None:
    got = local(LONDON, "Mon,Wed,Fri,Sun 20:00", date(2026, 3, 27), date(2026, 4, 3))
    assert got == [
        "2026-03-27T20:00:00+00:00",
        "2026-03-29T20:00:00+01:00",
        "2026-03-30T20:00:00+01:00",
        "2026-04-01T20:00:00+01:00",
    ]


def test_monthly_readable_form_in_shanghai_is_returned_in_utc() -> None:
    start = datetime(2026, 1, 1, tzinfo=UTC)
    got = firings_between("monthly on day 18 at 20:00", SHANGHAI, start, start + timedelta(days=80))
    assert got == [
        datetime(2026, 1, 18, 12, tzinfo=UTC),
        datetime(2026, 2, 18, 12, tzinfo=UTC),
        datetime(2026, 3, 18, 12, tzinfo=UTC),
    ]
    assert all(f.tzinfo is UTC for f in got)


def test_firings_start_at_the_window_start_inclusive() -> None:
    at = datetime(2026, 5, 4, 8, tzinfo=LONDON)
    assert next(iter_firings("0 8 * * *", LONDON, at)) == at.astimezone(UTC)


def test_anniversary_on_the_founding_day_31_falls_on_the_last_day_of_short_months() -> None:
    ritual = Anniversary(at=time(20, 0))
    start = datetime(2026, 1, 1, tzinfo=SHANGHAI)
    got = anniversary_firings(
        ritual, date(2025, 12, 31), SHANGHAI, start, start + timedelta(days=125)
    )
    assert [(f.at.astimezone(SHANGHAI).date().isoformat(), f.months) for f in got] == [
        ("2026-01-31", 1),
        ("2026-02-28", 2),
        ("2026-03-31", 3),
        ("2026-04-30", 4),
    ]


def test_anniversary_on_a_set_day_skips_the_founding_month() -> None:
    ritual = Anniversary(day=18, at=time(20, 0))
    start = datetime(2026, 3, 1, tzinfo=SHANGHAI)
    got = anniversary_firings(
        ritual, date(2026, 3, 18), SHANGHAI, start, start + timedelta(days=62)
    )
    assert [(f.at, f.months) for f in got] == [(datetime(2026, 4, 18, 12, tzinfo=UTC), 1)]


def test_a_disabled_anniversary_never_fires() -> None:
    ritual = Anniversary(enabled=False, day=1)
    start = datetime(2026, 1, 1, tzinfo=UTC)
    assert anniversary_firings(ritual, None, UTC_ZONE, start, start + timedelta(days=90)) == []


def test_live_session_reminders_start_and_digest() -> None:
    session = LiveSession.model_validate(
        {
            "id": "salon",
            "title": "Salon",
            "speaker": "Ann",
            "schedule": "Wed 19:00",
            "duration": "45m",
            "remind_before": ["24h", "1h"],
        }
    )
    start = datetime(2026, 11, 2, tzinfo=LONDON)
    got = session_moments(session, LONDON, start, start + timedelta(days=7))
    assert [(m.moment, m.at.astimezone(LONDON).strftime("%a %H:%M")) for m in got] == [
        ("reminder", "Tue 19:00"),
        ("reminder", "Wed 18:00"),
        ("start", "Wed 19:00"),
        ("digest", "Wed 19:45"),
    ]


def test_live_session_moments_near_the_window_edges_are_kept() -> None:
    session = LiveSession.model_validate(
        {"id": "s", "title": "T", "speaker": "S", "schedule": "every day 00:05", "digest": True}
    )
    start = datetime(
        2026, 6, 1, tzinfo=SHANGHAI
    )  # the 23:05 reminder of 1 June's session is earlier
    got = session_moments(session, SHANGHAI, start, start + timedelta(hours=1))
    assert [m.moment for m in got] == ["start", "digest"]
    assert got[0].at == datetime(2026, 5, 31, 16, 5, tzinfo=UTC)


def test_a_schedule_that_never_comes_has_no_firings() -> None:
    start = datetime(2026, 1, 1, tzinfo=UTC)
    assert firings_between("0 8 30 2 *", UTC_ZONE, start, start + timedelta(days=400)) == []


SESSIONS = [
    {"schedule": "Wed 19:00", "duration": "45m", "remind_before": ["24h", "1h"]},
    {"schedule": "every day 00:05", "digest": True},
    {"schedule": "Sun 20:00", "duration": "20m"},
    {"schedule": "0 14 * * 6#2", "remind_before": ["7d", "10m"]},  # monthly: past a week
    {"schedule": "0 8 1 6 *"},  # yearly: mostly past 40 days
    {"schedule": "0 8 29 2 *"},  # 29 February: from 2026, past 400 days
    {"schedule": "every day 01:30", "remind_before": []},  # skipped once a year in London
]


@pytest.mark.parametrize("fields", SESSIONS)
@pytest.mark.parametrize("zone", [LONDON, NEW_YORK, SHANGHAI])
def test_a_sessions_next_moment_is_the_first_of_all_its_moments_ahead(
    fields: dict[str, object], zone: ZoneInfo
) -> None:
    session = LiveSession.model_validate({"id": "s", "title": "T", "speaker": "S", **fields})
    after = datetime(2026, 1, 1, 0, 7, tzinfo=UTC)
    for _ in range(60):  # every 6 days 5 hours and 7 minutes, across both DST changes
        assert next_moment(session, zone, after) == _first_ahead(session, zone, after), after
        after += timedelta(days=6, hours=5, minutes=7)


def _first_ahead(session: LiveSession, zone: ZoneInfo, after: datetime) -> SessionMoment | None:
    """The first of all the session's moments in the 400 days after `after`. The moments come
    in time order, so one in the first 8 days is that first one: a daily session's 400 days
    (800 moments, 60 times over) are listed only when those 8 days hold none."""
    for days in (8, 400):
        ahead = session_moments(session, zone, after, after + timedelta(days=days))
        if ahead:
            return ahead[0]
    return None
