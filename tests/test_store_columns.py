"""`UTCDateTime` on SQLite: the text it binds in one step is the text SQLAlchemy's DATETIME made
of `process_bind_param` (what every stored time was written as), for any aware time."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy.dialects import sqlite
from sqlalchemy.dialects.sqlite import DATETIME

from hearthkeeper.store import columns
from hearthkeeper.store.columns import UTCDateTime, sqlite_time

DIALECT = sqlite.dialect()
ZONES = st.sampled_from([UTC, ZoneInfo("UTC"), ZoneInfo("Asia/Shanghai"),
                         ZoneInfo("America/New_York"), ZoneInfo("Australia/Lord_Howe"),
                         timezone(timedelta(hours=-9, minutes=-30)), timezone(timedelta(hours=14))])  # fmt: skip


def _as_before(value: datetime | None) -> str | None:
    """What SQLite was handed before: the naive UTC time, written by SQLAlchemy's DATETIME."""
    naive = UTCDateTime().process_bind_param(value, DIALECT)
    process = DATETIME().bind_processor(DIALECT)
    assert process is not None
    return process(naive)  # type: ignore[no-any-return]


def _bound(value: datetime | None) -> object:
    process = UTCDateTime().dialect_impl(DIALECT).bind_processor(DIALECT)
    assert process is not None
    return process(value)


@given(st.datetimes(min_value=datetime(2, 1, 1), max_value=datetime(9998, 12, 31),
                    timezones=ZONES))  # fmt: skip
def test_a_time_is_bound_as_the_text_it_was_stored_as_before(value: datetime) -> None:
    assert _bound(value) == _as_before(value)
    assert _bound(value) == _as_before(value)  # again: the second one from `sqlite_time`'s memo


def test_no_time_binds_null_and_a_naive_one_is_refused_by_name() -> None:
    assert _bound(None) is None
    with pytest.raises(ValueError, match="time 2026-01-01T00:00:00 has no time zone"):
        _bound(datetime(2026, 1, 1))


def test_an_event_time_written_to_several_rows_is_converted_once() -> None:
    # the event's row, its message's row, a question it asked: one conversion, one text
    at = datetime(2026, 6, 1, 8, 30, 15, 250000, tzinfo=UTC)
    first = sqlite_time(at, "event time")
    assert first == "2026-06-01 08:30:15.250000"
    assert sqlite_time(datetime(2026, 6, 1, 8, 30, 15, 250000, tzinfo=UTC), "sent_at") is first
    assert _bound(at) is first


def test_the_two_instants_of_a_repeated_hour_keep_their_own_texts() -> None:
    # 01:30 happens twice in New York on 2026-11-01; the two compare equal as local times
    zone = ZoneInfo("America/New_York")
    early = datetime(2026, 11, 1, 1, 30, tzinfo=zone)
    late = datetime(2026, 11, 1, 1, 30, tzinfo=zone, fold=1)
    assert early == late
    assert sqlite_time(early, "time") == "2026-11-01 05:30:00.000000"
    assert sqlite_time(late, "time") == "2026-11-01 06:30:00.000000"
    assert sqlite_time(early, "time") == "2026-11-01 05:30:00.000000"


def test_a_naive_time_is_refused_even_when_its_utc_twin_was_converted() -> None:
    sqlite_time(datetime(2026, 1, 1, tzinfo=UTC), "time")
    with pytest.raises(ValueError, match="sent_at 2026-01-01T00:00:00 has no time zone"):
        sqlite_time(datetime(2026, 1, 1), "sent_at")


def test_the_memo_of_converted_times_stays_bounded() -> None:
    start = datetime(2026, 1, 1, tzinfo=UTC)
    for i in range(columns.SQLITE_TIMES_KEPT * 2 + 5):
        moment = start + timedelta(seconds=i)
        assert sqlite_time(moment, "time") == moment.strftime("%Y-%m-%d %H:%M:%S.000000")
    assert len(columns._SQLITE_TIMES) <= columns.SQLITE_TIMES_KEPT
