"""The skincare community served in Telegram groups through the real engine and aiogram, against
the fake Bot API: what a member sees in the group (and what Telegram's state becomes)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, timedelta
from zoneinfo import ZoneInfo

import pytest
import pytest_asyncio

from hearthkeeper.capabilities.billing import staff
from hearthkeeper.clock import FrozenClock
from tests.carriers.telegram.fake_bot_api import ApiError, FakeBotApi
from tests.carriers.telegram.telegram_setup import (
    AD,
    Hearth,
    bot_message,
    eventually,
    fake_api,
    real_now,
    said,
    serving,
    text_of,
)

pytestmark = [pytest.mark.telegram, pytest.mark.asyncio]


@pytest_asyncio.fixture
async def api() -> AsyncIterator[FakeBotApi]:
    async with fake_api(FrozenClock(real_now())) as found:
        yield found


async def test_a_newcomer_is_welcomed_with_the_rules_and_accepts_them(community: Hearth) -> None:
    chat = community.group()
    async with serving(community):
        mei = community.person("Mei")
        community.api.join(chat, mei)
        welcome = await bot_message(community, chat, "欢迎 Mei 加入颜学院护肤社")
        assert "请回复「同意」表示接受群规" in text_of(welcome)
        community.api.say(chat, mei, "同意")
        await bot_message(community, chat, "Mei 已接受群规")
    # Welcomed once, though Telegram told the bot twice (a service message and chat_member).
    assert len(said(community, chat, "欢迎 Mei")) == 1


async def test_a_question_is_answered_as_a_reply(community: Hearth) -> None:
    chat = community.group()
    async with serving(community):
        mei = await community.newcomer("Mei", chat)
        question = community.api.say(chat, mei, "团购怎么下单？")
        answer = await bot_message(community, chat, "看到群里的接龙")
        assert answer["reply_to_message"]["message_id"] == question


async def test_a_check_in_is_counted_and_named(community: Hearth) -> None:
    chat = community.group()
    async with serving(community):
        mei = await community.newcomer("Mei", chat)
        community.api.say(chat, mei, "打卡")
        checked = await bot_message(community, chat, "✅ Mei 打卡成功")
        assert "已连续打卡 1 天" in text_of(checked)


async def test_an_advertisement_is_deleted_and_its_poster_warned(community: Hearth) -> None:
    chat = community.group()
    async with serving(community):
        mei = await community.newcomer("Mei", chat)
        ad = community.api.say(chat, mei, AD)
        await eventually(lambda: community.api.deleted(chat, ad), "the ad to be deleted")
        warning = await bot_message(community, chat, "这条消息不符合群规，已删除")
        assert "再犯会被禁言 1 小时" in text_of(warning)
        assert community.api.can_post(chat, mei["id"])  # warned, not muted


async def test_the_ladder_mutes_then_bans_in_every_group_of_the_community(
    community: Hearth,
) -> None:
    first, second = community.group(), community.group("颜学院护肤社 2群")
    api, mei_id = community.api, 0
    async with serving(community):
        mei = await community.newcomer("Mei", first, second)
        mei_id = mei["id"]
        # a paying member: one who joined straight in unpaid is removed a day on
        [found] = community.store.list_communities()
        staff.pay(community.store, found, f"telegram:{mei_id}", "half-year", "", "tb-1",
                  "staff", community.clock.now())  # fmt: skip
        api.say(first, mei, AD)
        await bot_message(community, first, "第一次提醒")

        said_at = int(community.clock.now().timestamp())
        ad = api.say(first, mei, AD + " 2")
        await bot_message(community, first, "被禁言 1 小时。")
        await eventually(lambda: api.deleted(first, ad), "the second ad to be deleted")
        restricted = api.member(first, mei_id)
        assert restricted["status"] == "restricted" and restricted["can_send_messages"] is False
        # An hour from when the bot muted her, which was after the ad and before now: the clock
        # moves a second every 100 ms, so a bound on "now" alone failed on a slow machine.
        now = int(community.clock.now().timestamp())
        assert said_at + 3600 <= restricted["until_date"] <= now + 3600  # Telegram lifts it too
        with pytest.raises(ApiError):
            api.say(first, mei, "为什么？")

        # The mute ends on the engine's clock: the bot gives her voice back.
        community.clock.advance(timedelta(hours=2))
        await eventually(lambda: api.status(first, mei_id) == "member", "the mute to be lifted")

        api.say(first, mei, AD + " 3")
        await bot_message(community, first, "已禁言 24 小时。")  # the template's own words
        community.clock.advance(timedelta(hours=25))
        await eventually(lambda: api.status(first, mei_id) == "member", "the day's mute lifted")

        ad = api.say(first, mei, AD + " 4")
        await bot_message(community, first, "已被移出")
        await eventually(lambda: api.deleted(first, ad), "the fourth ad to be deleted")
        # The fourth rung blacklists her in the community: banned from both groups.
        await eventually(lambda: api.status(first, mei_id) == "kicked", "the ban in group 1")
        await eventually(lambda: api.status(second, mei_id) == "kicked", "the ban in group 2")
    with pytest.raises(ApiError):
        api.join(second, mei)
    # Accepted, warned, muted 1 h, muted 1 day, removed: each said once.
    texts = [text_of(m) for m in api.messages(first, by=community.bot_id)]
    assert sum("第一次提醒" in t for t in texts) == 1
    assert sum("被禁言 1 小时。" in t for t in texts) == 1
    assert sum("已被移出" in t for t in texts) == 1


async def test_a_ban_by_staff_is_seen_as_a_leave(community: Hearth) -> None:
    chat = community.group()
    async with serving(community) as engine:
        mei = await community.newcomer("Mei", chat)
        member = community.store.find_member("telegram", str(mei["id"]))
        assert member is not None
        # An administrator bans her by hand in the app: the bot hears of it (chat_member).
        api = community.api
        api.chats[chat].members[mei["id"]] = {"status": "kicked", "user": mei, "until_date": 0}
        api._emit(api.chats[chat], "chat_member", {
            "chat": api.chats[chat].json(), "from": community.owner, "date": 0,
            "old_chat_member": {"status": "member", "user": mei},
            "new_chat_member": {"status": "kicked", "user": mei, "until_date": 0}})  # fmt: skip

        group = community.store.group_for_carrier("telegram", str(chat))
        assert group is not None

        def gone() -> bool:
            return all(m.member_id != member.id for m in community.store.active_members(group.id))

        await eventually(gone, "her membership to end")
        assert engine is not None


async def test_the_morning_pack_is_posted_on_schedule(community: Hearth) -> None:
    chat = community.group()
    async with serving(community):
        await community.newcomer("Mei", chat)  # the group's first event plans its calendar
        shanghai = ZoneInfo("Asia/Shanghai")
        local = community.clock.now().astimezone(shanghai)
        due = local.replace(hour=7, minute=30, second=0, microsecond=0)
        if due <= local:
            due += timedelta(days=1)
        community.clock.set((due + timedelta(minutes=1)).astimezone(UTC))
        post = await bot_message(community, chat, "两分钟知识包｜洗脸水温")
        # Its Markdown heading arrives as a bold line (Telegram's HTML has no headings).
        assert text_of(post).startswith("两分钟知识包｜洗脸水温\n")
        assert {"type": "bold", "offset": 0, "length": 11} in post["entities"]


async def test_a_sign_up_started_by_staff_is_joined_in_order(community: Hearth) -> None:
    chat = community.group()
    async with serving(community):
        li = await community.newcomer("Li", chat)
        mei = await community.newcomer("Mei", chat)
        lan = await community.newcomer("Lan", chat)
    member = community.store.find_member("telegram", str(li["id"]))
    group = community.store.group_for_carrier("telegram", str(chat))
    assert member is not None and group is not None
    community.store.set_role(member.id, group.id, "secretary")  # 群秘书 starts sign-ups
    async with serving(community):
        community.api.say(chat, li, "/接龙 周六夜跑 限2人")
        await bot_message(community, chat, "【接龙】周六夜跑")
        community.api.say(chat, mei, "接龙")
        await bot_message(community, chat, "✅ Mei 接龙成功，第 1 位")
        community.api.say(chat, lan, "+1")
        await bot_message(community, chat, "✅ Lan 接龙成功，第 2 位")


async def test_a_refused_report_is_answered_mentioning_its_member(community: Hearth) -> None:
    """Telegram shows no message to one member of a group: a `/举报` the bot refuses (it
    replies to nothing) is answered in the group as a reply to it, her name a mention that
    notifies her. The `/举报` is deleted by then, so Telegram shows no quote: the mention is
    what shows whom it answers. Before, a plain message naming her as text."""
    chat = community.group()
    async with serving(community):
        mei = await community.newcomer("Mei", chat)
        report = community.api.say(chat, mei, "/举报 有人发广告")
        await eventually(lambda: community.api.deleted(chat, report), "the /举报 to be deleted")
        refused = await bot_message(community, chat, "举报请回复")
        assert text_of(refused).startswith("Mei，举报请回复")
        assert [(e["offset"], e["length"], e["user"]["id"]) for e in refused.get("entities", [])
                if e["type"] == "text_mention"] == [(0, 3, mei["id"])]  # fmt: skip
