"""How the bot's messages reach Telegram: within its limits (1 message/s per chat, 20/min per
group), after flood control's `retry_after` when Telegram refuses one, through a webhook, and
across a restart — each time nothing lost and nothing doubled."""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import socket
from collections.abc import AsyncIterator

import httpx
import pytest
import uvicorn
from fastapi import FastAPI

from hearthkeeper.carriers.telegram.plugin import SECRET_HEADER, TelegramSetup
from hearthkeeper.engine.actions import Action, ActionKind
from hearthkeeper.web.context import Web, WebSettings
from tests.carriers.telegram.telegram_setup import (
    AD,
    WAIT_S,
    Hearth,
    bot_message,
    eventually,
    said,
    serving,
    text_of,
)
from tests.webchat_setup import NoPlaybooks

pytestmark = [pytest.mark.telegram, pytest.mark.asyncio]

SECRET = "s3cret-Token_1"


def announce(community: Hearth, chat: int, count: int) -> None:
    """Staff queue `count` announcements for the group at once (as the console does)."""
    group = community.store.group_for_carrier("telegram", str(chat))
    assert group is not None
    for n in range(count):
        action = Action(kind=ActionKind.SEND, carrier="telegram", group=str(chat),
                        text=f"通知 {n + 1}", key=f"notice:{n}")  # fmt: skip
        community.store.enqueue(f"notice:{n}", "telegram", action.to_json(), action.priority,
                                group_id=group.id, at=community.clock.now())  # fmt: skip


async def test_a_burst_keeps_within_telegrams_limits_and_loses_nothing(community: Hearth) -> None:
    api = community.api
    chat = community.group()
    api.limits()  # the fake now refuses what Telegram would: >1/s in a chat, >20/min a group
    carrier = community.carrier()
    announce(community, chat, 25)
    async with serving(community, carrier):
        await bot_message(community, chat, "通知 25", timeout=WAIT_S * 2)
    texts = [text_of(m) for m in api.messages(chat, by=community.bot_id)]
    assert texts == [f"通知 {n}" for n in range(1, 26)]  # each once, in order
    assert api.refused == []  # never past a limit, so never refused
    dates = [m["date"] for m in api.messages(chat, by=community.bot_id)]
    assert all(b > a for a, b in itertools.pairwise(dates))  # ≥ 1 s apart
    assert dates[20] - dates[0] >= 60  # the 21st waited for the minute's window


async def test_flood_control_is_waited_out_and_the_reply_sent_once(community: Hearth) -> None:
    api = community.api
    chat = community.group()
    async with serving(community):
        mei = await community.newcomer("Mei", chat)
        api.throttle("sendMessage", retry_after=30)
        asked_at = community.clock.now()
        question = api.say(chat, mei, "团购怎么下单？")
        answer = await bot_message(community, chat, "看到群里的接龙")
        assert answer["reply_to_message"]["message_id"] == question
        assert answer["date"] - int(asked_at.timestamp()) >= 30  # after retry_after, not before
        await asyncio.sleep(0.5)
    assert [code for _, code, _ in api.refused] == [429]
    assert len(said(community, chat, "看到群里的接龙")) == 1


async def test_a_flooded_group_waits_as_a_whole_and_another_group_does_not(
    community: Hearth,
) -> None:
    """Telegram's flood control answers the group's first announcement "retry after 30":
    the other two were sent into the flood at once, each refused too, each making the wait
    longer. They now wait behind the first and follow it in order; another group's message
    goes meanwhile."""
    api = community.api
    chat, other = community.group(), community.group("颜学院护肤社 2群")
    flooded_at = community.clock.now()
    api.flood(chat, 30, lengthened_by=20)  # 50 s once the first is refused
    carrier = community.carrier()  # the groups adopted
    announce(community, chat, 3)
    queued_at = community.clock.now()
    group = community.store.group_for_carrier("telegram", str(other))
    assert group is not None
    hello = Action(kind=ActionKind.SEND, carrier="telegram", group=str(other), text="大家好")
    community.store.enqueue("hello", "telegram", hello.to_json(), hello.priority,
                            group_id=group.id, at=queued_at)  # fmt: skip
    async with serving(community, carrier):
        await bot_message(community, chat, "通知 3", timeout=WAIT_S * 2)
        await asyncio.sleep(0.5)  # time for anything sent twice to show
    texts = [text_of(m) for m in api.messages(chat, by=community.bot_id)]
    assert texts == ["通知 1", "通知 2", "通知 3"]
    assert [(method, code) for method, code, _ in api.refused] == [("sendMessage", 429)]
    first = api.messages(chat, by=community.bot_id)[0]["date"]
    assert first - int(flooded_at.timestamp()) >= 50  # the time asked, not before
    [greeting] = api.messages(other, by=community.bot_id)
    assert greeting["date"] < first  # not held by the other group's flood


