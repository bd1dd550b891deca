"""The reverse WebSocket itself: who may connect (the access token, the account, the path), a
OneBot implementation that drops and reconnects (nothing lost, nothing doubled), the string
message format with CQ codes, and separate `Event` and `API` connections."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from typing import Any

import pytest
from websockets.asyncio.client import connect
from websockets.exceptions import InvalidStatus

from tests.carriers.onebot.fake_onebot import FakeOneBot
from tests.carriers.onebot.onebot_setup import (
    AD,
    QQ,
    TOKEN,
    serving,
    url,
)

pytestmark = [pytest.mark.onebot, pytest.mark.asyncio]


async def refused(address: str, headers: dict[str, str]) -> int:
    with pytest.raises(InvalidStatus) as caught:
        async with connect(address, additional_headers=headers):
            pass
    return caught.value.response.status_code


async def test_a_wrong_token_another_account_or_path_is_refused(qq: QQ) -> None:
    group = qq.group()
    async with serving(qq, connect=False) as carrier:
        address = url(carrier)
        me = str(qq.fake.self_id)
        assert await refused(address, {"Authorization": "Bearer wrong", "X-Self-ID": me}) == 401
        assert await refused(address, {"X-Self-ID": me}) == 401  # no token at all
        # The spec's reverse WebSocket carries the token in the header only, not the query.
        assert await refused(address + f"?access_token={TOKEN}", {"X-Self-ID": me}) == 401
        other = {"Authorization": f"Bearer {TOKEN}", "X-Self-ID": "10001"}
        assert await refused(address, other) == 403  # not the configured account
        assert await refused(address.replace("/onebot/v11/ws", "/ws"),
                             {"Authorization": f"Bearer {TOKEN}"}) == 404  # fmt: skip
        assert not carrier.link.connected.is_set()
        # The right token gets in, and the group is served.
        await qq.fake.connect(address, TOKEN)
        mei = qq.person("小美")
        await qq.fake.join(group, mei, "小美")
        await qq.fake.bot_message(group, "欢迎 小美")


async def test_a_reconnect_loses_nothing_and_doubles_nothing(qq: QQ) -> None:
    group = qq.group()
    async with serving(qq) as carrier:
        mei = await qq.newcomer(group)
        await qq.fake.say(group, mei, AD)
        await qq.fake.bot_message(group, "第一次提醒", about=mei)
        second = await qq.fake.say(group, mei, AD + " 2")
        await qq.fake.bot_message(group, "被禁言 1 小时。", about=mei)
        again = next(e for e in qq.fake.pushed if e.get("message_id") == second)

        # NapCat restarts. Meanwhile the mute falls due to be lifted: the bot cannot reach
        # QQ, and keeps the lifting for when it can.
        await qq.fake.disconnect()
        await qq.fake.until(lambda: not carrier.link.connected.is_set(), "the drop noticed")
        qq.clock.advance(timedelta(hours=2))
        await asyncio.sleep(0.5)
        assert not qq.fake.can_speak(group, mei)

        await qq.fake.connect(url(carrier), TOKEN)
        await qq.fake.push(again)  # an implementation that sends an event again
        await qq.until_due(lambda: qq.fake.can_speak(group, mei), "the mute to be lifted")
        after = await qq.fake.say(group, mei, "产品不适合可以退吗？")
        await qq.fake.bot_message(group, "收到货 7 天内未拆封直接退")
        await asyncio.sleep(0.5)  # time for anything handled twice to show

    # Muted once and lifted once, after the reconnect: the advertisement sent again was not
    # a third strike (that would have muted her for a day, saying so).
    assert [c["duration"] for c in qq.fake.actions("set_group_ban")] == [3600, 0]
    assert not [m for m in qq.fake.bot_said(group) if "已禁言 24 小时" in m.text]
    answers = [m.quoted() for m in qq.fake.bot_said(group) if m.quoted() is not None]
    assert answers.count(str(after)) == 1


async def test_hostile_frames_are_dropped_and_the_groups_still_served(qq: QQ) -> None:
    """Frames nested too deeply to parse, or stamped at no real moment, are dropped with a log
    line: the connection stays open and the groups are still served."""
    group = qq.group()
    async with serving(qq) as carrier:
        ws = qq.fake._ws
        assert ws is not None
        await ws.send("[" * 100_000 + "]" * 100_000)
        await qq.fake.push({"post_type": "message", "message_type": "group", "sub_type": "normal",
                            "message_id": 42, "group_id": group, "user_id": 3_999_999,
                            "message": "hi", "time": 1e20})  # fmt: skip
        mei = qq.person("小美")
        await qq.fake.join(group, mei, "小美")
        await qq.fake.bot_message(group, "欢迎 小美")
        assert qq.fake._ws is ws and carrier.link.connected.is_set()  # the same connection


async def test_an_event_that_cannot_be_read_does_not_stop_the_rest(
    qq: QQ, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Whatever a reading of one event trips over, the events after it are still read."""
    from hearthkeeper.carriers.onebot import carrier as module

    group = qq.group()
    read = module.translate

    def tripping(raw: dict[str, Any], *args: Any) -> Any:
        if raw.get("message_id") == 42:
            raise ValueError("an implementation's odd event")
        return read(raw, *args)

    monkeypatch.setattr(module, "translate", tripping)
    async with serving(qq):
        await qq.fake.push({"post_type": "message", "message_type": "group", "sub_type": "normal",
                            "message_id": 42, "group_id": group, "user_id": 3_999_999,
                            "message": "hi"})  # fmt: skip
        mei = qq.person("小美")
        await qq.fake.join(group, mei, "小美")
        await qq.fake.bot_message(group, "欢迎 小美")


async def test_the_string_format_with_cq_codes_is_read(qq: QQ) -> None:
    qq.fake = FakeOneBot(message_format="string")
    group = qq.group()
    async with serving(qq):
        mei = await qq.newcomer(group)
        # "[CQ:at,qq=<bot>] 孕期能用吗？&#91;急&#93;" as the string format sends it
        asked = await qq.fake.say(group, mei, "孕期能用吗？[急]", at=(qq.fake.self_id,))
        answer = await qq.fake.bot_message(group, "孕期/哺乳期请先问医生")
        assert answer.quoted() == str(asked)
        ad = await qq.fake.say(group, mei, AD)
        await qq.fake.bot_message(group, "第一次提醒", about=mei)
        assert qq.fake.groups[group].messages[ad].recalled


async def test_separate_event_and_api_connections_work_together(qq: QQ) -> None:
    """An implementation set up without the Universal client opens two connections."""
    group = qq.group()
    api = FakeOneBot()
    api.groups = qq.fake.groups  # the same QQ account seen through its API connection
    api.requests = qq.fake.requests
    async with serving(qq, connect=False) as carrier:
        await qq.fake.connect(url(carrier), TOKEN, role="Event")
        await asyncio.sleep(0.2)
        assert not carrier.link.connected.is_set()  # events only: no calls can go out yet
        await api.connect(url(carrier), TOKEN, role="API")
        await qq.fake.until(carrier.link.connected.is_set, "the API connection")
        mei = qq.person("小美")
        await qq.fake.join(group, mei, "小美")
        welcome = await api.bot_message(group, "欢迎 小美")
        assert welcome.text.startswith("欢迎 小美")
        assert [c[1] for c in qq.fake.calls] == []  # no call went to the events connection
    await api.disconnect()
