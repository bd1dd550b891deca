"""A member who renames herself in Telegram is named by her new name wherever staff read the
stored one (the console's member list, digests, reports) once she posts: through aiogram
against the fake Bot API and the real engine."""

from __future__ import annotations

import pytest

from tests.carriers.telegram.telegram_setup import Hearth, bot_message, serving

pytestmark = [pytest.mark.telegram, pytest.mark.asyncio]


def console_names(community: Hearth) -> list[str]:
    """The names in the console's member list of the community."""
    return [m.display_name for m in community.store.search_members(community.runtime.community_id)]


async def test_a_member_who_renamed_herself_is_listed_by_her_new_name(community: Hearth) -> None:
    """The console kept "Mei" (the name she joined with): names changed only on a join."""
    chat = community.group()
    async with serving(community):
        mei = await community.newcomer("Mei", chat)
        assert "Mei" in console_names(community)
        community.api.rename(mei, "Meimei", "Chen")
        community.api.say(chat, mei, "打卡")
        # the reply is written in the same transaction as what the engine learnt of her post
        await bot_message(community, chat, "✅ Meimei Chen 打卡成功")
    names = console_names(community)
    assert "Meimei Chen" in names and "Mei" not in names, names