async def test_a_restarted_bot_misses_nothing_and_handles_nothing_twice(community: Hearth) -> None:
    api = community.api
    chat = community.group()
    async with serving(community):
        mei, lan, yu = [await community.newcomer(n, chat) for n in ("Mei", "Lan", "Yu")]
        api.say(chat, mei, AD)
        await bot_message(community, chat, "第一次提醒")

    # The bot is down; Lan posts. A new bot process takes the update off Telegram, then dies
    # before the engine records it: it never confirmed it, so Telegram keeps it.
    during = api.say(chat, lan, AD + " 2")
    crashed = community.carrier()
    await crashed.connect()

    async def take_until_hers() -> None:
        async for event in crashed.events():
            if event.event_id == str(during):
                return

    await asyncio.wait_for(take_until_hers(), timeout=WAIT_S)
    await crashed.disconnect()
    late = api.say(chat, yu, AD + " 3")

    async with serving(community):  # a third process on the same store
        for ad in (during, late):
            await eventually(lambda ad=ad: api.deleted(chat, ad), f"ad {ad} to be deleted")
        await eventually(lambda: len(said(community, chat, "第一次提醒")) == 3, "three warnings")
        await asyncio.sleep(0.5)  # time for anything handled twice to show
    assert len(said(community, chat, "第一次提醒")) == 3  # one each: none twice
    for member in (mei, lan, yu):
        assert api.can_post(chat, member["id"])  # one strike each: nobody muted


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextlib.asynccontextmanager
async def webhook(community: Hearth) -> AsyncIterator[str]:
    """The bot served in webhook mode behind a real HTTP server; its webhook URL."""
    port = free_port()
    url = f"http://127.0.0.1:{port}/telegram/webhook"
    settings = community.settings(mode="webhook", webhook_url=url, secret=SECRET)
    served = TelegramSetup(settings).serve(community.parts())
    assert served.routes is not None
    web = Web(store=community.store, clock=community.clock,
              settings=WebSettings(data_dir=community.data_dir),
              carriers={"telegram": served}, playbooks=NoPlaybooks())  # fmt: skip
    app = FastAPI()
    app.include_router(served.routes(web))
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    web_task = asyncio.create_task(server.serve())
    try:
        async with serving(community, served.carrier):  # type: ignore[arg-type]
            assert community.api.bots[community.token].webhook == url
            yield url
    finally:
        server.should_exit = True
        await web_task


async def test_webhook_mode_takes_updates_only_with_the_secret(community: Hearth) -> None:
    api = community.api
    chat = community.group()
    async with webhook(community) as url:
        async with httpx.AsyncClient() as stranger:
            forged = {"update_id": 1, "message": {"message_id": 99, "date": 0,
                      "chat": {"id": chat, "type": "supergroup"}, "text": "打卡"}}  # fmt: skip
            wrong = await stranger.post(url, json=forged, headers={SECRET_HEADER: "guess"})
            assert wrong.status_code == 401
            assert (await stranger.post(url, json=forged)).status_code == 401
        mei = await community.newcomer("Mei", chat)
        question = api.say(chat, mei, "团购怎么下单？")
        answer = await bot_message(community, chat, "看到群里的接龙")
        assert answer["reply_to_message"]["message_id"] == question
        # Every update was answered 200 (Telegram forgets only those).
        await eventually(lambda: not api.bots[community.token].updates, "updates confirmed")
        assert not [m for m, _ in api.calls if m == "getUpdates"]


async def test_a_malformed_webhook_post_is_refused_saying_what_and_the_bot_keeps_serving(
    community: Hearth,
) -> None:
    chat = community.group()
    async with webhook(community) as url:
        message = {"message_id": 99, "date": 1_700_000_000, "text": "打卡",
                   "chat": {"id": chat, "type": "supergroup"}}  # fmt: skip
        posts = {
            b"[" * 100_000 + b"]" * 100_000: "not JSON",
            json.dumps({"message": message}).encode(): "not an update: update_id: Field required",
            json.dumps({"update_id": 7, "message": {**message, "chat": 5}}).encode():
                "not an update: message.chat: ",
            json.dumps({"update_id": 8, "message": {**message, "date": 10**20}}).encode():
                "not an update: message.date: ",
        }  # fmt: skip
        async with httpx.AsyncClient() as poster:
            for body, said in posts.items():
                refused = await poster.post(url, content=body, headers={SECRET_HEADER: SECRET})
                assert refused.status_code == 400
                assert refused.json()["description"].startswith(said)
        await community.newcomer("Mei", chat)  # still served


async def test_a_webhook_post_to_a_process_not_running_the_bot_is_refused_for_later(
    community: Hearth,
) -> None:
    # One of several `hearth serve` on one PostgreSQL database, not the one holding the
    # carriers: its bot is built but never connected. Telegram must be told to post again
    # (503), not shown a server error.
    chat = community.group()
    url = "https://hearth.example.org/telegram/webhook"
    served = TelegramSetup(community.settings(mode="webhook", webhook_url=url, secret=SECRET)
                           ).serve(community.parts())  # fmt: skip
    assert served.routes is not None
    web = Web(store=community.store, clock=community.clock,
              settings=WebSettings(data_dir=community.data_dir),
              carriers={"telegram": served}, playbooks=NoPlaybooks())  # fmt: skip
    app = FastAPI()
    app.include_router(served.routes(web))
    update = {"update_id": 5, "message": {"message_id": 9, "date": 1_700_000_000, "text": "打卡",
              "chat": {"id": chat, "type": "supergroup"}}}  # fmt: skip
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://node") as telegram:
        answer = await telegram.post("/telegram/webhook", json=update,
                                     headers={SECRET_HEADER: SECRET})  # fmt: skip
    assert answer.status_code == 503
    assert answer.json() == {"ok": False, "description": "the bot is not running here"}
