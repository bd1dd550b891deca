"""Pictures fetched for moderation within their limits (`carriers/pictures.py`), and the
Matrix media download (`carriers/matrix/media.py`) against a homeserver's two endpoints."""

from __future__ import annotations

import asyncio
import io
import logging
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Any

import aiohttp
import pytest
import pytest_asyncio
from aiohttp import web
from PIL import Image

from hearthkeeper.carriers.matrix.media import download
from hearthkeeper.carriers.pictures import (
    MAX_BYTES,
    NotAPicture,
    PictureLimits,
    PictureUnread,
    read_within,
    wanted,
    with_pictures,
)
from hearthkeeper.engine.events import Attachment, Event, Message, Sender
from tests.qr_pictures import plain_photo, qr_photo

pytestmark = pytest.mark.asyncio

PLAIN, POSTER = plain_photo(), qr_photo()


def message(n: int, *urls: str) -> Message:
    return Message(carrier="x", group="g", event_id=f"e{n}", at=datetime(2026, 12, 6, tzinfo=UTC),
                   sender=Sender(user_id="mei"), kind="picture", text="",
                   attachments=tuple(Attachment(kind="picture", url=u) for u in urls))  # fmt: skip


def pictures(events: list[Event]) -> list[bytes | None]:
    return [a.data for e in events if isinstance(e, Message) for a in e.attachments]


async def fetch(attachment: Attachment, limit: int) -> bytes:
    """The pictures by name: one hangs, one breaks, one is not a picture."""
    if attachment.url == "hangs":
        await asyncio.sleep(60)
    if attachment.url == "breaks":
        raise aiohttp.ClientConnectionError("connection reset")
    data = {"plain": PLAIN, "poster": POSTER, "text": b"not a picture at all"}[str(attachment.url)]
    if len(data) > limit:
        raise PictureUnread(f"{len(data)} bytes is over {limit}")
    return data


async def test_each_picture_is_fetched_and_a_failed_one_leaves_its_message_whole(
    caplog: pytest.LogCaptureFixture,
) -> None:
    events: list[Event] = [message(1, "plain"), message(2, "hangs"), message(3, "breaks"),
                           message(4, "text", "poster")]  # fmt: skip
    with caplog.at_level(logging.WARNING):
        got = await with_pictures(events, fetch, "x", PictureLimits(fetch_seconds=0.2))
    assert pictures(got) == [PLAIN, None, None, None, POSTER]
    assert [e.event_id for e in got] == ["e1", "e2", "e3", "e4"]  # nothing lost
    said = sorted(r.getMessage() for r in caplog.records)
    assert said == [  # one line for each picture not read
        "x: the picture in e2 is not read for QR codes: its download took over 0.2 s",
        "x: the picture in e3 is not read for QR codes: its download failed (connection reset)",
        "x: the picture in e4 is not read for QR codes: not a picture: upload a PNG, JPEG, GIF "
        "or WebP picture",
    ]


