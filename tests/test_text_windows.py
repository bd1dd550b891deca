"""Flooding and repeated text: judged over time, with the time passed in and memory bounded."""

from __future__ import annotations

import random
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


# --- the windows' edges: an entry exactly a window old, the clock going back, many members ------


def test_a_message_exactly_a_window_old_no_longer_counts() -> None:
    window = FloodWindow(max_messages=2, per=timedelta(seconds=10))
    window.observe("ann", at(0))
    window.observe("ann", at(0))
    assert window.observe("ann", at(9.999))  # both still within the 10 s
    flood = FloodWindow(max_messages=2, per=timedelta(seconds=10))
    flood.observe("ann", at(0))
    flood.observe("ann", at(0))
    assert not flood.observe("ann", at(10))  # exactly 10 s old: out
    repeat = RepeatWindow(max_repeats=1, within=timedelta(seconds=60))
    assert repeat.observe("ann", "g1", "加我看看福利", at(0)) is None
    assert repeat.observe("bob", "g1", "加我看看福利", at(60)) is None
    assert len(repeat) == 1  # ann, silent exactly 60 s, is forgotten
    assert repeat.observe("ann", "g1", "加我看看福利", at(60)) is None


def test_a_member_is_remembered_by_their_latest_post_when_the_clock_goes_back() -> None:
    window = RepeatWindow(max_repeats=1, within=timedelta(seconds=60))
    assert window.observe("ann", "g1", "限时福利快来领取", at(100)) is None
    assert window.observe("ann", "g1", "今天的面膜不错", at(50)) is None  # the clock went back
    assert window.observe("bob", "g1", "大家早上好呀", at(115)) is None
    # ann's latest post (100 s) is within 60 s of 115 s: she is still remembered
    finding = window.observe("ann", "g1", "限时福利快来领取", at(120))
    assert finding is not None and "2 times" in finding.explanation


def test_a_member_whose_latest_text_was_dropped_is_forgotten_by_the_rest() -> None:
    window = RepeatWindow(max_repeats=1, within=timedelta(seconds=60))
    assert window.observe("ann", "g1", "the very first text", at(100)) is None
    for n in range(16):  # the clock went back; 16 newer texts push the first out
        assert window.observe("ann", "g1", f"older text number {n}", at(10 + n)) is None
    assert window.observe("bob", "g1", "大家早上好呀", at(90)) is None
    assert len(window) == 1  # ann's latest kept post is 25 s, 65 s before: forgotten
    assert window.observe("ann", "g1", "older text number 15", at(26)) is None


def _from_first_within(times: list[datetime], cutoff: datetime) -> list[datetime]:
    """The times from the first one after `cutoff` on (those before it, in arrival order, go)."""
    for index, time in enumerate(times):
        if time > cutoff:
            return times[index:]
    return []


class _PlainFlood:
    """FloodWindow's rules read plainly: the least recently active members are looked at first."""

    def __init__(self, max_messages: int, per: timedelta, max_members: int) -> None:
        self.max_messages, self.per, self.max_members = max_messages, per, max_members
        self.times: dict[str, list[datetime]] = {}

    def observe(self, member: str, now: datetime) -> bool:
        cutoff = now - self.per
        for name in list(self.times):
            if self.times[name][-1] > cutoff:
                break
            del self.times[name]
        times = self.times.pop(member, [])
        self.times[member] = _from_first_within([*times, now][-(self.max_messages + 1) :], cutoff)
        while len(self.times) > self.max_members:
            del self.times[next(iter(self.times))]
        return len(self.times[member]) > self.max_messages


class _PlainRepeat:
    """RepeatWindow's rules read plainly: a member's latest post is looked up in all their texts."""

    def __init__(self, max_repeats: int, within: timedelta, max_members: int) -> None:
        self.max_repeats, self.within, self.max_members = max_repeats, within, max_members
        self.posts: dict[str, dict[str, list[tuple[datetime, str]]]] = {}

    def observe(self, member: str, group: str, text: str, now: datetime) -> int | None:
        cutoff = now - self.within
        for name in list(self.posts):
            if max(posts[-1][0] for posts in self.posts[name].values()) > cutoff:
                break
            del self.posts[name]
        if len(text) < 4:
            return None
        texts = self.posts.pop(member, {})
        self.posts[member] = texts
        while len(self.posts) > self.max_members:
            del self.posts[next(iter(self.posts))]
        posts = [*texts.pop(text, []), (now, group)][-(max(self.max_repeats, 2) + 1) :]
        kept = _from_first_within([t for t, _ in posts], cutoff)
        texts[text] = posts[len(posts) - len(kept) :]
        while len(texts) > 16:
            del texts[next(iter(texts))]
        count = len(texts[text])
        groups = len({g for _, g in texts[text]})
        return count if count > self.max_repeats or groups > 2 else None


def test_many_members_with_the_clock_jumping_are_judged_as_the_plain_rules_judge() -> None:
    rng = random.Random(18)
    for _ in range(20):
        per = timedelta(seconds=rng.choice((5, 10, 30)))
        max_members = rng.choice((3, 50, 100_000))
        flood = FloodWindow(max_messages=3, per=per, max_members=max_members)
        repeat = RepeatWindow(max_repeats=2, within=per, max_members=max_members)
        plain_flood = _PlainFlood(3, per, max_members)
        plain_repeat = _PlainRepeat(2, per, max_members)
        second = 0
        for _ in range(2_000):
            # whole seconds, so posts exactly a window old are common; now and then back
            second = max(0, second + rng.choice((0, 0, 1, 1, 2, 7, -3, -12)))
            member = f"m{rng.randrange(rng.choice((4, 40, 400)))}"
            group = f"g{rng.randrange(4)}"
            text = rng.choice(("早上好", "加我看看福利", "限时福利快来领取", "see you", "好的"))
            text = text if rng.random() < 0.7 else f"{text} {rng.randrange(30)}"
            now = at(second)
            assert flood.observe(member, now) == plain_flood.observe(member, now)
            found = repeat.observe(member, group, text, now)
            expected = plain_repeat.observe(member, group, text, now)
            assert (found is not None) == (expected is not None)
            assert len(flood) == len(plain_flood.times)
            assert len(repeat) == len(plain_repeat.posts)
