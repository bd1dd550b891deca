"""What the bot sends, and how the Bot API's refusals become `CarrierError`s. Pure."""

from __future__ import annotations

import html
import json
import re
from collections.abc import Sequence
from itertools import groupby

from aiogram.exceptions import (
    TelegramAPIError,
    TelegramMigrateToChat,
    TelegramNetworkError,
    TelegramRetryAfter,
    TelegramServerError,
)
from aiogram.types import ChatPermissions

from hearthkeeper.carriers import cutting
from hearthkeeper.carriers.markdown import PLAIN, Block, LineStyle, Run, append_run, blocks, lines
from hearthkeeper.engine.carrier import CarrierError

_SEND = ("can_send_messages", "can_send_audios", "can_send_documents", "can_send_photos",
         "can_send_videos", "can_send_video_notes", "can_send_voice_notes", "can_send_polls",
         "can_send_other_messages", "can_add_web_page_previews", "can_react_to_messages",
         "can_edit_tag")  # fmt: skip
_OTHER = ("can_change_info", "can_invite_users", "can_pin_messages", "can_manage_topics")
SEND_RIGHTS = _SEND  # what a member may send (a closed group takes all of it away)

# A mute takes away what a member can post; lifting it gives everything back (the Bot API:
# "pass True for all permissions to lift restrictions from a user").
MUTED = ChatPermissions(**dict.fromkeys(_SEND, False))
UNMUTED = ChatPermissions(**dict.fromkeys(_SEND + _OTHER, True))

# Telegram's own bounds of a restriction: under 30 s or over 366 days is "forever".
MIN_UNTIL_S = 30
MAX_UNTIL_S = 366 * 86_400

# Answers that mean the thing asked is already so: the action is done, not failed.
ALREADY = ("message to delete not found", "message can't be deleted for everyone",
           "user_already_participant", "participant_id_invalid",
           "chat_not_modified")  # fmt: skip


def until_date(now_s: float, duration_s: float) -> int:
    """The `until_date` of a restriction lasting `duration_s` from `now_s` (kept within
    Telegram's bounds: a mute is never turned into "forever" by being too short or long;
    the engine lifts it on time anyway)."""
    seconds = min(max(duration_s, MIN_UNTIL_S + 5), MAX_UNTIL_S - 60)
    return int(now_s + seconds)


def carrier_error(exc: TelegramAPIError | TelegramNetworkError, doing: str) -> CarrierError:
    """A refusal as a `CarrierError`: flood control retries after Telegram's `retry_after`
    (a rate-limit answer: not a failed attempt);
    network and server errors retry with backoff; a bad request, a missing right, a blocked
    bot do not (trying again cannot help)."""
    if isinstance(exc, TelegramRetryAfter):
        return CarrierError(f"{doing}: flood control, retry after {exc.retry_after}s",
                            retry=True, after=float(exc.retry_after), limited=True)  # fmt: skip
    if isinstance(exc, TelegramMigrateToChat):
        return CarrierError(f"{doing}: the group became a supergroup with id "
                            f"{exc.migrate_to_chat_id}; map that id in [carriers.telegram.groups]",
                            retry=False)  # fmt: skip
    if isinstance(exc, TelegramNetworkError | TelegramServerError):
        return CarrierError(f"{doing}: {exc.message}", retry=True)
    return CarrierError(f"{doing}: {exc.message}{_hint(exc.message)}", retry=False)


def already_done(exc: TelegramAPIError) -> bool:
    """Whether a refusal says the thing was done before (a retried delete, a request gone)."""
    message = exc.message.casefold()
    return any(a in message for a in ALREADY)


def _hint(message: str) -> str:
    lowered = message.casefold()
    if "not enough rights" in lowered or "can't be deleted" in lowered:
        return " (make the bot an administrator with the rights `hearth telegram check` lists)"
    if "chat not found" in lowered:
        return " (is the bot in this group, and is the id in [carriers.telegram.groups] right?)"
    if "can't initiate conversation" in lowered or "bot was blocked" in lowered:
        return " (the person has not started a private chat with the bot)"
    return ""


