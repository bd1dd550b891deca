"""Contact offered without an id, group numbers, and a member asking to bring a friend."""

from __future__ import annotations

import pytest

from hearthkeeper.playbook import parse_playbook
from hearthkeeper.playbook.rules import Rules
from hearthkeeper.playbook.templates import template_text
from hearthkeeper.text import Scanner

RULES_ONLY = Scanner.from_rules(Rules(), scorer=None)


def kinds(text: str) -> set[str]:
    return {finding.kind for finding in RULES_ONLY.scan(text)}


@pytest.mark.parametrize(
    "text",
    [
        "有需要的加我 w.e.i.x.i.n 详聊",  # an app spelled with separators
        "想了解的朋友加我 w h a t s a p p",
        "Add me on W.h.a.t.s.A.p.p for the price list",
        "➕v 进福利群",  # WeChat by symbol or sound
        "想瘦的姐妹 +V，一个月瘦十斤",
        "私人定制旅游，v❤️ 咨询",
        "护肤品批发，＋薇看实拍",
        "加我威拿内部价",
        "VX搜索 好物分享官 关注领福利",  # search-me instructions
        "某音搜 健身小王，跟我一起练",
        "关注我的抖音号 meizhuang520 每天直播",  # platform handles
        "抖 音 号：meizhuang 520 每天直播",
        "jia wei xin ling hong bao",  # pinyin
        "join t.g @freesignals_daily",
    ],
)
def test_contact_offers_without_an_id_are_caught(text: str) -> None:
    assert "contact" in kinds(text)


@pytest.mark.parametrize(
    "text",
    [
        "QQ群号 765432198 欢迎加入",
        "新开了个交流裙，裙号 八三九二七四六一",
        "Q裙：7 6 5 4 3 2 1 9 8",
        "内部消息，牛股推荐，进裙免费领",
    ],
)
def test_group_numbers_are_invites(text: str) -> None:
    assert "invites" in kinds(text)


@pytest.mark.parametrize(
    "text",
    [
        "宝妈在家就能做，每天两小时",
        "想赚钱的滴滴我",
        "好物低价出，私聊，价格美丽",
        "Looking for extra income? inbox me",
    ],
)
def test_pitches_without_contact_are_advertising(text: str) -> None:
    assert "advertising" in kinds(text)


@pytest.mark.parametrize(
    "text",
    [
        "我朋友也想进群，可以拉她进来吗？",  # the false alarm of the issue
        "群主，我同事想加群，怎么拉人？",
        "你的抖音号是多少，我关注你",
        "我的微信号换了，新号已经加大家了",
        "腾讯会议号 123 456 789，下午两点开会",
        "群里有 300 人，挺热闹",
        "加油，你一定可以的",
        "这个价格太美丽了，已下单",
        "我刷抖音刷到凌晨2点",
        "同意的扣1，周六聚餐",
    ],
)
def test_ordinary_chat_with_tricky_words_is_left_alone(text: str) -> None:
    assert kinds(text) == set()


def test_wanting_to_join_turned_into_an_offer_is_still_an_invite() -> None:
    assert "invites" in kinds("想进群的加我")


CLUB = Scanner.from_rules(parse_playbook(template_text("club"), "club").playbook.rules, scorer=None)


@pytest.mark.parametrize(
    "text",
    [
        "➕v 进福利群",
        "加我 w.e.i.x.i.n 详聊",
        "VX搜索 好物分享官",
        "V信：abc_123",
        "幺三八 幺二三四 五六七八",
    ],
)
def test_where_contact_may_be_shared_a_disguised_offer_is_advertising(text: str) -> None:
    assert "advertising" in {finding.kind for finding in CLUB.scan(text)}


@pytest.mark.parametrize(
    "text",
    [
        "My WhatsApp is +44 7700 900123, happy to talk about the exhibition",
        "Add me on WeChat, my id is vintry_anna",
        "My number is 13812345678 if you want to share a taxi",
    ],
)
def test_where_contact_may_be_shared_plain_contact_is_left_alone(text: str) -> None:
    assert CLUB.scan(text) == []


def test_a_long_run_of_numbers_is_read_as_its_first_twelve() -> None:
    # The price patterns (`[0-9一二…]+元起`) tried every start inside a run of digits: 6,000
    # digits took half a second per pattern. Read as 12 digits, the offer is the same
    from hearthkeeper.text.normalise import prepare
    from hearthkeeper.text.offers import offer_finding

    finding = offer_finding(prepare("1" * 6000 + "元起，上门服务"))
    assert finding is not None
    assert finding.matched == "1" * 12 + "元起"
