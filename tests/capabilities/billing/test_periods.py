"""Calendar arithmetic of service periods and the payment reference codes."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from hearthkeeper.capabilities.billing.periods import add_months, add_period
from hearthkeeper.capabilities.billing.references import normalise_code, reference_code

SHANGHAI = ZoneInfo("Asia/Shanghai")
LONDON = ZoneInfo("Europe/London")


def local(*args: int, zone: ZoneInfo = SHANGHAI) -> datetime:
    return datetime(*args, tzinfo=zone)  # type: ignore[misc]


@pytest.mark.parametrize(
    ("start", "months", "end"),
    [
        (local(2027, 1, 31, 10), 1, local(2027, 2, 28, 10)),
        (local(2028, 1, 31, 10), 1, local(2028, 2, 29, 10)),  # a leap year
        (local(2026, 8, 31, 9), 6, local(2027, 2, 28, 9)),
        (local(2026, 3, 15, 23, 30), 6, local(2026, 9, 15, 23, 30)),
        (local(2026, 11, 30), 3, local(2027, 2, 28)),
        (local(2026, 12, 31), 12, local(2027, 12, 31)),
    ],
)
def test_a_month_is_a_calendar_month_in_the_communitys_zone(
    start: datetime, months: int, end: datetime
) -> None:
    assert add_months(start, months, SHANGHAI) == end


def test_the_local_day_counts_not_the_utc_day() -> None:
    # 31 Jan 01:00 in Shanghai is still 30 Jan in UTC: the member paid on the 31st.
    paid = local(2027, 1, 31, 1)
    assert paid.astimezone(UTC).day == 30
    assert add_period(paid, "1 month", SHANGHAI) == local(2027, 2, 28, 1)


def test_days_keep_the_wall_clock_across_daylight_saving() -> None:
    before = local(2026, 3, 20, 9, zone=LONDON)  # GMT; the clocks go forward on 29 March
    assert add_period(before, "30 days", LONDON) == local(2026, 4, 19, 9, zone=LONDON)
    assert add_period(before, "2 weeks", LONDON) == local(2026, 4, 3, 9, zone=LONDON)
    assert add_period(before, "1 year", LONDON) == local(2027, 3, 20, 9, zone=LONDON)


def test_a_period_that_is_not_one_is_refused() -> None:
    with pytest.raises(ValueError, match="not a period"):
        add_period(local(2026, 1, 1), "6 fortnights")


def test_a_reference_is_stable_short_and_read_back_however_it_is_typed() -> None:
    code = reference_code("webchat", "u-123")
    assert code == reference_code("webchat", "u-123")
    assert code != reference_code("matrix", "u-123")
    assert len(code) == 9 and code[4] == "-"
    assert normalise_code(code.lower().replace("-", " ")) == code
    assert normalise_code(code.replace("0", "o")) == code
    full_width = "".join(chr(ord(c) + 0xFEE0) for c in code)  # ＡＢ１２－...: a Chinese IME's
    assert normalise_code(full_width) == code
    assert normalise_code("ABC") is None
    assert normalise_code("webchat:u-1") is None


@given(st.text(min_size=1, max_size=40), st.integers(min_value=0, max_value=3))
def test_every_code_reads_back_as_itself(user: str, attempt: int) -> None:
    code = reference_code("webchat", user, attempt)
    assert normalise_code(code) == code
