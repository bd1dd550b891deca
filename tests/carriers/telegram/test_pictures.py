"""Photos posted in Telegram groups are downloaded (getFile, then the file endpoint, through
aiogram) and read for QR codes, as the web chat's uploads are: another group's QR code is an
invite."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import timedelta

import pytest
from aiogram import Bot
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.exceptions import TelegramBadRequest

from hearthkeeper.carriers.pictures import PictureLimits
from hearthkeeper.text.qr import read_qr_codes
from tests.carriers.telegram.fake_bot_api import DOWNLOAD_LIMIT, JSON, FakeBotApi
from tests.carriers.telegram.telegram_setup import (
    Hearth,
    bot_message,
    eventually,
    said,
    serving,
    text_of,
)
from tests.qr_pictures import GROUP_INVITE, PDF, as_webp, plain_photo, qr_photo

pytestmark = [pytest.mark.telegram, pytest.mark.asyncio]


@dataclass
class Newcomer:
    """Mei, a newcomer in a group of the community, which the bot serves."""

    community: Hearth
    chat: int
    mei: JSON

    @property
    def api(self) -> FakeBotApi:
        return self.community.api

    async def deleted_as_an_invite(self, message_id: int) -> None:
        """Wait for `message_id` to be deleted, and Mei warned for breaking the rules."""
        api, chat = self.api, self.chat
        await eventually(lambda: api.deleted(chat, message_id), "the message to be deleted")
        warning = await bot_message(self.community, chat, "这条消息不符合群规，已删除")
        assert "第一次提醒" in text_of(warning)

    def strikes(self) -> list[str]:
        """The violations Mei's strikes were given for."""
        return [
            s.violation for s in self.community.store.strikes(self.community.runtime.community_id)
        ]


@asynccontextmanager
async def newcomer(community: Hearth, max_bytes: int | None = None,
                   past_probation: bool = False) -> AsyncIterator[Newcomer]:  # fmt: skip
    """Mei joined a group while the bot serves it, fetching pictures of at most `max_bytes`;
    `past_probation`: 13 hours later (the template's probation forbids files)."""
    chat = community.group()  # before the carrier, which serves the groups it knows
    carrier = community.carrier()
    if max_bytes is not None:
        carrier.pictures = PictureLimits(max_bytes=max_bytes)
    async with serving(community, carrier):
        mei = await community.newcomer("Mei", chat)
        if past_probation:
            community.clock.advance(timedelta(hours=13))
        yield Newcomer(community, chat, mei)


def unread(caplog: pytest.LogCaptureFixture) -> list[str]:
    """The log's lines about pictures not read for QR codes."""
    return [r.getMessage() for r in caplog.records if "not read for QR codes" in r.getMessage()]


async def test_another_groups_qr_code_in_a_photo_is_deleted_and_counted(
    community: Hearth,
) -> None:
    api = community.api
    async with newcomer(community) as mei:
        ordinary = api.post_photo(mei.chat, mei.mei, plain_photo(), "这款面霜怎么样？")
        poster = api.post_photo(mei.chat, mei.mei, qr_photo())
        await mei.deleted_as_an_invite(poster)
        # Handled before the poster, in order: read, and left alone (a newcomer's photo the
        # bot could not read would have been taken down as a link).
        assert not api.deleted(mei.chat, ordinary)
        assert said(community, mei.chat, "不能发") == []
    assert mei.strikes() == ["invites"]
    # The largest size of each photo was fetched, once.
    assert len(api.downloads) == 2 and len(set(api.downloads)) == 2


async def test_a_photo_over_the_limit_is_handled_unread(
    community: Hearth, caplog: pytest.LogCaptureFixture
) -> None:
    api = community.api
    with caplog.at_level(logging.WARNING, logger="hearthkeeper.carriers.pictures"):
        async with newcomer(community, max_bytes=1024) as mei:
            poster = api.post_photo(mei.chat, mei.mei, qr_photo())
            # Not read, so not an invite; but a newcomer's unread photo counts as a link.
            await bot_message(community, mei.chat, "消息已撤回")
            assert api.deleted(mei.chat, poster)
            api.say(mei.chat, mei.mei, "打卡")  # the bot carries on
            await bot_message(community, mei.chat, "Mei 打卡成功")
    lines = unread(caplog)
    assert len(lines) == 1 and "is over the limit of 1.0 KiB" in lines[0], lines
    assert api.downloads == []  # refused from getFile's file_size, before any byte came
    assert mei.strikes() == []


