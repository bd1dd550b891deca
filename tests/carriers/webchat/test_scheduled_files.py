"""A scheduled post's picture in the web chat: shown with its text when it passes the checks
a member's upload passes, its text alone (and staff told once, naming the file) when not."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from hearthkeeper.capabilities.calendar.content import PostContent
from hearthkeeper.carriers.assets import Asset
from hearthkeeper.carriers.webchat.protocol import message_frame
from hearthkeeper.carriers.webchat.uploads import store_file, sweep_unused
from hearthkeeper.engine.actions import Action, ActionKind
from hearthkeeper.playbook.output import ScheduledPost
from hearthkeeper.playbook.positioning import Language
from tests.webchat_setup import Chat, picture

POST = ScheduledPost.model_validate(
    {"id": "morning", "schedule": "every day 08:00", "content": {"library": "pictures"}}
)


def _send(chat: Chat, asset: Path, kind: str = "picture", key: str = "calendar:1",
          group: str = "tea-1") -> str | None:  # fmt: skip
    """Perform the SEND the calendar makes for a library item with file `asset`."""
    content = PostContent("Good morning: a cup of oolong", kind, "cup.md", str(asset))
    action = Action(kind=ActionKind.SEND, carrier="webchat", group=group, text=content.text,
                    handler="calendar", extra=content.extra(POST, 1))  # fmt: skip
    return asyncio.run(chat.carrier.perform(action, key))


def _alerts(chat: Chat) -> list[str]:
    return [alert.text for alert in chat.store.staff_alerts(chat.community_id)]


def test_a_scheduled_picture_is_shown_with_its_text(chat: Chat, tmp_path: Path) -> None:
    (tmp_path / "cup.png").write_bytes(picture("PNG", (40, 30)))
    _send(chat, tmp_path / "cup.png")
    [message] = chat.carrier.platform.history(chat.groups[0].id)
    assert (message.kind, message.text) == ("picture", "Good morning: a cup of oolong")
    assert message.picture is not None and message.picture.endswith(".png")
    stored = chat.carrier.uploads_dir / message.picture
    assert stored.read_bytes() == (tmp_path / "cup.png").read_bytes()
    assert _alerts(chat) == []


def test_a_post_in_every_group_reads_its_file_once_and_a_replaced_file_anew(
    chat: Chat, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Fired in every group, the post's file is read (and hashed) once, not once a group;
    once the operator replaces the file, the next post shows the new one."""
    reads: list[Path] = []
    real_read = Asset.read

    def counted(asset: Asset, limit: int, language: Language = Language.EN) -> bytes:
        reads.append(asset.path)
        return real_read(asset, limit, language)

    monkeypatch.setattr(Asset, "read", counted)
    cup = tmp_path / "cup.png"
    cup.write_bytes(picture("PNG", (40, 30)))
    _send(chat, cup, key="calendar:1:a", group="tea-1")
    _send(chat, cup, key="calendar:1:b", group="tea-2")
    first, second = (chat.carrier.platform.history(g.id)[0] for g in chat.groups[:2])
    assert first.picture is not None and first.picture == second.picture
    assert len(reads) == 1
    cup.write_bytes(picture("PNG", (60, 30)))  # replaced in the content folder
    _send(chat, cup, key="calendar:2:a", group="tea-1")
    newest = chat.carrier.platform.history(chat.groups[0].id)[-1]
    assert newest.picture is not None and newest.picture != first.picture
    assert (chat.carrier.uploads_dir / newest.picture).read_bytes() == cup.read_bytes()


def test_performed_again_it_is_one_message(chat: Chat, tmp_path: Path) -> None:
    """The outbox performs an action again after a restart: the same key, one message."""
    (tmp_path / "cup.jpg").write_bytes(picture("JPEG", (40, 30)))
    first = _send(chat, tmp_path / "cup.jpg")
    assert _send(chat, tmp_path / "cup.jpg") == first
    assert len(chat.carrier.platform.history(chat.groups[0].id)) == 1


def test_a_file_that_is_no_picture_goes_as_text_and_staff_hear_once(
    chat: Chat, tmp_path: Path
) -> None:
    (tmp_path / "cup.png").write_bytes(b"<html>not a picture</html>")
    first = _send(chat, tmp_path / "cup.png")
    assert _send(chat, tmp_path / "cup.png") == first  # performed again: no second alert
    [message] = chat.carrier.platform.history(chat.groups[0].id)
    assert (message.kind, message.picture) == ("text", None)
    assert message.text == "Good morning: a cup of oolong"
    [alert] = _alerts(chat)
    assert "Scheduled post 'morning': the file cup.png was not sent (not a picture" in alert
    assert "Tea room got its text only" in alert


def test_a_picture_over_the_upload_limit_is_not_read(chat: Chat, tmp_path: Path) -> None:
    """Staff read sizes that tell the file from the limit, even one byte over it."""
    limit = chat.carrier.max_upload_bytes
    big, barely = tmp_path / "poster.png", tmp_path / "banner.png"
    big.write_bytes(picture("PNG", (40, 30)) + b"\0" * limit)
    barely.write_bytes(b"\0" * (limit + 1))
    _send(chat, big, key="calendar:1")
    _send(chat, barely, key="calendar:2")
    assert [m.picture for m in chat.carrier.platform.history(chat.groups[0].id)] == [None, None]
    said = " | ".join(_alerts(chat))
    assert "poster.png was not sent (64.1 KiB, over this carrier's 64.0 KiB)" in said
    assert "banner.png was not sent (65,537 bytes, over this carrier's 65,536 bytes)" in said


