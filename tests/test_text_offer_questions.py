"""A member asking about an offer they saw is not advertising; an ad phrased as a question is.

`日结的兼职靠谱吗？` was deleted on every template by the shipped learned scorer (1.00 on
`日结`, `的兼职`), `这个活是日结还是月结？` by the shop-ad copy rule (`日结` and `月结`), and
a member asking what `有意者私` means by the offer rules or the scorer reading the quoted words
as the seller's. Written for this test (not corpus rows).
"""

from __future__ import annotations

import pytest

from hearthkeeper.text import is_advertising, prepare
from hearthkeeper.text.questions import asks_about_an_offer
from tests.template_scanners import EVERY_TEMPLATE, template_scanner

SCANNERS = {name: template_scanner(name) for name in EVERY_TEMPLATE}

# each was deleted on every template before: whether day-paid work can be trusted, which
# terms it has, what a seller's phrase means
QUESTIONS = [
    "这个活是日结还是月结？",
    "有意者私，是什么意思",
    "“有意者私”啥意思",
    "有意者私是指私聊吗",
    "“有意者私聊”是什么意思？",
    "他发的那个有意者私聊是啥意思",
    "群里那条“有意者私”是什么意思？",
    "想知道“有意者私”是什么意思",
    "这个“有意者私”，是什么意思",
]
# the repurchase template names `兼职` among its own advertising keywords: the operator's word
ABOUT_PART_TIME = "日结的兼职靠谱吗？"

# ads asking the reader a question, or stating the same terms, still deleted
ADS = [
    "想日结兼职吗？加我",
    "日结兼职，靠谱吗？绝对靠谱，学生优先",
    "日结兼职靠谱吗？日结200，加我",
    "招服务员，日结还是月结随你选，包吃住",
    "招服务员，日结月结都可以，包吃住",
    "还在找日结兼职吗？学生优先，有意者私聊",
    "出一台游戏机，九成新，有意者私",
    "日结兼职是什么意思？加微信abc12345了解",
    # an ad stating whom it prefers, closing on a question (left up on four templates)
    "日结兼职，宝妈学生优先，靠谱吗？",
    "日结兼职，学生宝妈优先，有意者私，懂的都知道是什么",
    # a teaser closing on `是什么`: read as a member asking what words mean, the scorer was
    # withheld though the seller's own words (想要的加我) or a teaser's (想知道) came first
    "宝妈在家也能赚钱，想知道方法是什么",
    "新款面膜到货了，想要的加我，效果是什么",
]


@pytest.mark.parametrize("template", EVERY_TEMPLATE)
def test_a_member_asking_about_an_offer_is_left_alone(template: str) -> None:
    deleted = [text for text in QUESTIONS if is_advertising(SCANNERS[template].scan(text))]
    assert deleted == []


@pytest.mark.parametrize("template", EVERY_TEMPLATE)
def test_asking_whether_day_paid_work_is_trustworthy_is_left_alone(template: str) -> None:
    findings = SCANNERS[template].scan(ABOUT_PART_TIME)
    if template == "repurchase":
        # only the template's own keyword, not the scorer or a built-in rule
        assert [(f.matched, f.explanation) for f in findings] == [("兼职", "keyword")]
    else:
        assert not is_advertising(findings), findings


@pytest.mark.parametrize("template", EVERY_TEMPLATE)
def test_an_ad_phrased_as_a_question_is_still_deleted(template: str) -> None:
    missed = [text for text in ADS if not is_advertising(SCANNERS[template].scan(text))]
    assert missed == []


@pytest.mark.parametrize(
    ("text", "asked"),
    [
        ("日结的兼职靠谱吗？", "靠谱吗"),
        ("这个活是日结还是月结？", "还是月结"),
        ("群里那条“有意者私”是什么意思？", "什么意思"),
        ("日结的活是不是骗人的？", "是不是骗人的"),
        ("这种日结兼职能信吗", "能信吗"),
        ("想日结兼职吗？加我", None),  # asks what the reader wants, then the contact
        ("日结兼职，靠谱吗？绝对靠谱，学生优先", None),  # the question does not end it
        ("日结200靠谱吗", None),  # a wage
        ("那个“日结200”是什么意思", "什么意思"),  # a wage quoted is the seller's
        ("还在找日结兼职吗？", None),  # asks nothing about the offer
        ("日结兼职，宝妈学生优先，靠谱吗？", None),  # whom it prefers: the recruiter's line
        ("群里那条“学生优先”是什么意思？", "什么意思"),  # quoted: asked about
    ],
)
def test_what_reads_as_a_members_question(text: str, asked: str | None) -> None:
    assert asks_about_an_offer(prepare(text)) == asked
