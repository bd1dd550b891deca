"""Contact hidden digit by digit or letter by letter is advertising even where contact is allowed.

The `club` template turns contact detection off (exchanging details is the point of a
connections club), so a disguised contact offer must count as advertising there by itself:
a phone number written one digit at a time (`1 3 9 0 …`) or in keycap emoji (1️⃣3️⃣8️⃣…), or a
messaging app's name spelled letter by letter before an id (`w e i x i n : abc123456`). No
phone format writes six digits apart and nobody spells out an app's name to share an id
except to slip past moderation. Written for this test (not corpus rows).
"""

from __future__ import annotations

import pytest

from hearthkeeper.playbook.rules import Rules
from hearthkeeper.text import Scanner, is_advertising
from hearthkeeper.text.disguises import DisguisedContactDetector
from hearthkeeper.text.normalise import prepare
from tests.template_scanners import EVERY_TEMPLATE, template_scanner

SCANNERS = {name: template_scanner(name) for name in EVERY_TEMPLATE}

HIDDEN = [
    "电话 1 3 7 2 2 8 8 6 6 4 1，随时联系",
    "text me on 1 3 8 0 0 1 3 8 0 0 0",
    "手机号 1.5.8.2.6.3.3.0.0.1.7",
    "1️⃣5️⃣9️⃣2️⃣2️⃣8️⃣8️⃣0️⃣0️⃣1️⃣2️⃣ 私聊",
    "w e i x i n ： lucky_shop88",
    "t-e-l-e-g-r-a-m @fastfollowers",
    "W.H.A.T.S.A.P.P 98765 43210 for orders",
]
# contact written as people write it: left alone where contact is allowed
OPEN = [
    "我电话 137 2288 6641，到了打给我",
    "My number is 07700 900456, text when you're outside",
    "call 1 800 555 1234 for the helpline",
    "my whatsapp is 98765 43210, add me to the hiking group",
    "weixin lucky_shop88 is my wechat, ping me about the trip",
]


@pytest.mark.parametrize("text", HIDDEN)
def test_contact_hidden_digit_by_digit_or_letter_by_letter_is_a_disguise(text: str) -> None:
    found = DisguisedContactDetector()(prepare(text))
    assert found and all(f.kind == "advertising" for f in found), text


@pytest.mark.parametrize("text", OPEN)
def test_contact_written_as_people_write_it_is_no_disguise(text: str) -> None:
    assert DisguisedContactDetector()(prepare(text)) == [], text


@pytest.mark.parametrize("name", EVERY_TEMPLATE)
def test_every_template_deletes_the_hidden_contact(name: str) -> None:
    missed = [t for t in HIDDEN if not is_advertising(SCANNERS[name].scan(t))]
    assert missed == []


def test_the_club_leaves_contact_written_openly_alone() -> None:
    flagged = [t for t in OPEN if is_advertising(SCANNERS["club"].scan(t))]
    assert flagged == []


def test_the_rules_alone_read_it_where_contact_is_allowed() -> None:
    rules = Rules.model_validate({"violations": {"contact": {"enabled": False}}})
    scanner = Scanner.from_rules(rules, scorer=None)
    missed = [t for t in HIDDEN if not is_advertising(scanner.scan(t))]
    assert missed == []


def test_a_message_of_many_numbers_is_read_for_plain_digits_once(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Each phone number asked how the whole message was written: 1,700 numbers in a Matrix
    # message of 20,000 characters held the engine 5 s on the club template
    from hearthkeeper.text import disguises

    read: list[str] = []
    original = disguises._plain_digits

    def counted(text: str) -> str:
        read.append(text)
        return original(text)

    monkeypatch.setattr(disguises, "_plain_digits", counted)
    message = prepare("13812345678 " * 300 + "电话 1 3 7 2 2 8 8 6 6 4 1")
    findings = DisguisedContactDetector()(message)
    assert [f.matched for f in findings] == ["1 3 7 2 2 8 8 6 6 4 1"]  # the plain ones are not
    assert len(read) == 1
