"""The Matrix carrier against a real Synapse: it accepts an invitation to a mapped room, hands
a member's message to the engine, and redacts, warns (once per key) and mutes."""

from __future__ import annotations

import asyncio
import contextlib
from pathlib import Path
from urllib.parse import quote

import httpx
import pytest

from hearthkeeper.carriers.matrix import MatrixAccount, MatrixCarrier, RoomMap, SyncPosition
from hearthkeeper.engine.actions import Action, ActionKind
from hearthkeeper.engine.carrier import CarrierError
from hearthkeeper.engine.events import Event, Message
from tests.carriers.matrix.matrix_setup import WAIT_S, eventually
from tests.integration.synapse import SynapseServer

pytestmark = pytest.mark.matrix

CLIENT = "/_matrix/client/v3"


async def pump(carrier: MatrixCarrier, inbox: asyncio.Queue[Event]) -> None:
    """What the engine does with a carrier's events."""
    async for event in carrier.events():
        await inbox.put(event)


async def next_message(inbox: asyncio.Queue[Event]) -> Message:
    while True:
        event = await asyncio.wait_for(inbox.get(), timeout=20)
        if isinstance(event, Message):
            return event


async def joined(http: httpx.Client, room: str, user_id: str,
                 headers: dict[str, str] | None = None, timeout: float = WAIT_S) -> None:  # fmt: skip
    """Wait until `user_id` is among `room`'s joined members (the bot's first sync accepts
    its invitation); fail saying so when it is not in by `timeout`. The waits this replaces
    ran out silently, and the test failed later on a refusal that did not say why."""

    async def probe() -> bool:
        members = http.get(f"{CLIENT}/rooms/{quote(room)}/joined_members",
                           headers=headers).json()["joined"]  # fmt: skip
        return user_id in members

    await eventually(probe, f"{user_id} to join {room} (its first sync accepts the invitation)",
                     timeout)  # fmt: skip


@pytest.mark.asyncio
async def test_a_bot_that_never_joins_fails_the_wait_saying_so(synapse: SynapseServer) -> None:
    bot, alice = synapse.register(), synapse.register()
    with httpx.Client(base_url=synapse.base_url, headers=alice.headers, timeout=10) as http:
        room = http.post(f"{CLIENT}/createRoom",
                         json={"preset": "private_chat", "invite": [bot.user_id]}).json()["room_id"]  # fmt: skip
        with pytest.raises(AssertionError, match=f"waited 1s for {bot.user_id} to join"):
            await joined(http, room, bot.user_id, timeout=1)  # no carrier accepts the invitation


@pytest.mark.asyncio
async def test_the_bot_joins_reads_redacts_warns_and_mutes(synapse: SynapseServer,
                                                           tmp_path: Path) -> None:  # fmt: skip
    bot, alice, bob = synapse.register(), synapse.register(), synapse.register()
    http = httpx.Client(base_url=synapse.base_url, timeout=10)
    room = http.post(f"{CLIENT}/createRoom", headers=alice.headers,
                     json={"preset": "private_chat", "invite": [bot.user_id, bob.user_id]}).json()["room_id"]  # fmt: skip
    account = MatrixAccount(homeserver=synapse.base_url, user_id=bot.user_id,
                            access_token=bot.access_token)  # fmt: skip
    carrier = MatrixCarrier(account, RoomMap({room: "skincare"}), SyncPosition(tmp_path / "sync.json"),
                            sync_timeout_ms=2000)  # fmt: skip
    await carrier.connect()
    inbox: asyncio.Queue[Event] = asyncio.Queue()
    task = asyncio.create_task(pump(carrier, inbox))
    try:
        await joined(http, room, bot.user_id, alice.headers)
        levels_path = f"{CLIENT}/rooms/{quote(room)}/state/m.room.power_levels/"
        levels = http.get(levels_path, headers=alice.headers).json()
        levels.setdefault("users", {})[bot.user_id] = 100
        http.put(levels_path, headers=alice.headers, json=levels).raise_for_status()
        http.post(f"{CLIENT}/join/{quote(room)}", headers=bob.headers, json={}).raise_for_status()
        http.put(f"{CLIENT}/rooms/{quote(room)}/send/m.room.message/ad1", headers=bob.headers,
                 json={"msgtype": "m.text", "body": "cheap followers, add me on wx"}).raise_for_status()  # fmt: skip

        message = await next_message(inbox)
        assert message.group == room and message.sender.user_id == bob.user_id
        assert message.text == "cheap followers, add me on wx"

        delete = Action(
            kind=ActionKind.DELETE, carrier="matrix", group=room, target=message.event_id
        )
        await carrier.perform(delete, "delete-1")
        warn = Action(kind=ActionKind.WARN, carrier="matrix", group=room, member=bob.user_id,
                      text="No advertising here.")  # fmt: skip
        first = await carrier.perform(warn, "warn-1")
        second = await carrier.perform(warn, "warn-1")  # a retry after a crash
        assert first is not None and first == second  # the same transaction id: one message
        await carrier.perform(Action(kind=ActionKind.MUTE, carrier="matrix", group=room,
                                     member=bob.user_id), "mute-1")  # fmt: skip

        original = http.get(f"{CLIENT}/rooms/{quote(room)}/event/{quote(message.event_id)}",
                            headers=alice.headers).json()  # fmt: skip
        assert original["content"] == {}  # redacted
        refused = http.put(f"{CLIENT}/rooms/{quote(room)}/send/m.room.message/after-mute",
                           headers=bob.headers, json={"msgtype": "m.text", "body": "hello?"})  # fmt: skip
        assert refused.status_code == 403

        # Synapse makes room version 12 rooms: the creator is in no power levels, and cannot
        # be muted by anyone; the carrier says so instead of sending a refused edit.
        creator = Action(kind=ActionKind.MUTE, carrier="matrix", group=room, member=alice.user_id)
        with pytest.raises(CarrierError, match="created the room") as refusal:
            await carrier.perform(creator, "mute-2")
        assert not refusal.value.retry
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
        await carrier.disconnect()
        http.close()


