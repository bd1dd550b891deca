"""The skincare community served in Matrix rooms of a real Synapse, through the real engine:
what a member sees in the room, read back with their own client."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from urllib.parse import quote

import pytest

from hearthkeeper.capabilities.billing import staff
from tests.carriers.due_posts import morning_pack_due
from tests.carriers.matrix.matrix_setup import (
    AD,
    WAIT_S,
    Hearth,
    Member,
    body,
    bot_message,
    bot_messages,
    eventually,
    mentioned,
    redacted,
    serving,
)
from tests.integration.synapse import SynapseServer

pytestmark = [pytest.mark.matrix, pytest.mark.asyncio]


async def open_rooms(community: Hearth, count: int = 1) -> list[str]:
    """Rooms the bot was invited to; call while serving: it joins, then is given power."""
    rooms = [await community.create_room() for _ in range(count)]
    return rooms


async def settle_in(community: Hearth, rooms: list[str]) -> None:
    for room in rooms:
        await community.bot_joined(room)
        await community.empower_bot(room)


async def test_a_newcomer_is_welcomed_answered_and_checked_in(community: Hearth) -> None:
    bot = community.bot.user_id
    (room,) = await open_rooms(community)
    async with serving(community):
        await settle_in(community, [room])
        mei = community.member()
        (await mei.join(room)).raise_for_status()
        welcome = await bot_message(mei, room, bot, f"欢迎 {mei.user.localpart} 加入颜学院护肤社")
        assert "请回复「同意」表示接受群规" in welcome["content"]["body"]

        await mei.say(room, "同意")
        await bot_message(mei, room, bot, "已接受群规", about=mei.user_id)

        question = await mei.say(room, "团购怎么下单？")
        answer = await bot_message(mei, room, bot, "看到群里的接龙")
        assert answer["content"]["m.relates_to"]["m.in_reply_to"]["event_id"] == question

        await mei.say(room, "打卡")
        # Named as the room shows her (learnt from her join), not by her user id.
        checked = await bot_message(mei, room, bot, f"✅ {mei.user.localpart} 打卡成功")
        assert "已连续打卡 1 天" in checked["content"]["body"]


async def test_an_advertisement_is_redacted_and_its_poster_warned(community: Hearth) -> None:
    bot = community.bot.user_id
    (room,) = await open_rooms(community)
    async with serving(community):
        await settle_in(community, [room])
        mei = await community.newcomer(room)
        other = await community.newcomer(room)
        ad = await mei.say(room, AD)
        assert await redacted(other, room, ad)  # gone for everyone, not just its poster
        warning = await bot_message(mei, room, bot, "这条消息不符合群规，已删除", about=mei.user_id)
        assert "再犯会被禁言 1 小时" in warning["content"]["body"]
        assert (await mei.try_say(room, "好的，知道了")).status_code == 200  # not muted
        # an ad put in by editing a greeting (an edit's text was never read): the greeting goes
        hello = await other.say(room, "大家好")
        await other.edit(room, hello, AD)
        assert await redacted(mei, room, hello)


async def test_the_ladder_kicks_and_the_blacklist_bans_in_both_rooms(community: Hearth) -> None:
    bot, owner = community.bot.user_id, community.owner
    first, second = await open_rooms(community, 2)
    async with serving(community):
        await settle_in(community, [first, second])
        mei = await community.newcomer(first, second)
        # a paying member: one who joined straight in unpaid is removed a day on
        [found] = community.store.list_communities()
        staff.pay(community.store, found, f"matrix:{mei.user_id}", "half-year", "", "tb-1",
                  "staff", community.clock.now())  # fmt: skip

        ad = await mei.say(first, AD)
        await bot_message(mei, first, bot, "第一次提醒", about=mei.user_id)
        assert await redacted(mei, first, ad)

        ad = await mei.say(first, AD + " 2")
        await bot_message(mei, first, bot, "被禁言 1 小时。", about=mei.user_id)
        assert await redacted(mei, first, ad)
        assert (await mei.try_say(first, "为什么？")).status_code == 403  # muted by power level

        # The mute ends on the engine's clock; the timer gives her voice back.
        community.clock.advance(timedelta(hours=2))
        await eventually(lambda: _can_speak(mei, first), "the mute to be lifted")

        ad = await mei.say(first, AD + " 3")
        await bot_message(mei, first, bot, "已禁言 24 小时。", about=mei.user_id)  # the template's
        assert (await mei.try_say(first, "?")).status_code == 403
        community.clock.advance(timedelta(hours=25))
        await eventually(lambda: _can_speak(mei, first), "the 24-hour mute to be lifted")

        ad = await mei.say(first, AD + " 4")
        await bot_message(owner, first, bot, "已被移出", about=mei.user_id)
        assert await redacted(owner, first, ad)
        # The fourth rung blacklists her in the community: banned from both its rooms at once.
        assert await owner_sees(community, first, mei.user_id, "ban")
        assert await owner_sees(community, second, mei.user_id, "ban")
        assert (await mei.try_say(second, "大家好")).status_code == 403
        assert (await mei.join(first)).status_code == 403
        assert (await mei.join(second)).status_code == 403
        # The warnings, mutes and removal were each said once.
        said = [body(e) for e in await owner.said_by(first, bot) if mei.user_id in mentioned(e)]
        assert len(said) == 5, said  # accepted, warned, muted 1 h, muted 1 day, removed


async def _can_speak(member: Member, room: str) -> bool:
    return (await member.try_say(room, "我不发广告了")).status_code == 200


async def owner_sees(community: Hearth, room: str, user_id: str, membership: str) -> bool:
    async def probe() -> bool:
        path = f"/_matrix/client/v3/rooms/{quote(room)}/state/m.room.member/{quote(user_id)}"
        response = await community.owner.http.get(path)
        return response.status_code == 200 and response.json().get("membership") == membership

    return await eventually(probe, f"{user_id} to be {membership} in {room}")


async def test_a_restarted_bot_misses_nothing_and_handles_nothing_twice(community: Hearth) -> None:
    bot, owner = community.bot.user_id, community.owner
    (room,) = await open_rooms(community)
    async with serving(community):
        await settle_in(community, [room])
        mei, lan, yu = [await community.newcomer(room) for _ in range(3)]
        before = await mei.say(room, AD)
        await bot_message(owner, room, bot, "第一次提醒", about=mei.user_id)

    # The bot is down; Lan posts. A new bot process takes the batch holding her message off
    # the server, then dies before deciding anything (its position is the one before it).
    during = await lan.say(room, AD + " 2")
    crashed = community.carrier()
    await crashed.connect()

    async def take_until_hers() -> None:
        async for event in crashed.events():
            if event.event_id == during:
                return

    await asyncio.wait_for(take_until_hers(), timeout=WAIT_S)
    await crashed.disconnect()
    late = await yu.say(room, AD + " 3")

    async with serving(community):  # a third process on the same store and position file
        for member, ad in ((lan, during), (yu, late)):
            await bot_message(owner, room, bot, "第一次提醒", about=member.user_id)
            assert await redacted(owner, room, ad)
        # Mei joined before this process started: her name is read from the room's members.
        await mei.say(room, "打卡")
        await bot_message(mei, room, bot, f"✅ {mei.user.localpart} 打卡成功")
        await asyncio.sleep(1)  # time for anything handled twice to show
    assert await redacted(owner, room, before)
    for member in (mei, lan, yu):
        # One strike each: a second would have muted them, with a second warning.
        warned = await bot_messages(owner, room, bot, "不符合群规", about=member.user_id)
        assert len(warned) == 1, member.user_id
        assert (await member.try_say(room, "好的")).status_code == 200


async def test_the_bot_carries_on_after_synapse_restarts(community: Hearth,
                                                        synapse: SynapseServer) -> None:  # fmt: skip
    bot = community.bot.user_id
    (room,) = await open_rooms(community)
    async with serving(community):
        await settle_in(community, [room])
        mei = await community.newcomer(room)
        # From this thread, not a worker: the server dies with the thread that started it.
        # The engine's loop stands still meanwhile; its long poll fails when it wakes.
        synapse.restart()
        question = await mei.say(room, "产品不适合可以退吗？")
        answer = await bot_message(mei, room, bot, "收到货 7 天内未拆封直接退", timeout=60)
        assert answer["content"]["m.relates_to"]["m.in_reply_to"]["event_id"] == question


async def test_the_morning_pack_is_posted_on_schedule(community: Hearth) -> None:
    bot = community.bot.user_id
    (room,) = await open_rooms(community)
    async with serving(community):
        await settle_in(community, [room])
        mei = await community.newcomer(room)  # the room's first event plans its calendar
        due = morning_pack_due(community.store, community.runtime.community_id, "matrix", room)
        community.clock.set(due + timedelta(minutes=1))
        post = await bot_message(mei, room, bot, "两分钟知识包｜洗脸水温")
        # Its Markdown arrives formatted, its text as written for plain-text clients.
        assert post["content"]["body"].startswith("# 两分钟知识包｜洗脸水温\n")
        assert post["content"]["format"] == "org.matrix.custom.html"
        assert post["content"]["formatted_body"].startswith("<h1>两分钟知识包｜洗脸水温</h1>")
