"""Pictures: accepted for what they are, refused readably otherwise, served back safely."""

from __future__ import annotations

import io
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from httpx import Response
from PIL import Image

from hearthkeeper.clock import FrozenClock
from tests.webchat_setup import Chat, build_chat, picture, sqlite_store

LIMIT = 64 * 1024


@pytest.fixture
def chat(tmp_path: Path, migrated_sqlite: Path, store_clock: FrozenClock) -> Iterator[Chat]:
    with sqlite_store(tmp_path, migrated_sqlite, store_clock) as store:
        yield build_chat(store, store_clock, tmp_path, max_upload_bytes=LIMIT)


@pytest.fixture
def member(chat: Chat) -> TestClient:
    _, token = chat.member("photographer")
    return TestClient(chat.app, cookies={"hearth_member": token})


def _upload(client: TestClient, chat: Chat, data: bytes, name: str = "shelf.png") -> Response:
    return client.post(f"/chat/{chat.codes[0]}/upload",
                       files={"picture": (name, data, "image/png")})  # fmt: skip


FORMATS = [("PNG", "image/png"), ("JPEG", "image/jpeg"), ("GIF", "image/gif"),
           ("WEBP", "image/webp")]  # fmt: skip


@pytest.mark.parametrize(("kind", "mime"), FORMATS)
def test_a_picture_is_stored_and_served_back(chat: Chat, member: TestClient, kind: str,
                                             mime: str) -> None:  # fmt: skip
    data = picture(kind)
    answer = member.post(f"/chat/{chat.codes[0]}/upload",
                         files={"picture": ("whatever.bin", data, "text/plain")})  # fmt: skip
    assert answer.status_code == 200, answer.text
    name = answer.json()["picture"]
    assert name.endswith("." + {"JPEG": "jpg"}.get(kind, kind.lower()))
    served = TestClient(chat.app).get(f"/chat/media/{name}")
    assert served.status_code == 200 and served.content == data
    assert served.headers["content-type"] == mime
    assert served.headers["x-content-type-options"] == "nosniff"


def test_a_text_file_named_png_is_refused(chat: Chat, member: TestClient) -> None:
    answer = _upload(member, chat, b"<html><script>alert(1)</script></html>")
    assert answer.status_code == 415
    assert "upload a PNG, JPEG, GIF or WebP picture" in answer.json()["detail"]
    assert not list((chat.carrier.uploads_dir).glob("*.png"))


def test_a_bitmap_is_a_picture_but_not_one_we_take(chat: Chat, member: TestClient) -> None:
    answer = _upload(member, chat, picture("BMP"), "old.bmp")
    assert answer.status_code == 415 and "a BMP image" in answer.json()["detail"]


def test_a_picture_over_the_size_limit_is_refused(chat: Chat, member: TestClient) -> None:
    noise = Image.frombytes("RGB", (160, 160), bytes(range(256)) * 300)
    out = io.BytesIO()
    noise.save(out, "BMP")  # ~77 KiB: over the 64 KiB limit of these tests
    answer = _upload(member, chat, out.getvalue())
    assert answer.status_code == 413
    assert answer.json()["detail"].startswith("picture too large")


def test_an_oversize_body_without_a_length_is_cut_off_while_reading(
    chat: Chat, member: TestClient
) -> None:
    def chunks() -> Iterator[bytes]:
        yield b'--b\r\nContent-Disposition: form-data; name="picture"; filename="a.png"\r\n\r\n'
        for _ in range(40):
            yield b"\0" * 4096
        yield b"\r\n--b--\r\n"

    answer = member.post(f"/chat/{chat.codes[0]}/upload", content=chunks(),
                         headers={"content-type": "multipart/form-data; boundary=b"})  # fmt: skip
    assert answer.status_code == 413 and "too large" in answer.json()["detail"]


def test_a_picture_with_too_many_pixels_is_refused(chat: Chat, member: TestClient) -> None:
    answer = _upload(member, chat, picture("PNG", (8001, 1)))
    assert answer.status_code == 422 and "8001×1 pixels" in answer.json()["detail"]


def test_only_members_of_the_group_upload(chat: Chat) -> None:
    answer = _upload(TestClient(chat.app), chat, picture())
    assert answer.status_code == 403 and "Join the group" in answer.json()["detail"]


def test_an_upload_without_a_picture_field(chat: Chat, member: TestClient) -> None:
    answer = member.post(f"/chat/{chat.codes[0]}/upload", files={"photo": ("a.png", picture())})
    assert answer.status_code == 400 and "field 'picture'" in answer.json()["detail"]
    answer = member.post(f"/chat/{chat.codes[0]}/upload", content=b"just bytes")
    assert answer.status_code == 400


@pytest.mark.parametrize(
    "name",
    ["../../etc/passwd", "x.png", "A" * 64 + ".png", "0" * 64 + ".svg", "0" * 64 + ".png"],
)
def test_only_stored_pictures_are_served(chat: Chat, name: str) -> None:
    assert TestClient(chat.app).get(f"/chat/media/{name}").status_code == 404
