"""A staff command sent as a QQ reply that also types a `@name`: the reply says whom it
means, the name must be theirs. Through the carrier's WebSocket against the fake OneBot
implementation and the real engine."""

from __future__ import annotations

import pytest

from tests.carriers.onebot.fake_onebot import Person
from tests.carriers.onebot.onebot_setup import QQ, serving

pytestmark = [pytest.mark.onebot, pytest.mark.asyncio]


async def test_a_reply_naming_another_member_removes_nobody_and_a_reply_as_qq_sends_it_works(
    qq: QQ,
) -> None:
    """The secretary replies to 阿强's message and types `/封禁 @小美`: 小美, who had done
    nothing, was kicked. Now nobody is kicked and the bot names the one replied to. A bare `/封禁` reply
    arrives as QQ sends it, with its own @ of 阿强: he was kicked but his ad stayed in the
    group; now it is deleted, as any reply's is."""
    group = qq.group()
    async with serving(qq):
        mei = await qq.newcomer(group, name="小美")
        qiang = await qq.newcomer(group, name="阿强")
        secretary = qq.person("院秘书")
        qq.fake.groups[group].members[secretary] = Person(secretary, "院秘书", role="admin")
        stored = qq.store.group_for_carrier("qq", str(group))
        assert stored is not None
        member = qq.store.member_for("qq", str(secretary), "院秘书")
        qq.store.set_role(member.id, stored.id, "secretary")
        pitch = await qq.fake.say(group, qiang, "姐妹们看看我的店")
        await qq.fake.say(group, secretary, "/封禁 @小美 发广告", reply_to=pitch)
        said = await qq.fake.bot_message(group, "你回复的是 阿强 的消息，却写了别人的名字")
        assert "没有对任何人执行" in said.text
        assert qq.fake.actions("set_group_kick") == [] and qq.fake.actions("delete_msg") == []
        await qq.fake.say(group, secretary, "/封禁 发广告", reply_to=pitch, at=(qiang,))
        await qq.fake.bot_message(group, "阿强 已被封禁")
        kicks = await qq.fake.until(lambda: qq.fake.actions("set_group_kick"), "the kick")
        kicked = [int(a["user_id"]) for a in kicks]
        assert kicked == [qiang], kicked
        deleted = await qq.fake.until(lambda: qq.fake.actions("delete_msg"), "the deletion")
        assert [int(a["message_id"]) for a in deleted] == [pitch]
        assert mei in qq.fake.groups[group].members
