"""Members warning each other about loans and gambling are not advertising; the ads still are."""

from __future__ import annotations

import pytest

from hearthkeeper.playbook import Playbook
from hearthkeeper.text import Scanner
from tests.template_scanners import EVERY_TEMPLATE, MINIMAL, template_scanner

_TEMPLATES = tuple(t for t in EVERY_TEMPLATE if t != "club")
SCANNERS = {name: template_scanner(name) for name in _TEMPLATES}

WARNINGS = [
    "网贷千万别碰，我同事被坑惨了",
    "小心那种说能贷款的私聊，都是骗子",
    "赌博害人",
    "博彩网站都是骗局，别信",
    "新闻说又抓了一个网贷团伙",
    "有人知道怎么举报网贷催收吗？",
    "never take those payday loans they DM you about",
]

ADS = [
    "网贷秒批，不看征信，当天到账",
    "个人贷款无抵押无担保，当天放款，加微信 dk8888",
    "博彩官网注册送88元彩金，首存送100%",
    "赌博平台信誉第一，注册就送，网址 bet88.com",
    # a warning's words do not excuse an ad: the offer, contact or link still counts
    "小心骗子！正规网贷找我，加微信 dk8888",
    "别信那些小平台，博彩就上 bet88.com 官网，首存送彩金",
]


@pytest.mark.parametrize("template", _TEMPLATES)
@pytest.mark.parametrize("text", WARNINGS)
def test_a_member_warning_about_loans_or_gambling_is_left_alone(template: str, text: str) -> None:
    assert SCANNERS[template].scan(text) == []


@pytest.mark.parametrize("template", _TEMPLATES)
@pytest.mark.parametrize("text", ADS)
def test_a_loan_or_gambling_ad_is_still_advertising(template: str, text: str) -> None:
    findings = SCANNERS[template].scan(text)
    assert "advertising" in {finding.kind for finding in findings}


def test_the_verdict_names_the_offer_that_made_a_loan_message_an_ad() -> None:
    findings = SCANNERS["default"].scan("网贷秒批，不看征信")
    assert any("loan offer" in finding.explanation for finding in findings), findings


def test_an_operators_own_loan_keyword_still_counts_alone() -> None:
    data = {**MINIMAL, "rules": {"violations": {"advertising": {"extra_keywords": ["网贷"]}}}}
    findings = Scanner.from_rules(Playbook.model_validate(data).rules).scan("网贷千万别碰")
    assert "advertising" in {finding.kind for finding in findings}
