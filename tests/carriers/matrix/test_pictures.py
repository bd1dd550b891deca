"""Pictures posted in Matrix rooms are downloaded (authenticated media, as the bot) and read
for QR codes, as the web chat's uploads are: another group's QR code is an invite."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
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
    Member,
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


@dataclass
class Newcomer:
    """A newcomer in a room of the community, which the bot serves, powerful enough there."""

    community: Hearth
    room: str
    member: Member
    fetched: list[str]  # the mxc:// addresses the bot downloaded, when counted

    async def redacted_as_an_invite(self, event_id: str) -> None:
        """Wait for the newcomer's warning; `event_id` is redacted."""
        bot, room = self.community.bot.user_id, self.room
        warning = await bot_message(self.member, room, bot, "第一次提醒", about=self.member.user_id)
        assert "这条消息不符合群规，已删除" in body(warning)
        assert await redacted(self.community.owner, room, event_id)

    async def msgtype(self, event_id: str) -> str:
        """What `event_id` shows, as the room's owner reads it (redacted: nothing)."""
        event = await self.community.owner.event(self.room, event_id)
        return str(event["content"].get("msgtype", ""))

    def strikes(self) -> list[str]:
        """The violations the newcomer's strikes were given for."""
        return [
            s.violation for s in self.community.store.strikes(self.community.runtime.community_id)
        ]


@asynccontextmanager
async def newcomer(community: Hearth, max_bytes: int | None = None,
                   monkeypatch: pytest.MonkeyPatch | None = None) -> AsyncIterator[Newcomer]:  # fmt: skip
    """A member who joined a new room of the community while the bot serves it, fetching
    pictures of at most `max_bytes`; with `monkeypatch`, the downloads are counted."""
    room = await community.create_room()  # before the carrier, which serves the rooms it knows
    carrier = community.carrier()
    if max_bytes is not None:
        carrier.pictures = PictureLimits(max_bytes=max_bytes)
    fetched = _counting(carrier, monkeypatch) if monkeypatch is not None else []
    async with serving(community, carrier):
        await community.bot_joined(room)
        await community.empower_bot(room)
        yield Newcomer(community, room, await community.newcomer(room), fetched)


async def test_another_groups_qr_code_in_a_picture_is_redacted_and_counted(
    community: Hearth,
) -> None:
    bot, owner = community.bot.user_id, community.owner
    async with newcomer(community) as mei:
        room = mei.room
        ordinary = await mei.member.post_picture(room, plain_photo(), "面霜.png")
        poster = await mei.member.post_picture(room, qr_photo(), "海报.png")
        await mei.redacted_as_an_invite(poster)
        # Handled before the poster, in order: read, and left alone (a newcomer's picture the
        # bot could not read would have been taken down as a link).
        assert await mei.msgtype(ordinary) == "m.image"
        said = [body(e) for e in await owner.said_by(room, bot) if mei.member.user_id in str(e)]
        assert not any("不能发" in text for text in said), said
    assert mei.strikes() == ["invites"]


async def test_a_picture_over_the_limit_is_handled_unread(
    community: Hearth, caplog: pytest.LogCaptureFixture
) -> None:
    bot, owner = community.bot.user_id, community.owner
    with caplog.at_level(logging.WARNING, logger="hearthkeeper.carriers.pictures"):
        async with newcomer(community, max_bytes=1024) as mei:
            room, member = mei.room, mei.member
            poster = await member.post_picture(room, qr_photo(), "海报.png")
            # Not read, so not an invite; but a newcomer's unread picture counts as a link.
            await bot_message(member, room, bot, "消息已撤回", about=None)
            assert await redacted(owner, room, poster)
            await member.say(room, "打卡")  # the bot carries on
            await bot_message(member, room, bot, "打卡成功")
    unread = [r.getMessage() for r in caplog.records if "not read for QR codes" in r.getMessage()]
    assert len(unread) == 1 and "4.0 KiB is over the limit of 1.0 KiB" in unread[0], unread
    assert mei.strikes() == []


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
    async with newcomer(community, monkeypatch=monkeypatch) as mei:
        room = mei.room
        ordinary = await mei.member.post_file(room, plain_photo(), "面霜.png", "image/png")
        prices = await mei.member.post_file(room, PDF, "价目表.pdf", "application/pdf")
        poster = await mei.member.post_file(room, qr_photo(), "海报.png", "image/png")
        await mei.redacted_as_an_invite(poster)
        for kept in (ordinary, prices):
            assert await mei.msgtype(kept) == "m.file"
    assert mei.strikes() == ["invites"]
    owner = community.owner
    urls = {e: (await owner.event(room, e))["content"]["url"] for e in (ordinary, prices)}
    assert urls[ordinary] in mei.fetched and urls[prices] not in mei.fetched  # never a PDF


async def test_a_picture_sent_as_a_file_without_a_type_is_read_by_its_first_bytes(
    sharing: Hearth,
) -> None:
    """An `m.file` whose `info` gives no `mimetype` holding another group's QR code is read
    all the same; one that is no picture is left alone."""
    async with newcomer(sharing) as mei:
        room = mei.room
        kept = await mei.member.post_file(room, PDF, "价目表", None)
        poster = await mei.member.post_file(room, qr_photo(), "海报", None)
        await mei.redacted_as_an_invite(poster)
        assert await mei.msgtype(kept) == "m.file"
    assert mei.strikes() == ["invites"]


async def test_another_groups_qr_code_as_a_sticker_is_redacted_and_counted(
    community: Hearth, monkeypatch: pytest.MonkeyPatch
) -> None:
    owner = community.owner
    async with newcomer(community, monkeypatch=monkeypatch) as mei:
        room, member = mei.room, mei.member
        ordinary = await member.post_sticker(room, as_webp(plain_photo((512, 512))), "image/webp")
        poster = await member.post_sticker(room, qr_photo(size=(512, 512)))
        await mei.redacted_as_an_invite(poster)
        assert (await owner.event(room, ordinary))["content"].get("url")  # left alone
    assert mei.strikes() == ["invites"]
    assert len(mei.fetched) == 2
