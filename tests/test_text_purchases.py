"""A member telling what they paid is not advertising; an ad written as a member's story is.

Parents tell the group what a class cost (`周末带娃去上了体验课，花了九十九`): the lesson, the
price and the trial class are an ad's words too, and the learned scorer read such lines as
spam (0.989–0.9997 with the shipped model): the member was deleted, warned, then muted.
"""

from __future__ import annotations

import pytest

from hearthkeeper.playbook.rules import Rules
from hearthkeeper.text import Scanner, is_advertising, prepare
from hearthkeeper.text.purchases import own_purchase
from hearthkeeper.text.scorer import SpamScorer
from tests.template_scanners import EVERY_TEMPLATE, template_scanner

_TEMPLATES = EVERY_TEMPLATE
SCANNERS = {name: template_scanner(name) for name in _TEMPLATES}

# written for this test (not corpus rows); the shipped scorer read each at 0.98 or more
ACCOUNTS = [
    "周末带娃去上了体验课，花了九十九",
    "暑假给儿子报了游泳班，十节课花了八百",
    "孩子报了个编程课，体验课花了九十九",
]

# ads told as a member's story still carry what a seller adds: a contact, a call to order
ADS = [
    "我闺蜜用了这个祛痘精华两周，痘痘全没了，想要的加我微信",
    "我家用了三年的净水器，现在做活动立减三百，有需要的私聊",
    "我用了这个方法三个月瘦了二十斤，想知道的私我",
]


@pytest.mark.parametrize("template", _TEMPLATES)
@pytest.mark.parametrize("text", ACCOUNTS)
def test_a_member_telling_what_they_paid_is_left_alone(template: str, text: str) -> None:
    findings = SCANNERS[template].scan(text)
    assert not is_advertising(findings), findings


@pytest.mark.parametrize("template", _TEMPLATES)
@pytest.mark.parametrize("text", ADS)
def test_an_ad_told_as_a_members_story_is_still_advertising(template: str, text: str) -> None:
    assert is_advertising(SCANNERS[template].scan(text))


def test_the_account_is_kept_from_any_scorer_that_reads_it_as_an_ad() -> None:
    # a retrained model read `我家空调清洗花了一百五，师傅挺专业的` at 0.998 (session 27's batch has
    # `家电清洗…专业师傅`): a community whose own deletions taught its scorer the same words
    # must not delete the member's account either
    line = "我家空调清洗花了一百五，师傅挺专业的"
    taught = SpamScorer.trained(
        [("空调清洗，师傅专业", True), ("家电清洗，专业师傅上门", True), ("今天天气不错", False)]
    )
    scanner = Scanner.from_rules(Rules(), scorer=taught)
    assert taught.score(line).counts_at(0.98)
    assert not is_advertising(scanner.scan(line))
    # the same scorer still deletes the seller's own line, which tells no purchase
    assert is_advertising(scanner.scan("家电清洗，专业师傅，一百五一台"))


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("我家空调清洗花了一百五，师傅挺专业的", "我家空调清洗花了"),
        ("我们上周买的那台，还行", "我们上周买的"),
        ("空调清洗，师傅专业，一百五一台", None),
        ("我要买，怎么联系", None),
    ],
)
def test_which_words_tell_a_purchase(text: str, words: str | None) -> None:
    assert own_purchase(prepare(text)) == words


# Session 33: the scorer retrained with written lines read these members' lines at 0.99:
# how long they queued for a bargain, and news of a neighbour's sale in a line of its own.
# An ad naming its price, or with a seller's call, is still read.
NEWS = ["小区门口那家店秒杀的鸡蛋，排了半小时", "我家一楼的邻居在卖二手车", "排了好久才买到"]
SALES = ["我朋友在卖二手车，八成新，三万五", "邻居在卖自家土鸡蛋，要的私我"]


@pytest.mark.parametrize("text", NEWS)
def test_a_queue_or_a_neighbours_sale_told_is_a_members_account(text: str) -> None:
    assert own_purchase(prepare(text)) is not None


@pytest.mark.parametrize("text", SALES)
def test_a_sale_with_its_price_or_call_is_no_members_account(text: str) -> None:
    assert own_purchase(prepare(text)) is None


# Session 33's review: a shop's ad telling how long people queue was kept from the scorer
# (which reads it at 1.00) as a member's account of queueing, and no template deleted it
QUEUE_AD = "每天都有人排了一个小时来买，本店秒杀特价，新店开业"


def test_a_shops_ad_saying_how_long_people_queue_is_still_read() -> None:
    from hearthkeeper.text import is_advertising
    from tests.template_scanners import template_scanner

    assert own_purchase(prepare(QUEUE_AD)) is None
    assert is_advertising(template_scanner("default").scan(QUEUE_AD))
