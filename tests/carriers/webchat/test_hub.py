"""Broadcasting to many browsers: everyone gets every frame, in order, and a browser that
stops reading is dropped without holding up the others."""

from __future__ import annotations

import asyncio
import json

from hearthkeeper.carriers.webchat.hub import CLOSE_TOO_SLOW, Connection, Hub


class Browser:
    """The far end of one connection: records frames; a stuck one never finishes a send."""

    def __init__(self, *, stuck: bool = False) -> None:
        self.frames: list[dict[str, object]] = []
        self.closed: tuple[int, str] | None = None
        self.stuck = stuck

    async def send(self, text: str) -> None:
        if self.stuck:
            await asyncio.Event().wait()  # a browser that never reads
        self.frames.append(json.loads(text))

    async def close(self, code: int, reason: str) -> None:
        self.closed = (code, reason)


def test_two_hundred_members_get_every_frame_and_a_stuck_one_is_dropped() -> None:
    async def scenario() -> tuple[list[Browser], Browser, Hub]:
        hub = Hub()
        browsers = [Browser() for _ in range(200)]
        stuck = Browser(stuck=True)
        pumps = []
        for n, browser in enumerate([*browsers, stuck]):
            connection = Connection(7, f"w-{n}", backlog=50)
            hub.add(connection)
            pumps.append(asyncio.create_task(connection.pump(browser.send, browser.close)))
        for n in range(120):
            assert hub.broadcast(7, {"type": "message", "id": n}) == 201
            await asyncio.sleep(0)  # the pumps run between messages, as on a real server
        hub.close_all(1001, "stopping")
        await asyncio.wait(pumps, timeout=5)
        for pump in pumps:
            pump.cancel()
        return browsers, stuck, hub

    browsers, stuck, _ = asyncio.run(scenario())
    for browser in browsers:
        assert [f["id"] for f in browser.frames] == list(range(120))
        assert browser.closed == (1001, "stopping")
    assert stuck.frames == [] and stuck.closed is not None and stuck.closed[0] == CLOSE_TOO_SLOW


def test_frames_go_to_one_member_or_one_group_only() -> None:
    async def scenario() -> dict[str, Browser]:
        hub = Hub()
        far_ends = {name: Browser() for name in ("ann", "ann-phone", "bob", "elsewhere")}
        connections = {
            "ann": Connection(1, "w-ann"), "ann-phone": Connection(1, "w-ann"),
            "bob": Connection(1, "w-bob"), "elsewhere": Connection(2, "w-ann"),
        }  # fmt: skip
        pumps = []
        for name, connection in connections.items():
            hub.add(connection)
            pumps.append(asyncio.create_task(connection.pump(far_ends[name].send,
                                                             far_ends[name].close)))  # fmt: skip
        assert hub.send_to(1, "w-ann", {"type": "muted"}) == 2
        assert hub.broadcast(1, {"type": "members", "count": 2}) == 3
        hub.close_user(1, "w-ann", 4000, "removed")
        hub.discard(connections["bob"])
        assert hub.connected(1) == 2 and hub.broadcast(1, {"type": "gone"}) == 2
        await asyncio.sleep(0.01)
        for pump in pumps:
            pump.cancel()
        return far_ends

    ends = asyncio.run(scenario())
    assert [f["type"] for f in ends["ann"].frames] == ["muted", "members"]
    assert ends["ann"].closed == (4000, "removed") == ends["ann-phone"].closed
    assert [f["type"] for f in ends["bob"].frames] == ["members"] and ends["bob"].closed is None
    assert ends["elsewhere"].frames == []


def test_a_frame_that_cannot_be_encoded_reaches_nobody_and_fails_nothing() -> None:
    async def scenario() -> tuple[int, int, Browser]:
        hub = Hub()
        browser = Browser()
        connection = Connection(3, "w-ann")
        hub.add(connection)
        pump = asyncio.create_task(connection.pump(browser.send, browser.close))
        broken = hub.broadcast(3, {"type": "message", "at": object()})  # not JSON
        fine = hub.broadcast(3, {"type": "message", "id": 1})
        connection.end(1000, "bye")
        await asyncio.wait_for(pump, 5)
        return broken, fine, browser

    broken, fine, browser = asyncio.run(scenario())
    assert (broken, fine) == (0, 1)
    assert browser.frames == [{"type": "message", "id": 1}] and browser.closed == (1000, "bye")