async def test_the_fake_serves_files_as_the_bot_api_documents(community: Hearth) -> None:
    api = community.api
    (*_, largest) = api.photo_sizes(qr_photo())
    huge = api.store_file(b"\xff\xd8" + b"\0" * DOWNLOAD_LIMIT, "documents", "jpg")
    session = AiohttpSession(api=TelegramAPIServer.from_base(api.base_url))
    bot = Bot(community.token, session=session)
    try:
        found = await bot.get_file(largest["file_id"])
        assert (found.file_unique_id, found.file_size) == (largest["file_unique_id"],
                                                           largest["file_size"])  # fmt: skip
        assert found.file_path is not None and found.file_path.startswith("photos/")
        data = await bot.download_file(found.file_path)
        assert data is not None and read_qr_codes(data.read()) == [GROUP_INVITE]
        with pytest.raises(TelegramBadRequest, match="file is too big"):
            await bot.get_file(huge.file_id)
        with pytest.raises(TelegramBadRequest, match="invalid file_id"):
            await bot.get_file("nonsense")
    finally:
        await session.close()


def _downloaded(api: FakeBotApi, chat: int, message_id: int, field: str) -> bool:
    """Whether the file of a message's document or sticker was fetched from the file endpoint."""
    file_id = api.chats[chat].messages[message_id][field]["file_id"]
    return api.files[file_id].file_path in api.downloads


async def test_another_groups_qr_code_sent_as_a_file_is_deleted_and_counted(
    community: Hearth,
) -> None:
    api = community.api
    async with newcomer(community, past_probation=True) as mei:
        ordinary = api.post_document(mei.chat, mei.mei, plain_photo(), "面霜.png", "image/png")
        prices = api.post_document(mei.chat, mei.mei, PDF, "价目表.pdf", "application/pdf")
        poster = api.post_document(mei.chat, mei.mei, qr_photo(), "海报.png", "image/png")
        await mei.deleted_as_an_invite(poster)
        assert not api.deleted(mei.chat, ordinary) and not api.deleted(mei.chat, prices)
    assert mei.strikes() == ["invites"]
    assert _downloaded(api, mei.chat, ordinary, "document")
    assert not _downloaded(api, mei.chat, prices, "document")  # not a picture: never fetched


async def test_a_photo_sent_as_a_file_of_no_type_is_read_by_its_first_bytes(
    community: Hearth,
) -> None:
    """A poster sent as `application/octet-stream` (a wrong type, or a renamed file) is read
    all the same; a file of that type that is no picture is left alone."""
    api = community.api
    archive = b"PK\x03\x04" + bytes(range(256)) * 400  # a zip archive's first bytes
    async with newcomer(community, past_probation=True) as mei:
        kept = api.post_document(mei.chat, mei.mei, archive, "资料.zip", "application/octet-stream")
        poster = api.post_document(
            mei.chat, mei.mei, qr_photo(), "海报", "application/octet-stream"
        )
        await mei.deleted_as_an_invite(poster)
        assert not api.deleted(mei.chat, kept)
    assert mei.strikes() == ["invites"]


async def test_another_groups_qr_code_as_a_still_sticker_is_deleted_and_counted(
    community: Hearth,
) -> None:
    api = community.api
    async with newcomer(community) as mei:
        ordinary = api.post_sticker(mei.chat, mei.mei, as_webp(plain_photo((512, 512))))
        animated = api.post_sticker(mei.chat, mei.mei, b'\x1f\x8b\x08\x00{"v":"5.5.2"}',
                                    animated=True)  # fmt: skip
        poster = api.post_sticker(mei.chat, mei.mei, as_webp(qr_photo(size=(512, 512))))
        await mei.deleted_as_an_invite(poster)
        assert not api.deleted(mei.chat, ordinary) and not api.deleted(mei.chat, animated)
    assert mei.strikes() == ["invites"]
    assert _downloaded(api, mei.chat, ordinary, "sticker")
    assert not _downloaded(api, mei.chat, animated, "sticker")  # a .tgs is not a picture


async def test_a_file_over_the_limit_is_refused_by_its_file_size(
    community: Hearth, caplog: pytest.LogCaptureFixture
) -> None:
    api = community.api
    with caplog.at_level(logging.WARNING, logger="hearthkeeper.carriers.pictures"):
        async with newcomer(community, max_bytes=1024, past_probation=True) as mei:
            poster = api.post_document(mei.chat, mei.mei, qr_photo(), "海报.png", "image/png")
            api.say(mei.chat, mei.mei, "打卡")  # handled after it: the bot carries on
            await bot_message(community, mei.chat, "Mei 打卡成功")
            assert not api.deleted(mei.chat, poster)  # not read, so not an invite
    lines = unread(caplog)
    assert len(lines) == 1 and "image file" in lines[0], lines
    assert "is over the limit of 1.0 KiB" in lines[0], lines
    assert api.downloads == []  # refused from the document's file_size: not even getFile
    assert mei.strikes() == []
