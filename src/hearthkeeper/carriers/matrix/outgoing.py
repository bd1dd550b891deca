"""What the bot sends, and how the server's refusals become `CarrierError`s. Pure."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from typing import Any

from markdown_it import MarkdownIt

from hearthkeeper.engine.actions import Action, ActionKind
from hearthkeeper.engine.carrier import CarrierError

# Refusals that trying again cannot fix.
_FINAL = frozenset({
    "M_FORBIDDEN", "M_NOT_FOUND", "M_BAD_JSON", "M_NOT_JSON", "M_UNKNOWN_TOKEN",
    "M_MISSING_TOKEN", "M_USER_DEACTIVATED", "M_INVALID_PARAM", "M_TOO_LARGE",
    "M_UNRECOGNIZED", "M_USER_LOCKED", "M_USER_SUSPENDED",
})  # fmt: skip


def txn_id(key: str) -> str:
    """The transaction id for an outbox key: the same key always gives the same id, so the
    server performs a retried send once (transaction ids are scoped to the access token)."""
    return "hk" + hashlib.sha256(key.encode("utf-8")).hexdigest()[:40]


@cache
def _markdown() -> MarkdownIt:
    # CommonMark with raw HTML off (a post's text cannot inject markup); a line break in the
    # text is a line break in the room, as chat writers expect.
    return MarkdownIt("commonmark", {"html": False, "breaks": True})


def message_content(action: Action) -> dict[str, Any]:
    """The `m.room.message` content for a REPLY, SEND, WARN or DIRECT. Text the playbook marks as
    Markdown (scheduled posts) also goes as HTML, which clients show formatted; the body
    keeps the text as written for those that show only plain text."""
    text = action.text or ""
    content: dict[str, Any] = {"msgtype": "m.text", "body": text}
    if action.extra.get("format") == "markdown" and text:
        content["format"] = "org.matrix.custom.html"
        content["formatted_body"] = _markdown().render(text).strip()
    mentioned = [action.member] if action.member and action.kind is not ActionKind.SEND else []
    named = action.extra.get("mentions") or ()  # a staff alert in the staff room names staff
    mentioned += [m for m in named if isinstance(m, str) and m not in mentioned]
    content["m.mentions"] = {"user_ids": mentioned}
    if action.kind is ActionKind.REPLY and action.target:
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
    `retry_after_ms`; a refusal (forbidden, unknown room or token, bad request) does not."""
    code = getattr(response, "status_code", None)
    message = getattr(response, "message", "") or "unknown error"
    if code in ("M_LIMIT_EXCEEDED", 429, "429"):
        after_ms = getattr(response, "retry_after_ms", None)
        after = after_ms / 1000 if isinstance(after_ms, int | float) and after_ms > 0 else None
        return CarrierError(f"{doing}: rate limited ({message})", retry=True, after=after)
    return CarrierError(f"{doing}: {code or 'error'} {message}", retry=code not in _FINAL)
