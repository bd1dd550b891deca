"""A scheduled post's file in a Telegram group: `sendPhoto`, `sendVideo`, `sendVoice` or
`sendDocument` (uploaded as multipart form data), its text as the caption when it fits
Telegram's 1024 characters, else the text follows as its own message.

Telegram takes no idempotency key: the file of a post whose text then failed is remembered
by outbox key in this process (`SentFiles`), so the retry sends the text alone.
"""

from __future__ import annotations

from typing import Any

from aiogram import Bot
from aiogram.exceptions import TelegramBadRequest, TelegramEntityTooLarge
from aiogram.types import BufferedInputFile

from hearthkeeper.carriers.assets import Asset, AssetRefused, picture_facts
from hearthkeeper.carriers.telegram.outgoing import markdown_html

CAPTION = 1024  # characters of a caption (the Bot API's limit)
PHOTO_BYTES = 10 * 1000 * 1000  # a photo: "at most 10 MB"
FILE_BYTES = 50 * 1000 * 1000  # anything else a bot uploads: "up to 50 MB"
PHOTO_SIDES = 10_000  # "width and height must not exceed 10000 in total"
PHOTO_RATIO = 20  # "width and height ratio must be at most 20"
# Refusals that name the file (its type, size, dimensions), not the chat or the bot's rights.
_ABOUT_THE_FILE = ("photo", "image", "file", "video", "voice", "audio", "dimension", "type")


def photo_checked(data: bytes) -> None:
    """AssetRefused for a picture Telegram would not take as a photo."""
    _, width, height = picture_facts(data)
    if width + height > PHOTO_SIDES:
        raise AssetRefused(f"{width}×{height} pixels: Telegram takes photos of at most "
                           f"{PHOTO_SIDES} pixels width and height together")  # fmt: skip
    if max(width, height) > PHOTO_RATIO * min(width, height):
        raise AssetRefused(f"{width}×{height} pixels: Telegram takes photos at most "
                           f"{PHOTO_RATIO} times as long as wide")  # fmt: skip


def caption_of(text: str, markdown: bool) -> tuple[str, str | None] | None:
    """The caption and its parse mode when `text` fits one (None: it goes on its own)."""
    if not text or len(text) > CAPTION:  # the Markdown as written is never shorter than shown
        return None
    return (markdown_html(text), "HTML") if markdown else (text, None)


async def send_file(client: Bot, chat: int, asset: Asset, data: bytes,
                    caption: tuple[str, str | None] | None) -> int:  # fmt: skip
    """Upload `asset` to `chat` by the method of its kind; the message id. AssetRefused
    when Telegram refuses the file itself."""
    upload = BufferedInputFile(data, filename=asset.name)
    text, mode = caption if caption is not None else (None, None)
    options: dict[str, Any] = {"caption": text, "parse_mode": mode}
    try:
        if asset.kind == "picture":
            sent = await client.send_photo(chat, upload, **options)
        elif asset.kind == "video":
            sent = await client.send_video(chat, upload, **options)
        elif asset.kind == "voice":
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


def limit_of(asset: Asset) -> int:
    """The most bytes Telegram takes for the asset's kind from a bot."""
    return PHOTO_BYTES if asset.kind == "picture" else FILE_BYTES


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
