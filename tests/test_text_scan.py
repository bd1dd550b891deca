"""The scanner: a playbook's text detectors run on one message, normalising it once."""

from __future__ import annotations

import io
import re

import pytest
import segno
from hypothesis import given, settings
from hypothesis import strategies as st

from hearthkeeper.playbook import Playbook, parse_playbook
from hearthkeeper.playbook.rules import Rules
from hearthkeeper.playbook.templates import TEMPLATES, template_text
from hearthkeeper.text import Finding, Scanner, is_advertising, prepare

MINIMAL = {
    "community": {
        "slug": "demo",
        "name": "Demo",
        "purpose": "testing",
        "interest": {"kind": "product", "description": "testing"},
    }
}
DEFAULT = Scanner.from_rules(Playbook.model_validate(MINIMAL).rules)


def kinds(findings: list[Finding]) -> list[str]:
    return sorted({finding.kind for finding in findings})


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("加 微 信 领 取 福 利", "advertising"),
        ("誠招代理，一件代發", "advertising"),
        ("е а r n   m о n е y   f а s t", "advertising"),
        ("V信：abc_123", "contact"),
        ("电话 ①③⑧①②③④⑤⑥⑦⑧", "contact"),
        ("https://t.me/joinchat/xyz", "invites"),
        ("进 群 送 福 利", "invites"),
        ("看 example dot com", "links"),
        ("hxxp://bad.site/x", "links"),
        ("@a @b @c @d @e @f 快看", "mention_spam"),
        ("@所有人 快来抢", "mention_spam"),
        ("你是傻\u200b逼", "insults"),
    ],
)
def test_the_default_playbook_finds_each_kind(text: str, kind: str) -> None:
    assert kind in kinds(DEFAULT.scan(text))


@pytest.mark.parametrize(
    "text",
    [
        "我已经在群里问过客服了",
        "I live in Lisbon",
        "滚动条怎么设置",
        "这个价格 ¥199 还挺划算的",
        "2024年1月3日的直播回放在哪里",
        "订单号 1234567 麻烦查一下",
        "@张三 @李四 明天见",
        "我一般用微信支付，方便",
        "Shut the door when you leave please",
    ],
)
def test_ordinary_chat_gets_no_finding(text: str) -> None:
    assert DEFAULT.scan(text) == []


def test_an_invite_link_is_reported_as_an_invite_not_also_as_a_link() -> None:
    assert kinds(DEFAULT.scan("discord.gg/free")) == ["invites"]


def test_the_carriers_mention_count_counts() -> None:
    assert DEFAULT.scan("look", mentions=5) == []
    (finding,) = DEFAULT.scan("look", mentions=6)
    assert finding.kind == "mention_spam" and "6 mentions" in finding.explanation


def test_a_prepared_message_is_not_normalised_again() -> None:
    message = prepare("加 微 信")
    assert DEFAULT.scan(message) == DEFAULT.scan("加 微 信")


def test_allowed_domains_come_from_the_playbook() -> None:
    rules = Rules.model_validate({"violations": {"links": {"allowed_domains": ["example.com"]}}})
    scanner = Scanner.from_rules(rules)
    assert scanner.scan("see docs.example.com/a") == []
    assert kinds(scanner.scan("see example.net")) == ["links"]


@pytest.mark.parametrize(
    ("kind", "text"),
    [
        ("advertising", "加微信"),
        ("links", "example.com"),
        ("contact", "电话 13812345678"),
        ("invites", "t.me/joinchat/abc"),
        ("mention_spam", "@a @b @c @d @e @f"),
        ("insults", "傻逼"),
    ],
)
def test_a_disabled_kind_is_not_scanned(kind: str, text: str) -> None:
    assert kind in kinds(DEFAULT.scan(text))
    rules = Rules.model_validate({"violations": {kind: {"enabled": False}}})
    assert kind not in kinds(Scanner.from_rules(rules).scan(text))


