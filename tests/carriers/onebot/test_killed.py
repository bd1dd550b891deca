"""QQ groups served by a real `hearth serve` (SQLite) that is killed with SIGKILL, the fake
OneBot implementation connecting to it as NapCat does (and again after the restart).

A message the bot was sending when it died: the call went out (QQ posts it), the answer never
came back. QQ takes no idempotency key and the bot cannot read the group, so after the restart
it does not know whether the message arrived. As with an answer lost with the connection
(docs/carriers/qq.md, "Sending never doubles"), it is not sent again: the outbox marks it failed,
saying so, and the service goes on.

A burst the server had read and not yet recorded when it died: OneBot sends nothing again, so
each event is journalled as it arrives and read again on start. Both kills happen in one server
run, one after the other (a start of `hearth serve` is most of such a test's time)."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from contextlib import suppress
from pathlib import Path
from typing import Any

import pytest

from tests.carriers.onebot.fake_onebot import FakeOneBot, Said
from tests.chat_clients import free_port
from tests.killed_server import Server, carrier_server, outbox_settled, sqlite_db

pytestmark = [pytest.mark.crash, pytest.mark.onebot, pytest.mark.timeout(600)]

TOKEN_ENV, TOKEN = "HEARTH_KILLED_ONEBOT_TOKEN", "kSLuTF2GC2Q4q4ugm3"
GROUP, MEI = 700_000_001, 3_000_001
WAIT = 150.0  # for one condition: a guard against a hang, not a measure of speed


def test_a_message_out_and_a_burst_received_at_kill_9_are_each_handled_once(
    tmp_path: Path,
) -> None:
    """One server run, killed twice: first with a check-in's answer out, then with a burst
    read and not yet recorded."""
    asyncio.run(_killed_twice(tmp_path))


async def _killed_twice(folder: Path) -> None:
    fake = FakeOneBot()
    fake.group(GROUP)
    port = free_port()
    server = _server(folder, fake, port)
    try:
        server.start()
        await server.ready(None)
        await _connect(fake, port, server)
        answer = await _out_at_a_kill(fake, port, server)
        with sqlite_db(server.database) as db:
            failed = db.execute("SELECT last_error FROM outbox WHERE status = 'failed'").fetchall()
        said = await _burst_at_a_kill(fake, port, server)
        await fake.until(lambda: outbox_settled(server), "the outbox to settle", WAIT)
        assert await server.stopped() == 0, server.log()
    finally:
        await fake.close()
        if server.process is not None and server.process.poll() is None:
            server.kill()
    # The answer out at the first kill: failed after the restart, saying why, and posted
    # once: not again after either restart.
    assert len(failed) == 1 and "not sent again" in failed[0][0], failed
    assert [m.text for m in fake.bot_said(GROUP)].count(answer.text) == 1
    # Every message of the burst is one engine event after the second restart.
    with sqlite_db(server.database) as db:
        events = [e for (e,) in db.execute("SELECT carrier_event_id FROM events")]
    assert sorted(e for e in events if e in set(map(str, said))) == sorted(map(str, said))


async def _out_at_a_kill(fake: FakeOneBot, port: int, server: Server) -> Said:
    """Mei checks in; the bot's answer goes out and the server dies before QQ answers. After
    the restart the service goes on; the answer QQ posted."""
    await fake.join(GROUP, MEI, "Mei")
    await fake.bot_message(GROUP, "Welcome", timeout=WAIT)
    gate = asyncio.Event()
    fake.hold = _once(lambda action, _: action == "send_group_msg", gate)
    await fake.say(GROUP, MEI, "check in")
    await fake.until(lambda: fake.holding == 1, "the answer to go out", WAIT)
    server.kill()
    gate.set()  # QQ posts it; its answer finds the connection gone
    answer = await fake.bot_message(GROUP, "checked in", timeout=WAIT)
    await fake.disconnect()
    fake.hold = None

    server.start()
    await server.ready(None)
    await _connect(fake, port, server)
    await fake.say(GROUP, MEI, "check in")  # the service goes on: answered
    await fake.bot_message(GROUP, "already", timeout=WAIT)
    await fake.until(lambda: outbox_settled(server), "the outbox to settle", WAIT)
    return answer


async def _burst_at_a_kill(fake: FakeOneBot, port: int, server: Server) -> list[int]:
    """Ten more members post 60 messages at once and the server dies once it has read them:
    OneBot sends nothing again, so what the server had received and not recorded was lost;
    now every message is one engine event after the restart (`carriers/onebot/journal.py`).
    The ids of the messages."""
    people = [MEI + n for n in range(1, 11)]
    for person in people:
        await fake.join(GROUP, person, f"P{person}")
    said = [await fake.say(GROUP, people[n % 10], f"line {n}") for n in range(60)]
    # A join request last: the server answers it as it reads it, so once QQ has the
    # answer the server has read every message before it (the engine may not have
    # recorded them). Frames it had not read yet a kill loses whatever it does: OneBot
    # sends nothing twice.
    await fake.ask_to_join(GROUP, MEI + 99, "Late", "hello")
    await fake.until(lambda: fake.actions("set_group_add_request"), "the answer", WAIT)
    server.kill()
    await fake.disconnect()
    server.start()
    await server.ready(None)
    await _connect(fake, port, server)
    await fake.until(lambda: _recorded(server) >= set(map(str, said)), "every message", WAIT)
    return said


def _recorded(server: Server) -> set[str]:
    with sqlite_db(server.database) as db:
        return {str(e) for (e,) in db.execute("SELECT carrier_event_id FROM events")}


def _server(folder: Path, fake: FakeOneBot, port: int) -> Server:
    carrier = (
        f'[carriers.onebot]\nport = {port}\naccess_token_env = "{TOKEN_ENV}"\n'
        f'self_id = {fake.self_id}\n[carriers.onebot.groups]\n"{GROUP}" = "tea"\n'
    )
    return carrier_server(folder, carrier, {TOKEN_ENV: TOKEN})


async def _connect(fake: FakeOneBot, port: int, server: Server) -> None:
    """Connect as NapCat does, trying again until the server listens."""
    async with asyncio.timeout(WAIT):
        while True:
            assert server.process is not None and server.process.poll() is None, server.log()
            with suppress(OSError, Exception):
                await fake.connect(f"ws://127.0.0.1:{port}/onebot/v11/ws", TOKEN)
                return
            await asyncio.sleep(0.1)


def _once(
    which: Callable[[str, dict[str, Any]], bool], gate: asyncio.Event
) -> Callable[[str, dict[str, Any]], asyncio.Event | None]:
    """Hold the first call `which` picks until `gate` is set."""
    held: list[bool] = []

    def hold(action: str, params: dict[str, Any]) -> asyncio.Event | None:
        if held or not which(action, params):
            return None
        held.append(True)
        return gate

    return hold
