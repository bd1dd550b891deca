"""A scheduled post's file in a Telegram group: `sendPhoto`, `sendVideo`, `sendVoice` or
`sendDocument` (uploaded as multipart form data), its text as the caption when it fits
Telegram's 1024 characters, the members it is meant to tell mentioned in it (`mentions.py`),
else the text follows as its own message.

A picture goes by `sendPhoto` when it passes the check every carrier makes
(`picture_check.py`) and the Bot API's limits for a photo (at most 10 MB, width and height
at most 10000 together, at most 20 times as long as wide); a picture over any of those is
still sent, by `sendDocument` (files up to 50 MB), so members get it as a file to open; so is
a picture Telegram refuses as a photo all the same (its own processing failed).

A file is uploaded once for all the groups it goes to: Telegram answers each upload with a
`file_id`, which later groups get the same file by (`KnownFiles`, by the file's bytes and the
method it went by); should Telegram no longer know that id, the file is uploaded again.

Telegram takes no idempotency key: the file of a post whose text then failed is kept with its
outbox item (`outbox.progress`, first, as `FILE` and its message id, before the text's parts:
`carriers/parts.py`), so the retry sends the text alone, after a restart too (a crash between
the file and its text).
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
from typing import Any

from aiogram import Bot
from aiogram.exceptions import TelegramBadRequest, TelegramEntityTooLarge
from aiogram.types import BufferedInputFile, Message

from hearthkeeper.carriers.assets import Asset, AssetRefused, Remembered, as_picture
from hearthkeeper.carriers.telegram.mentions import NOBODY, Mentions
from hearthkeeper.carriers.telegram.outgoing import markdown_html, shown_length
from hearthkeeper.playbook.positioning import Language

log = logging.getLogger(__name__)

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


def caption_of(text: str, markdown: bool,
               mentions: Mentions = NOBODY) -> tuple[str, str | None] | None:  # fmt: skip
    """The caption and its parse mode when `text` fits one, with `mentions` in it (None: it
    goes on its own, and they with it). The names that go before the text count."""
    if not text or len(text) > CAPTION:  # a character is at least one of Telegram's units
        return None
    shown = markdown_html(text) if markdown else text
    if mentions.names:
        caption: tuple[str, str | None] = (mentions.into(shown, markdown), "HTML")
    else:
        caption = (shown, "HTML") if markdown else (text, None)
    # counted as Telegram counts: UTF-16 units, after the HTML's entities are read
    if shown_length(caption[0], parsed=caption[1] == "HTML") > CAPTION:
        return None
    return caption


async def send_file(client: Bot, chat: int, asset: Asset, data: bytes,
                    caption: tuple[str, str | None] | None, kind: str,
                    known: KnownFiles | None = None) -> int:  # fmt: skip
    """Send `asset` to `chat` by the method of `kind` (its own, or "file" for a picture that
    goes as a document): by the `file_id` of an earlier upload of the same bytes when `known`
    has one, else uploaded; the message id. A picture Telegram refuses as a photo (its own
    processing failed) goes as a document. AssetRefused when Telegram refuses the file
    itself."""
    try:
        return await _send_as(client, chat, asset, data, caption, kind, known)
    except AssetRefused as refused:
        if kind != "picture":
            raise
        log.info("telegram: %s goes to %s as a document: %s", asset.name, chat, refused.reason)
        return await _send_as(client, chat, asset, data, caption, "file", known)


async def _send_as(client: Bot, chat: int, asset: Asset, data: bytes,
                   caption: tuple[str, str | None] | None, kind: str,
                   known: KnownFiles | None) -> int:  # fmt: skip
    if known is None:
        return await _sent_once(client, chat, asset, data, caption, kind, None, "")
    key = await asyncio.to_thread(file_key, data, kind)
    async with known.one_at_a_time(key):  # the same file to two groups at once: one upload
        return await _sent_once(client, chat, asset, data, caption, kind, known, key)


async def _sent_once(client: Bot, chat: int, asset: Asset, data: bytes,
                     caption: tuple[str, str | None] | None, kind: str,
                     known: KnownFiles | None, key: str) -> int:  # fmt: skip
    text, mode = caption if caption is not None else (None, None)
    options: dict[str, Any] = {"caption": text, "parse_mode": mode}
    file_id = known.get(key) if known is not None else None
    if known is not None and file_id is not None:
        try:
            return (await _by_method(client, chat, kind, file_id, options)).message_id
        except TelegramBadRequest:  # that id is gone (or the chat refuses): upload it
            known.forget(key)
    try:
        upload = BufferedInputFile(data, filename=asset.name)
        sent = await _by_method(client, chat, kind, upload, options)
    except TelegramEntityTooLarge:
        raise AssetRefused("Telegram refused it as too large") from None
    except TelegramBadRequest as exc:
        if any(word in exc.message.casefold() for word in _ABOUT_THE_FILE):
            raise AssetRefused(f"Telegram refused it: {exc.message}") from None
        raise
    found = _file_id(sent)
    if known is not None and found is not None:
        known.add(key, found)
    return sent.message_id


def file_key(data: bytes, kind: str) -> str:
    """What an upload is known by: its bytes and the method it went by (a photo's id is no
    document's)."""
    return f"{hashlib.sha256(data).hexdigest()}:{kind}"


async def _by_method(client: Bot, chat: int, kind: str, file: BufferedInputFile | str,
                     options: dict[str, Any]) -> Message:  # fmt: skip
    if kind == "picture":
        return await client.send_photo(chat, file, **options)
    if kind == "video":
        return await client.send_video(chat, file, **options)
    if kind == "voice":
        return await client.send_voice(chat, file, **options)
    return await client.send_document(chat, file, **options)


def _file_id(sent: Message) -> str | None:
    """The `file_id` of what `sent` carries (a photo's largest size)."""
    if sent.photo:
        return sent.photo[-1].file_id
    for media in (sent.video, sent.voice, sent.document):
        if media is not None:
            return media.file_id
    return None


# The `file_id` of each file this process uploaded, by `file_key`: the same file posted in
# many groups is uploaded once.
KnownFiles = Remembered[str]
# Kept first in an outbox item's progress once its file went (then its message id): a post
# performed again after its own text failed, or after a crash, does not send the file twice.
FILE = "file:"
