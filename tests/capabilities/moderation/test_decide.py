"""Moderation's pure decisions, without an engine or a database: who a finding goes to, the
heaviest finding, what probation forbids."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from hearthkeeper.capabilities.moderation.decide import (
    explain,
    heaviest,
    probation_breach,
    quoted,
    triage,
)
from hearthkeeper.engine.events import Attachment
from hearthkeeper.playbook.joining import Probation
from hearthkeeper.playbook.rules import Rules
from hearthkeeper.text import Scanner, prepare
from hearthkeeper.text.findings import Finding
from tests.engine_setup import playbook

AD = Finding("advertising", "加微信", "advertising keyword")
INSULT = Finding("insults", "傻逼", "insult")
LINK = Finding("links", "https://x.example", "link outside the allowed domains")
SCANNER = Scanner.from_rules(Rules(), scorer=None)


def test_a_members_findings_climb_the_ladder_unless_only_staff_are_alerted() -> None:
    violations = playbook().rules.violations
    found = triage([AD, INSULT, LINK], violations, role=None)
    assert found.ladder == (AD, LINK)
    assert found.alerts == (INSULT,)


def test_staff_are_never_on_the_ladder_and_an_exempt_role_is_not_even_reported() -> None:
    violations = playbook().rules.violations
    assert triage([AD, INSULT], violations, role="manager").ladder == ()
    assert triage([AD, INSULT], violations, role="manager").alerts == ()  # every role exempt
    pb = playbook("  violations:\n    advertising: {exempt_roles: [creator]}\n")
    found = triage([AD, INSULT], pb.rules.violations, role="manager")
    assert found == triage([AD], pb.rules.violations, role="manager")
    assert found.alerts == (AD,) and found.ladder == ()


def test_the_heaviest_finding_sets_the_strikes_and_the_first_of_equals_wins() -> None:
    pb = playbook("  violations:\n    links: {strikes: 3}\n")
    assert heaviest([AD, LINK], pb.rules.violations) == (LINK, 3)
    assert heaviest([LINK, AD], playbook().rules.violations) == (LINK, 1)


def test_probation_forbids_links_unreadable_pictures_and_what_the_playbook_adds() -> None:
    strict = Probation(no_files=True, no_pictures=True, no_mentions=True)
    picture = Attachment(kind="picture", data=b"\x89PNG")
    assert probation_breach(Probation(), (), False, "look at https://example.com") == "links"
    assert probation_breach(Probation(), (Attachment(kind="picture"),), False, "hi") == "links"
    assert probation_breach(Probation(), (picture,), True, "hi") is None
    assert probation_breach(strict, (picture,), False, "hi") == "pictures"
    assert probation_breach(strict, (Attachment(kind="file"),), False, "hi") == "files"
    assert probation_breach(strict, (), True, "hi") == "mentions"
    assert probation_breach(Probation(no_links=False), (), False, "https://x.example") is None


def test_a_picture_left_unread_is_a_link_however_it_was_sent() -> None:
    """A picture the bot could not read may carry a QR code: sent as a file (an image file
    over the 20 MiB the bot fetches) or as a sticker it counts as a link, as a photo does;
    a file of another type, or one the bot read, is a file."""
    open_files = Probation(no_files=False)
    huge = Attachment(kind="file", mime="image/png", size=25 * 1024 * 1024)
    sticker = Attachment(kind="sticker", mime="image/webp")
    assert probation_breach(open_files, (huge,), False, "") == "links"
    assert probation_breach(open_files, (sticker,), False, "") == "links"
    assert probation_breach(Probation(no_files=True), (huge,), False, "") == "links"
    read = Attachment(kind="file", mime="image/png", data=b"\x89PNG")
    pdf = Attachment(kind="file", mime="application/pdf", size=25 * 1024 * 1024)
    animated = Attachment(kind="sticker", mime="application/x-tgsticker")
    assert probation_breach(open_files, (read, pdf, animated), False, "") is None
    assert probation_breach(Probation(no_files=True), (pdf,), False, "") == "files"


def test_each_finding_is_explained_once() -> None:
    assert explain([AD, AD, Finding("flooding", "", "too many messages")]) == (
        "advertising: '加微信' (advertising keyword); flooding: too many messages"
    )


def test_staff_read_each_rule_once_with_the_words_as_written_and_the_message_around_them() -> None:
    """Staff read the rule once, then each piece of text it matched, as the member wrote it
    (Chinese numerals as written, not the digits the rules read: 'v我一下', not 'v我1下'),
    and the message once at the end."""
    text = prepare("全新二手相机，一口价888，加微信")
    findings = Scanner.from_rules(Rules(), scorer=None).scan(text)
    assert explain(findings, text) == (
        "advertising: '加微信' (keyword), '一口价' (offer wording: a product line with a price); "
        "contact: '加微信' (private contact on '微信' offered) — in \"全新二手相机，一口价888，加微信\""
    )
    numeral = prepare("兼职刷单日结，v我一下")
    assert explain(Scanner.from_rules(Rules(), scorer=None).scan(numeral), numeral) == (
        "advertising: '刷单' (keyword); contact: 'v我一下' (WeChat offered by sound or symbol)"
        ' — in "兼职刷单日结，v我一下"'
    )


def test_one_piece_of_text_found_by_two_checks_of_a_rule_is_shown_once() -> None:
    text = prepare("加我vx 看看")
    findings = Scanner.from_rules(Rules(), scorer=None).scan(text)
    assert explain(findings, text) == (
        "contact: '加我vx' (private contact on 'vx' offered; WeChat offered by sound or symbol; "
        'keyword) — in "加我vx 看看"'
    )


def test_a_long_message_is_shown_around_the_words_and_a_disguise_as_written() -> None:
    chat = "Thanks everyone who came along to the meetup last week, it was great. "
    text = prepare(chat + "By the way DM me for cheap followers, I can get you thousands today!")
    finding = Finding("advertising", "dm me for", "keyword")
    assert explain([finding], text) == (
        "advertising: 'DM me for' (keyword) — in \"…it was great. By the way DM me for cheap "
        'followers, I can get…"'
    )
    # the words are not in the message as written: the message shows how they were hidden
    hidden = prepare("加**微**信 领资料")
    assert explain(Scanner.from_rules(Rules(), scorer=None).scan(hidden), hidden) == (
        "advertising: '加微信' (keyword); contact: '加微信' (private contact on '微信' offered)"
        ' — in "加**微**信 领资料"'
    )


def test_a_reason_quoting_the_words_is_said_alone_and_other_rules_show_no_message() -> None:
    text = prepare("Selling my old bike, $50, DM me")
    findings = Scanner.from_rules(Rules(), scorer=None).scan(text)
    assert explain(findings, text) == (
        "advertising: English sale with a call: 'selling my' with 'dm me' — in \"Selling my old "
        'bike, $50, DM me"'
    )
    flood = Finding("flooding", "", "more than 5 messages within 10 s")
    assert explain([flood], text) == "flooding: more than 5 messages within 10 s"


def test_words_inside_longer_words_found_by_the_same_rule_are_said_with_them() -> None:
    text = prepare("薇 ❤ 信 找我")
    assert explain(Scanner.from_rules(Rules(), scorer=None).scan(text), text) == (
        "contact: '薇 ❤ 信' (WeChat offered by sound or symbol; keyword '薇信') — in \"薇 ❤ 信 找我\""
    )


def test_the_message_shown_to_staff_cannot_reorder_itself() -> None:
    """A right-to-left override in the message would make the console show the reason
    reversed from there on: the message is shown without it, on one line."""
    text = prepare("hello\u202e everyone\nDM me for prices")
    finding = Finding("advertising", "dm me for", "keyword")
    assert explain([finding], text) == (
        "advertising: 'DM me for' (keyword) — in \"hello everyone DM me for prices\""
    )


@settings(max_examples=200, deadline=None)
@given(
    st.text(alphabet=st.sampled_from("加微信 dmeforDMß\u202e\u200b*！1一二abc.com/"), max_size=60)
)
def test_any_message_is_explained_on_one_line_without_text_direction_characters(raw: str) -> None:
    text = prepare(raw)
    findings = [*SCANNER.scan(text), Finding("advertising", text.normalised[:5], "keyword")]
    for said in (explain(findings, text), quoted(findings, text, 20)):
        assert "\n" not in said and "\u202e" not in said and "\u200b" not in said
    assert len(quoted(findings, text, 20)) <= 20


def test_a_qr_code_in_a_picture_is_not_shown_in_the_caption() -> None:
    caption = prepare("look at this")
    qr = Finding("invites", "https://weixin.qq.com/g/AbCdEf", "QR code in a picture")
    assert (
        explain([qr], caption) == "invites: 'https://weixin.qq.com/g/AbCdEf' (QR code in a picture)"
    )
