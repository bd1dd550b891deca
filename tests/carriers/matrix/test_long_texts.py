"""A bot text longer than one Matrix event holds, on a real Synapse. A newcomer's full-size
welcome (about 20,000 characters, 68 KB in UTF-8: `tests/carriers/long_welcome.py`) went as
one event over Synapse's 65,536 bytes, was refused (M_TOO_LARGE) and never arrived; it now
arrives whole, in order, in events each within `TEXT_BYTES`, each ending a sentence or a
line. Each part has its own transaction id: a process that died after the homeserver took a
part, its answer lost, leaves the next process to send them all again, and the room reads
each once. The parts acknowledged are kept with the outbox item, with where each ended in the
text: a homeserver that forgot the transaction ids (restarted, or past the time it keeps
them) is not sent them again, and the rest is what was not said however it is cut by then."""

from __future__ import annotations

import dataclasses
import re
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import aiohttp
import pytest
import pytest_asyncio

from hearthkeeper.carriers.matrix.carrier import MatrixAccount, MatrixCarrier
from hearthkeeper.carriers.matrix.outgoing import (
    TEXT_BYTES,
    message_contents,
    message_parts,
    text_bytes,
)
from hearthkeeper.carriers.matrix.position import SyncPosition
from hearthkeeper.carriers.matrix.rooms import RoomMap
from hearthkeeper.carriers.parts import ids
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
    await dies_at_the_second_part(first, room, action, key, reached=True)

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


async def first_part_then_refused(community: Hearth, action: Action, key: str) -> str:
    """A bot process sends `action` (queued under `key`): the homeserver takes the first part,
    the second never reaches it, and the process dies. The first part's event id."""
    room = action.group
    assert room is not None
    community.store.enqueue(key, "matrix", action.to_json(), 0)
    await dies_at_the_second_part(bot_process(community), room, action, key, reached=False)
    [arrived] = await community.owner.said_by(room, community.bot.user_id)
    return str(arrived["event_id"])


async def dies_at_the_second_part(carrier: MatrixCarrier, room: str, action: Action, key: str,
                                  *, reached: bool) -> None:  # fmt: skip
    """`carrier`'s process sends `action` (under `key`) into `room` and dies at its second
    part: Synapse has it but its answer never comes back (`reached`), or it never got there."""
    await carrier.connect()
    try:
        client = carrier._require_client()
        await client.join(room)  # the invitation, accepted
        send, calls = client.room_send, []

        async def second_fails(*args: Any, **kwargs: Any) -> Any:
            calls.append(args)
            if len(calls) == 2 and not reached:
                raise aiohttp.ClientConnectionError("connection refused")
            sent = await send(*args, **kwargs)
            if len(calls) == 2:  # Synapse has the second part; its answer never comes back
                raise aiohttp.ClientConnectionError("connection reset")
            return sent

        client.room_send = second_fails
        with pytest.raises(CarrierError):
            await carrier.perform(action, key)
    finally:
        await carrier.disconnect()  # the process dies


def without_spaces(text: str) -> str:
    return re.sub(r"\s", "", text)


@pytest.mark.parametrize("kept_as", ["positions", "ids only"])
async def test_a_retry_sends_only_the_parts_not_acknowledged_when_the_server_forgot_them(
    community: Hearth, kept_as: str
) -> None:
    """The first part arrived and the second could not be sent; the retry came when the
    homeserver no longer knew the first part's transaction id. It sent every part again, and
    members read the first part twice. Parts kept as their event ids alone (before positions
    were kept) are still counted."""
    room = await community.create_room()
    text = expected_welcome("Mei")
    action = Action(kind=ActionKind.SEND, carrier="matrix", group=room, text=text,
                    handler="welcome")  # fmt: skip
    key = "welcome:mei:forgotten"
    arrived = await first_part_then_refused(community, action, key)
    if kept_as == "ids only":
        kept = community.store.outbox_progress(key)
        assert ids(kept) == [arrived] and kept != [arrived]
        community.store.record_progress(key, [arrived])

    again = bot_process(community, signed_in_anew=True)
    await again.connect()
    try:
        receipt = await again.perform(action, key)
    finally:
        await again.disconnect()
    events = await community.owner.said_by(room, community.bot.user_id)
    parts = len(message_contents(action, again.capabilities.max_text))
    said = "".join(body(event) for event in events)
    assert without_spaces(said) == without_spaces(text), "a part twice, or missing"
    assert parts > 1 and len(events) == parts and receipt == arrived


async def test_a_retry_after_the_cut_changed_says_exactly_the_rest(community: Hearth) -> None:
    """The first part arrived; the retry came from a process that cuts otherwise (an upgrade,
    a smaller limit). It sent the parts of its own cut after as many as went, and members read
    again most of what the first part said. Now the rest begins where the first part ended."""
    room = await community.create_room()
    text = expected_welcome("Mei")
    action = Action(kind=ActionKind.SEND, carrier="matrix", group=room, text=text,
                    handler="welcome")  # fmt: skip
    key = "welcome:mei:cut-otherwise"
    arrived = await first_part_then_refused(community, action, key)

    again = bot_process(community, signed_in_anew=True)
    again.capabilities = dataclasses.replace(again.capabilities, max_text=4000)
    await again.connect()
    try:
        receipt = await again.perform(action, key)
    finally:
        await again.disconnect()
    first, *rest = await community.owner.said_by(room, community.bot.user_id)
    assert first["event_id"] == arrived == receipt
    assert len(body(first)) > 4000 and len(message_parts(action, 4000)) > 2  # cut otherwise
    assert rest and all(len(body(event)) <= 4000 for event in rest)
    said = "".join(body(event) for event in [first, *rest])
    assert without_spaces(said) == without_spaces(text), "words twice, or missing"


async def test_a_part_in_flight_keeps_its_transaction_id_when_resumed(community: Hearth) -> None:
    """A text in several parts: the homeserver took the second, its answer was lost, and the
    process died with the first part kept. The next one resumes after the first and sends the
    second again under the same transaction id: the room reads it once."""
    room = await community.create_room()
    text = expected_welcome("Mei")
    action = Action(kind=ActionKind.SEND, carrier="matrix", group=room, text=text,
                    handler="welcome")  # fmt: skip
    key = "welcome:mei:in-flight"
    community.store.enqueue(key, "matrix", action.to_json(), 0)
    first = bot_process(community)
    first.capabilities = dataclasses.replace(first.capabilities, max_text=4000)
    await dies_at_the_second_part(first, room, action, key, reached=True)
    assert len(ids(community.store.outbox_progress(key))) == 1

    again = bot_process(community)
    again.capabilities = first.capabilities
    await again.connect()
    try:
        await again.perform(action, key)
    finally:
        await again.disconnect()
    events = await community.owner.said_by(room, community.bot.user_id)
    assert len(events) == len(message_parts(action, 4000)) > 2
    said = "".join(body(event) for event in events)
    assert without_spaces(said) == without_spaces(text), "a part twice, or missing"
