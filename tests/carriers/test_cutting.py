"""The one place every carrier cuts a bot text longer than one message of its platform: each
part within the limit as the platform counts, ending at a paragraph's, line's, sentence's or
word's end when there is one, never inside an emoji, a flag or a letter with its accents,
and the parts, joined with the whitespace dropped at the cuts, the text."""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hearthkeeper.carriers.cutting import (
    cut,
    cut_fitting,
    last_boundary,
    part_key,
    resumed,
    spans,
)


def utf16(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def utf8(text: str) -> int:
    return len(text.encode("utf-8"))


# What chat text is made of; the clusters are what a reader sees as one character.
CLUSTERS = [
    "👍🏽",  # a thumb with its skin tone
    "👨\u200d👩\u200d👧\u200d👦",  # a family joined by ZWJ: 7 code points, 11 UTF-16 units
    "🇨🇳",  # a flag: two regional indicators
    "🏴\U000e0067\U000e0062\U000e0073\U000e0063\U000e0074\U000e007f",  # Scotland: tags
    "e\u0301",  # é written with its accent apart
    "1\ufe0f\u20e3",  # a keycap
    "क्ष",  # a Devanagari conjunct
    "\u1100\u1161\u11a8",  # 각 in jamo
    "\r\n",
]
PIECES = [*CLUSTERS, "护肤", "防晒", "Hello", "world", "a", "。", "！", "？", ".", "!", "?",
          "，", "、", " ", " ", "\n", "\n\n", "\t", "”", "」", "😀", "\u3000"]  # fmt: skip


def rejoined(text: str, parts: list[str]) -> list[tuple[int, int]]:
    """Where each part lies in `text`, asserting the text is the parts in order with only
    whitespace between them (and before the first, after the last: dropped at a cut)."""
    pattern = r"\s*" + r"\s*".join(f"({re.escape(part)})" for part in parts) + r"\s*"
    found = re.fullmatch(pattern, text, re.DOTALL)
    assert found is not None, (text, parts)
    return [found.span(n + 1) for n in range(len(parts))]


def torn(text: str, spans: list[tuple[int, int]], clusters: list[tuple[int, int]]) -> list[int]:
    """The cuts (a part's start or end) that fall inside one of `clusters`."""
    cuts = [at for span in spans for at in span]
    return [at for at in cuts for start, stop in clusters if start < at < stop]


@st.composite
def chat_texts(draw: st.DrawFn) -> tuple[str, list[tuple[int, int]]]:
    """A text of chat pieces, and where its multi-character clusters lie."""
    pieces = draw(st.lists(st.sampled_from(PIECES), max_size=400))
    text, clusters = "", []
    for piece in pieces:
        if piece in CLUSTERS:
            clusters.append((len(text), len(text) + len(piece)))
        text += piece
    return text, clusters


@given(chat_texts(), st.integers(min_value=11, max_value=300),
       st.sampled_from([len, utf16, utf8]), st.booleans())  # fmt: skip
@settings(max_examples=400, deadline=None)
def test_the_parts_are_the_text_within_the_limit_and_tear_no_cluster(
    drawn: tuple[str, list[tuple[int, int]]], limit: int, length: object, markdown: bool
) -> None:
    text, clusters = drawn
    measure = length if callable(length) else len
    if any(measure(text[a:b]) > limit for a, b in clusters):
        limit = max(measure(text[a:b]) for a, b in clusters)
    parts = cut(text, limit, measure, markdown=markdown)
    assert [p for p in parts if measure(p) > limit] == []
    spans = rejoined(text, parts)
    assert torn(text, spans, clusters) == []
    if len(parts) > 1:
        assert all(part.strip() for part in parts)
        assert all(part == part.rstrip() for part in parts[:-1])  # its cut's whitespace dropped


@given(st.text(max_size=600), st.integers(min_value=1, max_value=120))
@settings(max_examples=400, deadline=None)
def test_any_text_comes_back_whole_in_parts_within_the_limit(text: str, limit: int) -> None:
    parts = cut(text, limit)
    assert [p for p in parts if len(p) > limit] == []
    rejoined(text, parts)


def test_a_text_that_fits_is_sent_as_it_is() -> None:
    assert cut("  护肤\n\n 心得  ", 20) == ["  护肤\n\n 心得  "]
    assert cut("", 5) == [""]


def test_a_paragraphs_end_comes_first_then_a_lines() -> None:
    text = "第一段第一行\n第一段第二行\n\n第二段第一行\n第二段第二行"
    assert cut(text, 20) == ["第一段第一行\n第一段第二行", "第二段第一行\n第二段第二行"]
    assert cut("第一行很长很长\n第二行\n第三行", 12) == ["第一行很长很长\n第二行", "第三行"]


def test_an_early_paragraph_end_gives_way_to_a_later_sentence_end() -> None:
    """A paragraph's end in the first half of what fits would make a part a fraction of a
    message: a sentence's end in the second half is taken instead."""
    text = "你好！\n\n" + "早晚洗脸后涂防晒。" * 5
    assert cut(text, 30) == ["你好！\n\n" + "早晚洗脸后涂防晒。" * 2, "早晚洗脸后涂防晒。" * 3]
    assert cut("你好！\n\n" + "早晚洗脸后涂防晒" * 5, 30)[0] == "你好！"  # no sentence ends


def test_a_chinese_paragraph_is_cut_after_a_sentence_with_its_closing_quote() -> None:
    text = "院长说：「防晒要涂够。」大家记住！然后每天打卡，坚持一百天？好的。"
    assert cut(text, 17) == [
        "院长说：「防晒要涂够。」大家记住！",
        "然后每天打卡，坚持一百天？好的。",
    ]
    assert cut(text, 13)[0] == "院长说：「防晒要涂够。」"


def test_an_english_sentence_ends_before_a_space_only() -> None:
    text = "See example.com/?a=1 first. Then wait! It works"
    assert cut(text, 30) == ["See example.com/?a=1 first.", "Then wait! It works"]


def test_without_a_sentence_end_a_word_or_a_chinese_comma_ends_the_part() -> None:
    assert cut("one two three four five", 12) == ["one two", "three four", "five"]
    assert cut("早晚洗脸，涂防晒，多喝水，早点睡", 7) == [
        "早晚洗脸，",
        "涂防晒，",
        "多喝水，早点睡",
    ]


def test_an_emoji_with_its_skin_tone_is_never_torn_at_the_limit() -> None:
    """Cut at the limit alone, a thumb lost its skin tone to the next message (and in UTF-16
    a measure counting pairs could have cut a surrogate pair: a part Telegram refuses)."""
    text = "赞" * 9 + "👍🏽" + "赞" * 9
    parts = cut(text, 10)
    assert parts == ["赞" * 9, "👍🏽" + "赞" * 8, "赞"]
    family = "👨\u200d👩\u200d👧\u200d👦"
    assert cut("ab" + family + "cd", 13, utf16) == ["ab" + family, "cd"]
    assert cut("ab" + family + "cd", 12, utf16) == ["ab", family + "c", "d"]
    assert cut("🇨🇳🇯🇵🇺🇸", 3) == ["🇨🇳", "🇯🇵", "🇺🇸"]
    assert cut("caf" + "e\u0301" + "s", 4) == ["caf", "e\u0301s"]


def test_a_single_cluster_longer_than_a_message_is_cut_rather_than_lost() -> None:
    zalgo = "a" + "\u0301" * 10
    parts = cut(zalgo, 4)
    assert "".join(parts) == zalgo and all(len(p) <= 4 for p in parts)


def test_markdown_is_not_cut_inside_a_code_block_when_it_need_not_be() -> None:
    code = "```\nline one\n\nline two\n```"
    text = "Intro text here.\n\n" + code + "\n\nAfter."
    assert cut(text, 40, markdown=True) == ["Intro text here.", code + "\n\nAfter."]
    assert cut(text, 40) == ["Intro text here.\n\n```\nline one", "line two\n```\n\nAfter."]


def test_a_measure_with_more_than_one_limit_is_honoured() -> None:
    """Matrix counts characters and the event's bytes: Chinese fills the bytes first."""
    text = "护肤心得。" * 10
    parts = cut_fitting(text, lambda p: len(p) <= 30 and utf8(p) <= 45, 30)
    assert parts == ["护肤心得。" * 3] * 3 + ["护肤心得。"]


def test_the_last_boundary_is_between_clusters() -> None:
    assert last_boundary("ab👍🏽c", 3) == 2
    assert last_boundary("ab👍🏽c", 4) == 4


def test_each_part_has_its_own_key_within_the_outbox_keys_column() -> None:
    assert part_key("welcome:7", 0) == "welcome:7"
    assert [part_key("welcome:7", n) for n in (1, 2)] == ["welcome:7:part2", "welcome:7:part3"]
    long = "k" * 200
    keys = {part_key(long, n) for n in range(1, 50)}
    assert len(keys) == 49 and all(len(key) <= 200 for key in keys)


@given(chat_texts(), st.integers(min_value=11, max_value=120),
       st.integers(min_value=11, max_value=120), st.data())  # fmt: skip
@settings(max_examples=300, deadline=None)
def test_the_rest_after_a_part_cut_one_way_is_the_text_cut_another_way(
    drawn: tuple[str, list[tuple[int, int]]], before: int, after: int, data: st.DataObject
) -> None:
    """Parts sent under one limit, the rest cut under another (an upgrade, another
    `max_text`) from where the last part sent ended: together they are the text, once."""
    text, _ = drawn
    first = spans(text, lambda part: len(part) <= before, before)
    went = data.draw(st.integers(min_value=1, max_value=len(first)))
    rest = spans(text, lambda part: len(part) <= after, after,
                 start=resumed(text, first[went - 1][1]))  # fmt: skip
    parts = [text[a:b] for a, b in [*first[:went], *rest]]
    assert all(len(part) <= max(before, after) for part in parts)
    assert re.sub(r"\s", "", "".join(parts)) == re.sub(r"\s", "", text)
    rejoined(text, parts)  # in order, nothing twice, only whitespace between


def test_a_cluster_that_fits_only_without_the_whitespace_before_it_is_not_torn() -> None:
    """A family emoji (11 UTF-16 units) after a space, at a limit of 11: the part ended inside
    the family, and its last member started the next message."""
    family = CLUSTERS[1]
    assert cut(" " + family, 11, utf16) == [family]
    assert cut("护肤\n " + family, 11, utf16) == ["护肤", family]


@pytest.mark.timeout(60)  # a guard: the cut takes well under a second; it took hours
def test_a_long_run_of_dots_is_cut_in_a_moment() -> None:
    # every place in a run of `.!?` was tried as a sentence's end, each try running to the
    # run's end: 20,000 dots took 1.3 s a carrier (the event loop's), these would take hours
    dots = "." * 400_000
    assert cut(dots, 200_000) == ["." * 200_000, "." * 200_000]
    assert cut("Wait" + "!" * 300_000 + " then go", 300_010) == ["Wait" + "!" * 300_000, "then go"]
