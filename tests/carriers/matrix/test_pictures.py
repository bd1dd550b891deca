"""Pictures posted in Matrix rooms are downloaded (authenticated media, as the bot) and read
for QR codes, as the web chat's uploads are: another group's QR code is an invite."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
import pytest_asyncio

from hearthkeeper.carriers.pictures import PictureLimits
from hearthkeeper.clock import FrozenClock
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
from tests.qr_pictures import plain_photo, qr_photo
from tests.webchat_setup import sqlite_store

pytestmark = [pytest.mark.matrix, pytest.mark.asyncio]


@pytest_asyncio.fixture
async def community(synapse: SynapseServer, tmp_path: Path,
                    migrated_sqlite: Path) -> AsyncIterator[Hearth]:  # fmt: skip
    clock = FrozenClock(real_now())
    with sqlite_store(tmp_path, migrated_sqlite, clock) as store:
        async with hearth(synapse, store, clock, tmp_path / "data") as found:
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
