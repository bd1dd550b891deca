"""Pictures posted in Matrix rooms are downloaded (authenticated media, as the bot) and read
for QR codes, as the web chat's uploads are: another group's QR code is an invite."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
import pytest_asyncio

from hearthkeeper.carriers.matrix.carrier import MatrixCarrier
from hearthkeeper.carriers.pictures import PictureLimits
from hearthkeeper.clock import FrozenClock
from hearthkeeper.engine.events import Attachment
from hearthkeeper.playbook.templates import template_text
from tests.carriers.matrix.matrix_setup import (
    Hearth,
    body,
    bot_message,
    hearth,
    real_now,
    redacted,
    serving,
)
from tests.integration.synapse import SynapseServer
from tests.qr_pictures import PDF, as_webp, plain_photo, qr_photo
from tests.webchat_setup import sqlite_store

pytestmark = [pytest.mark.matrix, pytest.mark.asyncio]


@pytest_asyncio.fixture
async def community(synapse: SynapseServer, tmp_path: Path,
                    migrated_sqlite: Path) -> AsyncIterator[Hearth]:  # fmt: skip
    clock = FrozenClock(real_now())
    with sqlite_store(tmp_path, migrated_sqlite, clock) as store:
        async with hearth(synapse, store, clock, tmp_path / "data") as found:
            yield found


@pytest_asyncio.fixture
async def sharing(synapse: SynapseServer, tmp_path: Path,
                  migrated_sqlite: Path) -> AsyncIterator[Hearth]:  # fmt: skip
    """The community, its newcomers allowed files (Synapse dates events by the wall clock:
    probation, which forbids them, cannot be waited out)."""
    text = template_text("skincare")
    assert "    no_files: true\n" in text
    text = text.replace("    no_files: true\n", "    no_files: false\n")
    clock = FrozenClock(real_now())
    with sqlite_store(tmp_path, migrated_sqlite, clock) as store:
        async with hearth(synapse, store, clock, tmp_path / "data", text) as found:
            yield found


async def _room(community: Hearth) -> str:
    room = await community.create_room()
    return room


async def test_another_groups_qr_code_in_a_picture_is_redacted_and_counted(
    community: Hearth,
) -> None:
    bot, owner = community.bot.user_id, community.owner
    room = await _room(community)
    async with serving(community):
        await community.bot_joined(room)
        await community.empower_bot(room)
        mei = await community.newcomer(room)
        ordinary = await mei.post_picture(room, plain_photo(), "面霜.png")
        poster = await mei.post_picture(room, qr_photo(), "海报.png")
        warning = await bot_message(mei, room, bot, "第一次提醒", about=mei.user_id)
        assert "这条消息不符合群规，已删除" in body(warning)
        assert await redacted(owner, room, poster)
        # Handled before the poster, in order: read, and left alone (a newcomer's picture the
        # bot could not read would have been taken down as a link).
        assert (await owner.event(room, ordinary))["content"]["msgtype"] == "m.image"
        said = [body(e) for e in await owner.said_by(room, bot) if mei.user_id in str(e)]
        assert not any("不能发" in text for text in said), said
    strikes = community.store.strikes(community.runtime.community_id)
    assert [s.violation for s in strikes] == ["invites"]


async def test_a_picture_over_the_limit_is_handled_unread(
    community: Hearth, caplog: pytest.LogCaptureFixture
) -> None:
    bot, owner = community.bot.user_id, community.owner
    room = await _room(community)
    carrier = community.carrier()
    carrier.pictures = PictureLimits(max_bytes=1024)
    with caplog.at_level(logging.WARNING, logger="hearthkeeper.carriers.pictures"):
        async with serving(community, carrier):
            await community.bot_joined(room)
            await community.empower_bot(room)
            mei = await community.newcomer(room)
            poster = await mei.post_picture(room, qr_photo(), "海报.png")
            # Not read, so not an invite; but a newcomer's unread picture counts as a link.
            await bot_message(mei, room, bot, "消息已撤回", about=None)
            assert await redacted(owner, room, poster)
            await mei.say(room, "打卡")  # the bot carries on
            await bot_message(mei, room, bot, "打卡成功")
    unread = [r.getMessage() for r in caplog.records if "not read for QR codes" in r.getMessage()]
    assert len(unread) == 1 and "4.0 KiB is over the limit of 1.0 KiB" in unread[0], unread
    assert community.store.strikes(community.runtime.community_id) == []


def _counting(carrier: MatrixCarrier, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The mxc:// addresses the carrier downloads, in order."""
    fetched: list[str] = []
    download = carrier._picture

    async def counted(attachment: Attachment, limit: int) -> bytes:
        fetched.append(attachment.url or "")
        return await download(attachment, limit)

    monkeypatch.setattr(carrier, "_picture", counted)
    return fetched


async def test_another_groups_qr_code_sent_as_a_file_is_redacted_and_counted(
    sharing: Hearth, monkeypatch: pytest.MonkeyPatch
) -> None:
    community = sharing
    bot, owner = community.bot.user_id, community.owner
    room = await _room(community)
    carrier = community.carrier()
    fetched = _counting(carrier, monkeypatch)
    async with serving(community, carrier):
        await community.bot_joined(room)
        await community.empower_bot(room)
        mei = await community.newcomer(room)
        ordinary = await mei.post_file(room, plain_photo(), "面霜.png", "image/png")
        prices = await mei.post_file(room, PDF, "价目表.pdf", "application/pdf")
        poster = await mei.post_file(room, qr_photo(), "海报.png", "image/png")
        warning = await bot_message(mei, room, bot, "第一次提醒", about=mei.user_id)
        assert "这条消息不符合群规，已删除" in body(warning)
        assert await redacted(owner, room, poster)
        for kept in (ordinary, prices):
            assert (await owner.event(room, kept))["content"]["msgtype"] == "m.file"
    strikes = community.store.strikes(community.runtime.community_id)
    assert [s.violation for s in strikes] == ["invites"]
    urls = {e: (await owner.event(room, e))["content"]["url"] for e in (ordinary, prices)}
    assert urls[ordinary] in fetched and urls[prices] not in fetched  # a PDF is never fetched


async def test_another_groups_qr_code_as_a_sticker_is_redacted_and_counted(
    community: Hearth, monkeypatch: pytest.MonkeyPatch
) -> None:
    bot, owner = community.bot.user_id, community.owner
    room = await _room(community)
    carrier = community.carrier()
    fetched = _counting(carrier, monkeypatch)
    async with serving(community, carrier):
        await community.bot_joined(room)
        await community.empower_bot(room)
        mei = await community.newcomer(room)
        ordinary = await mei.post_sticker(room, as_webp(plain_photo((512, 512))), "image/webp")
        poster = await mei.post_sticker(room, qr_photo(size=(512, 512)))
        warning = await bot_message(mei, room, bot, "第一次提醒", about=mei.user_id)
        assert "这条消息不符合群规，已删除" in body(warning)
        assert await redacted(owner, room, poster)
        assert (await owner.event(room, ordinary))["content"].get("url")  # left alone
    strikes = community.store.strikes(community.runtime.community_id)
    assert [s.violation for s in strikes] == ["invites"]
    assert len(fetched) == 2
