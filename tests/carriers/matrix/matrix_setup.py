"""A community served in Matrix rooms of a real Synapse, for the scenario tests: the skincare
template's engine on SQLite, the bot's `MatrixCarrier`, and members who act and read the
rooms with their own clients, as a person in Element would."""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import quote

import httpx

from hearthkeeper.apply import apply_playbook
from hearthkeeper.assembly import runtime_for
from hearthkeeper.carriers.matrix import MatrixAccount, MatrixCarrier, RoomMap, SyncPosition
from hearthkeeper.clock import FrozenClock
from hearthkeeper.engine.engine import Engine
from hearthkeeper.engine.executor import Runtime
from hearthkeeper.playbook import parse_playbook
from hearthkeeper.playbook.templates import copy_content, template_text
from hearthkeeper.store import Store
from tests.integration.synapse import MatrixUser, SynapseServer

CLIENT = "/_matrix/client/v3"
WAIT_S = 20.0
AD = "加我微信 abc12345 低价代购"
_txns = itertools.count(1)
T = TypeVar("T")


class Member:
    """A person in the rooms, acting and reading through their own client."""

    def __init__(self, user: MatrixUser, base_url: str) -> None:
        self.user = user
        self.user_id = user.user_id
        self.http = httpx.AsyncClient(base_url=base_url, headers=user.headers, timeout=10)

    async def join(self, room: str) -> httpx.Response:
        return await self.http.post(f"{CLIENT}/join/{quote(room)}", json={})

    async def try_say(self, room: str, text: str) -> httpx.Response:
        """Post `text`; the server's answer (403 when muted, kicked or banned)."""
        path = f"{CLIENT}/rooms/{quote(room)}/send/m.room.message/t{next(_txns)}-{time.time_ns()}"
        return await self.http.put(path, json={"msgtype": "m.text", "body": text})

    async def say(self, room: str, text: str) -> str:
        """Post `text`; its event id."""
        response = await self.try_say(room, text)
        response.raise_for_status()
        return str(response.json()["event_id"])

    async def edit(self, room: str, event_id: str, text: str) -> str:
        """Edit their message `event_id` to read `text` (an `m.replace`); the edit's event id."""
        path = f"{CLIENT}/rooms/{quote(room)}/send/m.room.message/t{next(_txns)}-{time.time_ns()}"
        response = await self.http.put(path, json={
            "msgtype": "m.text", "body": f"* {text}",
            "m.new_content": {"msgtype": "m.text", "body": text},
            "m.relates_to": {"rel_type": "m.replace", "event_id": event_id},
        })  # fmt: skip
        response.raise_for_status()
        return str(response.json()["event_id"])

    async def post_picture(self, room: str, picture: bytes, name: str = "photo.png") -> str:
        """Upload `picture` (a PNG) and post it as an `m.image`, as Element does; its event id."""
        return await self.post_media(room, "m.image", picture, name, "image/png")

    async def post_file(self, room: str, data: bytes, name: str, mimetype: str | None) -> str:
        """Upload `data` and post it as an `m.file` (a photo sent as a file; None: its `info`
        says no `mimetype`, as some clients send it); its event id."""
        return await self.post_media(room, "m.file", data, name, mimetype)

    async def post_sticker(self, room: str, picture: bytes, mimetype: str = "image/png") -> str:
        """Upload `picture` and post it as an `m.sticker` event; its event id."""
        return await self.post_media(room, None, picture, "😀", mimetype)

    async def post_media(self, room: str, msgtype: str | None, data: bytes, name: str,
                         mimetype: str | None) -> str:  # fmt: skip
        """Upload `data`, then post it as an `m.room.message` of `msgtype`, or as an
        `m.sticker` event when it is None; its event id."""
        uploaded = await self.http.post("/_matrix/media/v3/upload", params={"filename": name},
                                        content=data, headers={
                                            "Content-Type": mimetype or "application/octet-stream"
                                        })  # fmt: skip
        uploaded.raise_for_status()
        kind = "m.room.message" if msgtype is not None else "m.sticker"
        path = f"{CLIENT}/rooms/{quote(room)}/send/{kind}/t{next(_txns)}-{time.time_ns()}"
        info: dict[str, Any] = {"size": len(data)}
        if mimetype is not None:
            info["mimetype"] = mimetype
        content: dict[str, Any] = {"body": name, "url": uploaded.json()["content_uri"],
                                   "info": info}  # fmt: skip
        if msgtype is not None:
            content["msgtype"] = msgtype
        response = await self.http.put(path, json=content)
        response.raise_for_status()
        return str(response.json()["event_id"])

    async def rename(self, name: str) -> None:
        """Change the display name of the profile, as Element's settings do: the server tells
        every room she is in (an `m.room.member` event, still `join`, with the new name)."""
        path = f"{CLIENT}/profile/{quote(self.user_id)}/displayname"
        (await self.http.put(path, json={"displayname": name})).raise_for_status()

    async def timeline(self, room: str) -> list[dict[str, Any]]:
        """The room's recent events as this member sees them, oldest first."""
        response = await self.http.get(f"{CLIENT}/rooms/{quote(room)}/messages",
                                       params={"dir": "b", "limit": 500})  # fmt: skip
        response.raise_for_status()
        return list(reversed(response.json()["chunk"]))

    async def said_by(self, room: str, sender: str) -> list[dict[str, Any]]:
        """The text messages `sender` posted in the room that this member can read."""
        return [
            e for e in await self.timeline(room)
            if e["type"] == "m.room.message" and e["sender"] == sender and e["content"]
        ]  # fmt: skip

    async def event(self, room: str, event_id: str) -> dict[str, Any]:
        response = await self.http.get(f"{CLIENT}/rooms/{quote(room)}/event/{quote(event_id)}")
        response.raise_for_status()
        return dict(response.json())

    async def membership(self, room: str) -> str | None:
        """This member's membership in the room as the room's state says (join, leave, ban)."""
        for e in reversed(await self.timeline(room)):
            if e["type"] == "m.room.member" and e.get("state_key") == self.user_id:
                return str(e["content"].get("membership"))
        return None

    async def close(self) -> None:
        await self.http.aclose()


