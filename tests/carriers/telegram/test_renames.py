"""A member who renames herself in Telegram is named by her new name wherever staff read the
stored one (the console's member list, digests, reports) once she posts: through aiogram
against the fake Bot API and the real engine."""

from __future__ import annotations

import pytest

from tests.carriers.telegram.telegram_setup import AD, Hearth, bot_message, eventually, serving

pytestmark = [pytest.mark.telegram, pytest.mark.asyncio]


def console_names(community: Hearth) -> list[str]:
    """The names in the console's member list of the community."""
    return [m.display_name for m in community.store.search_members(community.runtime.community_id)]


async def test_a_member_who_renamed_herself_is_listed_by_her_new_name(community: Hearth) -> None:
    """The console kept "Mei" (the name she joined with): names changed only on a join. A
    name posing as staff is read from an edit too, and so is what the edit says: her post
    edited into an ad is deleted (deleteMessage for its id) and she is warned as for one."""
    chat = community.group()
    async with serving(community):
        mei = await community.newcomer("Mei", chat)
        assert "Mei" in console_names(community)
        community.api.rename(mei, "Meimei", "Chen")
        checked_in = community.api.say(chat, mei, "打卡")
        # the reply is written in the same transaction as what the engine learnt of her post
        await bot_message(community, chat, "✅ Meimei Chen 打卡成功")
        names = console_names(community)
        assert "Meimei Chen" in names and "Mei" not in names, names
        # Telegram tells a bot no rename: she takes a staff word and only edits her post
        # (the edit carries her name now); staff were never told, an edit read no name
        community.api.rename(mei, "Admin")
        community.api.edit(chat, checked_in, "打卡 ✅")
        alerts = await eventually(lambda: name_alerts(community), "an alert about Admin")
        hello = community.api.say(chat, mei, "大家好")
        community.api.edit(chat, hello, AD)  # the ad stayed: an edit's text was never read
        await eventually(lambda: community.api.deleted(chat, hello), "the edited post deleted")
        await bot_message(community, chat, "这条消息不符合群规，已删除")
        assert not community.api.deleted(chat, checked_in)
    assert len(alerts) == 1 and "Admin — 群昵称冒充管理员或官方" in alerts[0], alerts
    assert "用这个群昵称编辑了一条消息" in alerts[0]


def name_alerts(community: Hearth) -> list[str]:
    """The texts of the alerts staff got about members' display names."""
    alerts = community.store.staff_alerts(community.runtime.community_id, open_only=False)
    return [a.text for a in alerts if a.violation == "nickname"]
