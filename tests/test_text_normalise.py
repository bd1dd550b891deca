"""Normalisation: the disguises members use are undone before any rule reads a message."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hearthkeeper.text.normalise import compact, compact_positions, normalise, prepare
from hearthkeeper.text.tables import INVISIBLE

ZW = "\u200b"


@pytest.mark.parametrize(
    ("written", "read"),
    [
        (f"加{ZW}微\u200d信", "加微信"),  # zero-width space and joiner
        ("\u2066加微信\u2069", "加微信"),  # bidi isolates
        ("加\u202e微信\u202c", "加微信"),  # bidi override
        ("сrурtо giveаwаy", "crypto giveaway"),  # Cyrillic look-alikes
        ("DΜ mе fοr", "dm me for"),  # Greek and Cyrillic capitals and small letters
        ("ＦＲＥＥ ｆｏｌｌｏｗｅｒｓ", "free followers"),  # full-width
        ("𝐟𝐫𝐞𝐞 𝓯𝓸𝓵𝓵𝓸𝔀𝓮𝓻𝓼", "free followers"),  # mathematical alphanumerics
        ("ꜰʀᴇᴇ 🅵🆁🅴🅴 ⓕⓡⓔⓔ", "free free free"),  # small capitals, negative squared, circled
        ("f̸r̸e̸e̸ café", "free cafe"),  # combining marks and accents
        ("加薇信領取優惠", "加薇信领取优惠"),  # traditional → simplified
        ("%E5%8A%A0%E5%BE%AE%E4%BF%A1", "加微信"),  # URL-encoded
        ("%25E5%258A%25A0", "加"),  # URL-encoded twice
        ("earn%20money%20fast", "earn money fast"),
        ("加**微**信", "加微信"),  # markdown emphasis
        ("~~刷~~单 ||博彩|| `code` __dm__", "刷单 博彩 code dm"),
        ("[点这里](https://x.example/a_b)", "点这里 https://x.example/a_b)"),  # link keeps both
        ("example[.]com example[dot]com", "example.com example.com"),  # defanged links
        ("一三八①③⑧❶２³", "138138123"),  # Chinese, circled, dingbat, full-width, superscript
        ("壹贰叁 幺三八 ⓫", "123 138 11"),
        ("1️⃣3️⃣8️⃣", "138"),  # keycap emoji
        ("wx_id_123 加_微_信 __init__", "wx_id_123 加微信 init"),  # underscores only inside ids
        ("  Hello\n\tWORLD  ", "hello world"),
    ],
)
def test_disguises_are_undone(written: str, read: str) -> None:
    assert normalise(written) == read


@pytest.mark.parametrize(
    "ordinary",
    ["我已经在群里问过客服了", "i live in lisbon", "¥199", "2024年1月3日", "50%好评", "100% sure"],
)
def test_ordinary_text_is_left_as_it_reads(ordinary: str) -> None:
    assert normalise(ordinary) == ordinary


@pytest.mark.parametrize(
    "written",
    ["加 微 信", "加.微.信", "加-微-信", "加😊微😊信", "加，微，信", "加/微/信", "加*微*信"],
)
def test_compact_drops_separators_between_characters(written: str) -> None:
    assert compact(normalise(written)) == "加微信"


@pytest.mark.parametrize("written", ["w.e.i.x.i.n", "w e i x i n", "W_E_I_X_I_N", "w-e-i-x-i-n"])
def test_compact_reads_spaced_letters_as_one_word(written: str) -> None:
    assert compact(normalise(written)) == "weixin"


def test_a_compact_match_maps_back_to_what_was_written() -> None:
    message = prepare("请 加 微 信 谢谢")
    start = message.compact.index("加微信")
    assert message.shown(start, start + 3) == "加 微 信"
    assert message.span(start, start + 3) == (2, 7)


@pytest.mark.parametrize(
    ("written", "words", "normalised"),
    [
        ("二手空调，市区一口价", "二手空调,市区一口价", "2手空调,市区1口价"),
        ("電話：幺三八 壹贰叁", "电话:幺三八 壹贰叁", "电话:138 123"),
        ("％E4％B8％80起去", "一起去", "1起去"),  # a numeral URL-encoded, full-width percent
        ("Ｗｅｉｘｉｎ ①②", "weixin 12", "weixin 12"),  # circled digits are no words
    ],
)
def test_the_words_form_keeps_chinese_numerals_as_written(
    written: str, words: str, normalised: str
) -> None:
    message = prepare(written)
    assert message.words == words
    assert message.normalised == normalised


def test_an_unstable_encoding_stops_after_a_few_rounds() -> None:
    nested = "%" + "25" * 10 + "41"
    result = normalise(nested)
    assert normalise(result) == result
    assert "%" not in result


# --- properties -------------------------------------------------------------------------------

any_text = st.text(st.characters(exclude_categories=()), max_size=60)  # surrogates included
tricky = st.text(
    st.sampled_from(
        list("%25aAfF0189*_~|[]()<> .\u200b\u202e\ufe0f乾燥後一二가e\u0301ǰİßΣς㊀①❶ｅ％а薴")
    ),
    max_size=30,
)


@settings(max_examples=400, suppress_health_check=[HealthCheck.too_slow])
@given(st.one_of(any_text, tricky))
def test_normalise_is_idempotent(text: str) -> None:
    once = normalise(text)
    assert normalise(once) == once


@settings(max_examples=400)
@given(any_text)
def test_normalise_never_fails_and_leaves_nothing_invisible(text: str) -> None:
    result = normalise(text)
    assert INVISIBLE.search(result) is None
    assert result == result.strip()
    result.encode("utf-8")  # no lone surrogates left


@settings(max_examples=300)
@given(st.one_of(any_text, tricky))
def test_compact_positions_match_the_compact_form(text: str) -> None:
    normalised = normalise(text)
    positions = compact_positions(normalised)
    assert "".join(normalised[i] for i in positions) == compact(normalised)


def test_a_piece_of_the_normalised_text_reads_with_its_numerals_as_written() -> None:
    text = prepare("二手空调，市区一口价 一三八 0000")
    assert text.as_written("1口价") == "一口价"
    assert text.as_written("1380000") == "一三八0000"  # read across a space, as the compact form
    assert text.as_written("空调") == "空调"
    assert text.as_written("999") == "999"  # not in the message: as it is


def test_a_long_message_is_read_back_span_by_span_without_reading_it_again(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # The contact rule asks where each of a message's hits was written: each asking read the
    # whole message again, so a Matrix message of 20,000 characters holding 加微信 7,000 times
    # held the engine for a minute (60,000: 47 s in `hearth moderate --evaluate`)
    from hearthkeeper.playbook.rules import Rules
    from hearthkeeper.text import Scanner, is_advertising
    from hearthkeeper.text import normalise as module

    read: list[str] = []
    original = module.compact_positions

    def counted(normalised: str) -> list[int]:
        read.append(normalised)
        return original(normalised)

    monkeypatch.setattr(module, "compact_positions", counted)
    message = prepare("加微信 " * 2000 + "abc12345")
    assert message.shown(0, 3) == "加微信"
    assert message.shown(3 * 1999, 3 * 2000) == "加微信"
    assert is_advertising(Scanner.from_rules(Rules(), scorer=None).scan(message))
    assert len(read) == 1
