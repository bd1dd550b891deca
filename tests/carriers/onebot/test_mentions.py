"""Whom the bot's messages in a QQ group name, as its members read them, through the real
carrier to the fake OneBot implementation (an `at` segment shows as `@` and the name the group
knows the person by): each person a message is meant to tell is named once, where the text
names them, and @-ed (QQ notifies them). Before, the carrier put an `at` before the text for
each of them while the text named them too: `@Bob @Bob ⚠ 管理提醒…`."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from hearthkeeper.capabilities.alerts.decide import alert_text
from hearthkeeper.capabilities.alerts.route import staff_deliveries
from hearthkeeper.capabilities.texts import say
from hearthkeeper.engine.actions import Action, ActionKind
from hearthkeeper.playbook.positioning import Language
from hearthkeeper.store.scheduled import WorkOf
from tests.carriers.due_posts import welcome_digest_due
from tests.carriers.onebot.fake_onebot import Person
from tests.carriers.onebot.onebot_setup import AD, QQ, serving

pytestmark = [pytest.mark.onebot, pytest.mark.asyncio]


def in_group(qq: QQ, group: int, name: str, *, card: str = "") -> int:
    """A QQ user in `group` (no join notice: there before the bot served it), whom the
    server knows by `name`; `card`: their name in this group, if they set one."""
    user = qq.person(name)
    qq.fake.groups[group].members[user] = Person(user, name, card=card)
    qq.store.member_for("qq", str(user), name)
    return user


def secretary(qq: QQ, user: int, group: int) -> None:
    member = qq.store.find_member("qq", str(user))
    found = qq.store.group_for_carrier("qq", str(group))
    assert member is not None and found is not None
    qq.store.set_role(member.id, found.id, "secretary")


async def test_a_staff_alert_names_each_staff_member_once_and_ats_them(qq: QQ) -> None:
    """The staff group's alert starts `@Bob`: that is where Bob is @-ed (QQ notifies him),
    not once more before it. Tom, the member it is about, is named as text."""
    staff_group, group = qq.group(), qq.group()
    bob = in_group(qq, staff_group, "Bob")
    tom = in_group(qq, group, "Tom")
    qq.carrier()  # the groups adopted as the community's
    secretary(qq, bob, staff_group)
    pb = qq.runtime.playbook
    pb = pb.model_copy(update={"alerts": pb.alerts.model_copy(update={
        "staff_group": str(staff_group), "quiet_hours": None, "direct": False})})  # fmt: skip
    text = say("alert", Language.ZH_CN, group="护肤 1群", nickname="Tom", violation="广告",
               excerpt="低价代购")  # fmt: skip
    about = Action(kind=ActionKind.ALERT_STAFF, carrier="qq", group=str(group),
                   member=str(tom), text=text, reason="ads", handler="moderation")  # fmt: skip
    said = alert_text(text, pb)
    [post] = staff_deliveries(qq.store, pb, qq.runtime.community_id, "alert:1", said, about)
    async with serving(qq) as carrier:
        await carrier.perform(post.action, post.key)
    [message] = qq.fake.bot_said(staff_group)
    assert qq.fake.shown(staff_group, message) == f"@Bob\n{said}"
    assert message.mentions() == [str(bob)]


def reminder_due(qq: QQ, group: int) -> datetime:
    """When the group's next duty reminder of a title is due, as it was planned."""
    known = qq.store.group_for_carrier("qq", str(group))
    assert known is not None
    planned = qq.store.pending_work(WorkOf(qq.runtime.community_id, f"titles:remind:{known.id}:"))
    assert planned, f"no duty reminder planned in {group}"
    return planned[0].due_at


async def test_a_title_s_reminder_ats_its_holder_where_it_names_her(qq: QQ) -> None:
    """The 喝水委员 reminder `@小美 喝水委员提醒：…` @-s 小美 in place of the name the
    text gives her: the group reads her name once (as she is called in the group now)."""
    group = qq.group()
    async with serving(qq):
        mei = await qq.newcomer(group, name="小美")
        await qq.fake.say(group, mei, "/认领 喝水委员")
        await qq.fake.bot_message(group, "小美 成为「喝水委员」")
        qq.clock.set(reminder_due(qq, group) + timedelta(minutes=1))
        reminder = await qq.fake.bot_message(group, "喝水委员提醒", about=mei)
    assert qq.fake.shown(group, reminder) == (
        "@小美 喝水委员提醒：每天提醒大家喝水，喝够水皮肤才水润"
    )
    assert reminder.mentions() == [str(mei)]


async def test_the_first_week_digest_ats_the_member_where_it_greets_her(qq: QQ) -> None:
    """`🌱 小美，你加入…` greets her by the name she joined under; the @ stands there, and
    shows the name she has in the group a week later (her card): one name, not two."""
    group = qq.group()
    async with serving(qq):
        mei = await qq.newcomer(group, name="小美")
        qq.fake.groups[group].members[mei].card = "美美"
        qq.clock.set(
            welcome_digest_due(qq.store, "qq", str(group), str(mei)) + timedelta(minutes=1)
        )
        digest = await qq.fake.bot_message(group, "一周啦", about=mei)
    shown = qq.fake.shown(group, digest)
    assert shown.startswith("🌱 @美美，你加入「"), shown
    assert "小美" not in shown
    assert digest.mentions() == [str(mei)]


async def test_a_mute_notice_ats_the_member_where_it_names_her(qq: QQ) -> None:
    """The ladder's second rung mutes 小美 and says so, `小美 因…被禁言 1 小时。`: the @
    stands where the notice names her (the first rung's own words name nobody: @ before)."""
    group = qq.group()
    async with serving(qq):
        mei = await qq.newcomer(group, name="小美")
        await qq.fake.say(group, mei, AD)
        warned = await qq.fake.bot_message(group, "第一次提醒", about=mei)
        await qq.fake.say(group, mei, AD + " 2")
        muted = await qq.fake.bot_message(group, "被禁言 1 小时。", about=mei)
    assert qq.fake.shown(group, warned).startswith("@小美 这条消息不符合群规")
    assert qq.fake.shown(group, muted).startswith("@小美 因"), qq.fake.shown(group, muted)
    assert qq.fake.shown(group, muted).count("小美") == 1
