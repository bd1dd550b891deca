"""What the bot sends, and how the Bot API's refusals become `CarrierError`s. Pure."""

from __future__ import annotations

import html
import re

from aiogram.exceptions import (
    TelegramAPIError,
    TelegramMigrateToChat,
    TelegramNetworkError,
    TelegramRetryAfter,
    TelegramServerError,
)
from aiogram.types import ChatPermissions

from hearthkeeper.engine.carrier import CarrierError

_SEND = ("can_send_messages", "can_send_audios", "can_send_documents", "can_send_photos",
         "can_send_videos", "can_send_video_notes", "can_send_voice_notes", "can_send_polls",
         "can_send_other_messages", "can_add_web_page_previews", "can_react_to_messages",
         "can_edit_tag")  # fmt: skip
_OTHER = ("can_change_info", "can_invite_users", "can_pin_messages", "can_manage_topics")

# A mute takes away what a member can post; lifting it gives everything back (the Bot API:
# "pass True for all permissions to lift restrictions from a user").
MUTED = ChatPermissions(**dict.fromkeys(_SEND, False))
UNMUTED = ChatPermissions(**dict.fromkeys(_SEND + _OTHER, True))

# Telegram's own bounds of a restriction: under 30 s or over 366 days is "forever".
MIN_UNTIL_S = 30
MAX_UNTIL_S = 366 * 86_400

# Answers that mean the thing asked is already so: the action is done, not failed.
ALREADY = ("message to delete not found", "message can't be deleted for everyone",
           "user_already_participant", "participant_id_invalid")  # fmt: skip


def until_date(now_s: float, duration_s: float) -> int:
    """The `until_date` of a restriction lasting `duration_s` from `now_s` (kept within
    Telegram's bounds: a mute is never turned into "forever" by being too short or long;
    the engine lifts it on time anyway)."""
    seconds = min(max(duration_s, MIN_UNTIL_S + 5), MAX_UNTIL_S - 60)
    return int(now_s + seconds)


def carrier_error(exc: TelegramAPIError | TelegramNetworkError, doing: str) -> CarrierError:
    """A refusal as a `CarrierError`: flood control retries after Telegram's `retry_after`;
    network and server errors retry with backoff; a bad request, a missing right, a blocked
    bot do not (trying again cannot help)."""
    if isinstance(exc, TelegramRetryAfter):
        return CarrierError(f"{doing}: flood control, retry after {exc.retry_after}s",
                            retry=True, after=float(exc.retry_after))  # fmt: skip
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


_HEADING = re.compile(r"^#{1,6}\s+(.+?)\s*#*$", re.MULTILINE)
_BOLD = re.compile(r"\*\*(.+?)\*\*|__(.+?)__")
_ITALIC = re.compile(r"(?<![\w*])\*(?!\s)(.+?)(?<!\s)\*(?![\w*])")
_CODE = re.compile(r"`([^`\n]+)`")
_LINK = re.compile(r"\[([^\]\n]+)\]\((https?://[^)\s]+)\)")


def markdown_html(text: str) -> str:
    """A post's Markdown as the HTML subset Telegram shows (`parse_mode=HTML`): headings and
    **bold** in <b>, *italics* in <i>, `code`, [links](…); everything else as written, escaped.
    Telegram has no headings or lists: a heading is a bold line, a list stays as typed."""
    out = html.escape(text, quote=False)
    out = _CODE.sub(lambda m: f"<code>{m.group(1)}</code>", out)
    # the text is escaped already (& → &amp;): only a quote could still end the attribute
    out = _LINK.sub(lambda m: f'<a href="{m.group(2).replace(chr(34), "&quot;")}">{m.group(1)}</a>',
                    out)  # fmt: skip
    out = _HEADING.sub(lambda m: f"<b>{m.group(1)}</b>", out)
    out = _BOLD.sub(lambda m: f"<b>{m.group(1) or m.group(2)}</b>", out)
    return _ITALIC.sub(lambda m: f"<i>{m.group(1)}</i>", out)
