"""A bot text longer than one Matrix event holds, on a real Synapse. A newcomer's full-size
welcome (about 20,000 characters, 68 KB in UTF-8: `tests/carriers/long_welcome.py`) went as
one event over Synapse's 65,536 bytes, was refused (M_TOO_LARGE) and never arrived; it now
arrives whole, in order, in events each within `TEXT_BYTES`, each ending a sentence or a
line. Each part has its own transaction id: a process that died after the homeserver took a
part, its answer lost, leaves the next process to send them all again, and the room reads
each once. The parts acknowledged are kept with the outbox item: a homeserver that forgot
the transaction ids (restarted, or past the time it keeps them) is not sent them again."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import aiohttp
import pytest
import pytest_asyncio

from hearthkeeper.carriers.matrix.carrier import MatrixAccount, MatrixCarrier
from hearthkeeper.carriers.matrix.outgoing import TEXT_BYTES, message_contents, text_bytes
from hearthkeeper.carriers.matrix.position import SyncPosition
from hearthkeeper.carriers.matrix.rooms import RoomMap
from hearthkeeper.clock import FrozenClock
from hearthkeeper.engine.actions import Action, ActionKind
from hearthkeeper.engine.carrier import CarrierError
from tests.carriers.long_welcome import (
    assert_arrived_whole,
    expected_welcome,
    long_welcome_playbook,
)
from tests.carriers.matrix.matrix_setup import Hearth, body, bot_message, hearth, real_now, serving
from tests.integration.synapse import SynapseServer
from tests.webchat_setup import sqlite_store

pytestmark = [pytest.mark.matrix, pytest.mark.asyncio]


@pytest_asyncio.fixture
async def community(synapse: SynapseServer, tmp_path: Path,
                    migrated_sqlite: Path) -> AsyncIterator[Hearth]:  # fmt: skip
    clock = FrozenClock(real_now())
    with sqlite_store(tmp_path, migrated_sqlite, clock) as store:
        async with hearth(synapse, store, clock, tmp_path / "data",
                          long_welcome_playbook()) as found:  # fmt: skip
            yield found


def plain_bytes(text: str) -> int:
    return text_bytes(text, markdown=False)


async def test_a_full_size_welcome_arrives_whole_and_in_order(community: Hearth) -> None:
    bot = community.bot.user_id
    room = await community.create_room()
    async with serving(community):
        await community.bot_joined(room)
        await community.empower_bot(room)
        mei = community.member()
        (await mei.join(room)).raise_for_status()
        await bot_message(mei, room, bot, "请回复「同意」表示接受群规")  # its last part
    said = [body(event) for event in await mei.said_by(room, bot)]
    assert_arrived_whole(said, mei.user.localpart, TEXT_BYTES, plain_bytes)


async def test_a_part_whose_answer_was_lost_is_said_once_after_a_restart(
    community: Hearth,
) -> None:
    room = await community.create_room()
    text = expected_welcome("Mei")
    action = Action(kind=ActionKind.SEND, carrier="matrix", group=room, text=text,
                    handler="welcome")  # fmt: skip
    key = "welcome:mei"
    first = community.carrier()
    await first.connect()
    try:
        client = first._require_client()
        await client.join(room)  # the invitation, accepted
        send, calls = client.room_send, []

        async def answer_lost(*args: Any, **kwargs: Any) -> Any:
            calls.append(args)
            sent = await send(*args, **kwargs)
            if len(calls) == 2:  # Synapse has the second part; its answer never comes back
                raise aiohttp.ClientConnectionError("connection reset")
            return sent

        client.room_send = answer_lost
        with pytest.raises(CarrierError):
            await first.perform(action, key)
    finally:
        await first.disconnect()  # the process dies

    again = community.carrier()
    await again.connect()
    try:
        receipt = await again.perform(action, key)
    finally:
        await again.disconnect()
    events = await community.owner.said_by(room, community.bot.user_id)
    parts = len(message_contents(action, again.capabilities.max_text))
    assert parts > 1 and len(events) == parts and receipt == events[0]["event_id"]
    said = "".join(body(event) for event in events)
    assert re.sub(r"\s", "", said) == re.sub(r"\s", "", text), "a part twice, or missing"


def bot_process(community: Hearth, *, signed_in_anew: bool = False) -> MatrixCarrier:
    """The bot's carrier as `hearth serve` makes it, with the store. `signed_in_anew`: by its
    password, a new device whose transaction ids the homeserver has never seen, as a
    homeserver that forgot them (restarted, or past the time it keeps them) sees ours."""
    bot = community.bot
    account = MatrixAccount(homeserver=community.synapse.base_url, user_id=bot.user_id,
                            access_token=None if signed_in_anew else bot.access_token,
                            password=bot.password)  # fmt: skip
    rooms = RoomMap({room: community.runtime.slug for room in community.rooms})
    return MatrixCarrier(account, rooms, SyncPosition(community.position_file),
                         sync_timeout_ms=1000, store=community.store)  # fmt: skip


async def test_a_retry_sends_only_the_parts_not_acknowledged_when_the_server_forgot_them(
    community: Hearth,
) -> None:
    """The first part arrived and the second could not be sent; the retry came when the
    homeserver no longer knew the first part's transaction id. It sent every part again, and
    members read the first part twice."""
    room = await community.create_room()
    text = expected_welcome("Mei")
    action = Action(kind=ActionKind.SEND, carrier="matrix", group=room, text=text,
                    handler="welcome")  # fmt: skip
    key = "welcome:mei:forgotten"
    community.store.enqueue(key, "matrix", action.to_json(), 0)
    first = bot_process(community)
    await first.connect()
    try:
        client = first._require_client()
        await client.join(room)  # the invitation, accepted
        send, calls = client.room_send, []

        async def refused_at_the_second(*args: Any, **kwargs: Any) -> Any:
            calls.append(args)
            if len(calls) == 2:  # never reached the homeserver
                raise aiohttp.ClientConnectionError("connection refused")
            return await send(*args, **kwargs)

        client.room_send = refused_at_the_second
        with pytest.raises(CarrierError):
            await first.perform(action, key)
    finally:
        await first.disconnect()  # the process dies
    [arrived] = await community.owner.said_by(room, community.bot.user_id)

    again = bot_process(community, signed_in_anew=True)
    await again.connect()
    try:
        receipt = await again.perform(action, key)
    finally:
        await again.disconnect()
    events = await community.owner.said_by(room, community.bot.user_id)
    parts = len(message_contents(action, again.capabilities.max_text))
    said = "".join(body(event) for event in events)
    assert re.sub(r"\s", "", said) == re.sub(r"\s", "", text), "a part twice, or missing"
    assert parts > 1 and len(events) == parts and receipt == arrived["event_id"]
