"""A scheduled post's file on a real Synapse: uploaded to the media repository and shown as
`m.image` (with its Content-Type, size, width and height), `m.video`, `m.audio` or `m.file`
before the post's text; sent again under the same outbox key, nothing new appears; a
picture that is no picture goes as text alone and staff hear of it once. A retry after the
text failed does not show the file again, even from a new device (a bot signing in by
password), whose transaction ids the homeserver has never seen."""

from __future__ import annotations

import io
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import aiohttp
import pytest
import pytest_asyncio
from PIL import Image

from hearthkeeper.capabilities.calendar.content import PostContent
from hearthkeeper.carriers.matrix import MatrixAccount, MatrixCarrier, RoomMap, SyncPosition
from hearthkeeper.clock import FrozenClock
from hearthkeeper.engine.actions import Action, ActionKind
from hearthkeeper.engine.carrier import CarrierError
from hearthkeeper.playbook.output import ScheduledPost
from hearthkeeper.playbook.positioning import Language
from hearthkeeper.store import Store
from tests.carriers.matrix.matrix_setup import CLIENT, Member, real_now
from tests.integration.synapse import MatrixUser, SynapseServer
from tests.webchat_setup import sqlite_store

pytestmark = [pytest.mark.matrix, pytest.mark.asyncio]

POST = ScheduledPost.model_validate(
    {"id": "morning", "schedule": "every day 08:00", "content": {"library": "pictures"}}
)


@dataclass
class Room:
    """A room of the community with the bot in it, read by its owner."""

    carrier: MatrixCarrier
    owner: Member
    room: str
    store: Store
    community_id: int
    folder: Path
    bot: MatrixUser

    def action(self, name: str, data: bytes, kind: str,
               language: Language = Language.EN) -> Action:  # fmt: skip
        """The calendar's SEND of a library item whose file is `name` holding `data`."""
        (self.folder / name).write_bytes(data)
        content = PostContent(f"Morning: {name}", kind, f"{name}.md", str(self.folder / name))
        return Action(kind=ActionKind.SEND, carrier="matrix", group=self.room,
                      text=content.text, handler="calendar",
                      extra=content.extra(POST, 1, language))  # fmt: skip

    async def post(self, name: str, data: bytes, kind: str, key: str,
                   language: Language = Language.EN) -> str | None:  # fmt: skip
        """Perform the calendar's SEND of a library item whose file is `name` holding `data`."""
        return await self.carrier.perform(self.action(name, data, kind, language), key)

    def signed_in_anew(self) -> MatrixCarrier:
        """The bot's carrier after a restart, signed in by its password: a new device, whose
        transaction ids the homeserver has never seen."""
        account = MatrixAccount(homeserver=self.carrier.account.homeserver,
                                user_id=self.bot.user_id, password=self.bot.password)  # fmt: skip
        return MatrixCarrier(account, self.carrier.rooms, self.carrier.position,
                             sync_timeout_ms=1000, store=self.store)  # fmt: skip

    async def bot_events(self) -> list[dict[str, Any]]:
        bot = self.carrier.bot.user_id
        return await self.owner.said_by(self.room, bot)

    async def download(self, mxc: str) -> bytes:
        server, media = mxc.removeprefix("mxc://").split("/", 1)
        got = await self.owner.http.get(f"/_matrix/client/v1/media/download/{server}/{media}")
        got.raise_for_status()
        return got.content


@pytest_asyncio.fixture
async def room(synapse: SynapseServer, tmp_path: Path,
               migrated_sqlite: Path) -> AsyncIterator[Room]:  # fmt: skip
    clock = FrozenClock(real_now())
    bot = synapse.register()
    owner = Member(synapse.register(), synapse.base_url)
    created = await owner.http.post(f"{CLIENT}/createRoom",
                                    json={"preset": "private_chat", "invite": [bot.user_id]})  # fmt: skip
    room_id = str(created.json()["room_id"])
    with sqlite_store(tmp_path, migrated_sqlite, clock) as store:
        community = store.ensure_community("tea", "Tea lovers")
        store.add_group(community.id, "Tea room", "matrix", room_id)
        account = MatrixAccount(homeserver=synapse.base_url, user_id=bot.user_id,
                                access_token=bot.access_token)  # fmt: skip
        carrier = MatrixCarrier(account, RoomMap({room_id: "tea"}),
                                SyncPosition(tmp_path / "sync.json"), sync_timeout_ms=1000,
                                store=store, clock=clock)  # fmt: skip
        await carrier.connect()
        await carrier._require_client().join(room_id)  # the invitation, accepted
        folder = tmp_path / "pictures"
        folder.mkdir()
        try:
            yield Room(carrier, owner, room_id, store, community.id, folder, bot)
        finally:
            await carrier.disconnect()
            await owner.close()


def png(width: int, height: int) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (width, height), (250, 200, 60)).save(out, "PNG")
    return out.getvalue()


