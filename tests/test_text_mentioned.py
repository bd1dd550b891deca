"""A message's text without the names of the members it mentions (what the learned scorer
reads): only those names go, wherever they stand; other text, `@handles` included, stays."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from hearthkeeper.text.mentions import without_mentions


def test_the_mentioned_names_are_taken_out() -> None:
    welcome = without_mentions("@武汉-小米-油皮 欢迎新同学！", ["武汉-小米-油皮"])
    assert welcome.strip() == "欢迎新同学！"
    longest = without_mentions("＠Anna 早 @ann", ["Ann", "Anna"])  # "@Anna", not "@Ann" + "a"
    assert longest.split() == ["早"]
    assert without_mentions("Alice: hi", ["Alice"]).split() == [":", "hi"]  # a Matrix pill's body


def test_each_name_is_taken_out_once_as_one_mention_puts_it_there() -> None:
    """A member named like an ad, mentioned, and the ad written again after it: the scorer
    reads the copies (before, every copy went, and `@AD AD AD` read as nothing)."""
    ad = "代购找我"
    assert without_mentions(f"@{ad} {ad} {ad}", [ad]).split() == [ad, ad]
    assert without_mentions(f"{ad} hi", [ad]).split() == ["hi"]  # a pill: the bare name
    assert without_mentions(f"{ad} @{ad}", [ad]).split() == [ad]  # the @-mention first


def test_other_handles_and_words_are_left_as_written() -> None:
    assert without_mentions("telegram @shop_name 低价", ["小米"]) == "telegram @shop_name 低价"
    assert without_mentions("Alice2 and Malice", ["Alice"]) == "Alice2 and Malice"
    assert without_mentions("mail ann@example.com", ["ann"]) == "mail ann@example.com"
    assert without_mentions("mail bob@ann.com", ["ann"]) == "mail bob@ann.com"
    assert without_mentions("hello", []) == "hello"


@given(st.text(max_size=60), st.lists(st.text(max_size=12), max_size=4))
def test_never_adds_text(text: str, names: list[str]) -> None:
    left = without_mentions(text, names)
    assert len(left) <= len(text)
    if not any(n.strip() for n in names):
        assert left == text


@given(st.text(alphabet=st.characters(exclude_characters="@＠"), max_size=40),
       st.text(alphabet=st.characters(categories=["L"]), min_size=1, max_size=12))  # fmt: skip
def test_a_mention_of_the_name_never_survives(text: str, name: str) -> None:
    assert f"@{name}".casefold() not in without_mentions(f"{text} @{name} {text}",
                                                          [name]).casefold()  # fmt: skip