def _html_run(run: Run, linked: bool) -> str:
    if run.get("br"):
        return "\n"
    text = html.escape(str(run.get("text", "")), quote=False)  # &, <, > as Telegram requires
    if run.get("code") and not linked:  # code holds no other entity, and a link no code
        return f"<code>{text}</code>"
    if run.get("i"):
        text = f"<i>{text}</i>"
    return f"<b>{text}</b>" if run.get("b") else text


def _html_runs(found: Sequence[Run], heading: bool) -> str:
    if heading:  # a bold line: its runs bold (but code), the same ones one run again
        bold: list[Run] = []
        for run in found:
            append_run(bold, {**run, "b": True} if "text" in run and not run.get("code") else run)
        found = bold
    out: list[str] = []
    for href, linked in groupby(found, key=lambda run: run.get("href")):
        inner = "".join(_html_run(run, href is not None) for run in linked)
        out.append(f'<a href="{html.escape(href)}">{inner}</a>' if href else inner)
    return "".join(out)


def _html_code(text: str, quotes: int) -> list[str]:
    # a quote holds no code block (pre), so inside one the code is its text
    escaped = html.escape(text, quote=False)
    return f"<pre>{escaped}</pre>".split("\n") if not quotes else escaped.split("\n")


def _html_quote(inner: list[str], quotes: int) -> list[str]:
    if quotes or not inner:  # a quote in a quote: Telegram nests no blockquotes
        return ["&gt; " + line if line else "&gt;" for line in inner]
    return [f"<blockquote>{inner[0]}", *inner[1:-1], f"{inner[-1]}</blockquote>"] \
        if len(inner) > 1 else [f"<blockquote>{inner[0]}</blockquote>"]  # fmt: skip


TELEGRAM_HTML = LineStyle(runs=_html_runs, code=_html_code, quote=_html_quote)


def markdown_html(text: str) -> str:
    """A post's Markdown, read by the shared reader (`carriers/markdown.py`), as the HTML
    Telegram shows (`parse_mode=HTML`): **bold** in <b>, *italics* in <i>, `code`, links to
    http(s) addresses only, quotes in <blockquote>, code blocks in <pre>; every `&`, `<`
    and `>` of the text escaped. Telegram has no headings or lists: a heading is a bold line,
    list items start with `•` or their number, as on QQ."""
    return "\n".join(lines(blocks(text), TELEGRAM_HTML)).strip("\n")


TEXT_LIMIT = 4096  # what a message shows, after its entities are read (the Bot API's limit)
_TAG = re.compile(r"<[^>]*>")  # the text's own < are escaped, so every < here opens a tag


def shown_length(text: str, parsed: bool) -> int:
    """How long Telegram counts `text` (UTF-16 units, the Bot API's measure; HTML: its tags
    gone and its entities read)."""
    if parsed:
        text = html.unescape(_TAG.sub("", text))
    return len(text.encode("utf-16-le", "surrogatepass")) // 2  # a lone surrogate: one unit


def cut(text: str, limit: int = TEXT_LIMIT) -> list[str]:
    """`text` in parts Telegram takes whole (`carriers/cutting.py`, counted as Telegram counts)."""
    return [part for part, _ in cut_parts(text, limit)]


def cut_parts(text: str, limit: int = TEXT_LIMIT, after: str | None = None) -> list[tuple[str, str]]:  # fmt: skip
    """`cut`'s parts, each with where it ends in `text` (a position `after` reads back: the
    parts of what follows the part that ended there; none when nothing does)."""
    start = 0 if after is None else cutting.resumed(text, _offset(after))
    found = cutting.spans(text, lambda t: shown_length(t, parsed=False) <= limit, limit,
                          start=start)  # fmt: skip
    return [(text[begin:end], str(end)) for begin, end in found]