def test_too_many_pixels_and_a_vanished_file_go_as_text(chat: Chat, tmp_path: Path) -> None:
    (tmp_path / "wide.gif").write_bytes(picture("GIF", (9000, 2)))
    _send(chat, tmp_path / "wide.gif", key="calendar:1")
    _send(chat, tmp_path / "gone.png", key="calendar:2")
    kinds = [m.kind for m in chat.carrier.platform.history(chat.groups[0].id)]
    assert kinds == ["text", "text"]
    said = " | ".join(_alerts(chat))
    assert "wide.gif was not sent (picture too big: 9000×2 pixels (at most 8000))" in said
    assert "gone.png was not sent (the file is gone)" in said


def test_a_course_file_is_a_download_saved_under_the_posts_title(
    chat: Chat, client: TestClient, tmp_path: Path
) -> None:
    """A video, voice or other file is no picture: members download it (never shown inline,
    whatever it holds), saved under the post's title."""
    (tmp_path / "lesson-1.pdf").write_bytes(b"%PDF-1.4 <script>alert(1)</script>")
    _send(chat, tmp_path / "lesson-1.pdf", kind="file")
    [message] = chat.carrier.platform.history(chat.groups[0].id)
    frame = message_frame(message)
    assert (frame["kind"], frame["picture_url"]) == ("file", None)
    assert frame["file_name"] == "Good morning a cup of oolong.pdf"
    got = client.get(frame["file_url"])
    assert got.status_code == 200
    assert got.content == b"%PDF-1.4 <script>alert(1)</script>"
    assert got.headers["content-type"] == "application/pdf"
    assert got.headers["content-disposition"] == "attachment"
    assert got.headers["x-content-type-options"] == "nosniff"
    assert "sandbox" in got.headers["content-security-policy"]
    assert client.get("/chat/files/../uploads").status_code == 404
    assert client.get(f"/chat/media/{message.picture}").status_code == 404  # no picture
    assert _alerts(chat) == []


def test_a_video_of_an_unknown_type_downloads_as_bytes(chat: Chat, tmp_path: Path) -> None:
    (tmp_path / "clip.mkv.html").write_bytes(b"<html>not shown</html>")
    _send(chat, tmp_path / "clip.mkv.html", kind="video")
    [message] = chat.carrier.platform.history(chat.groups[0].id)
    assert message.kind == "video" and message.picture is not None
    assert message.picture.endswith(".bin")  # served as application/octet-stream


def test_the_sweep_keeps_a_posted_file_and_deletes_a_leftover(chat: Chat, tmp_path: Path) -> None:
    """Unused uploads are swept: a post's file a message shows stays, one no message shows
    (its transaction failed after it was written) goes."""
    (tmp_path / "lesson.pdf").write_bytes(b"%PDF-1.4 lesson")
    _send(chat, tmp_path / "lesson.pdf", kind="file")
    [message] = chat.carrier.platform.history(chat.groups[0].id)
    leftover = store_file(chat.carrier.uploads_dir, b"never posted", ".mp4")
    later = datetime.now(UTC) + timedelta(days=1)  # files are aged by their mtime
    in_use = chat.carrier.platform.pictures_in_use
    assert sweep_unused(chat.carrier.uploads_dir, in_use, later) == [leftover]
    assert (chat.carrier.uploads_dir / str(message.picture)).read_bytes() == b"%PDF-1.4 lesson"


def test_a_scheduled_posts_markdown_reaches_browsers_as_blocks(chat: Chat) -> None:
    """The page showed a post's `**bold**` and `[text](https://…)` with their marks; the frame
    now carries the post read as blocks, and a reply the bot makes stays as written."""
    content = PostContent("# 早安\n**防晒**要涂够 [指南](https://example.com/g)", "text", "m.md")
    post = Action(kind=ActionKind.SEND, carrier="webchat", group="tea-1", text=content.text,
                  handler="calendar", extra=content.extra(POST, 1))  # fmt: skip
    reply = Action(kind=ActionKind.SEND, carrier="webchat", group="tea-1", text="**not bold**",
                   handler="faq")  # fmt: skip
    asyncio.run(chat.carrier.perform(post, "calendar:md"))
    asyncio.run(chat.carrier.perform(reply, "faq:1"))
    shown, said = (message_frame(m) for m in chat.carrier.platform.history(chat.groups[0].id))
    assert shown["text"] == content.text
    assert shown["blocks"] == [
        {"type": "h", "level": 1, "runs": [{"text": "早安"}]},
        {"type": "p", "runs": [{"text": "防晒", "b": True}, {"text": "要涂够 "},
                               {"text": "指南", "href": "https://example.com/g"}]},
    ]  # fmt: skip
    assert "blocks" not in said and said["text"] == "**not bold**"
