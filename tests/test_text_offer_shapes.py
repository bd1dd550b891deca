"""Everyday ads of shapes no rule read before session 32, and members' lines on the same things.

Session 32 wrote a fresh batch of group-chat ads (`benchmarks/corpus/fresh_s32.jsonl`) and
scored it before any rule: the shapes below were missed. Each rule added reads a seller's
general construct — a code to quote, an asking price left open, a fee waived, a trade's
assurance, a line opening on the sale or the service, a used thing's age and the price to
take it, recruiting — and a member asking the group in English keeps the learned scorer
from deleting them. (A shopping-app help request, 帮忙砍一刀, was tried and withdrawn: the
corpus counts a member's own such request as ordinary chat.) Written for this test (not batch rows).
"""

from __future__ import annotations

import pytest

from hearthkeeper.playbook.rules import Rules
from hearthkeeper.text import Scanner, is_advertising
from tests.template_scanners import EVERY_TEMPLATE, template_scanner

SCANNERS = {name: template_scanner(name) for name in EVERY_TEMPLATE}
RULES_ONLY = Scanner.from_rules(Rules(), scorer=None)

ADS = [
    "Get 10% off your first box of coffee beans, use my referral code BEANS10",
    "Handmade soap, 20% off all weekend with code SUDS",
    "Mountain bike, two years old, new tyres, make me an offer",
    "Double pram, barely used, $150 or nearest offer",
    "Our dance school has no registration fee this term, classes included",
    "Kids swim lessons, 5 lessons for the price of 4, book before the holidays",
    "Electrician, fully licensed, no job too small, call for a quote",
    "Selling fresh eggs from our hens, a dozen for $5",
    "Tutor available, maths and physics, online or at your place",
    "Just opened our bakery on Main St, free coffee with every cake this week",
    "全新山地车出售，骑了半年，八百拿走",
    "九成新冰箱转让，用了一年，五百拿走",
    "美甲店招学徒，零基础包教会，学成推荐工作",
]
# a question to the group with a seller's call: the scorer still reads it
SELLERS_QUESTION = "Has anyone tried our coffee subscription? First box free, link in my bio"

CHAT = [
    "Does anyone have a referral code for the grocery app?",
    "Has anyone tried the new noodle place? Worth the queue?",
    # the shipped scorer read this at 1.00 (`subscription`)
    "Has anyone tried the coffee subscription from the roastery?",
    "Anyone know a good electrician? Ours retired",
    "I lost the discount code they sent me, typical",
    "The dance school has a new teacher, the kids love her",
    "My brother is a fully licensed plumber now, so proud",
    "Selling my old car was a nightmare, never again",
    "Is the tutor available on Thursdays? My son needs help",
    "我的自行车骑了三年了，还挺好用",
    "他家冰箱用了一年就坏了",
    "拼多多那个助力活动是真的吗",
    "店里在招人吗？我表妹想找工作",
    # an outing's note and a member's news (session 32's review: deleted by the rules above
    # as first written)
    "Parking included, see you all there at 7",
    "Free parking included at the venue",
    "Lessons included, kids loved it",
    "Walk-ins available, the nurse said",
    "Seats available on the bus, tell Mei if you want one",
]


@pytest.mark.parametrize("text", ADS)
def test_such_an_ad_is_advertising_by_rules_alone(text: str) -> None:
    assert is_advertising(RULES_ONLY.scan(text)), text


@pytest.mark.parametrize("template", EVERY_TEMPLATE)
def test_every_template_deletes_such_an_ad(template: str) -> None:
    missed = [
        text
        for text in [*ADS, SELLERS_QUESTION]
        if not is_advertising(SCANNERS[template].scan(text))
    ]
    assert missed == []


@pytest.mark.parametrize("template", EVERY_TEMPLATE)
def test_members_talking_of_the_same_things_are_left_alone(template: str) -> None:
    flagged = [text for text in CHAT if is_advertising(SCANNERS[template].scan(text))]
    assert flagged == []
