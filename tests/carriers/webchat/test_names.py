"""Nicknames members type and the "@nickname" mentions in their messages (with property
tests: both take arbitrary user text)."""

from __future__ import annotations

import unicodedata

import pytest
from hypothesis import given
from hypothesis import strategies as st

from hearthkeeper.carriers.webchat.names import (
    BadNickname,
    clean_nickname,
    find_mentions,
    nickname_clash,
)

BOT = "Hearthkeeper"


@pytest.mark.parametrize(
    ("raw", "kept"),
    [
        ("  小美  ", "小美"),
        ("Mei Lin", "Mei Lin"),
        ("cafe\u0301", "café"),
        ("👩\u200d💻 Ann", "👩\u200d💻 Ann"),
    ],
)
def test_usable_nicknames_are_kept_tidy(raw: str, kept: str) -> None:
    assert clean_nickname(raw, bot_name=BOT) == kept


@given(st.text(max_size=60))
def test_any_text_is_a_tidy_nickname_or_refused_with_a_reason(raw: str) -> None:
    try:
        nickname = clean_nickname(raw, bot_name=BOT)
    except BadNickname as refused:
        assert str(refused).endswith(".")
        return
    assert 1 <= len(nickname) <= 32 and nickname == nickname.strip()
    assert not any(unicodedata.category(c) in ("Cc", "Zl", "Zp") for c in nickname)
    assert "@" not in nickname and nickname.casefold() != BOT.casefold()
    assert nickname_clash(nickname, [("bot", BOT)], "me") is None
    assert clean_nickname(nickname, bot_name=BOT) == nickname


def test_the_longest_nickname_wins_and_each_is_mentioned_once() -> None:
    people = [("w-ann", "Ann"), ("w-anna", "Anna"), ("w-mei", "小美")]
    text = "@Anna and @ann, ＠小美你好 @小美 @nobody"
    assert find_mentions(text, people) == ["w-anna", "w-ann", "w-mei"]
    assert find_mentions("no mentions here", people) == []
    assert find_mentions("mail me at ann@example.com", people) == []


@given(
    st.lists(
        st.text(min_size=1, max_size=12).filter(lambda s: "@" not in s),
        min_size=1,
        max_size=5,
        unique=True,
    ),
    st.text(max_size=40),
)
def test_mentions_are_always_people_in_the_group(nicknames: list[str], text: str) -> None:
    people = [(f"w-{n}", nickname) for n, nickname in enumerate(nicknames)]
    found = find_mentions(text + "@" + nicknames[0], people)
    assert set(found) <= {person for person, _ in people} and len(found) == len(set(found))
    assert found  # the "@first" at the end always names someone


@pytest.mark.parametrize(
    "lookalike",
    ["Hearthkeeper", "HEARTHKEEPER", "Ｈｅａｒｔｈｋｅｅｐｅｒ", "Неаrthkeeper", "Hearth\u200dkeeper",
     "Hearth keeper", "hearth.keeper"],
)  # fmt: skip
def test_nicknames_that_look_like_the_bots_are_refused(lookalike: str) -> None:
    with pytest.raises(BadNickname, match="looks like Hearthkeeper, the bot's name"):
        clean_nickname(lookalike, bot_name=BOT)


def test_every_name_the_bot_goes_by_on_the_server_is_refused_naming_it() -> None:
    """One identity's nickname is shown in every group it is in: a member of two communities
    may take neither community's bot name (`community.bot_name`), nor the default."""
    bots = (BOT, "Tea Club Bot", "小助手")
    for nickname, bot in (
        ("tea club BOT", "Tea Club Bot"),
        ("小 助 手", "小助手"),
        ("HEARTH keeper", BOT),
    ):
        with pytest.raises(BadNickname, match=f"looks like {bot}, the bot's name"):
            clean_nickname(nickname, bot_name=bots)
    assert clean_nickname("Tea Club fan", bot_name=bots) == "Tea Club fan"


def test_a_clash_is_someone_elses_nickname_that_looks_the_same() -> None:
    seated = [("w-1", "小美"), ("w-2", "Ann"), ("w-3", "🙂")]
    assert nickname_clash("小 美", seated, "w-9") == "小美"
    assert nickname_clash("ＡＮＮ", seated, "w-9") == "Ann"
    assert nickname_clash("Ann", seated, "w-2") is None, "one's own nickname is no clash"
    assert nickname_clash("🙂", seated, "w-9") == "🙂"
    assert nickname_clash("🙃", seated, "w-9") is None, "symbol-only names are compared as such"
    assert nickname_clash("Anna", seated, "w-9") is None