async def eventually(probe: Callable[[], Awaitable[T | None]], what: str,
                        timeout: float = WAIT_S) -> T:  # fmt: skip
    """The first non-empty answer of `probe`, polled until `timeout`."""
    deadline = time.monotonic() + timeout
    while True:
        found = await probe()
        if found:
            return found
        if time.monotonic() > deadline:
            raise AssertionError(f"waited {timeout:.0f}s for {what}")
        await asyncio.sleep(0.1)


def body(event: dict[str, Any]) -> str:
    return str(event["content"].get("body", ""))


def mentioned(event: dict[str, Any]) -> list[str]:
    return list(event["content"].get("m.mentions", {}).get("user_ids", []))


async def bot_messages(member: Member, room: str, bot: str, containing: str,
                       about: str | None = None) -> list[dict[str, Any]]:  # fmt: skip
    """The bot's messages containing `containing` (and mentioning `about`) `member` reads."""
    return [e for e in await member.said_by(room, bot)
            if containing in body(e) and (about is None or about in mentioned(e))]  # fmt: skip


async def bot_message(member: Member, room: str, bot: str, containing: str,
                      about: str | None = None, timeout: float = WAIT_S) -> dict[str, Any]:  # fmt: skip
    """The bot's message containing `containing` (and mentioning `about`), as `member` reads
    it, once it arrives."""

    async def probe() -> dict[str, Any] | None:
        found = await bot_messages(member, room, bot, containing, about)
        return found[0] if found else None

    return await eventually(probe, f"the bot to say {containing!r} in {room}", timeout)


async def redacted(member: Member, room: str, event_id: str) -> bool:
    """Waits until `member` sees `event_id` redacted."""

    async def probe() -> bool:
        return bool((await member.event(room, event_id))["content"] == {})

    return await eventually(probe, f"{event_id} to be redacted")


