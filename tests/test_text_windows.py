"""Flooding and repeated text: judged over time, with the time passed in and memory bounded."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from hearthkeeper.playbook.rules import Flooding, RepeatedText
from hearthkeeper.text.flooding import FloodWindow
from hearthkeeper.text.repeats import RepeatWindow

T0 = datetime(2026, 5, 1, 9, 0, tzinfo=UTC)


def at(seconds: float) -> datetime:
    return T0 + timedelta(seconds=seconds)


# --- flooding -----------------------------------------------------------------------------------


def test_the_message_after_the_allowed_number_floods() -> None:
    window = FloodWindow(max_messages=3, per=timedelta(seconds=10))
    assert [window.observe("ann", at(s)) for s in (0, 1, 2, 3)] == [False, False, False, True]


def test_messages_spread_over_time_do_not_flood() -> None:
    window = FloodWindow(max_messages=3, per=timedelta(seconds=10))
    assert not any(window.observe("ann", at(s * 4)) for s in range(20))


def test_members_are_counted_separately() -> None:
    window = FloodWindow(max_messages=2, per=timedelta(seconds=10))
    results = [window.observe(member, at(0)) for member in ("ann", "bob", "ann", "bob")]
    assert results == [False, False, False, False]
    assert window.observe("ann", at(1))


def test_flooding_ends_when_the_window_has_passed() -> None:
    window = FloodWindow(max_messages=2, per=timedelta(seconds=10))
    for s in (0, 1, 2):
        window.observe("ann", at(s))
    assert not window.observe("ann", at(12.5))


def test_a_flood_finding_says_the_limit() -> None:
    window = FloodWindow.from_settings(Flooding(max_messages=2, per=timedelta(seconds=5)))
    assert window.finding("ann", at(0)) is None
    assert window.finding("ann", at(1)) is None
    finding = window.finding("ann", at(2))
    assert finding is not None and finding.kind == "flooding"
    assert "more than 2 messages within 5 s" in finding.explanation


def test_silent_members_are_forgotten() -> None:
    window = FloodWindow(max_messages=8, per=timedelta(seconds=10))
    for number in range(20_000):
        window.observe(f"member-{number}", at(number * 0.01))  # 200 s of a 20k-member raid
    assert len(window) <= 1_001  # only the last 10 s of members are remembered


def test_memory_is_capped_even_when_everyone_speaks_at_once() -> None:
    window = FloodWindow(max_messages=8, per=timedelta(seconds=10), max_members=500)
    for number in range(20_000):
        window.observe(f"member-{number}", at(0))
    assert len(window) == 500


def test_invalid_limits_are_refused() -> None:
    with pytest.raises(ValueError, match="positive"):
        FloodWindow(max_messages=0, per=timedelta(seconds=10))


# --- repeated text --------------------------------------------------------------------------------


def test_the_same_text_too_often_in_one_group_is_repeated_text() -> None:
    window = RepeatWindow(max_repeats=3, within=timedelta(minutes=10))
    results = [window.observe("ann", "g1", "加我看看福利", at(s * 60)) for s in range(4)]
    assert results[:3] == [None, None, None]
    finding = results[3]
    assert finding is not None and finding.kind == "repeated_text"
    assert "4 times within 10 min" in finding.explanation


def test_the_same_text_in_several_groups_is_repeated_text() -> None:
    window = RepeatWindow(max_repeats=3, within=timedelta(minutes=10), max_groups=2)
    assert window.observe("ann", "g1", "限时福利快来领取", at(0)) is None
    assert window.observe("ann", "g2", "限时福利快来领取", at(5)) is None
    finding = window.observe("ann", "g3", "限时福利快来领取", at(10))
    assert finding is not None and "3 groups" in finding.explanation


def test_repeats_outside_the_window_do_not_count() -> None:
    window = RepeatWindow.from_settings(RepeatedText(max_repeats=2, within=timedelta(minutes=1)))
    results = [window.observe("ann", "g1", "早上好呀各位", at(s * 45)) for s in range(6)]
    assert results == [None] * 6


def test_short_everyday_replies_are_never_repeated_text() -> None:
    window = RepeatWindow(max_repeats=2, within=timedelta(minutes=10))
    assert all(window.observe("ann", f"g{n}", "收到", at(n)) is None for n in range(10))


def test_different_members_repeating_is_not_one_members_repeat() -> None:
    window = RepeatWindow(max_repeats=2, within=timedelta(minutes=10))
    results = [window.observe(f"m{n}", "g1", "谢谢老师的分享", at(n)) for n in range(10)]
    assert results == [None] * 10


def test_repeat_memory_is_bounded() -> None:
    window = RepeatWindow(max_repeats=3, within=timedelta(minutes=10), max_members=1_000)
    for number in range(20_000):
        window.observe(f"member-{number}", "g1", f"message number {number}", at(number * 0.01))
    assert len(window) == 1_000
    later = RepeatWindow(max_repeats=3, within=timedelta(seconds=1))
    for number in range(20_000):
        later.observe(f"member-{number}", "g1", "some long text", at(number))
    assert len(later) == 1  # everyone silent for a second is forgotten