async def serving(carrier: MatrixCarrier) -> tuple[asyncio.Queue[Event], asyncio.Task[None]]:
    await carrier.connect()
    inbox: asyncio.Queue[Event] = asyncio.Queue()
    return inbox, asyncio.create_task(pump(carrier, inbox))


async def stopped(carrier: MatrixCarrier, task: asyncio.Task[None]) -> None:
    task.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await task
    await carrier.disconnect()


@pytest.mark.asyncio
async def test_a_message_the_engine_never_recorded_is_delivered_again_after_a_restart(
    synapse: SynapseServer, tmp_path: Path
) -> None:
    bot, alice = synapse.register(), synapse.register()
    http = httpx.Client(base_url=synapse.base_url, headers=alice.headers, timeout=10)
    room = http.post(f"{CLIENT}/createRoom",
                     json={"preset": "private_chat", "invite": [bot.user_id]}).json()["room_id"]  # fmt: skip
    account = MatrixAccount(homeserver=synapse.base_url, user_id=bot.user_id,
                            access_token=bot.access_token)  # fmt: skip
    position = SyncPosition(tmp_path / "sync.json")

    def bot_carrier() -> MatrixCarrier:
        return MatrixCarrier(account, RoomMap({room: "skincare"}), position, sync_timeout_ms=1000)

    def say(txn: str, body: str) -> None:
        http.put(f"{CLIENT}/rooms/{quote(room)}/send/m.room.message/{txn}",
                 json={"msgtype": "m.text", "body": body}).raise_for_status()  # fmt: skip

    try:
        first = bot_carrier()
        inbox, task = await serving(first)
        await joined(http, room, bot.user_id)
        say("one", "one")
        assert (await next_message(inbox)).text == "one"
        await stopped(first, task)  # crashed before the engine recorded "one": no handled()

        second = bot_carrier()
        inbox, task = await serving(second)
        again = await next_message(inbox)
        assert again.text == "one", "what was not recorded is delivered again"
        second.handled([again])  # recorded this time
        await stopped(second, task)

        third = bot_carrier()
        inbox, task = await serving(third)
        say("two", "two")
        assert (await next_message(inbox)).text == "two", "what was recorded is not"
        await stopped(third, task)
    finally:
        http.close()


@pytest.mark.asyncio
async def test_a_kick_performed_again_posts_its_notice_once_and_does_not_fail(
    synapse: SynapseServer, tmp_path: Path
) -> None:
    bot, alice, bob = synapse.register(), synapse.register(), synapse.register()
    http = httpx.Client(base_url=synapse.base_url, headers=alice.headers, timeout=10)
    room = http.post(f"{CLIENT}/createRoom", json={"preset": "public_chat"}).json()["room_id"]
    for user in (bot, bob):
        http.post(f"{CLIENT}/join/{quote(room)}", headers=user.headers, json={}).raise_for_status()
    levels_path = f"{CLIENT}/rooms/{quote(room)}/state/m.room.power_levels/"
    levels = http.get(levels_path).json()
    levels.setdefault("users", {})[bot.user_id] = 100
    http.put(levels_path, json=levels).raise_for_status()
    account = MatrixAccount(homeserver=synapse.base_url, user_id=bot.user_id,
                            access_token=bot.access_token)  # fmt: skip
    carrier = MatrixCarrier(account, RoomMap({room: "skincare"}), SyncPosition(tmp_path / "s.json"))
    await carrier.connect()
    kick = Action(kind=ActionKind.KICK, carrier="matrix", group=room, member=bob.user_id,
                  text="Removed after three warnings.", reason="ladder")  # fmt: skip
    try:
        first = await carrier.perform(kick, "kick-1")
        # The notice was refused (a 429) after the kick went through: the queue retries.
        again = await carrier.perform(kick, "kick-1")
        assert first is not None and again == first  # the same notice, not a second one
        state = http.get(f"{CLIENT}/rooms/{quote(room)}/state/m.room.member/{quote(bob.user_id)}")
        assert state.json()["membership"] == "leave"
        chunk = http.get(f"{CLIENT}/rooms/{quote(room)}/messages",
                         params={"dir": "b", "limit": 50}).json()["chunk"]  # fmt: skip
        notices = [e for e in chunk if e["type"] == "m.room.message"
                   and e["content"].get("body") == "Removed after three warnings."]  # fmt: skip
        assert len(notices) == 1
    finally:
        await carrier.disconnect()
        http.close()


