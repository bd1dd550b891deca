"""The learned scorer does not read the names of the members a message mentions as the
sender's words: the demo's welcome to `@武汉-小米-油皮` scored 1.00, mostly on the name. The
names the carrier resolved to members are left out of what the scorer reads; an `@handle`
that is no member's (`@shop_name`) is read as written, and the rules read everything.

Run through the engine with the fake carrier and the shipped scorer (what the demo runs), on
SQLite and PostgreSQL."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest

from hearthkeeper.clock import FrozenClock
from hearthkeeper.engine.actions import ActionKind
from hearthkeeper.engine.executor import Processed
from hearthkeeper.store import Store
from hearthkeeper.text.scan import Scanner
from tests.engine_setup import Community, community, playbook

NAME = "武汉-小米-油皮"  # the demo's nickname format: city-name-skin type
WELCOME = "欢迎新同学！有问题随时问"
AD = "需要代购韩国化妆品的姐妹找我"  # the learned scorer's alone (1.00 shipped); no rule reads it


@pytest.fixture
def chat(store: Store, store_clock: FrozenClock) -> Community:
    c = community(store, store_clock)
    at = store_clock.now()
    for user, name in (("xm", NAME), ("tt", "成都-糖糖-敏感肌")):
        c.engine.process([c.events.join(user, name=name, at=at),
                          c.events.message(user, "agree", name=name, at=at)])  # fmt: skip
    store_clock.set(at + timedelta(minutes=5))
    return c


def say(c: Community, text: str, mentions: tuple[str, ...] = ()) -> Processed:
    c.clock.set(c.clock.now() + timedelta(minutes=10))  # past any flooding window
    [done] = c.engine.process([c.events.message("tt", text, name="成都-糖糖-敏感肌",
                                                mentions=mentions, at=c.clock.now())])  # fmt: skip
    return done


def struck(done: Processed) -> str | None:
    """The strike's explanation, if the message was struck."""
    found = [a for a in done.actions if a.kind is ActionKind.STRIKE]
    return found[0].explained if found else None


def scanned(text: str) -> str | None:
    """What the scanner alone says of `text` today (no mentions known)."""
    found = Scanner.from_rules(playbook().rules).scan(text)
    return found[0].explanation if found else None


def score(explained: str) -> float:
    found = re.search(r"spam (\d\.\d\d)", explained)
    assert found is not None, explained
    return float(found.group(1))


def test_a_welcome_to_a_mentioned_member_is_not_read_as_an_ad(chat: Community) -> None:
    assert struck(say(chat, f"@{NAME} 欢迎欢迎～")) is not None  # unresolved: as today

    assert struck(say(chat, f"@{NAME} 欢迎欢迎～", mentions=("xm",))) is None
    assert struck(say(chat, f"@{NAME} 可以试试先用保湿精华再涂面霜", mentions=("xm",))) is None


def test_the_score_of_a_mentioned_members_welcome_is_the_words_alone(chat: Community) -> None:
    """The demo's own line: without the name the shipped scorer still finds `有问题随时问`
    ad-like (0.96 at the 0.95 bar, as docs/playbook.md says), but the name no longer counts:
    the score shown is the words' own, and no part of the name is named as telling."""
    whole = struck(say(chat, f"@{NAME} {WELCOME}"))
    assert whole is not None and "小米" in whole

    resolved = struck(say(chat, f"@{NAME} {WELCOME}", mentions=("xm",)))

    words = scanned(WELCOME)
    if words is None:  # a scorer that no longer flags the words alone
        assert resolved is None
    else:
        assert resolved is not None
        assert score(resolved) == score(words) < score(whole)
        telling = resolved.split(" — in ")[0]  # the n-grams named, not the message quoted
        assert "小米" not in telling and "武汉" not in telling


@pytest.mark.parametrize("mentions", [(), ("@shop_name",)], ids=["typed", "telegram-username"])
def test_an_unresolved_handle_is_read_as_written(
    chat: Community, mentions: tuple[str, ...]
) -> None:
    """`@shop_name` names no member (Telegram reports a typed @username as it is): the
    scorer reads it as the sender's words, as it always did."""
    text = f"@shop_name {WELCOME}"

    explained = struck(say(chat, text, mentions=mentions))

    today = scanned(text)
    assert today is not None
    assert explained is not None and today in explained


def test_the_rules_still_read_a_mentioned_members_name(chat: Community) -> None:
    """Only the scorer leaves the name out: a contact offered in the text is caught
    wherever it is."""
    explained = struck(say(chat, f"@{NAME} 加我微信 tea_lover88", mentions=("xm",)))

    assert explained is not None and "contact" in explained


def join_as(c: Community, user: str, name: str) -> None:
    at = c.clock.now()
    c.engine.process([c.events.join(user, name=name, at=at),
                      c.events.message(user, "agree", name=name, at=at)])  # fmt: skip


def test_a_member_named_like_an_ad_who_mentions_themselves_is_read_whole(chat: Community) -> None:
    """A newcomer takes an ad for a name and mentions themselves: their name in their own
    message is their words. Before, the scorer read nothing of `@AD AD` and the ad stood in
    the group, unstruck, as often as sent."""
    explained = scanned(AD)
    assert explained is not None and "learned scorer" in explained
    join_as(chat, "ad", AD)

    for text in (f"@{AD} {AD}", f"@{AD}"):
        chat.clock.set(chat.clock.now() + timedelta(minutes=10))
        [done] = chat.engine.process([chat.events.message("ad", text, name=AD, mentions=("ad",),
                                                          at=chat.clock.now())])  # fmt: skip
        assert struck(done) is not None, text
        assert any(a.kind is ActionKind.DELETE for a in done.actions), text


def test_a_mentioned_name_is_left_out_once_not_every_copy_of_it(chat: Community) -> None:
    """An accomplice named like an ad, mentioned by the advertiser: the mention's name is left
    out, the ad written after it again is read; a welcome to them is still judged on its
    words."""
    join_as(chat, "ad", AD)

    assert struck(say(chat, f"@{AD} {AD}", mentions=("ad",))) is not None
    assert struck(say(chat, f"@{AD} {AD} {AD}", mentions=("ad",))) is not None
    assert struck(say(chat, f"@{AD} 欢迎欢迎～", mentions=("ad",))) is None
