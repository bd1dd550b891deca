"""Links: found with or without scheme and however the dots are disguised; allowed domains pass."""

from __future__ import annotations

import pytest

from hearthkeeper.text.links import LinkDetector, find_links
from hearthkeeper.text.normalise import normalise, prepare


def hosts(text: str) -> list[str]:
    return [link.host for link in find_links(normalise(text))]


@pytest.mark.parametrize(
    ("text", "host"),
    [
        ("看这里 https://example.com/a?b=1 谢谢", "example.com"),
        ("example.com", "example.com"),
        ("example。com", "example.com"),  # ideographic full stop
        ("ｅｘａｍｐｌｅ．ｃｏｍ", "example.com"),  # full-width
        ("example . com", "example.com"),  # spaces around the dot
        ("example dot com", "example.com"),
        ("example(dot)com", "example.com"),
        ("example[.]com", "example.com"),  # defanged
        ("baidu点com", "baidu.com"),
        ("hxxp://bad.site/x", "bad.site"),
        ("hxxps://bit.ly/3xYz", "bit.ly"),
        ("h t t p s : / / evil.cn", "evil.cn"),
        ("www . shop . top", "www.shop.top"),
        ("ex%61mple.com", "example.com"),  # URL-encoded letter
        ("exаmple.com", "example.com"),  # Cyrillic а
        ("http://10.0.0.1/admin", "10.0.0.1"),
        ("http://printer.local/x", "printer.local"),
        ("www.shop.bar", "www.shop.bar"),
        ("t.me/joinchat/abc", "t.me"),  # word-like TLD with a path
        ("deals dot shop", "deals.shop"),  # word-like TLD after a disguised dot
        ("luck88.club 注册", "luck88.club"),  # word-like TLD after a name with digits
        ("visit example.com.thanks", "example.com"),  # the next sentence is not the host
    ],
)
def test_a_link_is_found(text: str, host: str) -> None:
    assert hosts(text) == [host]


@pytest.mark.parametrize(
    "text",
    [
        "I live in Lisbon.",
        "thanks.me too",  # a missing space, not t.me
        "ok.so what now",
        "That . So dont rush home",  # shorthand's spaced full stop before an English word
        "makiing sambar.life will be",
        "see you at 3.30pm",
        "Version 3.2.1 fixed it",
        "1.2.3.4",
        "file.txt and main.py, report.pdf",
        "user@example.com",  # an address, not a link
        "e.g. this, i.e. that",
        "Ok lor...Sony ericsson",
        "价格 ¥199，2024.1.3 发货",
        "a.b.c/d",
    ],
)
def test_ordinary_text_has_no_link(text: str) -> None:
    assert hosts(text) == []


def test_the_link_keeps_its_path_and_what_it_was_read_from() -> None:
    (link,) = find_links(normalise("t . me / joinchat / AbC"))
    assert link.url == "t.me/joinchat/abc"
    assert link.matched == "t . me / joinchat / abc"


def test_allowed_domains_and_their_subdomains_pass() -> None:
    detector = LinkDetector(["mp.weixin.qq.com", "https://www.shop.example.com/"])
    findings = detector(
        prepare(
            "https://mp.weixin.qq.com/s/abc shop.example.com/x sub.shop.example.com "
            "weixin.qq.com evil-shop.example.com.cn"
        )
    )
    assert [f.matched for f in findings] == ["weixin.qq.com", "evil-shop.example.com.cn"]
    assert all(f.kind == "links" for f in findings)
    assert findings[0].explanation == "not an allowed domain"  # the link names its domain
    (hidden,) = detector(prepare("go to evil.example.org/sale"))
    assert (hidden.matched, hidden.explanation) == (
        "evil.example.org/sale",
        "not an allowed domain",
    )


def test_a_lookalike_of_an_allowed_domain_is_still_a_link() -> None:
    detector = LinkDetector(["example.com"])
    assert [f.matched for f in detector(prepare("examp1e.com notexample.com"))] == [
        "examp1e.com",
        "notexample.com",
    ]
