"""A scheduled post's file that takes long to reach the homeserver's media repository: the
engine performs it aside (`engine/aside.py`), so the other rooms' welcomes go on meanwhile,
and the same room's next post waits for it, sent once and in order. On a real Synapse; the
upload is held back in the carrier's client until the test lets it go."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import pytest

from hearthkeeper.carriers.matrix import MatrixCarrier
from tests.carriers.due_posts import course_file, queue_post
from tests.carriers.matrix.matrix_setup import Hearth, body, bot_message, eventually, serving

pytestmark = [pytest.mark.matrix, pytest.mark.asyncio]


def queue(community: Hearth, room: str, key: str, text: str, file: Path | None = None) -> None:
    """Put a calendar SEND for `room` in the outbox, as a post that fell due does (the room
    may have no group yet: it is adopted once it speaks)."""
    queue_post(community.store, "matrix", room, key, text, file, adopted=False)


def hold_uploads(carrier: MatrixCarrier, gate: asyncio.Event, held: list[str]) -> None:
    """The carrier's uploads wait for `gate` (a large file on a slow link)."""
    client: Any = carrier._require_client()
    upload = client.upload

    async def slow_upload(*args: Any, **kwargs: Any) -> Any:
        held.append(str(kwargs.get("filename")))
        await gate.wait()
        return await upload(*args, **kwargs)

    client.upload = slow_upload


@asynccontextmanager
async def serving_held(community: Hearth, rooms: Sequence[str], gate: asyncio.Event,
                       held: list[str]) -> AsyncIterator[None]:  # fmt: skip
    """Serve `community` with its bot joined and empowered in `rooms`, its uploads held back
    until `gate` is set (each file named in `held` as its upload starts)."""
    carrier = community.carrier()
    async with serving(community, carrier):
        for room in rooms:
            await community.bot_joined(room)
            await community.empower_bot(room)
        hold_uploads(carrier, gate, held)
        yield


async def test_a_slow_file_holds_up_neither_other_rooms_nor_its_own_order(
    community: Hearth, tmp_path: Path
) -> None:
    """Room A's course file takes long to upload. Before, the whole engine waited for it: a
    newcomer in room B was not welcomed until the upload ended. Now B's welcome comes at
    once, and A's next post waits until A's file is shown."""
    bot = community.bot.user_id
    course, lounge = await community.create_room(), await community.create_room()
    pdf = course_file(tmp_path, "course.pdf")
    uploaded, held = asyncio.Event(), list[str]()
    async with serving_held(community, (course, lounge), uploaded, held):
        queue(community, course, "calendar:course:1", "课件", pdf)
        queue(community, course, "calendar:course:2", "今晚八点直播答疑")
        await eventually(lambda: _true(held == ["course.pdf"]), "the upload to be under way")

        mei = community.member()
        (await mei.join(lounge)).raise_for_status()
        await bot_message(mei, lounge, bot, f"欢迎 {mei.user.localpart}")  # not held up
        assert await community.owner.said_by(course, bot) == []  # A's next post waits

        uploaded.set()
        await bot_message(community.owner, course, bot, "今晚八点直播答疑")
    said = [body(e) for e in await community.owner.said_by(course, bot)]
    assert said == ["course.pdf", "课件", "今晚八点直播答疑"]
    assert held == ["course.pdf"]


async def test_the_same_file_to_two_rooms_at_once_is_uploaded_once(
    community: Hearth, tmp_path: Path
) -> None:
    """A post with a file fires in two rooms at once; both are performed aside together. The
    second waits for the first upload and shows the same media, instead of uploading again."""
    bot = community.bot.user_id
    first, second = await community.create_room(), await community.create_room()
    pdf = course_file(tmp_path, "course.pdf")
    uploaded, held = asyncio.Event(), list[str]()
    async with serving_held(community, (first, second), uploaded, held):
        queue(community, first, "calendar:course:1", "课件", pdf)
        queue(community, second, "calendar:course:2", "课件", pdf)
        await eventually(lambda: _true(bool(held)), "the upload to be under way")
        uploaded.set()
        for room in (first, second):
            await bot_message(community.owner, room, bot, "课件")
    files = [e for room in (first, second) for e in await community.owner.said_by(room, bot)
             if e["content"].get("msgtype") == "m.file"]  # fmt: skip
    assert len(files) == 2 and files[0]["content"]["url"] == files[1]["content"]["url"]
    assert held == ["course.pdf"]


async def _true(value: bool) -> bool:
    return value