def test_the_default_insults_hold_what_a_chinese_group_expects_and_spare_ordinary_words() -> None:
    """`有病吧`, `你有病吧` and `滚` alerted nobody with the defaults (only the templates listed
    `有病吧`, and none `滚`). A word that is ordinary inside a message (`滚动`, `没有病吧`)
    counts only as the whole message, said once or over again, @-mentions aside."""
    scanner = Scanner.from_rules(Rules(), scorer=None)
    for insult in ("有病吧", "有病吧？", "你有病吧", "有病吧你", "你是不是有病吧，天天装专家",
                   "滚", "滚！！", "滚滚滚", "@小王 滚", "滚吧", "贱人", "傻叉", "死全家"):  # fmt: skip
        assert kinds(scanner.scan(insult)) == ["insults"], insult
    [found] = scanner.scan("@小王 滚")
    assert found.explanation == "keyword '滚' as the whole message"
    for ordinary in ("滚动播放", "页面滚到底部就能看到", "球滚出去了", "狗狗应该没有病吧？",
                     "让球自己滚吧", "小王有病啊？去医院看了吗", "问个白痴问题",
                     "我家小混蛋又闹了", "去动物园看草泥马"):  # fmt: skip
        assert scanner.scan(ordinary) == [], ordinary
    rules = Rules.model_validate({"violations": {"insults": {"whole_messages": []}}})
    assert Scanner.from_rules(rules, scorer=None).scan("滚") == []


@pytest.mark.parametrize("name", list(TEMPLATES))
def test_every_template_builds_a_scanner_that_catches_a_disguised_ad(name: str) -> None:
    rules = parse_playbook(template_text(name), name).playbook.rules
    scanner = Scanner.from_rules(rules)
    assert is_advertising(scanner.scan("chat。whatsapp。com/AbCdEf 加**群**"))
    assert scanner.scan("谢谢老师，今天的分享很有用 Thanks!") == []


def test_a_qr_code_picture_is_an_invite() -> None:
    buffer = io.BytesIO()
    segno.make("https://weixin.qq.com/g/AbCdEf").save(buffer, kind="png", scale=4)
    assert kinds(DEFAULT.scan_picture(buffer.getvalue())) == ["invites"]
    rules = Rules.model_validate({"violations": {"invites": {"qr_codes": False}}})
    assert Scanner.from_rules(rules).scan_picture(buffer.getvalue()) == []


@settings(max_examples=300)
@given(st.text(st.characters(exclude_categories=()), max_size=200), st.integers(0, 1000))
def test_scanning_never_fails(text: str, mentions: int) -> None:
    for finding in DEFAULT.scan(text, mentions):
        assert finding.kind and finding.explanation


@settings(max_examples=200)
@given(st.text(st.sampled_from(list("加微信vx进群.。 /:@1385０①一二*_%E5t.mehxp")), max_size=80))
def test_scanning_near_misses_never_fails(text: str) -> None:
    DEFAULT.scan(text)


def test_a_text_read_again_with_more_mentions_is_mention_spam_then() -> None:
    # the scanner remembers what a text says; how many people a message @-mentions is the
    # carrier's to say, message by message
    text = "大家快来看看这个"
    assert "mention_spam" not in kinds(DEFAULT.scan(text, mentions=0))
    assert "mention_spam" in kinds(DEFAULT.scan(text, mentions=30))
    assert "mention_spam" not in kinds(DEFAULT.scan(text, mentions=0))


def test_what_a_caller_adds_to_the_findings_is_not_read_again_with_the_text() -> None:
    # moderation appends flooding and repeats to the list it gets: the next message with the
    # same text starts from the text's own findings
    text = "加 微 信 领 取 福 利"
    first = DEFAULT.scan(text)
    said = list(first)
    first.append(Finding("flooding", "", "too many messages in a short time"))
    assert DEFAULT.scan(text) == said and "flooding" not in kinds(said)


def test_only_short_texts_are_remembered_and_a_long_one_is_still_read() -> None:
    # what a scanner remembers stays small: a pasted essay is read each time it comes
    scanner = Scanner.from_rules(Playbook.model_validate(MINIMAL).rules)
    essay = "今天天气很好，" * 80 + "加 微 信 领 取 福 利"
    assert "advertising" in kinds(scanner.scan(essay))
    assert "advertising" in kinds(scanner.scan(essay))
    assert scanner._read_text.cache_info().currsize == 0
    scanner.scan("ok")
    assert scanner._read_text.cache_info().currsize == 1


