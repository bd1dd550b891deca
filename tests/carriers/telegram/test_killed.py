"""A Telegram group loses nothing and hears nothing twice when the server dies: a real
`hearth serve` (SQLite, long polling) serves a group of the fake Bot API; six people join and
post a burst of lines, a check-in among them, while the server is killed with SIGKILL twice at
random moments. Telegram keeps what comes while it is down, and keeps every update until the
bot confirms it (the next `getUpdates` offset), which it does only once the engine recorded it.

After a last, clean stop: every update was confirmed; every message is one engine event; every
person is a member once; every check-in was answered exactly once — save one the server was
sending at the moment it died (Telegram takes no idempotency key: sent, then killed before the
outbox marked it, it is sent again after the restart), which was answered at most twice."""

from __future__ import annotations

import asyncio
import random
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

import pytest

from tests.carriers.telegram.fake_bot_api import JSON, FakeBotApi
from tests.killed_server import Server, carrier_server, outbox_settled, sqlite_db, until

# About 60 s on a busy machine, most of it the two restarts and Telegram's 1 message/s.
pytestmark = [pytest.mark.crash, pytest.mark.telegram, pytest.mark.timeout(600)]

PEOPLE = 6
LINES = 5  # each person's lines; the third is a check-in
KILLS = 2
TOKEN_ENV = "HEARTH_KILLED_TELEGRAM_TOKEN"
WAIT = 200.0  # for one condition: a guard against a hang, not a measure of speed


def test_a_burst_in_a_telegram_group_survives_two_kill_9(tmp_path: Path) -> None:
    seed = random.randrange(2**32)
    asyncio.run(_scenario(tmp_path, random.Random(seed)))


async def _scenario(folder: Path, rng: random.Random) -> None:
    api = FakeBotApi(lambda: datetime.now(UTC))
    await api.start()
    try:
        token = api.bot()
        chat = api.supergroup("Tea Friends on Telegram", api.user("Owner"))
        api.add_bot(chat, token)
        server = _server(folder, api, token, chat)
        try:
            said, checkins = await _burst(server, api, chat, rng)
            await until(lambda: not api.bots[token].updates and outbox_settled(server),
                         "every update confirmed and every answer sent", server, WAIT)  # fmt: skip
            assert await server.stopped() == 0, server.log()
        finally:
            if server.process is not None and server.process.poll() is None:
                server.kill()
        _check(server, api, token, chat, said, checkins)
    finally:
        await api.stop()


def _server(folder: Path, api: FakeBotApi, token: str, chat: int) -> Server:
    carrier = (
        f'[carriers.telegram]\ntoken_env = "{TOKEN_ENV}"\n'
        f'api_base = "{api.base_url}"\npoll_timeout = 1\n'
        f'[carriers.telegram.groups]\n"{chat}" = "tea"\n'
    )
    return carrier_server(folder, carrier, {TOKEN_ENV: token})


async def _burst(server: Server, api: FakeBotApi, chat: int,
                 rng: random.Random) -> tuple[list[int], list[int]]:  # fmt: skip
    """The people join and post, the server killed twice meanwhile; the ids of their
    messages and of the check-ins among them."""
    server.start()
    code = await server.ready(None)
    await until(
        lambda: any(m == "getUpdates" for m, _ in api.calls), "the bot to poll", server, WAIT
    )
    people: list[JSON] = [api.user(f"Person{p}") for p in range(PEOPLE)]
    steps = [(p, n) for n in range(LINES + 1) for p in range(PEOPLE)]  # n == 0: joins
    kills = sorted(rng.sample(range(len(steps) // 4, len(steps)), KILLS))
    said: list[int] = []
    checkins: list[int] = []
    for index, (p, n) in enumerate(steps):
        if kills and index == kills[0]:
            kills.pop(0)
            await asyncio.sleep(rng.uniform(0, 0.3))  # the engine in the middle of it
            server.kill()
            server.start()  # (what is posted meanwhile Telegram keeps)
        if n == 0:
            api.join(chat, people[p])
        elif n == 3:
            checkins.append(api.say(chat, people[p], "check in"))
            said.append(checkins[-1])
        else:
            said.append(api.say(chat, people[p], f"person {p} says line {n}"))
        await asyncio.sleep(0.02)
    await server.ready(code)
    return said, checkins


def _check(server: Server, api: FakeBotApi, token: str, chat: int, said: list[int],
           checkins: list[int]) -> None:  # fmt: skip
    with sqlite_db(server.database) as db:
        events = Counter(
            str(e)
            for (e,) in db.execute(
                "SELECT e.carrier_event_id FROM events e JOIN groups g ON g.id = e.group_id "
                "WHERE g.carrier = 'telegram'"
            )
        )
        members = Counter(
            name
            for (name,) in db.execute(
                "SELECT m.display_name FROM memberships s JOIN members m ON m.id = s.member_id "
                "JOIN groups g ON g.id = s.group_id WHERE g.carrier = 'telegram' "
                "AND s.left_at IS NULL"
            )
        )
        # check-ins whose answer was being sent when the server died (claimed again after it)
        in_flight = {
            str(e)
            for (e,) in db.execute(
                "SELECT e.carrier_event_id FROM outbox o JOIN events e ON e.id = o.event_id "
                "WHERE o.attempts > 0"
            )
        }
    # Every message handled exactly once: none lost, none twice.
    assert [m for m in said if events[str(m)] != 1] == [], server.log()
    # Everyone joined once.
    assert {n: c for n, c in members.items() if n.startswith("Person")} == {
        f"Person{p}": 1 for p in range(PEOPLE)
    }
    # Every check-in answered once (twice at most for the one out at a kill).
    bot = int(api.bot_user(token)["id"])
    answers = Counter(
        m["reply_to_message"]["message_id"]
        for m in api.messages(chat, by=bot)
        if "reply_to_message" in m
    )
    wrong = {c: answers[c] for c in checkins if answers[c] != 1}
    shown = [(m.get("text", "")[:50], m.get("reply_to_message", {}).get("message_id"))
             for m in api.messages(chat, by=bot)]  # fmt: skip
    assert all(str(c) in in_flight and n == 2 for c, n in wrong.items()), (wrong, in_flight, shown)
