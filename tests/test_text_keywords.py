"""Keyword sets: found through every disguise, but never inside another word."""

from __future__ import annotations

import pytest

from hearthkeeper.capabilities.moderation.decide import explain
from hearthkeeper.text import keywords
from hearthkeeper.text.keywords import KeywordDetector, KeywordSet
from hearthkeeper.text.normalise import prepare

ADS = KeywordSet(
    [
        ("加微信", "advertising"),
        ("刷单", "advertising"),
        ("dm me for", "advertising"),
        ("earn money fast", "advertising"),
        ("sb", "insults"),
        ("vx", "contact"),
    ]
)


def keywords_in(text: str) -> list[str]:
    return [match.keyword for match in ADS.find(prepare(text))]


@pytest.mark.parametrize(
    "text",
    [
        "加微信领红包",
        "加\u200b微\u200b信",  # zero-width inside the keyword
        "加 微 信",
        "加.微.信",
        "加**微**信",  # markdown split
        "加😊微😊信",  # emoji between the characters
        "%E5%8A%A0%E5%BE%AE%E4%BF%A1",  # URL-encoded
        "ＯＫ！加微信！ＯＫ",  # full-width around it
    ],
)
def test_a_chinese_keyword_is_found_through_disguises(text: str) -> None:
    assert "加微信" in keywords_in(text)


@pytest.mark.parametrize(
    "text",
    [
        "Earn money fast!",
        "еаrn mоnеy fаst",  # Cyrillic look-alikes
        "e a r n  m o n e y  f a s t",
        "e-a-r-n m.o.n.e.y f_a_s_t",
        "ｅａｒｎ ｍｏｎｅｙ ｆａｓｔ",
        "𝐞𝐚𝐫𝐧 𝐦𝐨𝐧𝐞𝐲 𝐟𝐚𝐬𝐭",
        "`earn` **money** fast",
        "earnmoneyfast",
    ],
)
def test_an_english_phrase_is_found_through_disguises(text: str) -> None:
    assert "earn money fast" in keywords_in(text)


def test_a_traditional_message_matches_a_simplified_keyword_and_back() -> None:
    assert keywords_in("刷單返傭") == ["刷单"]
    traditional = KeywordSet([("刷單", "advertising")])
    assert [m.keyword for m in traditional.find(prepare("刷单返佣"))] == ["刷單"]


@pytest.mark.parametrize(
    "text", ["I live in Lisbon", "this is bad", "his boss", "vx600x laptop", "scarbed", "lisb"]
)
def test_an_english_keyword_never_matches_inside_another_word(text: str) -> None:
    assert keywords_in(text) == []


@pytest.mark.parametrize("text", ["你是sb吗", "s.b", "SB!", "s b", "sb"])
def test_an_english_keyword_matches_at_word_edges(text: str) -> None:
    assert keywords_in(text) == ["sb"]


def test_the_match_is_reported_as_written_after_normalisation() -> None:
    (match,) = ADS.find(prepare("请 加 微 信 谢谢"))
    assert (match.keyword, match.label, match.matched) == ("加微信", "advertising", "加 微 信")


def test_staff_read_the_keyword_once_and_by_name_only_where_the_text_hides_it() -> None:
    """Staff read "matched 'dm me for' (advertising keyword 'dm me for' in 'dm me for')":
    the words three times, the rule twice. The keyword is named only where the text matched
    is not it; the words are as the member wrote them, in the message around them."""
    detector = KeywordDetector("advertising", ["dm me for", "加微信"])
    message = prepare("Hi all, DM me for prices")
    (plain,) = detector(message)
    assert explain([plain]) == "advertising: 'dm me for' (keyword)"
    assert explain([plain], message) == (
        "advertising: 'DM me for' (keyword) — in \"Hi all, DM me for prices\""
    )
    (hidden,) = detector(prepare("请 加 微 信"))
    assert explain([hidden]) == "advertising: '加 微 信' (keyword '加微信')"
    # the message is nothing but the words: nothing more to show
    alone = prepare("DM me for")
    assert explain(detector(alone), alone) == "advertising: 'DM me for' (keyword)"


def test_a_keyword_with_a_numeral_is_found_either_way_and_reported_as_written() -> None:
    detector = KeywordDetector("advertising", ["一站式服务", "24小时营业"])
    (word,) = detector(prepare("婚礼一站式服务"))
    # staff read the words as the member wrote them, not "1站式服务"
    assert (word.matched, word.explanation) == ("一站式服务", "keyword")
    (digits,) = detector(prepare("本店1站式服务"))
    assert digits.matched == "1站式服务"
    (hours,) = detector(prepare("24小时营业"))
    assert hours.matched == "24小时营业"


def test_a_keyword_inside_a_longer_keyword_is_reported_once() -> None:
    invites = KeywordSet([("进群", "invites"), ("拉你进群", "invites")])
    assert [m.keyword for m in invites.find(prepare("拉你进群吧"))] == ["拉你进群"]


def test_a_keyword_found_twice_is_reported_twice() -> None:
    assert keywords_in("刷单 刷单") == ["刷单", "刷单"]


def test_empty_and_separator_only_keywords_are_ignored() -> None:
    assert len(KeywordSet([("!!!", "x"), (" ", "x"), ("ok", "x")])) == 1
    assert list(KeywordSet([]).find(prepare("anything"))) == []


@pytest.mark.parametrize(
    "ordinary", ["我已经在群里问过客服了", "微信支付很方便", "单刷副本", "Earning money slowly"]
)
def test_ordinary_chat_matches_nothing(ordinary: str) -> None:
    assert keywords_in(ordinary) == []


def test_a_keyword_detector_explains_its_finding() -> None:
    detector = KeywordDetector("advertising", ["加微信"])
    (finding,) = detector(prepare("加 微 信"))
    assert finding.kind == "advertising"
    assert finding.matched == "加 微 信"
    assert finding.explanation == "keyword '加微信'"  # the match is `matched`, the rule `kind`


def test_a_set_built_again_finds_the_same_without_normalising_its_keywords_again(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Every engine started and every playbook applied builds its keyword sets again;
    normalising the keywords was most of that, and a keyword's matching form never changes,
    so it is worked out once per process."""
    words = [("加 微 信", "advertising"), ("Earn Money Fast", "advertising"), ("sb", "insults")]
    first = KeywordSet(words)

    def normalised_again(text: str, **options: bool) -> str:
        raise AssertionError(f"{text!r} normalised again")

    monkeypatch.setattr(keywords, "normalise", normalised_again)
    again = KeywordSet(words)
    text = prepare("加**微**信 earn-money-fast 你sb")
    assert [m.keyword for m in again.find(text)] == [m.keyword for m in first.find(text)]
    assert [m.keyword for m in again.find(text)] == ["加 微 信", "Earn Money Fast", "sb"]