@pytest.mark.asyncio
async def test_a_closed_room_lets_only_staff_send_and_reopening_gives_members_their_voice_back(
    synapse: SynapseServer, tmp_path: Path
) -> None:
    """`hearth groups close` on a Matrix room: members can no longer send (their messages
    are refused by the homeserver), a moderator still can; an unmute meanwhile does not
    make the member a moderator; reopened, the power levels are as they were."""
    bot, alice, bob, carol = (synapse.register() for _ in range(4))
    http = httpx.Client(base_url=synapse.base_url, timeout=10)
    room = http.post(f"{CLIENT}/createRoom", headers=alice.headers,
                     json={"preset": "private_chat",
                           "invite": [bot.user_id, bob.user_id, carol.user_id]}).json()["room_id"]  # fmt: skip
    levels_path = f"{CLIENT}/rooms/{quote(room)}/state/m.room.power_levels/"
    levels = http.get(levels_path, headers=alice.headers).json()
    levels.setdefault("users", {}).update({bot.user_id: 100, carol.user_id: 50})
    levels.setdefault("events", {})["m.reaction"] = 0  # a type a room lets everyone send
    http.put(levels_path, headers=alice.headers, json=levels).raise_for_status()
    for person in (bob, carol):
        http.post(
            f"{CLIENT}/join/{quote(room)}", headers=person.headers, json={}
        ).raise_for_status()
    before = http.get(levels_path, headers=alice.headers).json()
    account = MatrixAccount(homeserver=synapse.base_url, user_id=bot.user_id,
                            access_token=bot.access_token)  # fmt: skip
    carrier = MatrixCarrier(account, RoomMap({room: "skincare"}), SyncPosition(tmp_path / "sync.json"),
                            sync_timeout_ms=2000)  # fmt: skip
    _inbox, task = await serving(carrier)
    sent = iter(range(100))

    def send(person: object, body: str) -> int:
        headers = person.headers  # type: ignore[attr-defined]
        return http.put(f"{CLIENT}/rooms/{quote(room)}/send/m.room.message/t{next(sent)}",
                        headers=headers, json={"msgtype": "m.text", "body": body}).status_code  # fmt: skip

    try:
        await joined(http, room, bot.user_id, alice.headers)
        hello = http.put(f"{CLIENT}/rooms/{quote(room)}/send/m.room.message/hello",
                         headers=bob.headers, json={"msgtype": "m.text", "body": "hello"})  # fmt: skip
        hello.raise_for_status()
        close = Action(kind=ActionKind.CLOSE, carrier="matrix", group=room)
        await carrier.perform(close, "close-1")
        await carrier.perform(close, "close-1")  # performed again after a crash: the same
        assert send(bob, "still here?") == 403
        react = http.put(f"{CLIENT}/rooms/{quote(room)}/send/m.reaction/r1", headers=bob.headers,
                         json={"m.relates_to": {"rel_type": "m.annotation",
                                                "event_id": hello.json()["event_id"],
                                                "key": "👍"}})  # fmt: skip
        assert react.status_code == 403
        assert send(carol, "we moved, see the pinned link") == 200  # a moderator still can
        assert send(alice, "closing words") == 200  # the room's creator too
        await carrier.perform(Action(kind=ActionKind.MUTE, carrier="matrix", group=room,
                                     member=bob.user_id), "mute-1")  # fmt: skip
        await carrier.perform(Action(kind=ActionKind.UNMUTE, carrier="matrix", group=room,
                                     member=bob.user_id), "unmute-1")  # fmt: skip
        assert send(bob, "unmuted, yet closed") == 403  # not lifted to a moderator's level

        await carrier.perform(Action(kind=ActionKind.REOPEN, carrier="matrix", group=room),
                              "reopen-1")  # fmt: skip
        assert send(bob, "open again") == 200
        after = http.get(levels_path, headers=alice.headers).json()
        assert after == before
    finally:
        await stopped(carrier, task)
        http.close()
