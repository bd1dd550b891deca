"""A member banned from the community's Telegram groups posts nothing there, so `/appeal`
cannot reach staff from the group: the ban notice tells them to write `/appeal` to the bot in
private, where the appeal is filed (one per ban decision, as from the web chat's banned page),
and staff's decision is told there. Anyone else writing to the bot privately gets a line
saying there is nothing to appeal; nothing said there is a group's message."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
import pytest_asyncio

from hearthkeeper.capabilities.appeals import decisions
from hearthkeeper.capabilities.appeals.repository import SqlAppeals
from hearthkeeper.capabilities.moderation import staff
from hearthkeeper.playbook.templates import template_text
from tests.carriers.telegram.fake_bot_api import JSON
from tests.carriers.telegram.telegram_setup import (
    AD,
    Hearth,
    bot_message,
    eventually,
    on_sqlite,
    serving,
    text_of,
)

pytestmark = [pytest.mark.telegram, pytest.mark.asyncio]

BAN_AT_ONCE = "  ladder:\n    - at: 1\n      do: [delete, kick, blacklist]\n"
WHY = "我发的是我们自己活动的报名链接"


@pytest_asyncio.fixture
async def community(tmp_path: Path, migrated_sqlite: Path) -> AsyncIterator[Hearth]:
    """The skincare community whose first advertisement gets its poster removed and
    blacklisted (the template's last rung, alone)."""
    text = template_text("skincare")
    ladder = text[text.index("  ladder:\n") : text.index("  strike_expiry:")]
    text = text.replace(ladder, BAN_AT_ONCE)
    async with on_sqlite(tmp_path, migrated_sqlite, text) as found:
        yield found


def private(community: Hearth, user: JSON) -> list[str]:
    """What the bot said to `user` in its private chat, oldest first."""
    return [text_of(m) for m in community.api.private_messages(user["id"], community.token)]


async def answered(community: Hearth, user: JSON, text: str) -> str:
    """`user` writes `text` to the bot in private; the bot's answer."""
    before = len(private(community, user))
    community.api.say(user["id"], user, text)
    found = await eventually(lambda: private(community, user)[before:], f"an answer to {text!r}")
    return found[0]


async def test_a_banned_member_appeals_to_the_bot_privately_and_is_told_the_pardon(
    community: Hearth,
) -> None:
    chat = community.group()
    api, store, cid = community.api, community.store, community.runtime.community_id
    async with serving(community):
        mei = await community.newcomer("Mei", chat)
        api.say(chat, mei, AD)
        # the ban's notice in the group says where to appeal: the bot, in private
        notice = text_of(await bot_message(community, chat, "已被移出"))
        assert notice.endswith("如需申诉封禁，请私聊 @hearth_test_bot 发送「/申诉 理由」。")
        await eventually(lambda: api.status(chat, mei["id"]) == "kicked", "her ban")
        api.start_private(mei, community.token)  # she opens the bot's chat: Start
        start = await answered(community, mei, "/start")
        # (a Telegram group is named by its chat id until staff rename it: the community's name)
        assert start.startswith("你已被「颜学院护肤社」封禁。")
        assert "请发送「/申诉 理由」" in start
        assert await answered(community, mei, "/申诉") == (
            "请在 /申诉 后写上理由，例如：/申诉 我发的是活动报名链接"
        )
        assert await answered(community, mei, f"/申诉 {WHY}") == (
            "你对「颜学院护肤社」封禁的申诉已转给管理员，处理后会在这里告诉你结果。"
        )
        [appeal] = SqlAppeals.on(store).waiting(cid)
        assert appeal.text == WHY
        [alert] = [a for a in store.staff_alerts(cid) if a.handler == "appeals"]
        assert "【申诉】" in alert.text and WHY in alert.text and "封禁" in alert.text
        # again (in English too): one appeal per ban, said to be waiting
        assert await answered(community, mei, "/appeal please") == (
            "你对「颜学院护肤社」封禁的申诉已在管理员处，请耐心等待。"
        )
        assert len(SqlAppeals.on(store).listed(cid)) == 1
        assert len([a for a in store.staff_alerts(cid) if a.handler == "appeals"]) == 1

        asked = len(api.calls)
        decisions.pardon(store, appeal.id, "console:ops", community.clock.now(), note="误封")
        told = await eventually(lambda: private(community, mei)[4:], "the pardon told")
        assert told == ["管理员复核了你的申诉：你在「颜学院护肤社」的封禁已解除，可以重新加入。"
                        "管理员说明：误封"]  # fmt: skip
        await eventually(lambda: api.status(chat, mei["id"]) == "left", "her ban lifted")
    assert [p for m, p in api.calls[asked:] if m == "unbanChatMember"] == [
        {"chat_id": chat, "user_id": mei["id"], "only_if_banned": True}
    ]
    api.join(chat, mei)  # let back in


async def test_someone_not_banned_writing_privately_gets_a_line_and_no_strike(
    community: Hearth,
) -> None:
    chat = community.group()
    async with serving(community):
        lan = await community.newcomer("Lan", chat)
        api = community.api
        api.start_private(lan, community.token)
        said = await answered(community, lan, AD)  # an ad, in private: no group's message
        assert said.startswith("你没有被本机器人服务的群封禁，这里没有需要申诉的处罚。")
        member = community.store.find_member("telegram", str(lan["id"]))
        assert member is not None
        assert community.store.strikes(member_id=member.id) == []
        assert api.status(chat, lan["id"]) == "member"


async def test_a_banned_member_who_opened_the_bots_chat_is_told_there_how_to_appeal(
    community: Hearth,
) -> None:
    """The group's ban notice is posted once the member is gone: a member who opened the
    bot's private chat is told there too — by the ladder (the rule broken) and by staff's ban
    from the console, CLI, API or `/ban` (staff's reason) — with how to appeal there. Someone
    who never opened it cannot be written to: nothing is said, and nothing fails."""
    chat = community.group()
    api, store = community.api, community.store
    async with serving(community):
        mei = await community.newcomer("Mei", chat)
        lan = await community.newcomer("Lan", chat)
        bo = await community.newcomer("Bo", chat)
        for user in (mei, lan):
            api.start_private(user, community.token)
            await answered(community, user, "/start")
        api.say(chat, mei, AD)  # the ladder blacklists her at once
        [told] = await eventually(lambda: private(community, mei)[1:], "Mei told privately")
        assert told == ("你因违反群规（发广告）已被「颜学院护肤社」封禁。"
                        "如需申诉，请在 7 天内在这里发送「/申诉 理由」。")  # fmt: skip
        group = store.group_for_carrier("telegram", str(chat))
        assert group is not None
        now = community.clock.now()
        for user, key in ((lan, "console-ban:lan"), (bo, "console-ban:bo")):
            member = store.find_member("telegram", str(user["id"]))
            assert member is not None
            staff.ban_member(store, member.id, group, "console:ops", now, key=key,
                             reason="冒充客服")  # fmt: skip
        [told] = await eventually(lambda: private(community, lan)[1:], "Lan told privately")
        assert told == ("你已被管理员封禁，无法再进入「颜学院护肤社」。原因：冒充客服。"
                        "如需申诉，请在 7 天内在这里发送「/申诉 理由」。")  # fmt: skip
        key = "console-ban:bo:told:telegram"
        await eventually(lambda: store.outbox_statuses([key]).get(key) == "done", "Bo's notice")
        assert private(community, bo) == []
        assert await answered(community, lan, "/申诉 我是真客服") == (
            "你对「颜学院护肤社」封禁的申诉已转给管理员，处理后会在这里告诉你结果。"
        )
