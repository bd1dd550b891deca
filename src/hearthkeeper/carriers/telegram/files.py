"""A scheduled post's file in a Telegram group: `sendPhoto`, `sendVideo`, `sendVoice` or
`sendDocument` (uploaded as multipart form data), its text as the caption when it fits
Telegram's 1024 characters, else the text follows as its own message.

A picture goes by `sendPhoto` when it passes the check every carrier makes
(`picture_check.py`) and the Bot API's limits for a photo (at most 10 MB, width and height
at most 10000 together, at most 20 times as long as wide); a picture over any of those is
still sent, by `sendDocument` (files up to 50 MB), so members get it as a file to open.

Telegram takes no idempotency key: the file of a post whose text then failed is remembered
by outbox key in this process (`SentFiles`), so the retry sends the text alone.
"""

from __future__ import annotations

from typing import Any

from aiogram import Bot
from aiogram.exceptions import TelegramBadRequest, TelegramEntityTooLarge
from aiogram.types import BufferedInputFile

from hearthkeeper.carriers.assets import Asset, AssetRefused, as_picture
from hearthkeeper.carriers.telegram.outgoing import markdown_html
from hearthkeeper.playbook.positioning import Language

CAPTION = 1024  # characters of a caption (the Bot API's limit)
PHOTO_BYTES = 10 * 1000 * 1000  # a photo: "at most 10 MB"
FILE_BYTES = 50 * 1000 * 1000  # anything else a bot uploads: "up to 50 MB"
PHOTO_SIDES = 10_000  # "width and height must not exceed 10000 in total"
PHOTO_RATIO = 20  # "width and height ratio must be at most 20"
# Refusals that name the file (its type, size, dimensions), not the chat or the bot's rights.
_ABOUT_THE_FILE = ("photo", "image", "file", "video", "voice", "audio", "dimension", "type")


def sent_as(data: bytes, language: Language = Language.EN) -> str:
    """How a scheduled post's picture goes: "picture" (sendPhoto) when Telegram takes it as
    a photo, "file" (sendDocument) when it is a picture over a photo's limits; AssetRefused
    (why, in `language`) when it is no PNG, JPEG, GIF or WebP picture."""
    facts = as_picture(data, PHOTO_BYTES, language)
    if facts is None:
        return "file"
    width, height = facts.width, facts.height
    if width + height > PHOTO_SIDES or max(width, height) > PHOTO_RATIO * min(width, height):
        return "file"
    return "picture"


def caption_of(text: str, markdown: bool) -> tuple[str, str | None] | None:
    """The caption and its parse mode when `text` fits one (None: it goes on its own)."""
    if not text or len(text) > CAPTION:  # the Markdown as written is never shorter than shown
        return None
    return (markdown_html(text), "HTML") if markdown else (text, None)


async def send_file(client: Bot, chat: int, asset: Asset, data: bytes,
                    caption: tuple[str, str | None] | None, kind: str) -> int:  # fmt: skip
    """Upload `asset` to `chat` by the method of `kind` (its own, or "file" for a picture
    that goes as a document); the message id. AssetRefused when Telegram refuses the file
    itself."""
    upload = BufferedInputFile(data, filename=asset.name)
    text, mode = caption if caption is not None else (None, None)
    options: dict[str, Any] = {"caption": text, "parse_mode": mode}
    try:
        if kind == "picture":
            sent = await client.send_photo(chat, upload, **options)
        elif kind == "video":
            sent = await client.send_video(chat, upload, **options)
        elif kind == "voice":
            sent = await client.send_voice(chat, upload, **options)
        else:
            sent = await client.send_document(chat, upload, **options)
    except TelegramEntityTooLarge:
        raise AssetRefused("Telegram refused it as too large") from None
    except TelegramBadRequest as exc:
        if any(word in exc.message.casefold() for word in _ABOUT_THE_FILE):
            raise AssetRefused(f"Telegram refused it: {exc.message}") from None
        raise
    return sent.message_id


class SentFiles:
    """The message each outbox key's file became in this process, so a post performed again
    after its own text failed does not send the file twice. Bounded."""

    LIMIT = 1000

    def __init__(self) -> None:
        self._sent: dict[str, int] = {}

    def get(self, key: str) -> int | None:
        """The message `key`'s file became, if this process sent it."""
        return self._sent.get(key)

    def add(self, key: str, message_id: int) -> None:
        """Remember what `key`'s file became."""
        if len(self._sent) >= self.LIMIT:
            self._sent.clear()
        self._sent[key] = message_id
