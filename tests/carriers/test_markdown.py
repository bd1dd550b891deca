"""Scheduled posts' Markdown read once for the carriers without Markdown of their own: blocks
for the web chat's page to build, readable plain text for QQ. Pure."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st
from markdown_it.token import Token

from hearthkeeper.carriers import markdown
from hearthkeeper.carriers.markdown import MARKDOWN_MOST, blocks, plain, safe_link
from hearthkeeper.carriers.onebot.segments import outgoing
from hearthkeeper.engine.actions import Action, ActionKind
from hearthkeeper.playbook.output import MAX_POST

POST = """# 两分钟知识包
**防晒**要涂*够*，详见 [指南](https://example.com/guide?a=1&b=2)

- 早上涂
- 出门前 30 分钟补
1. 洗脸
2. 涂抹"""


def test_a_post_reads_as_headings_emphasis_links_and_lists() -> None:
    assert blocks(POST) == [
        {"type": "h", "level": 1, "runs": [{"text": "两分钟知识包"}]},
        {"type": "p", "runs": [
            {"text": "防晒", "b": True}, {"text": "要涂"}, {"text": "够", "i": True},
            {"text": "，详见 "}, {"text": "指南", "href": "https://example.com/guide?a=1&b=2"},
        ]},
        {"type": "ul", "gap": True, "items": [
            [{"type": "p", "runs": [{"text": "早上涂"}]}],
            [{"type": "p", "runs": [{"text": "出门前 30 分钟补"}]}],
        ]},
        {"type": "ol", "start": 1, "items": [
            [{"type": "p", "runs": [{"text": "洗脸"}]}],
            [{"type": "p", "runs": [{"text": "涂抹"}]}],
        ]},
    ]  # fmt: skip


def test_a_line_break_in_the_post_is_a_line_break() -> None:
    assert blocks("第一行\n第二行") == [
        {"type": "p", "runs": [{"text": "第一行"}, {"br": True}, {"text": "第二行"}]}
    ]


def test_only_http_links_are_links_and_html_stays_text() -> None:
    """A post's text cannot run script or inject markup in a browser: `javascript:` and
    `data:` addresses are no links, raw HTML is its characters."""
    found = blocks('[点我](javascript:alert(1)) [图](data:text/html,x) [相对](/admin) '
                   '<img src=x onerror=alert(1)> <script>alert(1)</script>')  # fmt: skip
    [paragraph] = found
    assert not any("href" in run for run in paragraph["runs"])
    text = "".join(run.get("text", "") for run in paragraph["runs"])
    assert "<img src=x onerror=alert(1)>" in text and "<script>alert(1)</script>" in text
    assert safe_link("HTTPS://example.com") == "HTTPS://example.com"
    for bad in ("javascript:alert(1)", "data:text/html,x", "/admin", "https:nohost", None):
        assert safe_link(bad) is None


def test_plain_text_keeps_the_words_and_the_links_addresses() -> None:
    assert plain(POST) == (
        "两分钟知识包\n防晒要涂够，详见 指南 (https://example.com/guide?a=1&b=2)\n\n"
        "• 早上涂\n• 出门前 30 分钟补\n1. 洗脸\n2. 涂抹"
    )
    assert plain("见 <https://example.com>") == "见 https://example.com"
    assert plain("> 引用\n\n---\n\n```\ncode *x*\n```") == "> 引用\n\n————\n\ncode *x*"


def test_qq_gets_the_post_as_plain_text() -> None:
    """QQ took off headings and bold only: `*italic*` kept its stars, a link its brackets."""
    post = Action(kind=ActionKind.SEND, carrier="qq", group="1", extra={"format": "markdown"},
                  text="## 今日\n*轻*涂 [指南](https://example.com)")  # fmt: skip
    assert outgoing(post) == [
        {"type": "text", "data": {"text": "今日\n轻涂 指南 (https://example.com)"}}
    ]


@given(st.text(max_size=300))
def test_any_text_reads_without_raising_and_keeps_only_http_links(text: str) -> None:
    def hrefs(found: list[dict[str, object]]) -> list[object]:
        out: list[object] = []
        for block in found:
            out += [run["href"] for run in block.get("runs", []) if "href" in run]  # type: ignore[attr-defined]
            for item in block.get("items", []):  # type: ignore[attr-defined]
                out += hrefs(item)
            out += hrefs(block.get("blocks", []))  # type: ignore[arg-type]
        return out

    assert all(safe_link(h) == h for h in hrefs(blocks(text)))
    assert isinstance(plain(text), str)


class _Counting:
    """The Markdown parser, counting the characters it is given to read."""

    def __init__(self) -> None:
        self.read = 0
        self.real = markdown._parser()

    def parse(self, text: str) -> list[Token]:
        self.read += len(text)
        return self.real.parse(text)


def test_a_text_longer_than_a_post_is_shown_as_written_not_read_as_markdown(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # 240,000 characters of `**a** ` took the carrier about 3 s to read; whatever the parser
    # does per character, it is now given no more than a post's length.
    counting = _Counting()
    monkeypatch.setattr(markdown, "_parser", lambda: counting)
    book = "# A book\n\n" + "**a** " * 40_000 + "\nlast line\n\nnext paragraph"
    found = blocks(book)
    assert counting.read == 0
    assert plain(book) == book.rstrip(" ")  # every character, as written
    assert [b["type"] for b in found] == ["p", "p", "p"]
    assert found[1]["runs"][-1] == {"text": "last line"} and found[2].get("gap") is True


def test_a_post_of_the_most_characters_is_still_read_as_markdown(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    counting = _Counting()
    monkeypatch.setattr(markdown, "_parser", lambda: counting)
    post = "**a** " * (MAX_POST // 6)
    assert blocks(post)[0]["runs"][0] == {"text": "a", "b": True}
    assert counting.read == len(post) <= MARKDOWN_MOST
