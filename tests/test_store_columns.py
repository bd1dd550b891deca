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

from hearthkeeper.store.columns import UTCDateTime

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


def test_no_time_binds_null_and_a_naive_one_is_refused_by_name() -> None:
    assert _bound(None) is None
    with pytest.raises(ValueError, match="time 2026-01-01T00:00:00 has no time zone"):
        _bound(datetime(2026, 1, 1))
