"""Scheduled posts' Markdown for carriers that show no Markdown of their own. Pure.

`blocks` reads a post into a small tree of blocks and runs, plain data (JSON) that the web
chat's page builds with `createElement` and `textContent`, so nothing in a post can become
markup or script; `plain` is the same reading as readable plain text (QQ). The subset kept:
headings, paragraphs and line breaks, **bold**, *italic*, `code`, links to http(s)
addresses only, bulleted and numbered lists, quotes, code blocks and rules; raw HTML is
text, as written.

A block is `{"type": "p" | "h" | "ul" | "ol" | "quote" | "code" | "hr", …}` with `runs`
(p, h: `level`), `items` (ul, ol: each a list of blocks; ol: `start`), `blocks` (quote) or
`text` (code), and `gap` when a blank line stood before it. A run is `{"text": …}` with
`b`, `i`, `code` set when true and `href` for a link, or `{"br": true}`.

`lines` shows blocks as lines of text in a carrier's `LineStyle`: `PLAIN` here, Telegram's
HTML in `carriers/telegram/outgoing.py`, so lists, quotes and blank lines look the same.

A text longer than `MARKDOWN_MOST` is not read as Markdown but shown as written, its
paragraphs and line breaks kept: a post is at most `MAX_POST` characters (a staff reminder
adds a line around one), and the reader's work grows with what it is given (a pasted
240,000 characters of `**a** ` took the carrier about 3 s).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import cache
from typing import Any
from urllib.parse import urlsplit

from markdown_it import MarkdownIt
from markdown_it.token import Token

from hearthkeeper.playbook.output import MAX_POST

Block = dict[str, Any]
Run = dict[str, Any]
LINK_SCHEMES = frozenset({"http", "https"})
MARKDOWN_MOST = MAX_POST + 2_000  # characters read as Markdown; a longer text is shown as written


@cache
def _parser() -> MarkdownIt:
    # CommonMark with raw HTML off; a line break in the text is a line break shown, as chat
    # writers expect (the Matrix carrier renders the same way).
    return MarkdownIt("commonmark", {"html": False, "breaks": True})


def safe_link(href: object) -> str | None:
    """`href` when it is an absolute http(s) address; None for anything else (`javascript:`,
    `data:`, a relative path), which is then shown as its text without a link."""
    if not isinstance(href, str):
        return None
    try:
        parts = urlsplit(href)
    except ValueError:
        return None
    return href if parts.scheme.lower() in LINK_SCHEMES and parts.netloc else None


def blocks(text: str) -> list[Block]:
    """A post's Markdown as blocks (see the module's doc)."""
    if len(text) > MARKDOWN_MOST:
        return _as_written(text)
    reading = _Reading(text.split("\n"))
    for token in _parser().parse(text):
        reading.take(token)
    return reading.root


def _as_written(text: str) -> list[Block]:
    """`text` as paragraphs of plain text (between blank lines), each line break kept."""
    found: list[Block] = []
    paragraph: list[Run] = []
    gap = False
    for line in [*text.split("\n"), ""]:
        if line.strip():
            if paragraph:
                paragraph.append({"br": True})
            paragraph.append({"text": line})
            continue
        if paragraph:
            found.append({"type": "p", "runs": paragraph, **({"gap": True} if gap else {})})
            paragraph = []
        gap = bool(found)
    return found


class _Reading:
    """The blocks read so far: where the next one goes, and which lists are open."""

    def __init__(self, lines: Sequence[str]) -> None:
        self.lines = lines  # the source's, to see a blank line before a block
        self.root: list[Block] = []
        self.places: list[list[Block]] = [self.root]
        self.lists: list[Block] = []
        self.awaiting: Block | None = None  # a paragraph or heading before its inline text

    def take(self, token: Token) -> None:
        kind = token.type
        if kind in ("paragraph_open", "heading_open"):
            block: Block = {"type": "p", "runs": []} if kind == "paragraph_open" else {
                "type": "h", "level": int(token.tag[1:] or 1), "runs": []}  # fmt: skip
            self.awaiting = self.place(block, token)
        elif kind == "inline" and self.awaiting is not None:
            self.awaiting["runs"] = runs(token.children or [])
            self.awaiting = None
        elif kind in ("bullet_list_open", "ordered_list_open"):
            block = {"type": "ul", "items": []}
            if kind == "ordered_list_open":
                start = token.attrs.get("start", 1)
                block = {"type": "ol", "start": int(start) if isinstance(start, int | str) else 1,
                         "items": []}  # fmt: skip
            self.lists.append(self.place(block, token))
        elif kind == "list_item_open" and self.lists:
            item: list[Block] = []
            self.lists[-1]["items"].append(item)
            self.enter(item)
        elif kind == "blockquote_open":
            quoted: list[Block] = []
            self.place({"type": "quote", "blocks": quoted}, token)
            self.enter(quoted)
        elif kind in ("list_item_close", "blockquote_close") and len(self.places) > 1:
            self.places.pop()
        elif kind in ("bullet_list_close", "ordered_list_close") and self.lists:
            self.lists.pop()
        elif kind in ("fence", "code_block"):
            self.place({"type": "code", "text": token.content.rstrip("\n")}, token)
        elif kind == "hr":
            self.place({"type": "hr"}, token)
        elif kind == "html_block":  # not with html off; kept as text all the same
            self.place({"type": "p", "runs": [{"text": token.content.rstrip("\n")}]}, token)

    def enter(self, place: list[Block]) -> None:
        self.places.append(place)

    def place(self, block: Block, token: Token) -> Block:
        """Add `block` where blocks go now, marking a blank line before it as a `gap` (not
        before the first: a list's or quote's spacing is the page's)."""
        start = token.map[0] if token.map else 0
        if self.places[-1] and 0 < start <= len(self.lines) and not self.lines[start - 1].strip():
            block["gap"] = True
        self.places[-1].append(block)
        return block


def runs(children: Sequence[Token]) -> list[Run]:
    """An inline token's children as runs: text with its emphasis and link, line breaks."""
    out: list[Run] = []
    bold = italic = 0
    links: list[str | None] = []

    def add(text: str, *, code: bool = False) -> None:
        if not text:
            return
        run: Run = {"text": text}
        if bold:
            run["b"] = True
        if italic:
            run["i"] = True
        if code:
            run["code"] = True
        href = next((h for h in reversed(links) if h is not None), None)
        if href is not None:
            run["href"] = href
        append_run(out, run)

    for child in children:
        kind = child.type
        if kind in ("text", "html_inline"):
            add(child.content)
        elif kind == "code_inline":
            add(child.content, code=True)
        elif kind in ("softbreak", "hardbreak"):
            out.append({"br": True})
        elif kind in ("strong_open", "strong_close"):
            bold += 1 if kind == "strong_open" else -1
        elif kind in ("em_open", "em_close"):
            italic += 1 if kind == "em_open" else -1
        elif kind == "link_open":
            links.append(safe_link(child.attrs.get("href")))
        elif kind == "link_close" and links:
            links.pop()
        elif kind == "image":  # its words, linked to the picture when that is an http(s) one
            links.append(safe_link(child.attrs.get("src")))
            add(child.content)
            links.pop()
    return out


@dataclass(frozen=True)
class LineStyle:
    """How a carrier that shows a post as lines of text shows its parts: `runs(runs, heading)`
    a paragraph's or heading's runs, `code(text, quotes)` a code block inside `quotes` quotes,
    `quote(lines, quotes)` a quote's lines (`quotes`: the quotes around it) and `rule` a rule.
    Lists are the same everywhere: `•` or the item's number, the rest of an item indented."""

    runs: Callable[[Sequence[Run], bool], str]
    code: Callable[[str, int], list[str]]
    quote: Callable[[list[str], int], list[str]]
    rule: str = "————"


def lines(found: Sequence[Block], style: LineStyle, quotes: int = 0) -> list[str]:
    """Blocks as lines in `style`, a blank line where the post has one."""
    out: list[str] = []
    for block in found:
        if block.get("gap") and out:
            out.append("")
        out.extend(_block_lines(block, style, quotes))
    return out


def _block_lines(block: Block, style: LineStyle, quotes: int) -> list[str]:
    kind = block["type"]
    if kind in ("p", "h"):
        return style.runs(block["runs"], kind == "h").split("\n")
    if kind in ("ul", "ol"):
        out: list[str] = []
        for n, item in enumerate(block["items"]):
            mark = "• " if kind == "ul" else f"{block['start'] + n}. "
            inner = lines(item, style, quotes) or [""]
            out.append(mark + inner[0])
            out.extend(" " * len(mark) + line if line else "" for line in inner[1:])
        return out
    if kind == "quote":
        return style.quote(lines(block["blocks"], style, quotes + 1), quotes)
    if kind == "code":
        return style.code(str(block["text"]), quotes)
    return [style.rule]  # hr


PLAIN = LineStyle(
    runs=lambda found, _heading: plain_runs(found),
    code=lambda text, _quotes: text.split("\n"),
    quote=lambda inner, _quotes: ["> " + line if line else ">" for line in inner],
)


def append_run(out: list[Run], run: Run) -> None:
    """Add `run` to `out`, joined to the last run when both are text formatted the same."""
    last = out[-1] if out else None
    if last is not None and "text" in last and "text" in run \
            and {**last, "text": ""} == {**run, "text": ""}:  # fmt: skip
        out[-1] = {**last, "text": last["text"] + run["text"]}
    else:
        out.append(run)


def plain(text: str) -> str:
    """A post's Markdown as readable plain text: the words without the marks, a link's address
    after its words, list items with `•` or their numbers, a blank line where the post has
    one."""
    return "\n".join(lines(blocks(text), PLAIN)).strip("\n")


def plain_runs(found: Sequence[Run]) -> str:
    """Runs as plain text: a link's address in brackets after its words (once for the whole
    link), unless the words are the address."""
    out: list[str] = []
    words: list[str] = []  # the current link's words
    href: str | None = None

    def end_link() -> None:
        if href is not None and "".join(words).strip() != href:
            out.append(f" ({href})")
        words.clear()

    for run in found:
        here = run.get("href")
        if here != href:
            end_link()
            href = here
        if run.get("br"):
            out.append("\n")
            continue
        out.append(str(run.get("text", "")))
        if href is not None:
            words.append(str(run.get("text", "")))
    end_link()
    return "".join(out)