def test_staff_read_the_scorers_words_with_chinese_numerals_as_written() -> None:
    """The scorer reads `一 九九` as the number `199`; staff read the words the member wrote."""
    from hearthkeeper.text.scan import scorer_finding
    from hearthkeeper.text.scorer import ScoreResult

    text = prepare("买二送一 九九元包邮 速来")
    finding = scorer_finding(text, ScoreResult(0.99, ("包邮", "199", "送")))
    assert finding.explanation == "learned scorer: spam 0.99 on '包邮', '一九九', '送'"
    nothing = scorer_finding(prepare("一口价"), ScoreResult(0.99, ()))
    assert (nothing.matched, nothing.explanation) == ("一口价", "learned scorer: spam 0.99")


@pytest.mark.parametrize("name", list(TEMPLATES))
def test_a_member_speaking_of_a_one_stop_service_is_left_alone_and_a_seller_is_not(
    name: str,
) -> None:
    """`一站式服务` was a default advertising keyword: a member's `一站式服务听起来不错` was
    deleted. A seller adds a sign (a service, a price, an invitation to ask), which the pitch
    families and the offer rules read."""
    scanner = Scanner.from_rules(parse_playbook(template_text(name), name).playbook.rules)
    assert scanner.scan("一站式服务听起来不错") == []
    assert scanner.scan("我觉得那家店一站式服务挺方便的") == []
    for ad in ("代办营业执照，代理记账，一站式服务", "积分落户咨询，学历提升加分，一站式服务",
               "婚礼策划一站式服务，价格实惠", "一站式服务，欢迎咨询"):  # fmt: skip
        assert is_advertising(scanner.scan(ad)), ad


def test_staff_read_the_scorers_ngrams_as_the_words_that_hold_them() -> None:
    """The scorer's telling n-grams can straddle two words (`'价出'` in `低价出货`): staff read
    the words the member wrote, each said once."""
    from hearthkeeper.text.scan import scorer_finding
    from hearthkeeper.text.scorer import ScoreResult

    text = prepare("全新二手相机，低价出货")
    finding = scorer_finding(text, ScoreResult(0.99, ("价出", "二手", "低价")))
    assert finding.explanation == "learned scorer: spam 0.99 on '低价出货', '二手'"
    one_stop = scorer_finding(prepare("他们家是一站式服务"), ScoreResult(0.99, ("站式", "式服")))
    assert one_stop.explanation == "learned scorer: spam 0.99 on '一站式服务'"


SELLERS_LINES = [
    "低价出货，加我",
    "一站式服务，省心省力，一站式服务",
    "代购日本化妆品，保真，私我下单",
    "想瘦的姐妹看过来，三个月瘦二十斤",
]


@pytest.mark.parametrize("text", SELLERS_LINES)
def test_every_chinese_word_staff_read_of_a_scorer_verdict_is_whole(text: str) -> None:
    from hearthkeeper.text.scan import scorer_finding
    from hearthkeeper.text.scorer import shipped_scorer
    from hearthkeeper.text.words import chinese_words

    message = prepare(text)
    verdict = shipped_scorer().score(message)
    assert verdict.ngrams
    explanation = scorer_finding(message, verdict).explanation
    shown = explanation.split(" on ", 1)[1].strip("'").split("', '")
    for piece in shown:
        if not piece.isascii():
            # the piece starts and ends where jieba's cut of its stretch of text does
            run = next(r for r in re.findall("[\u4e00-\u9fff]+", message.words) if piece in r)
            at, ends, edge = run.index(piece), {0}, 0
            for word in chinese_words(run):
                edge += len(word)
                ends.add(edge)
            assert at in ends and at + len(piece) in ends, (piece, chinese_words(run))


def test_a_community_that_allows_more_mentions_is_not_flagged_below_them() -> None:
    """`rules.violations.mention_spam.max_mentions`: the default (5) flags six @-mentions; a
    community that allows ten (a class roll call) is flagged only past ten."""
    rules = {"violations": {"mention_spam": {"max_mentions": 10}}}
    wide = Scanner.from_rules(Playbook.model_validate({**MINIMAL, "rules": rules}).rules)
    text = "今晚点名，到了回个1"
    assert "mention_spam" in kinds(DEFAULT.scan(text, mentions=6))
    assert "mention_spam" not in kinds(wide.scan(text, mentions=6))
    assert "mention_spam" not in kinds(wide.scan(text, mentions=10))
    assert "mention_spam" in kinds(wide.scan(text, mentions=11))