async def test_a_batch_holds_at_most_its_budget_of_bytes() -> None:
    limits = PictureLimits(batch_bytes=len(POSTER) + len(PLAIN) // 2, at_once=1)
    got = await with_pictures([message(1, "poster"), message(2, "plain")], fetch, "x", limits)
    assert pictures(got) == [POSTER, None]


async def test_a_batch_whose_downloads_run_long_is_handed_out_without_them() -> None:
    limits = PictureLimits(fetch_seconds=60, batch_seconds=0.2)
    got = await with_pictures([message(1, "plain"), message(2, "hangs")], fetch, "x", limits)
    assert pictures(got) == [PLAIN, None]


# --- the homeserver's media endpoints --------------------------------------------------------


class Homeserver:
    """A content repository answering as a homeserver with (or without) authenticated media."""

    def __init__(self, authenticated: bool) -> None:
        self.authenticated = authenticated
        self.asked: list[str] = []

    async def handle(self, request: web.Request) -> web.StreamResponse:
        self.asked.append(request.path)
        if request.headers.get("Authorization") != "Bearer token":
            return web.json_response({"errcode": "M_MISSING_TOKEN"}, status=401)
        v1 = request.path.startswith("/_matrix/client/v1/media/download/")
        if v1 != self.authenticated:
            return web.json_response({"errcode": "M_UNRECOGNIZED"}, status=404)
        if request.match_info["media"] != "abc":
            return web.json_response({"errcode": "M_NOT_FOUND"}, status=404)
        return web.Response(body=POSTER, content_type="image/png")


class Client:
    """nio's `AsyncClient.send`, over a plain aiohttp session."""

    def __init__(self, base: str, session: aiohttp.ClientSession) -> None:
        self.base, self.session, self.access_token = base, session, "token"

    async def send(self, method: str, path: str, headers: dict[str, str],
                   timeout: float) -> aiohttp.ClientResponse:  # fmt: skip
        return await self.session.request(method, self.base + path, headers=headers)


@pytest_asyncio.fixture(params=[True, False], ids=["authenticated", "legacy"])
async def homeserver(request: Any) -> AsyncIterator[tuple[Homeserver, Client]]:
    server = Homeserver(request.param)
    app = web.Application()
    for prefix in ("/_matrix/client/v1/media/download", "/_matrix/media/v3/download"):
        app.router.add_get(prefix + "/{server}/{media}", server.handle)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = runner.addresses[0][1]
    async with aiohttp.ClientSession() as session:
        yield server, Client(f"http://127.0.0.1:{port}", session)
    await runner.cleanup()


async def test_a_picture_is_downloaded_from_either_media_endpoint(
    homeserver: tuple[Homeserver, Client],
) -> None:
    server, client = homeserver
    assert await download(client, "mxc://example.org/abc", 10**6, 5) == POSTER
    assert server.asked[-1].endswith("/download/example.org/abc")
    with pytest.raises(PictureUnread, match="answered 404"):
        await download(client, "mxc://example.org/gone", 10**6, 5)
    with pytest.raises(PictureUnread, match="over the limit"):
        await download(client, "mxc://example.org/abc", 100, 5)


@pytest.mark.parametrize("url", ["mxc://example.org/../../admin", "https://example.org/a.png",
                                 "mxc://example.org/a?b", None])  # fmt: skip
async def test_an_address_that_is_not_an_mxc_one_is_never_asked_for(url: str | None) -> None:
    with pytest.raises(PictureUnread, match="not an mxc:// address"):
        await download(object(), url, 10**6, 5)


async def test_a_carrier_stopping_mid_batch_leaves_no_download_running() -> None:
    started, ended = asyncio.Event(), asyncio.Event()

    async def slow(attachment: Attachment, limit: int) -> bytes:
        started.set()
        try:
            await asyncio.sleep(60)
        finally:
            ended.set()
        return b""

    batch = asyncio.create_task(with_pictures([message(1, "plain")], slow, "x"))
    await started.wait()
    batch.cancel()  # the carrier's events() closed while it fetched
    with pytest.raises(asyncio.CancelledError):
        await batch
    await asyncio.wait_for(ended.wait(), 5)


@pytest.mark.parametrize(("kind", "mime", "url", "fetched"), [
    ("picture", None, "mxc://h/p", True),
    ("file", "image/png", "mxc://h/f", True),
    ("file", "IMAGE/JPEG", "mxc://h/f", True),
    ("file", "application/pdf", "mxc://h/f", False),
    ("file", None, "mxc://h/f", True),  # a file that does not say what it is: looked at
    ("file", "application/octet-stream", "tg-file-id", True),
    ("sticker", "image/webp", "mxc://h/s", True),
    ("sticker", None, "mxc://h/s", True),  # Matrix's stickers are pictures
    ("sticker", "application/x-tgsticker", "tg-file-id", False),
    ("sticker", "video/webm", "tg-file-id", False),
    ("video", "video/mp4", "mxc://h/v", False),
    ("voice", "image/png", "mxc://h/v", False),
])  # fmt: skip
async def test_what_is_fetched_is_a_picture_or_a_file_or_sticker_that_is_an_image(
    kind: str, mime: str | None, url: str, fetched: bool
) -> None:
    assert wanted(Attachment(kind=kind, mime=mime, url=url)) is fetched
    assert not wanted(Attachment(kind=kind, mime=mime, url=url, data=b"kept"))


async def test_a_file_that_does_not_say_what_it_is_is_looked_at_only_within_the_limit() -> None:
    untyped = Attachment(kind="file", mime="application/octet-stream", url="f", size=MAX_BYTES)
    assert wanted(untyped)
    assert not wanted(Attachment(kind="file", mime=None, url="f", size=MAX_BYTES + 1))
    assert not wanted(Attachment(kind="file", mime=None, url="f", size=2048), limit=1024)


async def _chunks(data: bytes, pulled: list[int], size: int = 1024) -> AsyncIterator[bytes]:
    for start in range(0, len(data), size):
        pulled.append(start)
        yield data[start : start + size]


async def test_a_download_stops_at_its_first_chunk_when_it_is_no_picture() -> None:
    pulled: list[int] = []
    with pytest.raises(NotAPicture, match="first bytes are no PNG, JPEG, GIF or WebP"):
        await read_within(_chunks(b"PK\x03\x04 a zip archive" * 1000, pulled), 10**6, None)
    assert pulled == [0]
    for picture in (POSTER, b"\xff\xd8\xff\xe0 JFIF", b"GIF89a...", b"RIFF\0\0\0\0WEBPVP8 "):
        assert await read_within(_chunks(picture, []), 10**6, None) == picture


def _file(n: int, name: str, mime: str | None) -> Message:
    return Message(carrier="x", group="g", event_id=f"e{n}", at=datetime(2026, 12, 6, tzinfo=UTC),
                   sender=Sender(user_id="mei"), kind="file", text="",
                   attachments=(Attachment(kind="file", url=name, mime=mime),))  # fmt: skip


async def test_a_picture_sent_as_a_file_of_no_type_is_read_and_says_what_it_is(
    caplog: pytest.LogCaptureFixture,
) -> None:
    """A photo sent as `application/octet-stream` (or with no type) is read by its first
    bytes; one too big to read still says it is a picture (a newcomer's then counts as a
    link); a file that is no picture is left as it came, without a word in the log."""
    files = {"poster": POSTER, "wide": _wide_png(), "archive": b"PK\x03\x04" + b"\0" * 5000}

    async def fetch(attachment: Attachment, limit: int) -> bytes:
        return await read_within(_chunks(files[str(attachment.url)], []), limit, None)

    events: list[Event] = [_file(1, "poster", "application/octet-stream"),
                           _file(2, "wide", None), _file(3, "archive", None)]  # fmt: skip
    with caplog.at_level(logging.WARNING):
        got = await with_pictures(events, fetch, "x")
    poster, wide, archive = (e.attachments[0] for e in got if isinstance(e, Message))
    assert (poster.data, poster.mime) == (POSTER, "image/png") and poster.is_picture
    assert (wide.data, wide.mime) == (None, "image/png") and wide.is_picture
    assert archive == events[2].attachments[0] and not archive.is_picture  # type: ignore[union-attr]
    said = [r.getMessage() for r in caplog.records]
    assert said == [
        "x: the file in e2 is not read for QR codes: picture too big: 9000×2 pixels (at most 8000)"
    ]


def _wide_png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (9000, 2)).save(out, "PNG")
    return out.getvalue()