def markdown_messages(text: str, limit: int = TEXT_LIMIT) -> list[str]:
    """A post's Markdown as the HTML messages Telegram shows it in: one when it fits, else
    its blocks (paragraphs, lists, quotes …) in as few messages as fit, each message whole
    HTML. A single block longer than a message goes as plain text in parts."""
    return [part for part, _ in markdown_parts(text, limit)]


def markdown_parts(text: str, limit: int = TEXT_LIMIT,
                   after: str | None = None) -> list[tuple[str, str]]:  # fmt: skip
    """`markdown_messages`, each with where it ends among the post's blocks, as `after` reads
    it back (the messages of what follows; none when nothing does): `K` when it ends the
    first K blocks, `K-M+C` when it ends C characters into the plain text of blocks K to M,
    a stretch too long for a message."""
    found = blocks(text)
    out: list[tuple[str, str]] = []
    start = 0
    if after is not None:
        start, stretch, went = _position(after, len(found))
        if stretch is not None:  # the rest of a stretch sent as plain text
            out.extend(_plain_parts(found, start, stretch, limit, went))
            start = stretch
    shown = [shown_length(_html(block), parsed=True) for block in found]
    groups: list[list[int]] = []  # the blocks of each message, by their index
    length = 0
    for index in range(start, len(found)):
        block, size = found[index], shown[index]
        joint = 1 + (1 if block.get("gap") else 0)
        if groups and groups[-1] and length + joint + size <= limit:
            groups[-1].append(index)
            length += joint + size
        else:
            groups.append([index])
            length = size
    for group in groups:
        first, stop = group[0], group[-1] + 1
        formatted = "\n".join(lines(found[first:stop], TELEGRAM_HTML)).strip("\n")
        if shown_length(formatted, parsed=True) <= limit:
            out.append((formatted, str(stop)))
        else:  # one block longer than a message
            out.extend(_plain_parts(found, first, stop, limit, None))
    kept = [(part, end) for part, end in out if part]
    if kept or after is not None:
        return kept
    return [(markdown_html(text), str(len(found)))]


def _plain_parts(found: Sequence[Block], first: int, stop: int, limit: int,
                 went: int | None) -> list[tuple[str, str]]:  # fmt: skip
    """Blocks `first` to `stop` as plain text in parts (after the `went` characters of it sent
    before), each with its position."""
    plain = "\n".join(lines(found[first:stop], PLAIN)).strip("\n")
    start = 0 if went is None else cutting.resumed(plain, went)
    cut_at = cutting.spans(plain, lambda t: shown_length(t, parsed=False) <= limit, limit,
                           start=start)  # fmt: skip
    return [(html.escape(plain[begin:end], quote=False), f"{first}-{stop}+{end}")
            for begin, end in cut_at]  # fmt: skip


def rendered(text: str, markdown: bool) -> str:
    """What the positions of a text's parts point into (its fingerprint is kept with them): the
    text itself, or a post's blocks and their plain text."""
    if not markdown:
        return text
    found = blocks(text)
    return (
        json.dumps(found, ensure_ascii=False, sort_keys=True)
        + "\n"
        + "\n".join(lines(found, PLAIN))
    )


def _offset(after: str) -> int:
    if not after.isdigit():
        raise CarrierError(f"telegram: {after!r} is no position in a text", retry=False)
    return int(after)


def _position(after: str, count: int) -> tuple[int, int | None, int]:
    """A position of `markdown_parts`: the blocks before it, the end of the stretch it lies in
    (None: it ends a message of whole blocks) and the characters of that stretch sent."""
    found = re.fullmatch(r"(\d+)(?:-(\d+)\+(\d+))?", after)
    if found is None or int(found[1]) > count or int(found[2] or 0) > count:
        raise CarrierError(f"telegram: {after!r} is no position in this post", retry=False)
    stretch = None if found[2] is None else int(found[2])
    return int(found[1]), stretch, int(found[3] or 0)


def _html(block: Block) -> str:
    return "\n".join(lines([block], TELEGRAM_HTML)).strip("\n")
