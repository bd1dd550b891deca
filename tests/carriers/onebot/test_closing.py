"""A QQ group closed with `hearth groups close`, against the fake OneBot implementation: the
whole group is muted (its admins still speak), a request to join it is refused with the
reason; reopened, members speak again."""

from __future__ import annotations

import shlex

import pytest

from hearthkeeper.carriers.closing import close_group, reopen_group
from hearthkeeper.playbook.positioning import Language
from tests.carriers.onebot.fake_onebot import Refused
from tests.carriers.onebot.onebot_setup import QQ, serving

pytestmark = [pytest.mark.onebot, pytest.mark.asyncio]


async def test_a_closed_qq_group_is_muted_whole_refuses_requests_and_speaks_again_reopened(
    qq: QQ,
) -> None:
    first, second = qq.group(), qq.group()
    async with serving(qq):
        member = await qq.newcomer(first)
        store = qq.store
        group = store.group_for_carrier("qq", str(first))
        other = store.group_for_carrier("qq", str(second))
        assert group is not None and other is not None
        close_group(store, group, "ops", qq.clock.now(), into=other, site="",
                    language=Language.ZH_CN)  # fmt: skip
        await qq.fake.bot_message(first, f"本群已关闭，请移步「{other.name}」继续交流")
        await qq.fake.until(lambda: qq.fake.groups[first].whole_ban, "the whole group muted")
        assert not qq.fake.can_speak(first, member)
        with pytest.raises(Refused):
            await qq.fake.say(first, member, "还在吗？")
        assert qq.fake.can_speak(first, qq.fake.self_id)  # the bot, an admin, still speaks

        newcomer = qq.person("小新")
        flag = await qq.fake.ask_to_join(first, newcomer, "小新", "想学护肤")
        refused = await qq.fake.until(lambda: qq.fake.requests[flag].answer is False
                                      and qq.fake.requests[flag], "the refusal")  # fmt: skip
        assert refused.reason == (f"{group.name}已关闭，不再接收新成员。"
                                  f"成员们移步「{other.name}」继续交流。")  # fmt: skip

        reopen_group(store, group, "ops")
        await qq.fake.until(lambda: not qq.fake.groups[first].whole_ban, "the mute lifted")
        await qq.fake.say(first, member, "又开了")


async def test_a_qq_group_the_bot_cannot_mute_tells_staff_and_stays_closed_in_hearthkeeper(
    qq: QQ,
) -> None:
    first, _ = qq.group(), qq.group()  # the community's last open group is never closed
    qq.fake.groups[first].members[qq.fake.self_id].role = "member"  # the bot is no admin
    async with serving(qq):
        member = await qq.newcomer(first)
        store = qq.store
        group = store.group_for_carrier("qq", str(first))
        assert group is not None
        close_group(store, group, "ops", qq.clock.now(), into=None, site="",
                    language=Language.ZH_CN)  # fmt: skip
        [alert] = await qq.fake.until(lambda: store.staff_alerts(group.community_id),
                                      "staff told")  # fmt: skip
        assert alert.text == (
            f"Hearthkeeper 未能在 QQ 上关闭「{group.name}」：机器人的 QQ 号不是该群的管理员。"
            "成员仍可发言。它在 Hearthkeeper 中仍为已关闭（不收新成员、不发定时内容）；给机器人"
            f"该权限后，再关闭一次（hearth groups close {shlex.quote(group.name)}），即可再请 "
            "QQ 禁止成员发言。"
        )
        await qq.fake.say(first, member, "还能说话")  # QQ kept the group open
        assert any(e.action == "group.close.failed"
                   for e in store.audit_entries(group.community_id, target=f"group {group.id}"))  # fmt: skip
        assert (store.get_group(group.id) or group).closed
