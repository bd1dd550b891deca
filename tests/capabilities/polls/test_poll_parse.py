"""Reading poll commands and votes: pure, no store."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from hearthkeeper.capabilities.lists_common.reading import Problem
from hearthkeeper.capabilities.polls.parse import PollSpec, named_options, read_poll, read_vote

SHANGHAI = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 5, 1, 9, 0, tzinfo=UTC)  # 17:00 in Shanghai
DAY = timedelta(hours=24)
AT_21 = datetime(2026, 5, 1, 13, 0, tzinfo=UTC)


def test_a_poll_with_flags_in_brackets_and_a_deadline() -> None:
    spec = read_poll(
        "周末活动去哪 | 爬山 | 看展 | 桌游 [多选] [匿名] [截止 21:00]", NOW, SHANGHAI, DAY
    )
    assert spec == PollSpec("周末活动去哪", ("爬山", "看展", "桌游"), True, True, AT_21)


def test_an_english_poll_with_flags_as_segments() -> None:
    spec = read_poll("Where to? | hike | museum | multiple | anonymous | until 21:00",
                     NOW, SHANGHAI, DAY)  # fmt: skip
    assert spec == PollSpec("Where to?", ("hike", "museum"), True, True, AT_21)


def test_options_on_lines_of_their_own_and_defaults() -> None:
    spec = read_poll("周末去哪\n1. 爬山\nB. 看展", NOW, SHANGHAI, DAY)
    assert spec == PollSpec("周末去哪", ("爬山", "看展"), False, None, NOW + DAY)
    named = read_poll("谁 | 甲 | 乙 | 实名", NOW, SHANGHAI, DAY)
    assert isinstance(named, PollSpec) and named.anonymous is False


@pytest.mark.parametrize(("text", "key"), [
    ("", "no_question"), ("多选", "no_question"), ("q | a", "few_options"),
    ("q | a | A", "duplicate_option"), ("q | a | b | until someday", "bad_deadline"),
    ("q | a | b | 截止 2020-01-01 10:00", "past_deadline"),
    ("q | a | b | 截止 9999-12-31 23:59", "bad_deadline"),
    ("q | " + " | ".join(f"o{i}" for i in range(21)), "many_options"),
])  # fmt: skip
def test_unreadable_polls_say_what_is_wrong(text: str, key: str) -> None:
    problem = read_poll(text, NOW, SHANGHAI, DAY)
    assert isinstance(problem, Problem) and problem.key == key


@pytest.mark.parametrize(("text", "expected"), [
    ("1", (0,)), ("A", (0,)), ("b", (1,)), ("1 3", (0, 2)), ("1,3", (0, 2)), ("1、3", (0, 2)),
    ("AC", (0, 2)), ("a c", (0, 2)), ("选2", (1,)), ("我选B", (1,)), ("vote 2", (1,)),
    ("1.", (0,)), ("１", (0,)), ("13", (12,)), ("3 3", (2,)),
    ("ac", None), ("ok", None), ("2026", None), ("hello", None), ("0", None), ("1 and more", None),
    ("+1", None), ("-1", None),
])  # fmt: skip
def test_votes(text: str, expected: tuple[int, ...] | None) -> None:
    assert read_vote(text) == expected


@given(st.text(max_size=40))
def test_any_text_is_a_vote_or_not_never_raises(text: str) -> None:
    votes = read_vote(text)
    assert votes is None or (votes and all(v >= 0 for v in votes))


def test_a_poll_is_read_without_hidden_characters() -> None:
    """A question or option typed with a right-to-left override was kept as typed: the poll
    every member reads (and its results) showed a reversed line."""
    spec = read_poll("\u202e去哪 | 爬山\u200b | 看\u2066展\u2069", NOW, SHANGHAI, DAY)
    assert isinstance(spec, PollSpec)
    assert (spec.question, spec.options) == ("去哪", ("爬山", "看展"))


def test_a_deadline_written_before_the_question_says_the_question_comes_first() -> None:
    """`/poll 截止 21:00 | 甲 | 乙` was answered 'give at least two options' (甲 was taken
    for the question): what was wrong is where the deadline went."""
    assert read_poll("截止 21:00 | 甲 | 乙", NOW, SHANGHAI, DAY) == Problem("question_first")
    assert read_poll("until 21:00 | a | b", NOW, SHANGHAI, DAY) == Problem("question_first")
    spec = read_poll("截止 21:00 | 去哪 | 甲 | 乙", NOW, SHANGHAI, DAY)
    assert spec == PollSpec("去哪", ("甲", "乙"), False, None, AT_21)


@pytest.mark.parametrize(("text", "question", "options"), [
    ("交表方式 | 周五截止 | 当天交", "交表方式", ("周五截止", "当天交")),
    ("哪天截止报名 | 周五 | 周六", "哪天截止报名", ("周五", "周六")),
    ("截止时间定在哪天 | 周五 | 周六", "截止时间定在哪天", ("周五", "周六")),
    ("How long? | stay until late | leave early", "How long?", ("stay until late", "leave early")),
])  # fmt: skip
def test_deadline_words_inside_a_question_or_option_are_its_text(
    text: str, question: str, options: tuple[str, ...]
) -> None:
    """An option holding 截止 was read as the deadline: `周五截止` became a poll with an
    unreadable deadline, `哪天截止报名` a question `哪天` closing at `报名`."""
    spec = read_poll(text, NOW, SHANGHAI, DAY)
    assert spec == PollSpec(question, options, False, None, NOW + DAY)


@pytest.mark.parametrize("text", [
    "去哪 | 爬山 | 看展 | 截止 21:00", "去哪 | 爬山 | 看展 | [截止 21:00]",
    "去哪 | 爬山 | 看展 【截止：21:00】", "去哪 | 爬山 | 看展 截止 21:00",
    "去哪 | 爬山 | 看展 截止21:00", "去哪\n爬山\n看展\n截止 21点",
])  # fmt: skip
def test_the_deadline_as_its_own_part_in_brackets_or_ending_the_last(text: str) -> None:
    assert read_poll(text, NOW, SHANGHAI, DAY) == PollSpec("去哪", ("爬山", "看展"), False, None,
                                                         AT_21)  # fmt: skip


def test_a_part_starting_with_a_deadline_word_is_the_deadline_even_unreadable() -> None:
    assert read_poll("交表 | 当天交 | 截止前交表", NOW, SHANGHAI, DAY) == Problem(
        "bad_deadline", "前交表"
    )


@pytest.mark.parametrize(("text", "options", "expected"), [
    ("A", ("B", "A", "C"), (1,)), ("a", ("B", "A", "C"), (1,)), ("选A", ("B", "A", "C"), (1,)),
    ("A C", ("B", "A", "C"), (1, 2)), ("AC", ("B", "A", "C"), (1, 2)),
    ("1", ("3", "1", "2"), (1,)), ("A", ("爬山", "看展"), None), ("1", ("B", "A"), None),
    ("A D", ("B", "A", "C"), None),
])  # fmt: skip
def test_a_reply_naming_an_option_by_its_text(
    text: str, options: tuple[str, ...], expected: tuple[int, ...] | None
) -> None:
    assert named_options(text, options) == expected


# Each of these took minutes or hours before (the regular expressions backtracked over every
# space: 4,000 spaces in a `/poll` took 0.2 s); read in one pass, they are read at once.
PADDING = " " * 200_000


def test_a_poll_padded_with_spaces_is_read_as_written() -> None:
    spec = read_poll(
        "周末去哪" + PADDING + "| 爬山 | 看展" + PADDING + "[多选]", NOW, SHANGHAI, DAY
    )
    assert spec == PollSpec("周末去哪", ("爬山", "看展"), True, None, NOW + DAY)


def test_a_flag_said_many_times_is_read_once() -> None:
    spec = read_poll("周末去哪 " + "匿名 " * 60_000 + "| 爬山 | 看展", NOW, SHANGHAI, DAY)
    assert spec == PollSpec("周末去哪", ("爬山", "看展"), False, True, NOW + DAY)


def test_a_deadline_padded_with_spaces_is_read() -> None:
    ends = read_poll("周末去哪 | 爬山 | 看展 | 截止" + PADDING + "21:00", NOW, SHANGHAI, DAY)
    assert ends == PollSpec("周末去哪", ("爬山", "看展"), False, None, AT_21)
    bracketed = read_poll("周末去哪 | 爬山 | 看展 [截止" + PADDING + "21:00]", NOW, SHANGHAI, DAY)
    assert bracketed == PollSpec("周末去哪", ("爬山", "看展"), False, None, AT_21)


def test_a_vote_padded_with_spaces_names_its_options() -> None:
    assert named_options("A" + PADDING + "B", ["A", "B", "C"]) == (0, 1)
    assert named_options("1" + PADDING + "x", ["A", "B"]) is None
