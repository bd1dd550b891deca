"""The morning pack's picture in a real browser against a real server: the skincare template's
`morning-pack` folder gets a picture item, the server's clock reaches 07:30 Shanghai, and a
member reading the chat sees the bot's post with the picture shown above its text (it used to
get the text alone). A restart on the same database posts nothing twice."""

from __future__ import annotations

import io
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

from PIL import Image
from playwright.sync_api import expect

from hearthkeeper.carriers.webchat.carrier import WebChatCarrier
from tests.browser.conftest import OpenPage, Screenshots
from tests.browser.live import LiveServer, MovableClock, start_live_server
from tests.browser.pages import join_chat

MORNING = datetime(2027, 3, 15, 23, 0, tzinfo=UTC)  # 07:00 Shanghai, half an hour before
ITEM = "---\nkind: picture\nasset: sunscreen.png\norder: 0\n---\n# 防晒要涂够一元硬币大小\n"


def _sunscreen() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (320, 200), (250, 200, 60)).save(out, "PNG")
    return out.getvalue()


def _posted(server: LiveServer) -> list[str]:
    """The chat's messages holding the picture item's text: kind and picture."""
    chat = server.host.carrier(WebChatCarrier)
    group = server.groups()[0]
    return [f"{m.kind}:{m.picture}" for m in chat.platform.history(group.id)
            if "防晒要涂够" in m.text]  # fmt: skip


def test_the_morning_picture_shows_in_the_chat(
    tmp_path: Path, open_page: OpenPage, shots: Screenshots
) -> None:
    data_dir = tmp_path / "data"
    clock = MovableClock()
    clock.set(MORNING)
    server = start_live_server(data_dir, clock=clock)
    try:
        folder = data_dir / "content" / "morning-pack"
        (folder / "sunscreen.png").write_bytes(_sunscreen())
        (folder / "00-sunscreen.md").write_text(ITEM, encoding="utf-8")
        page = open_page()
        join_chat(page, server.invite_url(), "小美")
        clock.set(MORNING + timedelta(minutes=31))
        server.wait_for_ticks()
        post = page.locator("#messages .message.bot").filter(has_text="防晒要涂够一元硬币大小")
        picture = post.locator("img.picture")
        expect(picture).to_be_visible()
        expect(picture).to_have_attribute("src", re.compile(r"^/chat/.*[0-9a-f]{64}\.png$"))
        natural = picture.evaluate("img => img.complete ? img.naturalWidth : 0")
        assert natural == 320  # loaded and decoded, not a broken image
        shots.take(page, "morning-picture")
        [posted] = _posted(server)
        assert posted.startswith("picture:")
    finally:
        server.stop()

    server = start_live_server(data_dir, clock=clock)  # the same database, the same morning
    try:
        server.wait_for_ticks()
        assert len(_posted(server)) == 1
    finally:
        server.stop()
