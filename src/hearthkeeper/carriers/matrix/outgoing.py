"""What the bot sends, and how the server's refusals become `CarrierError`s. Pure."""

from __future__ import annotations

import hashlib
import html
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from itertools import groupby
from typing import Any

from hearthkeeper.carriers.cutting import resumed, spans
from hearthkeeper.carriers.markdown import Block, Run, blocks
from hearthkeeper.engine.actions import Action, ActionKind
from hearthkeeper.engine.carrier import CarrierError

# Refusals that trying again cannot fix.
_FINAL = frozenset({
    "M_FORBIDDEN", "M_NOT_FOUND", "M_BAD_JSON", "M_NOT_JSON", "M_UNKNOWN_TOKEN",
    "M_MISSING_TOKEN", "M_USER_DEACTIVATED", "M_INVALID_PARAM", "M_TOO_LARGE",
    "M_UNRECOGNIZED", "M_USER_LOCKED", "M_USER_SUSPENDED",
})  # fmt: skip


# Synapse refuses an event over 65,536 bytes (its canonical JSON in UTF-8: `MAX_PDU_SIZE`), three
# bytes a Chinese character, four an emoji, and a post's text is in it twice (body and HTML).
# The text's share; the rest is the server's: ids, hashes, signatures, earlier events' ids,
# the content's mentions and reply.
TEXT_BYTES = 60_000


def txn_id(key: str) -> str:
    """The transaction id for an outbox key: the same key always gives the same id, so the
    server performs a retried send once (transaction ids are scoped to the access token)."""
    return "hk" + hashlib.sha256(key.encode("utf-8")).hexdigest()[:40]


def markdown_html(text: str) -> str:
    """A post's Markdown, read by the shared reader (`carriers/markdown.py`) as on every other
    carrier, as the HTML Matrix clients show (`org.matrix.custom.html`): headings, paragraphs,
    **bold**, *italics*, `code`, links to http(s) addresses only, lists, quotes, code blocks
    and rules; everything the text holds escaped, so a post cannot inject markup."""
    return _blocks_html(blocks(text))


def _blocks_html(found: Sequence[Block]) -> str:
    return "".join(_block_html(block) for block in found)


def _block_html(block: Block) -> str:
    kind = block["type"]
    if kind == "p":
        return f"<p>{_runs_html(block['runs'])}</p>"
    if kind == "h":
        level = min(max(int(block["level"]), 1), 6)
        return f"<h{level}>{_runs_html(block['runs'])}</h{level}>"
    if kind in ("ul", "ol"):
        start = f' start="{block["start"]}"' if kind == "ol" and block["start"] != 1 else ""
        items = "".join(f"<li>{_item_html(item)}</li>" for item in block["items"])
        return f"<{kind}{start}>{items}</{kind}>"
    if kind == "quote":
        return f"<blockquote>{_blocks_html(block['blocks'])}</blockquote>"
    if kind == "code":
        return f"<pre><code>{html.escape(str(block['text']), quote=False)}</code></pre>"
    return "<hr />"


def _item_html(item: Sequence[Block]) -> str:
    """A list item: a lone paragraph's runs as they are (a tight list), else its blocks."""
    if len(item) == 1 and item[0]["type"] == "p":
        return _runs_html(item[0]["runs"])
    return _blocks_html(item)


def _runs_html(found: Sequence[Run]) -> str:
    out: list[str] = []
    for href, linked in groupby(found, key=lambda run: run.get("href")):
        inner = "".join(_run_html(run) for run in linked)
        out.append(f'<a href="{html.escape(href)}">{inner}</a>' if href else inner)
    return "".join(out)


def _run_html(run: Run) -> str:
    if run.get("br"):
        return "<br />"
    text = html.escape(str(run.get("text", "")), quote=False)
    if run.get("code"):
        text = f"<code>{text}</code>"
    if run.get("i"):
        text = f"<em>{text}</em>"
    return f"<strong>{text}</strong>" if run.get("b") else text


@dataclass(frozen=True)
class Part:
    """One message of a text: its `m.room.message` content, and where the text it says begins
    and ends in the action's text (`text[start:end]`)."""

    content: dict[str, Any]
    start: int
    end: int


def message_contents(action: Action, most: int) -> list[dict[str, Any]]:
    """The `m.room.message` contents a REPLY, SEND, WARN or DIRECT is said in (`message_parts`)."""
    return [part.content for part in message_parts(action, most)]


