"""The skincare community served in QQ groups through the fake OneBot v11 implementation and the
real engine: what members see in the group (the bot's messages, recalls, mutes, removals), read
back from the fake's QQ."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator
from datetime import UTC, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import pytest_asyncio

from hearthkeeper.clock import FrozenClock
from tests.carriers.onebot.fake_onebot import Refused
from tests.carriers.onebot.onebot_setup import AD, QQ, qq_community, real_now, serving
from tests.webchat_setup import sqlite_store

pytestmark = [pytest.mark.onebot, pytest.mark.asyncio]


@pytest_asyncio.fixture
async def qq(tmp_path: Path, migrated_sqlite: Path) -> AsyncIterator[QQ]:
    clock = FrozenClock(real_now())
    with sqlite_store(tmp_path, migrated_sqlite, clock) as store:
        async with qq_community(store, clock, tmp_path / "data") as found:
            yield found


async def test_a_newcomer_is_welcomed_answered_and_checked_in(qq: QQ) -> None:
    group = qq.group()
    async with serving(qq):
        mei = qq.person("杭州-小美-混油皮")
        await qq.fake.join(group, mei, qq.names[mei])
        welcome = await qq.fake.bot_message(group, "欢迎 杭州-小美-混油皮 加入颜学院护肤社")
        assert "请回复「同意」表示接受群规" in welcome.text

        await qq.fake.say(group, mei, "同意")
        await qq.fake.bot_message(group, "已接受群规")

        question = await qq.fake.say(group, mei, "团购怎么下单？")
        answer = await qq.fake.bot_message(group, "看到群里的接龙")
        assert answer.quoted() == str(question)  # a reply quoting her question

        await qq.fake.say(group, mei, "打卡")
        checked = await qq.fake.bot_message(group, "✅ 杭州-小美-混油皮 打卡成功")
        assert "已连续打卡 1 天" in checked.text


async def test_an_advertisement_is_recalled_and_its_poster_warned(qq: QQ) -> None:
    group = qq.group()
    async with serving(qq):
        mei = await qq.newcomer(group)
        ad = await qq.fake.say(group, mei, AD)
        warning = await qq.fake.bot_message(group, "这条消息不符合群规，已删除", about=mei)
        assert "再犯会被禁言 1 小时" in warning.text
        assert qq.fake.groups[group].messages[ad].recalled  # gone for everyone
        assert qq.fake.can_speak(group, mei)  # a warning, not a mute
        recall = [e for e in qq.fake.pushed if e.get("notice_type") == "group_recall"]
        assert [e["message_id"] for e in recall] == [ad]
