"""The per-scope counts step 13 made fast, against their plain definitions on random data:
distinct posters in the 7 and 30 days ending on each day (WAU, MAU), and the members with a
stay open at the end of a day (several stays of one member counted once)."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from hypothesis import given, settings
from hypothesis import strategies as st

from hearthkeeper.analytics.measures import Inputs, _Scope, _windows
from hearthkeeper.analytics.periods import days
from hearthkeeper.store import QuestionDays, QuestionTiming, Stay
from hearthkeeper.store.rollups import local_midnight

START, END = date(2026, 3, 1), date(2026, 4, 20)
ZONE = ZoneInfo("Asia/Shanghai")

posting = st.dictionaries(
    st.integers(-29, (END - START).days).map(lambda n: START + timedelta(days=n)),
    st.dictionaries(st.integers(1, 12), st.integers(0, 3), max_size=8),
    max_size=60,
)


@settings(max_examples=150, deadline=None)
@given(posting)
def test_wau_and_mau_are_the_distinct_posters_of_the_days_ending_on_each_day(
    posters: dict[date, dict[int, int]],
) -> None:
    wau, mau = _windows(posters, START, END)

    for day in days(START, END):
        for width, found in ((7, wau), (30, mau)):
            window = days(day - timedelta(days=width - 1), day)
            assert found[day] == len({m for d in window for m in posters.get(d, {})}), (day, width)


instant = st.integers(0, 60 * 24 * 50).map(
    lambda minutes: datetime(2026, 3, 1, tzinfo=UTC) + timedelta(minutes=minutes)
)


@st.composite
def stay(draw: st.DrawFn) -> Stay:
    joined = draw(instant)
    left = draw(
        st.none() | st.integers(0, 60 * 24 * 20).map(lambda m: joined + timedelta(minutes=m))
    )
    return Stay(1, draw(st.integers(1, 6)), "member", joined, left)


@settings(max_examples=150, deadline=None)
@given(st.lists(stay(), max_size=25), st.lists(st.integers(0, 49), min_size=1, max_size=10))
def test_members_at_the_end_of_each_day_count_a_member_once_whatever_their_stays(
    stays: list[Stay], offsets: list[int]
) -> None:
    inputs = Inputs(ZONE, START, END, [], [], [], sorted(stays, key=lambda s: s.joined_at),
                    QuestionDays({}, []), [], [], [])  # fmt: skip
    ends = [START + timedelta(days=n) for n in offsets]

    counted = _Scope(inputs, {1}, community=False).members_at_ends_of(ends)

    for day in ends:
        moment = local_midnight(day + timedelta(days=1), ZONE)
        open_then = {s.member_id for s in stays if s.joined_at < moment
                     and (s.left_at is None or s.left_at >= moment)}  # fmt: skip
        assert counted[day] == len(open_then), day


@settings(max_examples=100, deadline=None)
@given(
    st.sampled_from(["Asia/Shanghai", "America/Santiago", "Europe/London", "America/Havana"]),
    st.lists(st.integers(0, 60 * 24 * 400), max_size=40),
)
def test_questions_fall_on_the_local_day_they_were_asked_even_across_clock_changes(
    zone_name: str, minutes: list[int]
) -> None:
    """Answered questions' waits are placed on local days from the day found last (step 13);
    Santiago and Havana change their clocks at midnight, where a day does not start at 00:00."""
    zone = ZoneInfo(zone_name)
    asked = [datetime(2026, 1, 1, tzinfo=UTC) + timedelta(minutes=m) for m in sorted(minutes)]
    timings = [QuestionTiming(1, 1, at, at + timedelta(minutes=5)) for at in asked]
    inputs = Inputs(zone, START, END, [], [], [], [], QuestionDays.of(timings, zone),
                    [], [], [])  # fmt: skip

    found = inputs.parts[1].questions.items() if asked else ()
    placed = {day: (n, len(waits)) for day, (n, waits, _) in found}

    expected = Counter(at.astimezone(zone).date() for at in asked)
    assert placed == {day: (n, n) for day, n in expected.items()}
