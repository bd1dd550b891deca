"""Big pictures: refused from their header when they cannot be checked cheaply, decoded on a
bounded thumbnail when they can (QR codes on a big photo are still found), and looked at
away from the event loop the chat's sockets share."""

from __future__ import annotations

import asyncio
import io
import struct
import threading
import zlib
from collections.abc import Iterator
from functools import cache
from pathlib import Path
from typing import Any

import pytest
import segno
import zxingcpp
from fastapi.testclient import TestClient
from PIL import Image

from hearthkeeper.clock import FrozenClock
from hearthkeeper.engine.actions import ActionKind
from hearthkeeper.engine.events import Attachment
from hearthkeeper.store import Store
from hearthkeeper.text import qr
from hearthkeeper.text.qr import QR_SIDE, read_qr_codes
from tests.engine_setup import community
from tests.test_engine_run import serve, until
from tests.webchat_setup import Chat, build_chat, sqlite_store

INVITE = "https://t.me/joinchat/AbCdEfGh"


@cache
def png16(width: int, height: int) -> bytes:
    """A black 16-bit RGB PNG, written by hand (Pillow cannot write one); 8000×8000 is 370 KB."""

    def chunk(kind: bytes, body: bytes) -> bytes:
        crc = struct.pack(">I", zlib.crc32(kind + body))
        return struct.pack(">I", len(body)) + kind + body + crc

    row = b"\0" * (1 + width * 6)  # filter byte, then 3 channels of 2 bytes
    squeeze = zlib.compressobj(9)
    data = b"".join(squeeze.compress(row) for _ in range(height)) + squeeze.flush()
    header = struct.pack(">IIBBBBB", width, height, 16, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", data) + chunk(b"IEND", b"")
    )


def photo(size: tuple[int, int], kind: str, *, at: tuple[int, int] = (1500, 900),
          scale: int = 12) -> bytes:  # fmt: skip
    """A big 'photo' with an invite's QR code pasted in, as a poster is shared."""
    code = io.BytesIO()
    segno.make(INVITE, error="m").save(code, kind="png", scale=scale, border=4)
    picture = Image.new("RGB", size, (120, 160, 90))
    picture.paste(Image.open(code).convert("RGB"), at)
    out = io.BytesIO()
    picture.save(out, kind, **({"quality": 88} if kind == "JPEG" else {}))
    return out.getvalue()


@pytest.fixture
def decoded(monkeypatch: pytest.MonkeyPatch) -> list[tuple[tuple[int, int], bool]]:
    """What the QR decoder was handed: each picture's size, and whether on the main thread
    (where the tests' event loops run)."""
    seen: list[tuple[tuple[int, int], bool]] = []
    real = zxingcpp.read_barcodes

    def spy(image: Image.Image, **options: Any) -> Any:
        seen.append((image.size, threading.current_thread() is threading.main_thread()))
        return real(image, **options)

    monkeypatch.setattr(qr.zxingcpp, "read_barcodes", spy)
    return seen


# --- the QR decoder's diet ----------------------------------------------------------------------


@pytest.mark.parametrize(("size", "kind"), [((8000, 6000), "JPEG"), ((6000, 4000), "PNG"),
                                            ((6000, 4000), "WEBP")])  # fmt: skip
def test_a_qr_code_on_a_big_photo_is_found_on_a_bounded_thumbnail(
    decoded: list[tuple[tuple[int, int], bool]], size: tuple[int, int], kind: str
) -> None:
    assert read_qr_codes(photo(size, kind)) == [INVITE]
    assert len(decoded) == 1 and max(decoded[0][0]) <= QR_SIDE


def test_a_picture_too_big_to_check_is_never_decoded(
    decoded: list[tuple[tuple[int, int], bool]],
) -> None:
    assert read_qr_codes(png16(8000, 8000)) == []
    assert decoded == []


def test_a_16_bit_or_transparent_picture_still_shows_its_code() -> None:
    code = io.BytesIO()
    segno.make("grey", error="m").save(code, kind="png", scale=6, border=4)
    grey = Image.open(code).convert("L")
    deep = io.BytesIO()
    grey.convert("I").point(lambda v: v * 257).convert("I;16").save(deep, "PNG")
    assert read_qr_codes(deep.getvalue()) == ["grey"]  # not clipped to white
    ink = Image.new("RGBA", grey.size, (0, 0, 0, 0))
    ink.paste((0, 0, 0, 255), mask=grey.point(lambda v: 255 if v < 128 else 0))
    clear = io.BytesIO()
    ink.save(clear, "PNG")
    assert read_qr_codes(clear.getvalue()) == ["grey"]  # black on transparent


# --- uploads ------------------------------------------------------------------------------------


@pytest.fixture
def chat(tmp_path: Path, migrated_sqlite: Path, store_clock: FrozenClock) -> Iterator[Chat]:
    with sqlite_store(tmp_path, migrated_sqlite, store_clock) as store:
        yield build_chat(store, store_clock, tmp_path, max_upload_bytes=4 * 1024 * 1024)


def _upload(chat: Chat, data: bytes) -> Any:
    _, token = chat.member("photographer")
    client = TestClient(chat.app, cookies={"hearth_member": token})
    return client.post(f"/chat/{chat.codes[0]}/upload",
                       files={"picture": ("big.png", data, "image/png")})  # fmt: skip


def test_an_8000_by_8000_16_bit_png_is_refused_from_its_header(chat: Chat) -> None:
    answer = _upload(chat, png16(8000, 8000))
    assert answer.status_code == 422
    assert answer.json()["detail"] == (
        "picture too big: 8000×8000 pixels is 64.0 megapixels; a PNG may have 24.0 megapixels "
        "at most (a JPEG up to 8000 pixels a side)"
    )
    assert not (chat.carrier.uploads_dir.exists() and any(chat.carrier.uploads_dir.iterdir()))


def test_a_big_jpeg_photo_is_taken(chat: Chat) -> None:
    answer = _upload(chat, photo((8000, 6000), "JPEG"))
    assert answer.status_code == 200 and answer.json()["picture"].endswith(".jpg")


# --- off the event loop -------------------------------------------------------------------------


def test_a_picture_is_looked_at_off_the_event_loop(
    store: Store, store_clock: FrozenClock, decoded: list[tuple[tuple[int, int], bool]]
) -> None:
    c = community(store, store_clock)
    picture = photo((3000, 2000), "PNG", at=(200, 200), scale=8)
    poster = Attachment(kind="picture", data=picture, mime="image/png", size=len(picture))

    async def scenario() -> None:
        await until(lambda: c.carrier.connected, "the carrier to connect")
        c.carrier.inject(c.events.message("advertiser", "", kind="picture",
                                          attachments=(poster,)))  # fmt: skip
        await until(lambda: ActionKind.DELETE in c.carrier.kinds(), "the picture deleted")

    asyncio.run(serve(c, scenario()))
    assert decoded and all(not on_main for _, on_main in decoded)
