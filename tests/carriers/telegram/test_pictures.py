"""Photos posted in Telegram groups are downloaded (getFile, then the file endpoint, through
aiogram) and read for QR codes, as the web chat's uploads are: another group's QR code is an
invite."""

from __future__ import annotations

import logging
from datetime import timedelta

import pytest
from aiogram import Bot
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.exceptions import TelegramBadRequest

from hearthkeeper.carriers.pictures import PictureLimits
from hearthkeeper.text.qr import read_qr_codes
from tests.carriers.telegram.fake_bot_api import DOWNLOAD_LIMIT, FakeBotApi
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


async def test_another_groups_qr_code_in_a_photo_is_deleted_and_counted(
    community: Hearth,
) -> None:
    api, chat = community.api, community.group()
    async with serving(community):
        mei = await community.newcomer("Mei", chat)
        ordinary = api.post_photo(chat, mei, plain_photo(), "这款面霜怎么样？")
        poster = api.post_photo(chat, mei, qr_photo())
        await eventually(lambda: api.deleted(chat, poster), "the poster to be deleted")
        warning = await bot_message(community, chat, "这条消息不符合群规，已删除")
        assert "第一次提醒" in text_of(warning)
        # Handled before the poster, in order: read, and left alone (a newcomer's photo the
        # bot could not read would have been taken down as a link).
        assert not api.deleted(chat, ordinary)
        assert said(community, chat, "不能发") == []
    strikes = community.store.strikes(community.runtime.community_id)
    assert [s.violation for s in strikes] == ["invites"]
    # The largest size of each photo was fetched, once.
    assert len(api.downloads) == 2 and len(set(api.downloads)) == 2


async def test_a_photo_over_the_limit_is_handled_unread(
    community: Hearth, caplog: pytest.LogCaptureFixture
) -> None:
    api, chat = community.api, community.group()
    carrier = community.carrier()
    carrier.pictures = PictureLimits(max_bytes=1024)
    with caplog.at_level(logging.WARNING, logger="hearthkeeper.carriers.pictures"):
        async with serving(community, carrier):
            mei = await community.newcomer("Mei", chat)
            poster = api.post_photo(chat, mei, qr_photo())
            # Not read, so not an invite; but a newcomer's unread photo counts as a link.
            await bot_message(community, chat, "消息已撤回")
            assert api.deleted(chat, poster)
            api.say(chat, mei, "打卡")  # the bot carries on
            await bot_message(community, chat, "Mei 打卡成功")
    unread = [r.getMessage() for r in caplog.records if "not read for QR codes" in r.getMessage()]
    assert len(unread) == 1 and "is over the limit of 1.0 KiB" in unread[0], unread
    assert api.downloads == []  # refused from getFile's file_size, before any byte came
    assert community.store.strikes(community.runtime.community_id) == []


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
    api, chat = community.api, community.group()
    async with serving(community):
        mei = await community.newcomer("Mei", chat)
        community.clock.advance(timedelta(hours=13))  # past probation, which forbids files
        ordinary = api.post_document(chat, mei, plain_photo(), "面霜.png", "image/png")
        prices = api.post_document(chat, mei, PDF, "价目表.pdf", "application/pdf")
        poster = api.post_document(chat, mei, qr_photo(), "海报.png", "image/png")
        await eventually(lambda: api.deleted(chat, poster), "the poster to be deleted")
        warning = await bot_message(community, chat, "这条消息不符合群规，已删除")
        assert "第一次提醒" in text_of(warning)
        assert not api.deleted(chat, ordinary) and not api.deleted(chat, prices)
    strikes = community.store.strikes(community.runtime.community_id)
    assert [s.violation for s in strikes] == ["invites"]
    assert _downloaded(api, chat, ordinary, "document")
    assert not _downloaded(api, chat, prices, "document")  # not a picture: never fetched


async def test_another_groups_qr_code_as_a_still_sticker_is_deleted_and_counted(
    community: Hearth,
) -> None:
    api, chat = community.api, community.group()
    async with serving(community):
        mei = await community.newcomer("Mei", chat)
        ordinary = api.post_sticker(chat, mei, as_webp(plain_photo((512, 512))))
        animated = api.post_sticker(chat, mei, b'\x1f\x8b\x08\x00{"v":"5.5.2"}', animated=True)
        poster = api.post_sticker(chat, mei, as_webp(qr_photo(size=(512, 512))))
        await eventually(lambda: api.deleted(chat, poster), "the sticker to be deleted")
        warning = await bot_message(community, chat, "这条消息不符合群规，已删除")
        assert "第一次提醒" in text_of(warning)
        assert not api.deleted(chat, ordinary) and not api.deleted(chat, animated)
    strikes = community.store.strikes(community.runtime.community_id)
    assert [s.violation for s in strikes] == ["invites"]
    assert _downloaded(api, chat, ordinary, "sticker")
    assert not _downloaded(api, chat, animated, "sticker")  # a .tgs is not a picture


async def test_a_file_over_the_limit_is_refused_by_its_file_size(
    community: Hearth, caplog: pytest.LogCaptureFixture
) -> None:
    api, chat = community.api, community.group()
    carrier = community.carrier()
    carrier.pictures = PictureLimits(max_bytes=1024)
    with caplog.at_level(logging.WARNING, logger="hearthkeeper.carriers.pictures"):
        async with serving(community, carrier):
            mei = await community.newcomer("Mei", chat)
            community.clock.advance(timedelta(hours=13))
            poster = api.post_document(chat, mei, qr_photo(), "海报.png", "image/png")
            api.say(chat, mei, "打卡")  # handled after it: the bot carries on
            await bot_message(community, chat, "Mei 打卡成功")
            assert not api.deleted(chat, poster)  # not read, so not an invite
    unread = [r.getMessage() for r in caplog.records if "not read for QR codes" in r.getMessage()]
    assert len(unread) == 1 and "image file" in unread[0], unread
    assert "is over the limit of 1.0 KiB" in unread[0], unread
    assert api.downloads == []  # refused from the document's file_size: not even getFile
    assert community.store.strikes(community.runtime.community_id) == []
