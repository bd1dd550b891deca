"""The morning pack's picture (and a course's file) in a real browser against a real server: the skincare template's
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

from hearthkeeper.capabilities.calendar.content import PostContent
from hearthkeeper.carriers.webchat.carrier import WebChatCarrier
from hearthkeeper.engine.actions import Action, ActionKind
from hearthkeeper.playbook.output import ScheduledPost
from tests.browser.conftest import OpenPage, Screenshots
from tests.browser.live import LiveServer, MovableClock, start_live_server
from tests.browser.pages import join_chat

MORNING = datetime(2027, 3, 15, 23, 0, tzinfo=UTC)  # 07:00 Shanghai, half an hour before
POST = ScheduledPost.model_validate(
    {"id": "course", "schedule": "every day 20:00", "content": {"library": "course"}}
)
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


def test_a_course_file_is_a_link_that_downloads_it(
    tmp_path: Path, open_page: OpenPage, shots: Screenshots
) -> None:
    """A scheduled post's file (here a course's PDF) is a link under the post: clicking it
    downloads the file, saved under the post's title; the page never shows it inline."""
    server = start_live_server(tmp_path / "data")
    try:
        course = tmp_path / "lesson-1.pdf"
        course.write_bytes(b"%PDF-1.4 lesson one")
        content = PostContent("# 第一课：认识肤质\n讲义在这里", "file", "lesson-1.md", str(course))
        group = server.groups()[0]
        action = Action(kind=ActionKind.SEND, carrier="webchat", group=group.carrier_group_id,
                        text=content.text, handler="calendar", extra=content.extra(POST, 1))  # fmt: skip
        page = open_page()
        join_chat(page, server.invite_url(), "小美")
        server.call(server.host.carrier(WebChatCarrier).perform(action, "calendar:post:1"))
        post = page.locator("#messages .message.bot").filter(has_text="讲义在这里")
        link = post.locator("a.file")
        expect(link).to_have_text("📎 第一课：认识肤质.pdf")
        shots.take(page, "course-file")
        with page.expect_download() as downloading:
            link.click()
        download = downloading.value
        assert download.suggested_filename == "第一课：认识肤质.pdf"
        assert Path(download.path()).read_bytes() == b"%PDF-1.4 lesson one"
    finally:
        server.stop()
