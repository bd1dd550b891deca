"""QQ groups served by a real `hearth serve` (SQLite) that is killed with SIGKILL, the fake
OneBot implementation connecting to it as NapCat does (and again after the restart).

A message the bot was sending when it died: the call went out (QQ posts it), the answer never
came back. QQ takes no idempotency key and the bot cannot read the group, so after the restart
it does not know whether the message arrived. As with an answer lost with the connection
(docs/carriers/qq.md, "Sending never doubles"), it is not sent again: the outbox marks it failed,
saying so, and the service goes on.

A scheduled post's file QQ was taking when the server died is not sent again either: the post's
text goes alone after the restart, and staff are told to look in QQ for the file.

A join request the bot had received and not answered: OneBot sends it once, so it is kept in
the event journal as a message is, and answered after the restart."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from contextlib import suppress
from pathlib import Path
from typing import Any

import pytest

from hearthkeeper.clock import SystemClock
from hearthkeeper.config import sqlite_url_for
from hearthkeeper.store import Store
from hearthkeeper.store.database import create_engine_for
from tests.carriers.due_posts import course_file, queue_post
from tests.carriers.onebot.fake_onebot import FakeOneBot
from tests.chat_clients import free_port
from tests.killed_server import Server, carrier_server, outbox_settled, sqlite_db, until

pytestmark = [pytest.mark.crash, pytest.mark.onebot, pytest.mark.timeout(600)]

TOKEN_ENV, TOKEN = "HEARTH_KILLED_ONEBOT_TOKEN", "kSLuTF2GC2Q4q4ugm3"
GROUP, MEI, ANN, BO = 700_000_001, 3_000_001, 3_000_002, 3_000_003
COURSE = 700_000_002  # a second group of the community, where the course file goes
PEOPLE = 3_000_100  # the ten members of the burst
COURSE_TEXT = "The course notes are in the group files"
WAIT = 150.0  # for one condition: a guard against a hang, not a measure of speed


def test_two_kills_send_nothing_twice_and_lose_nothing_read(tmp_path: Path) -> None:
    """One server killed twice (one run of it: the suite's time): first with a reply, a file
    and a join request in flight, then once it has read a burst."""
    asyncio.run(_two_kills(tmp_path))


async def _two_kills(folder: Path) -> None:
    fake = FakeOneBot()
    fake.group(GROUP)
    fake.group(COURSE)
    port = free_port()
    server = _server(folder, fake, port, GROUP, COURSE)
    try:
        server.start()
        await server.ready(None)
        await _connect(fake, port, server)
        await _in_flight_at_a_kill(folder, fake, port, server)
        await _burst_at_a_kill(fake, port, server)
        assert await server.stopped() == 0, server.log()
    finally:
        await fake.close()
        if server.process is not None and server.process.poll() is None:
            server.kill()


async def _in_flight_at_a_kill(folder: Path, fake: FakeOneBot, port: int, server: Server) -> None:
    """Mei's check-in answer, the course file and Bo's join request are in flight at the kill:
    the answer is not sent again, nor the file (its text goes alone, staff told), and Bo's
    request is answered after the restart."""
    await fake.join(GROUP, MEI, "Mei")
    await fake.bot_message(GROUP, "Welcome", timeout=WAIT)
    # Mei checks in; the bot's answer goes out and the server dies before QQ answers.
    gate = asyncio.Event()
    holds = [_once(lambda action, _: action == "send_group_msg", gate)]
    fake.hold = lambda action, params: next(filter(None, (h(action, params) for h in holds)),
                                            None)  # fmt: skip
    await fake.say(GROUP, MEI, "check in")
    await fake.until(lambda: fake.holding == 1, "the answer to go out", WAIT)
    # The course file falls due in the other group: QQ takes it (the upload is out).
    holds.append(_once(lambda action, _: action == "upload_group_file", gate))
    _queue_course(folder)
    await fake.until(lambda: fake.holding == 2, "the upload to go out", WAIT)
    # Meanwhile Ann joins (the bot looks up her name: held, so the events behind her notice
    # wait their turn) and Bo asks to join: received, not answered yet. Mei's next line, in
    # the journal, shows the server has read Bo's request before it.
    holds.append(_once(lambda action, params: action == "get_group_member_info"
                       and params.get("user_id") == ANN, gate))  # fmt: skip
    await fake.join(GROUP, ANN, "Ann")
    await fake.until(lambda: fake.holding == 3, "Ann's name to be looked up", WAIT)
    flag = await fake.ask_to_join(GROUP, BO, "Bo", "hello")
    await fake.say(GROUP, MEI, "after Bo")
    await until(lambda: "after Bo" in _journal(folder), "Mei's line read", server, WAIT)
    server.kill()
    gate.set()  # QQ posts it; its answer finds the connection gone
    answer = await fake.bot_message(GROUP, "checked in", timeout=WAIT)
    await fake.disconnect()
    fake.hold = None

    server.start()
    await server.ready(None)
    # What was read before the kill is handled again first, before QQ is back: Bo's request
    # waits for it (only then can it be answered).
    await until(lambda: _done_again(folder, "after Bo"), "Mei's line again", server, WAIT)
    await _connect(fake, port, server)
    await fake.say(GROUP, MEI, "check in")  # the service goes on: answered
    await fake.bot_message(GROUP, "already", timeout=WAIT)
    await fake.until(lambda: fake.requests[flag].answer is not None, "Bo's answer", WAIT)
    await fake.bot_message(COURSE, COURSE_TEXT, timeout=WAIT)
    await fake.until(lambda: outbox_settled(server), "the outbox to settle", WAIT)
    # Posted once: not again after the restart.
    assert [m.text for m in fake.bot_said(GROUP)].count(answer.text) == 1
    with sqlite_db(server.database) as db:
        failed = db.execute("SELECT last_error FROM outbox WHERE status = 'failed'").fetchall()
        alerts = [t for (t,) in db.execute("SELECT text FROM staff_alerts")]
    assert len(failed) == 1 and "not sent again" in failed[0][0], failed
    # The course file reached QQ once; its text went after the restart, and staff are told.
    assert len(fake.actions("upload_group_file")) == 1
    assert [f.name for f in fake.groups[COURSE].files] == ["course.pdf"]
    assert [m.text for m in fake.bot_said(COURSE)] == [COURSE_TEXT]
    assert any("course.pdf" in t and "look in QQ" in t for t in alerts), alerts
    # Bo's request, read before the kill, is answered once: he is let in.
    assert [a["flag"] for a in fake.actions("set_group_add_request")] == [flag]
    assert fake.requests[flag].answer is True and BO in fake.groups[GROUP].members


async def _burst_at_a_kill(fake: FakeOneBot, port: int, server: Server) -> None:
    """Ten members post 60 messages at once and the server dies once it has read them: OneBot
    sends nothing again, so what the server had received and not recorded was lost; now every
    message is one engine event after the restart (`carriers/onebot/journal.py`)."""
    people = [PEOPLE + n for n in range(10)]
    for person in people:
        await fake.join(GROUP, person, f"P{person}")
    said = [await fake.say(GROUP, people[n % 10], f"line {n}") for n in range(60)]
    # A join request last: the server answers it as it reads it, so once QQ has the answer
    # the server has read every message before it (the engine may not have recorded them).
    # Frames it had not read yet a kill loses whatever it does: OneBot sends nothing twice.
    late = await fake.ask_to_join(GROUP, PEOPLE + 99, "Late", "hello")
    await fake.until(lambda: fake.requests[late].answer is not None, "the answer", WAIT)
    server.kill()
    await fake.disconnect()
    server.start()
    await server.ready(None)
    await _connect(fake, port, server)
    await fake.until(lambda: _recorded(server) >= set(map(str, said)), "every message", WAIT)
    with sqlite_db(server.database) as db:
        events = [e for (e,) in db.execute("SELECT carrier_event_id FROM events")]
    assert sorted(e for e in events if e in set(map(str, said))) == sorted(map(str, said))


def _journal(folder: Path) -> str:
    """The QQ event journal's lines (`carriers/onebot/journal.py`)."""
    path = folder / "data" / "onebot-events.jsonl"
    return path.read_text(encoding="utf-8", errors="replace") if path.exists() else ""


def _done_again(folder: Path, text: str) -> bool:
    """Whether the message holding `text`, read again from the journal, is recorded (or was
    before the kill: the journal holds it no more)."""
    numbers: set[int] = set()
    done: set[int] = set()
    for line in _journal(folder).splitlines():
        with suppress(ValueError):
            entry = json.loads(line)
            if text in json.dumps(entry.get("event", {}), ensure_ascii=False):
                numbers.add(entry["n"])
            done.update(entry.get("done") or ())
    return numbers <= done


def _recorded(server: Server) -> set[str]:
    with sqlite_db(server.database) as db:
        return {str(e) for (e,) in db.execute("SELECT carrier_event_id FROM events")}


def _server(folder: Path, fake: FakeOneBot, port: int, *groups: int) -> Server:
    mapped = "".join(f'"{group}" = "tea"\n' for group in groups)
    carrier = (
        f'[carriers.onebot]\nport = {port}\naccess_token_env = "{TOKEN_ENV}"\n'
        f"self_id = {fake.self_id}\n[carriers.onebot.groups]\n{mapped}"
    )
    return carrier_server(folder, carrier, {TOKEN_ENV: TOKEN})


def _queue_course(folder: Path) -> None:
    """The course file's post in the outbox of the running server, due now, as a post that
    fell due puts it there."""
    engine = create_engine_for(sqlite_url_for(folder / "data"))
    try:
        pdf = course_file(folder, "course.pdf")
        queue_post(Store(engine, SystemClock()), "qq", str(COURSE), "calendar:course:1",
                   COURSE_TEXT, pdf)  # fmt: skip
    finally:
        engine.dispose()


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


def test_a_journal_with_a_line_it_did_not_write_is_read_and_the_server_goes_on(
    tmp_path: Path,
) -> None:
    asyncio.run(_strange_journal(tmp_path))


async def _strange_journal(folder: Path) -> None:
    """A journal line of valid JSON the journal never writes (`{"done": 5}`: a hand edit, a
    damaged disk) stopped the whole `hearth serve` at start, web chat and console with it,
    saying "error: TypeError: 'int' object is not iterable … a bug in Hearthkeeper"."""
    fake = FakeOneBot()
    fake.group(GROUP)
    port = free_port()
    server = _server(folder, fake, port, GROUP)
    left = {"post_type": "message", "message_type": "group", "sub_type": "normal",
            "message_id": 777, "group_id": GROUP, "user_id": MEI, "message": "still here",
            "raw_message": "still here", "font": 0,
            "sender": {"user_id": MEI, "nickname": "Mei", "role": "member"}}  # fmt: skip
    journal = folder / "data" / "onebot-events.jsonl"
    journal.write_text('{"done": 5}\n' + json.dumps({"n": 1, "event": left}) + "\n")
    try:
        server.start()
        await server.ready(None)
        await _connect(fake, port, server)
        await fake.until(lambda: "777" in _recorded(server), "the message kept", WAIT)
        assert await server.stopped() == 0, server.log()
    finally:
        await fake.close()
        if server.process is not None and server.process.poll() is None:
            server.kill()
    assert "1 line(s) it did not write (line 1) were set aside" in server.log()
    assert (folder / "data" / "onebot-events.jsonl.unreadable").read_text() == '{"done": 5}\n'
