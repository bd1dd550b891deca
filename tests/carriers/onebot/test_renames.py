"""A member who changes her group card on QQ is named by it wherever staff read the stored
name (the console's member list, digests, reports) once she posts: through the carrier's
WebSocket against the fake OneBot implementation and the real engine."""

from __future__ import annotations

from datetime import timedelta

import pytest

from tests.carriers.onebot.onebot_setup import QQ, real_now, serving

pytestmark = [pytest.mark.onebot, pytest.mark.asyncio]


def console_names(qq: QQ) -> list[str]:
    """The names in the console's member list of the community."""
    return [m.display_name for m in qq.store.search_members(qq.runtime.community_id)]


async def test_a_member_who_changed_her_group_card_is_listed_by_it(qq: QQ) -> None:
    """The console kept her QQ nickname (the name she joined with): names changed only on a
    join."""
    group = qq.group()
    async with serving(qq):
        mei = await qq.newcomer(group, name="小美")
        assert "小美" in console_names(qq)
        await qq.fake.set_card(group, mei, "杭州-小美-混油皮")
        await qq.fake.say(group, mei, "打卡")
        # the reply is written in the same transaction as what the engine learnt of her post
        await qq.fake.bot_message(group, "✅ 杭州-小美-混油皮 打卡成功")
    names = console_names(qq)
    assert "杭州-小美-混油皮" in names and "小美" not in names, names


async def test_a_group_card_changed_is_listed_before_she_speaks_again(qq: QQ) -> None:
    """The card changed, Mei says nothing: the console listed her by the old name until her
    next message (QQ's `group_card` notice was dropped). Now it lists the new card at once,
    and the rename is no join: nobody is welcomed again."""
    group = qq.group()
    async with serving(qq):
        mei = await qq.newcomer(group, name="小美")
        bo = await qq.newcomer(group, name="阿波")
        joins = qq.store.live_numbers(qq.runtime.community_id, real_now() - timedelta(days=1))
        await qq.fake.set_card(group, mei, "杭州-小美-混油皮")
        # Bo's check-in comes after the notice on the same connection: once the bot answers
        # it, the engine has handled the notice (in that batch or an earlier one)
        await qq.fake.say(group, bo, "打卡")
        await qq.fake.bot_message(group, "✅ 阿波 打卡成功")
        names = console_names(qq)
        assert "杭州-小美-混油皮" in names and "小美" not in names, names
        assert not any("杭州-小美-混油皮" in m.text for m in qq.fake.bot_said(group))
    after = qq.store.live_numbers(qq.runtime.community_id, real_now() - timedelta(days=1))
    assert (after.joins, after.active_members) == (joins.joins, 2)
