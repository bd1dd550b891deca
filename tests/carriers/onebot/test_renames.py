"""A member who changes her group card on QQ is named by it wherever staff read the stored
name (the console's member list, digests, reports) once she posts: through the carrier's
WebSocket against the fake OneBot implementation and the real engine."""

from __future__ import annotations

import pytest

from tests.carriers.onebot.onebot_setup import QQ, serving

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