async def test_a_picture_is_uploaded_and_shown_before_its_text_once(room: Room) -> None:
    data = png(64, 48)
    first = await room.post("cup.png", data, "picture", "calendar:post:1")
    again = await room.post("cup.png", data, "picture", "calendar:post:1")  # after a crash
    assert first is not None and again == first
    image, text = await room.bot_events()
    assert image["content"]["msgtype"] == "m.image"
    assert image["content"]["body"] == "cup.png"
    assert image["content"]["info"] == {"mimetype": "image/png", "size": len(data),
                                        "w": 64, "h": 48}  # fmt: skip
    assert await room.download(image["content"]["url"]) == data
    assert (text["content"]["msgtype"], text["content"]["body"]) == ("m.text", "Morning: cup.png")
    assert text["event_id"] == first
    assert room.store.staff_alerts(room.community_id) == []


async def test_the_same_file_posted_under_many_keys_is_uploaded_once(room: Room) -> None:
    """A calendar post fired in every room (one outbox key each) uploads its file once: every
    room's event shows the same media, which the homeserver keeps one copy of."""
    data = png(64, 48)
    await room.post("cup.png", data, "picture", "calendar:post:1:room-a")
    await room.post("cup.png", data, "picture", "calendar:post:1:room-b")
    images = [e for e in await room.bot_events() if e["content"]["msgtype"] == "m.image"]
    assert len(images) == 2
    assert images[0]["content"]["url"] == images[1]["content"]["url"]
    assert await room.download(images[1]["content"]["url"]) == data


async def test_video_voice_and_files_go_as_their_kinds(room: Room) -> None:
    await room.post("clip.mp4", b"\0\0\0\x18ftypmp42 a video", "video", "calendar:post:1")
    await room.post("hello.ogg", b"OggS a voice message", "voice", "calendar:post:2")
    await room.post("course.pdf", b"%PDF-1.4 the course", "file", "calendar:post:3")
    events = [e["content"] for e in await room.bot_events()]
    files = [c for c in events if c["msgtype"] != "m.text"]
    assert [(c["msgtype"], c["body"], c["info"]["mimetype"]) for c in files] == [
        ("m.video", "clip.mp4", "video/mp4"),
        ("m.audio", "hello.ogg", "audio/ogg"),
        ("m.file", "course.pdf", "application/pdf"),
    ]
    assert "org.matrix.msc3245.voice" in files[1]
    assert await room.download(files[2]["url"]) == b"%PDF-1.4 the course"
    assert len(events) == 6  # each followed by its text


async def test_a_broken_picture_goes_as_text_and_staff_hear_once(room: Room) -> None:
    """In the community's language, which the calendar puts on the post."""
    broken = b"<html>no picture</html>"
    await room.post("cup.png", broken, "picture", "calendar:post:1", Language.ZH_CN)
    await room.post("cup.png", broken, "picture", "calendar:post:1", Language.ZH_CN)
    [text] = await room.bot_events()
    assert text["content"]["body"] == "Morning: cup.png"
    [alert] = room.store.staff_alerts(room.community_id)
    assert alert.text.startswith("📎 定时内容「morning」的文件 cup.png 没有发出（不是图片")
    assert "「Tea room」只收到了文字" in alert.text


async def test_a_picture_too_big_to_show_as_one_goes_as_a_file(room: Room) -> None:
    """Over 8000 pixels a side (or 24 megapixels, unless a JPEG): members still get it, as a
    file they open; staff have nothing to fix."""
    wide = png(9000, 2)
    await room.post("wide.png", wide, "picture", "calendar:post:1")
    shown, text = await room.bot_events()
    assert (shown["content"]["msgtype"], shown["content"]["body"]) == ("m.file", "wide.png")
    assert shown["content"]["info"] == {"mimetype": "image/png", "size": len(wide)}
    assert await room.download(shown["content"]["url"]) == wide
    assert text["content"]["body"] == "Morning: wide.png"
    assert room.store.staff_alerts(room.community_id) == []


async def test_a_retry_after_the_text_failed_does_not_show_the_picture_again(room: Room) -> None:
    """The picture was shown and its text could not be sent; the retry came from the next
    process, signed in by password as a new device, and members saw the picture twice."""
    key = "calendar:post:1"
    action = room.action("cup.png", png(64, 48), "picture")
    room.store.enqueue(key, "matrix", action.to_json(), 0)
    client = room.carrier._require_client()
    send = client.room_send

    async def text_refused(*args: Any, **kwargs: Any) -> Any:
        if args[2].get("msgtype") == "m.text":  # never reached the homeserver
            raise aiohttp.ClientConnectionError("connection refused")
        return await send(*args, **kwargs)

    client.room_send = text_refused
    with pytest.raises(CarrierError):
        await room.carrier.perform(action, key)
    await room.carrier.disconnect()  # the process dies

    again = room.signed_in_anew()
    await again.connect()
    try:
        receipt = await again.perform(action, key)
    finally:
        await again.disconnect()
    image, text = await room.bot_events()
    assert image["content"]["msgtype"] == "m.image"
    assert text["content"]["body"] == "Morning: cup.png" and text["event_id"] == receipt