def message_parts(action: Action, most: int, after: int | None = None) -> list[Part]:
    """The messages a REPLY, SEND, WARN or DIRECT is said in: one, or its text cut into parts
    of at most `most` characters whose body and HTML take at most `TEXT_BYTES`
    (`carriers/cutting.py`), in order; the first mentions and answers as the action says.
    Given `after`, where a part sent before ended in the text: the messages of the rest, none
    of them the first (none when nothing is left)."""
    text = action.text or ""
    markdown = action.extra.get("format") == "markdown"
    kept: dict[str, str] = {}  # the HTML of texts measured that fit: a part sent reuses its own

    def fits(part: str) -> bool:
        rendered = kept.get(part)
        if markdown and part and rendered is None:
            rendered = markdown_html(part)
        if text_bytes(part, markdown, rendered) > TEXT_BYTES:
            return False
        if rendered is not None and part not in kept:
            # a longer beginning that fits supersedes the shorter ones (the halving's), so
            # about two are kept a part, not every beginning measured
            for shorter in [k for k in kept if part.startswith(k)]:
                del kept[shorter]
            kept[part] = rendered
        return True

    start = 0 if after is None else resumed(text, after)
    found = spans(text, fits, most, markdown=markdown, start=start)
    return [Part(message_content(action, text[begin:end], first=after is None and n == 0,
                                 rendered=kept.get(text[begin:end])), begin, end)
            for n, (begin, end) in enumerate(found)]  # fmt: skip


def text_bytes(text: str, markdown: bool, rendered: str | None = None) -> int:
    """The bytes `text` takes in an event: its body and, for Markdown, its HTML (`rendered`,
    when it is at hand), as JSON."""
    said = json.dumps(text, ensure_ascii=False)
    if markdown and text:
        html_text = markdown_html(text) if rendered is None else rendered
        said += json.dumps(html_text, ensure_ascii=False)
    return len(said.encode("utf-8", "surrogatepass"))


def message_content(action: Action, text: str | None = None, *, first: bool = True,
                    rendered: str | None = None) -> dict[str, Any]:  # fmt: skip
    """The `m.room.message` content for a REPLY, SEND, WARN or DIRECT (`text`: a part of its
    text; a part after the `first` mentions nobody and answers nothing: those who are meant
    are told once). Text the playbook marks as Markdown (scheduled posts) also goes as HTML,
    which clients show formatted; the body keeps the text as written for those that show
    only plain text (`rendered`: that HTML, when measured already)."""
    text = (action.text or "") if text is None else text
    content: dict[str, Any] = {"msgtype": "m.text", "body": text}
    if action.extra.get("format") == "markdown" and text:
        content["format"] = "org.matrix.custom.html"
        content["formatted_body"] = markdown_html(text) if rendered is None else rendered
    mentioned = [action.member] if action.member and action.kind is not ActionKind.SEND else []
    named = action.extra.get("mentions") or ()  # a staff alert in the staff room names staff
    mentioned += [m for m in named if isinstance(m, str) and m not in mentioned]
    content["m.mentions"] = {"user_ids": mentioned if first else []}
    if action.kind is ActionKind.REPLY and action.target and first:
        content["m.relates_to"] = {"m.in_reply_to": {"event_id": action.target}}
    return content


@dataclass(frozen=True)
class Refusal:
    """A homeserver's error answer read from its raw JSON, shaped as nio's `ErrorResponse`
    (`status_code` is the Matrix errcode, else the HTTP status)."""

    status_code: str | int
    message: str
    retry_after_ms: int | None = None

    @classmethod
    def of(cls, status: int, body: Mapping[str, Any] | None) -> Refusal:
        body = body or {}
        errcode = body.get("errcode")
        after = body.get("retry_after_ms")
        return cls(
            errcode if isinstance(errcode, str) else (429 if status == 429 else status),
            str(body.get("error") or f"HTTP {status}"),
            after if isinstance(after, int) and not isinstance(after, bool) else None,
        )


def carrier_error(response: Any, doing: str) -> CarrierError:
    """A nio `ErrorResponse` as a `CarrierError`: a 429 retries after the server's
    `retry_after_ms`, a rate-limit answer (`limited`: waited out without counting as a failed
    attempt, the room's later actions behind it); a refusal (forbidden, unknown room or
    token, bad request) does not retry."""
    code = getattr(response, "status_code", None)
    message = getattr(response, "message", "") or "unknown error"
    if code in ("M_LIMIT_EXCEEDED", 429, "429"):
        after_ms = getattr(response, "retry_after_ms", None)
        after = after_ms / 1000 if isinstance(after_ms, int | float) and after_ms > 0 else None
        return CarrierError(f"{doing}: rate limited ({message})", retry=True, after=after,
                            limited=True)  # fmt: skip
    return CarrierError(f"{doing}: {code or 'error'} {message}", retry=code not in _FINAL)
