"""A Telegram chat under flood control keeps its order when the server is killed in the wait:
a real `hearth serve` (SQLite, long polling) answers three check-ins in one group of the fake
Bot API while Telegram refuses the group's messages for a while (a 429 asking to wait the
rest). The first answer meets the 429; the second waits behind it; the server is killed with
SIGKILL and started again; the third person checks in after the restart, still in the flood.

Members read the three answers in the order they checked in, each once, and the bot met one
429 only: what the killed server knew of the wait (which answer the others wait behind, and
until when) is read back from the store by the next one. Before, it died with the process: the
second answer fell due five minutes on, and members read the third before it."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from pathlib import Path

import pytest

from tests.carriers.telegram.fake_bot_api import JSON, FakeBotApi
from tests.carriers.telegram.test_killed import _server
from tests.killed_server import Server, outbox_settled, sqlite_db, until

pytestmark = [pytest.mark.crash, pytest.mark.telegram, pytest.mark.timeout(600)]

FLOOD = 8  # seconds Telegram refuses the group's messages: longer than a restart takes (2 s)
WAIT = 200.0  # for one condition: a guard against a hang, not a measure of speed


def test_a_chat_in_flood_control_keeps_its_order_across_a_kill_9(tmp_path: Path) -> None:
    asyncio.run(_scenario(tmp_path))


async def _scenario(folder: Path) -> None:
    api = FakeBotApi(lambda: datetime.now(UTC))
    await api.start()
    try:
        token = api.bot()
        chat = api.supergroup("Tea Friends on Telegram", api.user("Owner"))
        api.add_bot(chat, token)
        server = _server(folder, api, token, chat)
        try:
            checkins = await _flooded(server, api, token, chat)
            await until(lambda: outbox_settled(server), "every answer sent", server, WAIT)
            assert await server.stopped() == 0, server.log()
        finally:
            if server.process is not None and server.process.poll() is None:
                server.kill()
        assert _answered(api, token, chat) == checkins, server.log()
        floods = [r for r in api.refused if r[0].lower() == "sendmessage" and r[1] == 429]
        assert len(floods) == 1, floods
    finally:
        await api.stop()


async def _flooded(server: Server, api: FakeBotApi, token: str, chat: int) -> list[int]:
    """Three people check in while the group is flooded, the server killed after the first
    answer met the 429 and the second waits behind it; the ids of their check-ins."""
    server.start()
    code = await server.ready(None)
    await until(
        lambda: any(m == "getUpdates" for m, _ in api.calls), "the bot to poll", server, WAIT
    )
    people: list[JSON] = [api.user(f"Person{p}") for p in range(3)]
    for person in people:
        api.join(chat, person)
    await until(lambda: outbox_settled(server), "the welcomes sent", server, WAIT)
    api.flood(chat, FLOOD)
    checkins = [api.say(chat, people[0], "check in"), api.say(chat, people[1], "check in")]
    await until(lambda: _held(server, checkins), "the first answer's 429, the second held",
                server, WAIT)  # fmt: skip
    server.kill()
    server.start()
    await server.ready(code)
    checkins.append(api.say(chat, people[2], "check in"))  # decided by the new server
    await until(lambda: checkins[2] in _answered(api, token, chat), "the third answer",
                server, WAIT)  # fmt: skip
    # when the third answer has come, the first two came before it, in order
    assert _answered(api, token, chat) == checkins, server.log()
    return checkins


def _held(server: Server, checkins: list[int]) -> bool:
    """Whether the answer to the first check-in met the 429 (it waits, pending) and the answer
    to the second was held back behind it (pending, due later), neither sent yet."""
    with sqlite_db(server.database) as db:
        rows = db.execute(
            "SELECT e.carrier_event_id, o.rate_waits FROM outbox o "
            "JOIN events e ON e.id = o.event_id WHERE o.status = 'pending' "
            "AND o.next_attempt_at > strftime('%Y-%m-%d %H:%M:%f', 'now')"
        ).fetchall()
    waiting = {str(event): rate_waits for event, rate_waits in rows}
    first, second = (str(c) for c in checkins)
    return waiting.get(first, 0) > 0 and second in waiting


def _answered(api: FakeBotApi, token: str, chat: int) -> list[int]:
    """The check-ins the bot answered, in the order members read the answers."""
    bot = int(api.bot_user(token)["id"])
    return [m["reply_to_message"]["message_id"] for m in api.messages(chat, by=bot)
            if "reply_to_message" in m]  # fmt: skip
