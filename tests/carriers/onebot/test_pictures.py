"""Pictures posted in QQ groups are downloaded from the image segment's `url` and read for QR
codes, as the web chat's uploads are: another group's QR code is an invite."""

from __future__ import annotations

import logging

import pytest

from hearthkeeper.carriers.pictures import PictureLimits
from tests.carriers.onebot.onebot_setup import QQ, serving
from tests.qr_pictures import plain_photo, qr_photo

pytestmark = [pytest.mark.onebot, pytest.mark.asyncio]


async def test_another_groups_qr_code_in_a_picture_is_recalled_and_counted(qq: QQ) -> None:
    group = qq.group()
    async with serving(qq):
        mei = await qq.newcomer(group)
        ordinary = await qq.fake.post_picture(group, mei, plain_photo())
        poster = await qq.fake.post_picture(group, mei, qr_photo())
        warning = await qq.fake.bot_message(group, "这条消息不符合群规，已删除", about=mei)
        assert "第一次提醒" in warning.text
        messages = qq.fake.groups[group].messages
        assert messages[poster].recalled
        # Handled before the poster, in order: read, and left alone (a newcomer's picture the
        # bot could not read would have been recalled as a link).
        assert not messages[ordinary].recalled
        assert not [s for s in qq.fake.bot_said(group) if "不能发" in s.text]
    strikes = qq.store.strikes(qq.runtime.community_id)
    assert [s.violation for s in strikes] == ["invites"]
    assert len(qq.fake.images.served) == 2


async def test_a_picture_that_cannot_be_fetched_is_handled_unread(
    qq: QQ, caplog: pytest.LogCaptureFixture
) -> None:
    group = qq.group()
    carrier = qq.carrier()
    carrier.pictures = PictureLimits(max_bytes=1024)
    with caplog.at_level(logging.WARNING, logger="hearthkeeper.carriers.pictures"):
        async with serving(qq, carrier):
            mei = await qq.newcomer(group)
            big = await qq.fake.post_picture(group, mei, qr_photo())
            # Not read, so not an invite; but a newcomer's unread picture counts as a link.
            await qq.fake.bot_message(group, "消息已撤回", about=None)
            missing = f"{qq.fake.images.base_url}/gchatpic_new/GONE"  # expired on QQ's side
            gone = await qq.fake.post_picture(group, mei, qr_photo(), url=missing)
            await qq.fake.until(lambda: qq.fake.groups[group].messages[gone].recalled or None,
                                "the second picture to be recalled")  # fmt: skip
            await qq.fake.say(group, mei, "打卡")  # the bot carries on
            await qq.fake.bot_message(group, "打卡成功")
    assert qq.fake.groups[group].messages[big].recalled
    unread = sorted(r.getMessage() for r in caplog.records
                    if "not read for QR codes" in r.getMessage())  # fmt: skip
    assert len(unread) == 2, unread
    assert any("is over the limit of 1.0 KiB" in line for line in unread), unread
    assert any("the image server answered 404" in line for line in unread), unread
    assert qq.store.strikes(qq.runtime.community_id) == []
