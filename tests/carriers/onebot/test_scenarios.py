"""The skincare community served in QQ groups through the fake OneBot v11 implementation and the
real engine: what members see in the group (the bot's messages, recalls, mutes, removals), read
back from the fake's QQ."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from pathlib import Path

import pytest

from hearthkeeper.clock import FrozenClock
from hearthkeeper.engine.carrier import RateLimit
from hearthkeeper.playbook.templates import template_text
from hearthkeeper.store import OutboxStatus
from tests.carriers.due_posts import morning_pack_due
from tests.carriers.onebot.fake_onebot import Refused
from tests.carriers.onebot.onebot_setup import (
    AD,
    QQ,
    open_threshold,
    qq_community,
    real_now,
    serving,
)
from tests.webchat_setup import sqlite_store

pytestmark = [pytest.mark.onebot, pytest.mark.asyncio]


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


async def test_a_refused_report_quotes_it_and_ats_its_member(qq: QQ) -> None:
    """QQ shows no message to one member of a group: a `/举报` the bot refuses (it replies to
    nothing) is answered in the group as a reply to it, @-ing her where it names her. Before,
    a plain message naming her as text, answering nothing the group could see."""
    group = qq.group()
    async with serving(qq):
        mei = await qq.newcomer(group)
        report = await qq.fake.say(group, mei, "/举报 有人发广告")
        refused = await qq.fake.bot_message(group, "举报请回复", about=mei)
        assert refused.quoted() == str(report) and refused.mentions() == [str(mei)]
        assert qq.fake.groups[group].messages[report].recalled  # taken out of the group


async def test_the_ladder_mutes_then_removes_and_the_blacklist_bans_in_both_groups(qq: QQ) -> None:
    first, second = qq.group(), qq.group()
    async with serving(qq):
        mei = await qq.newcomer(first, second)

        await qq.fake.say(first, mei, AD)
        await qq.fake.bot_message(first, "第一次提醒", about=mei)

        await qq.fake.say(first, mei, AD + " 2")
        await qq.fake.bot_message(first, "被禁言 1 小时。", about=mei)
        [muted] = qq.fake.actions("set_group_ban")
        assert muted == {"group_id": first, "user_id": mei, "duration": 3600}
        with pytest.raises(Refused):  # QQ itself keeps her quiet
            await qq.fake.say(first, mei, "为什么？")

        # The mute ends on the engine's clock: the bot lifts it (duration 0).
        qq.clock.advance(timedelta(hours=2))
        await qq.fake.until(lambda: qq.fake.can_speak(first, mei), "the mute to be lifted")
        assert qq.fake.actions("set_group_ban")[-1]["duration"] == 0

        await qq.fake.say(first, mei, AD + " 3")
        await qq.fake.bot_message(first, "已禁言 24 小时。", about=mei)  # the template's words
        assert qq.fake.actions("set_group_ban")[-1]["duration"] == 24 * 3600
        qq.clock.advance(timedelta(hours=25))
        await qq.fake.until(lambda: qq.fake.can_speak(first, mei), "the day's mute to be lifted")

        ad = await qq.fake.say(first, mei, AD + " 4")
        await qq.fake.bot_message(first, "已被移出", about=mei)
        # The fourth rung removes her and blacklists her in the community: banned from both
        # groups (`reject_add_request`: QQ refuses her requests to come back). In this group
        # she was already out when the ban came; the bot's door refuses her instead.
        kicks = await qq.fake.until(lambda: len(qq.fake.actions("set_group_kick")) == 3 and
                                    qq.fake.actions("set_group_kick"), "the removals")  # fmt: skip
        assert [(k["group_id"], k["reject_add_request"]) for k in kicks] in (
            [(first, False), (first, True), (second, True)],
            [(first, False), (second, True), (first, True)],
        )
        assert qq.fake.groups[first].messages[ad].recalled
        assert all(mei not in qq.fake.groups[g].members for g in (first, second))
        with pytest.raises(Refused):
            await qq.fake.ask_to_join(second, mei, qq.names[mei], "我错了")
        flag = await qq.fake.ask_to_join(first, mei, qq.names[mei], "我错了")
        asking = await qq.fake.until(
            lambda: qq.fake.requests[flag].answer is not None and qq.fake.requests[flag],
            "the request to be answered",
        )
        assert (asking.answer, asking.reason) == (False, "你不能加入这个社群。")
        # The warnings, mutes and removal were each said once, @-ing her.
        about_her = [m.text for m in qq.fake.bot_said(first) if str(mei) in m.mentions()]
        assert len(about_her) == 4, about_her  # warned, muted 1 h, muted 1 day, removed


async def test_the_morning_pack_is_posted_on_schedule_as_plain_text(qq: QQ) -> None:
    group = qq.group()
    async with serving(qq):
        await qq.newcomer(group)  # the group's first event plans its calendar
        due = morning_pack_due(qq.store, qq.runtime.community_id, "qq", str(group))
        qq.clock.set(due + timedelta(minutes=1))
        post = await qq.fake.bot_message(group, "两分钟知识包｜洗脸水温")
        # QQ shows plain text: the Markdown heading's marks are taken off, the words kept.
        assert post.text.startswith("两分钟知识包｜洗脸水温\n")
        assert "#" not in post.text.splitlines()[0]


async def test_a_group_buy_is_started_by_staff_and_joined(qq: QQ) -> None:
    group = qq.group()
    async with serving(qq):
        boss = await qq.newcomer(group, name="院长")
        mei = await qq.newcomer(group, name="小美")
    found = qq.store.find_member("qq", str(boss))
    qq_group = qq.store.group_for_carrier("qq", str(group))
    assert found is not None and qq_group is not None
    qq.store.set_role(found.id, qq_group.id, "secretary")  # as `hearth staff` does
    async with serving(qq):  # the bot restarted: the fake reconnects to the new process
        await qq.fake.say(group, boss, "/团购 补水面膜 | 面膜 ¥59 限2份 | 截止 明天 20:00")
        started = await qq.fake.bot_message(group, "【接龙】补水面膜")
        assert "面膜 ¥59" in started.text
        await qq.fake.say(group, mei, "+1")
        joined = await qq.fake.bot_message(group, "小美 接龙成功，第 1 位")
        assert "面膜还剩 1 份" in joined.text


async def test_the_group_quota_spaces_what_the_bot_says_and_drops_nothing(qq: QQ) -> None:
    qq.per_group = RateLimit(count=4, seconds=60)  # [carriers.onebot] group_actions_per_minute
    group = qq.group()
    async with serving(qq):
        people = [qq.person(f"新人{i}") for i in range(10)]
        for person in people:
            await qq.fake.join(group, person, qq.names[person])

        def welcomes() -> list[str]:
            return [m.text for m in qq.fake.bot_said(group) if m.text.startswith("欢迎")]

        await qq.fake.until(lambda: len(welcomes()) == 4, "the first minute's welcomes")
        await asyncio.sleep(0.5)
        assert len(welcomes()) == 4  # the fifth waits for the next minute
        qq.clock.advance(timedelta(seconds=61))
        await qq.fake.until(lambda: len(welcomes()) == 8, "the second minute's welcomes")
        qq.clock.advance(timedelta(seconds=61))
        await qq.fake.until(lambda: len(welcomes()) == 10, "the last welcomes")
        await asyncio.sleep(0.3)
        said = welcomes()
        assert len(said) == 10  # each once: deferred, not dropped, not doubled
        assert all(any(qq.names[p] in text for text in said) for p in people)


def removing_at_once(text: str) -> str:
    """The skincare community whose ladder removes at the first strike."""
    start, end = text.index("  ladder:\n"), text.index("  strike_expiry:")
    return text[:start] + "  ladder:\n    - at: 1\n      do: [delete, kick]\n" + text[end:]


async def test_a_flood_before_qq_applies_the_removal_costs_one_kick(
    tmp_path: Path, migrated_sqlite: Path
) -> None:
    clock = FrozenClock(real_now())
    text = removing_at_once(open_threshold(template_text("skincare")))
    with sqlite_store(tmp_path, migrated_sqlite, clock) as store:
        async with qq_community(store, clock, tmp_path / "data", playbook=text) as qq:
            group = qq.group()
            async with serving(qq):
                mei = await qq.newcomer(group)
                qq.fake.lag_kicks = True  # she keeps posting before QQ removes her
                flood = [await qq.fake.say(group, mei, f"{AD} {i}") for i in range(50)]

                def settled() -> bool:
                    recalled = all(qq.fake.groups[group].messages[m].recalled for m in flood)
                    items = store.outbox_items(limit=1000)
                    waiting = (OutboxStatus.PENDING, OutboxStatus.SENDING)
                    return recalled and all(i.status not in waiting for i in items)

                await qq.fake.until(settled, "the flood to be recalled and the outbox performed")
                assert len(qq.fake.actions("set_group_kick")) == 1
                assert len(qq.fake.actions("delete_msg")) == 50
