"""A member who changes her display name on Matrix is named by it wherever staff read the
stored name (the console's member list, digests, reports) once she posts: a real Synapse,
the bot's `MatrixCarrier` and the real engine."""

from __future__ import annotations

from datetime import timedelta

import pytest

from tests.carriers.matrix.matrix_setup import (
    Hearth,
    Member,
    body,
    bot_message,
    eventually,
    real_now,
    serving,
)

pytestmark = [pytest.mark.matrix, pytest.mark.asyncio]


def console_names(community: Hearth) -> list[str]:
    """The names in the console's member list of the community."""
    return [m.display_name for m in community.store.search_members(community.runtime.community_id)]


async def renamed_in(member: Member, room: str, name: str) -> bool:
    """Whether the room shows `member`'s new display name (Synapse tells the rooms of a
    profile change after answering it)."""
    return any(e["type"] == "m.room.member" and e.get("state_key") == member.user_id
               and e["content"].get("displayname") == name
               for e in await member.timeline(room))  # fmt: skip


async def test_a_member_who_changed_her_display_name_is_listed_by_it(community: Hearth) -> None:
    """The console kept the name she joined with: names changed only on a join."""
    bot = community.bot.user_id
    room = await community.create_room()
    async with serving(community):
        await community.bot_joined(room)
        await community.empower_bot(room)
        mei = await community.newcomer(room)
        joined_as = mei.user.localpart
        assert joined_as in console_names(community)
        await mei.rename("杭州-小美-混油皮")
        await eventually(
            lambda: renamed_in(mei, room, "杭州-小美-混油皮"), "the rename in the room"
        )
        await mei.say(room, "打卡")
        # the reply is written in the same transaction as what the engine learnt of her post
        await bot_message(mei, room, bot, "✅ 杭州-小美-混油皮 打卡成功")
    names = console_names(community)
    assert "杭州-小美-混油皮" in names and joined_as not in names, names


async def test_a_new_display_name_is_listed_before_she_speaks_again(community: Hearth) -> None:
    """Mei changes her display name and says nothing: the console listed the name she
    joined with until her next message (the membership event was dropped). Now it lists the
    new name at once, and the rename is no join: nobody is welcomed again."""
    bot = community.bot.user_id
    room = await community.create_room()
    async with serving(community):
        await community.bot_joined(room)
        await community.empower_bot(room)
        mei = await community.newcomer(room)
        bo = await community.newcomer(room)
        joined_as = mei.user.localpart
        numbers = community.store.live_numbers(community.runtime.community_id,
                                               real_now() - timedelta(days=1))  # fmt: skip
        await mei.rename("杭州-小美-混油皮")
        await eventually(
            lambda: renamed_in(mei, room, "杭州-小美-混油皮"), "the rename in the room"
        )
        # Bo's check-in follows the rename in the room's timeline: once the bot answers it,
        # the engine has handled the rename (in that batch or an earlier one)
        await bo.say(room, "打卡")
        await bot_message(bo, room, bot, f"✅ {bo.user.localpart} 打卡成功")
        names = console_names(community)
        assert "杭州-小美-混油皮" in names and joined_as not in names, names
        said = [body(e) for e in await bo.said_by(room, bot)]
        assert not any("杭州-小美-混油皮" in s for s in said), said
    after = community.store.live_numbers(community.runtime.community_id,
                                         real_now() - timedelta(days=1))  # fmt: skip
    assert (after.joins, after.active_members) == (numbers.joins, numbers.active_members)