@dataclass
class Hearth:
    """One community of the skincare template whose groups are Matrix rooms owned by `owner`."""

    synapse: SynapseServer
    store: Store
    clock: FrozenClock
    runtime: Runtime
    data_dir: Path
    bot: MatrixUser
    owner: Member
    rooms: list[str] = field(default_factory=list)
    members: list[Member] = field(default_factory=list)

    @property
    def position_file(self) -> Path:
        return self.data_dir / "matrix-sync.json"

    def carrier(self) -> MatrixCarrier:
        """A bot process's carrier: a new one resumes from the same position file."""
        account = MatrixAccount(homeserver=self.synapse.base_url, user_id=self.bot.user_id,
                                access_token=self.bot.access_token)  # fmt: skip
        rooms = RoomMap({room: self.runtime.slug for room in self.rooms})
        return MatrixCarrier(account, rooms, SyncPosition(self.position_file),
                             sync_timeout_ms=1000)  # fmt: skip

    def engine(self, carrier: MatrixCarrier) -> Engine:
        return Engine(self.store, self.clock, [self.runtime], {"matrix": carrier},
                      adopt_groups_into=self.runtime.community_id)  # fmt: skip

    async def create_room(self) -> str:
        """A public room of the community, the bot invited (it accepts once serving)."""
        response = await self.owner.http.post(f"{CLIENT}/createRoom", json={
            "preset": "public_chat", "invite": [self.bot.user_id],
        })  # fmt: skip
        response.raise_for_status()
        room = str(response.json()["room_id"])
        self.rooms.append(room)
        return room

    async def empower_bot(self, room: str) -> None:
        """Give the bot the power it needs to redact, kick, ban and mute (edit power levels)."""
        path = f"{CLIENT}/rooms/{quote(room)}/state/m.room.power_levels/"
        levels = (await self.owner.http.get(path)).json()
        levels.setdefault("users", {})[self.bot.user_id] = 100
        (await self.owner.http.put(path, json=levels)).raise_for_status()

    async def bot_joined(self, room: str) -> None:
        async def probe() -> bool:
            response = await self.owner.http.get(f"{CLIENT}/rooms/{quote(room)}/joined_members")
            return self.bot.user_id in response.json().get("joined", {})

        await eventually(probe, f"the bot to join {room}")

    def member(self) -> Member:
        member = Member(self.synapse.register(), self.synapse.base_url)
        self.members.append(member)
        return member

    async def newcomer(self, *rooms: str) -> Member:
        """A member who joined `rooms` (the bot serving), was welcomed and accepted the rules."""
        member = self.member()
        for room in rooms:
            (await member.join(room)).raise_for_status()
            await bot_message(member, room, self.bot.user_id, f"欢迎 {member.user.localpart}")
        await member.say(rooms[0], "同意")
        await bot_message(member, rooms[0], self.bot.user_id, "已接受群规", about=member.user_id)
        return member

    async def close(self) -> None:
        for member in [self.owner, *self.members]:
            await member.close()


@contextlib.asynccontextmanager
async def hearth(synapse: SynapseServer, store: Store, clock: FrozenClock,
                 data_dir: Path, playbook: str | None = None) -> AsyncIterator[Hearth]:  # fmt: skip
    """The skincare community (or the playbook `playbook`), applied, no rooms yet."""
    text = template_text("skincare") if playbook is None else playbook
    loaded = parse_playbook(text, str(data_dir / "playbook.yaml"))
    copy_content("skincare", data_dir)
    apply_playbook(store, loaded, "test")
    runtime = runtime_for(store, loaded.playbook, data_dir)
    owner = Member(synapse.register(), synapse.base_url)
    found = Hearth(synapse, store, clock, runtime, data_dir, synapse.register(), owner)
    try:
        yield found
    finally:
        await found.close()


@contextlib.asynccontextmanager
async def serving(community: Hearth, carrier: MatrixCarrier | None = None) -> AsyncIterator[Engine]:
    """`hearth serve` for the community's rooms: the engine runs until the block ends."""
    engine = community.engine(carrier or community.carrier())
    stop = asyncio.Event()
    task = asyncio.create_task(engine.run(stop, idle=0.05))
    try:
        yield engine
    finally:
        stop.set()
        await asyncio.wait_for(task, timeout=WAIT_S)


def real_now() -> datetime:
    """Synapse stamps events with the wall clock; the frozen clock starts there."""
    return datetime.now(UTC)
