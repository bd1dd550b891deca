"""A quota's window given an action of several messages (a long text's parts): it goes at the
first moment the window has room for all of them, and each counts."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from hearthkeeper.engine.carrier import Capabilities, RateLimit
from hearthkeeper.engine.ratelimit import Quotas, Window

T0 = datetime(2026, 5, 1, 9, 0, tzinfo=UTC)
TWENTY = RateLimit(count=20, seconds=60)


def in_window(uses: list[datetime], at: datetime, seconds: float) -> int:
    return sum(1 for u in uses if at - timedelta(seconds=seconds) < u <= at)


@given(
    gaps=st.lists(st.integers(min_value=0, max_value=30), max_size=30),
    count=st.integers(min_value=1, max_value=8),
    messages=st.integers(min_value=1, max_value=12),
)
def test_several_messages_go_at_the_first_moment_there_is_room_for_all(
    gaps: list[int], count: int, messages: int
) -> None:
    limit = RateLimit(count=count, seconds=60)
    window = Window(limit)
    uses: list[datetime] = []
    now = T0
    for gap in gaps:  # uses as the queue records them: each at the time the window allowed
        now = window.free_at(now + timedelta(seconds=gap))
        window.use(now)
        uses.append(now)
    free = window.free_at(now, messages)
    need = min(messages, count)  # more than the window holds: once it is empty
    assert free >= now
    assert in_window(uses, free, limit.seconds) + need <= count
    if free > now:
        just_before = free - timedelta(microseconds=1)
        assert in_window(uses, just_before, limit.seconds) + need > count


def test_a_long_text_counts_each_part_in_its_group_and_overall() -> None:
    quotas = Quotas(Capabilities(can=frozenset(), per_group=TWENTY,
                                 overall=RateLimit(count=30, seconds=1)))  # fmt: skip
    quotas.use("A", T0, 3)
    for n in range(17):
        assert quotas.free_at("A", T0 + timedelta(seconds=1 + n)) == T0 + timedelta(seconds=1 + n)
        quotas.use("A", T0 + timedelta(seconds=1 + n))
    later = T0 + timedelta(seconds=20)
    # the three parts and seventeen messages fill A's minute; another group is not held
    assert quotas.free_at("A", later) == T0 + timedelta(seconds=60)
    assert quotas.free_at("B", later) == later
    # a text of four parts waits until four of A's minute left it: the three parts, one more
    assert quotas.free_at("A", later, 4) == T0 + timedelta(seconds=61)
