"""A Matrix room loses nothing and hears nothing twice when the server dies: a real `hearth
serve` (SQLite) serves a room of the real Synapse; four members join and post five rounds of
lines all at once, a check-in each among them, and the server is killed with SIGKILL just after
two of the rounds, while the engine is behind.
The homeserver keeps the room's timeline; the bot saves its sync position only past what the
engine recorded, and sends with transaction ids (the outbox key), so a send retried after a
kill is the same event.

After a last, clean stop: every member message is one engine event, every member joined once,
every check-in answered exactly once."""

from __future__ import annotations

import asyncio
import random
from collections import Counter
from pathlib import Path
from urllib.parse import quote

import pytest

from tests.carriers.matrix.matrix_setup import CLIENT, Member
from tests.integration.synapse import SynapseServer
from tests.killed_server import Server, carrier_server, outbox_settled, sqlite_db, until

pytestmark = [pytest.mark.crash, pytest.mark.matrix, pytest.mark.timeout(600)]

MEMBERS = 4
LINES = 5  # each member's lines; the third is a check-in
KILLS = 2
WAIT = 200.0  # for one condition: a guard against a hang, not a measure of speed


def test_a_burst_in_a_matrix_room_survives_two_kill_9(
    synapse: SynapseServer, tmp_path: Path
) -> None:
    seed = random.randrange(2**32)
    asyncio.run(_scenario(synapse, tmp_path, random.Random(seed)))


async def _scenario(synapse: SynapseServer, folder: Path, rng: random.Random) -> None:
    bot = synapse.register()
    owner = Member(synapse.register(), synapse.base_url)
    members = [Member(synapse.register(), synapse.base_url) for _ in range(MEMBERS)]
    try:
        created = await owner.http.post(f"{CLIENT}/createRoom",
                                        json={"preset": "public_chat", "invite": [bot.user_id]})  # fmt: skip
        created.raise_for_status()
        room = str(created.json()["room_id"])
        server = _server(folder, synapse, room, bot.access_token, bot.user_id)
        try:
            said, checkins = await _burst(server, owner, members, room, bot.user_id, rng)
            await until(lambda: _recorded(server) >= set(said) and outbox_settled(server),
                         "every message recorded and every answer sent", server, WAIT)  # fmt: skip
            assert await server.stopped() == 0, server.log()
        finally:
            if server.process is not None and server.process.poll() is None:
                server.kill()
        events = Counter(_recorded_all(server))
        assert [e for e in said if events[e] != 1] == [], server.log()
        with sqlite_db(server.database) as db:
            joined = Counter(
                user
                for (user,) in db.execute(
                    "SELECT i.carrier_user_id FROM memberships s "
                    "JOIN member_identities i ON i.member_id = s.member_id "
                    "JOIN groups g ON g.id = s.group_id "
                    "WHERE g.carrier = 'matrix' AND s.left_at IS NULL"
                )
            )
        assert {m.user_id: joined[m.user_id] for m in members} == {m.user_id: 1 for m in members}
        replies = Counter(
            e["content"].get("m.relates_to", {}).get("m.in_reply_to", {}).get("event_id")
            for e in await owner.said_by(room, bot.user_id)
        )
        assert {c: replies[c] for c in checkins} == {c: 1 for c in checkins}, replies
    finally:
        for member in [owner, *members]:
            await member.close()


def _server(folder: Path, synapse: SynapseServer, room: str, token: str, user: str) -> Server:
    carrier = (
        f'[carriers.matrix]\nhomeserver = "{synapse.base_url}"\n'
        f'user_id = "{user}"\n[carriers.matrix.rooms]\n"{room}" = "tea"\n'
    )
    return carrier_server(folder, carrier, {"HEARTH_MATRIX_TOKEN": token})


async def _burst(server: Server, owner: Member, members: list[Member], room: str, bot: str,
                 rng: random.Random) -> tuple[list[str], list[str]]:  # fmt: skip
    """The members join and post, the server killed twice meanwhile; the event ids of their
    messages and of the check-ins among them."""
    server.start()
    code = await server.ready(None)

    async def bot_in() -> bool:
        response = await owner.http.get(f"{CLIENT}/rooms/{quote(room)}/joined_members")
        return bot in response.json().get("joined", {})

    async with asyncio.timeout(WAIT):
        while not await bot_in():
            await asyncio.sleep(0.1)
    # Rounds: in each, every member posts at once, so the engine is behind when a kill comes.
    kills = sorted(rng.sample(range(2, LINES + 1), KILLS))
    said: list[str] = []
    checkins: list[str] = []
    for n in range(LINES + 1):  # round 0: the joins
        if n == 0:
            for member in members:
                (await member.join(room)).raise_for_status()
            continue
        text = "check in" if n == 3 else "says line {n}"
        posted = await asyncio.gather(*(m.say(room, text.format(n=n)) for m in members))
        said += posted
        if n == 3:
            checkins += posted
        if n in kills:
            await asyncio.sleep(rng.uniform(0, 0.1))  # the engine in the middle of it
            server.kill()
            server.start()  # (what is posted meanwhile the homeserver keeps)
    await server.ready(code)
    return said, checkins


def _recorded_all(server: Server) -> list[str]:
    with sqlite_db(server.database) as db:
        return [
            str(e)
            for (e,) in db.execute(
                "SELECT e.carrier_event_id FROM events e JOIN groups g ON g.id = e.group_id "
                "WHERE g.carrier = 'matrix'"
            )
        ]


def _recorded(server: Server) -> set[str]:
    return set(_recorded_all(server))
