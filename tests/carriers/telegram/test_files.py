"""A scheduled post's file in a Telegram group, through aiogram to the fake Bot API: a photo
(video, voice, document) uploaded as multipart form data with the post's text as its caption,
the text as its own message when it is over Telegram's 1024 characters (and sent alone when
only the text failed), and a picture Telegram cannot take left out with one staff alert."""

from __future__ import annotations

import io
import os
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import pytest_asyncio
from PIL import Image

from hearthkeeper.capabilities.calendar.content import PostContent
from hearthkeeper.carriers.telegram import TelegramCarrier
from hearthkeeper.engine.actions import Action, ActionKind
from hearthkeeper.engine.carrier import CarrierError
from hearthkeeper.playbook.output import ScheduledPost
from hearthkeeper.playbook.positioning import Language
from tests.carriers.telegram.fake_bot_api import JSON
from tests.carriers.telegram.telegram_setup import Hearth, on_sqlite

pytestmark = [pytest.mark.telegram, pytest.mark.asyncio]

POST = ScheduledPost.model_validate(
    {"id": "morning-pack", "schedule": "every day 07:30", "content": {"library": "pictures"}}
)


@dataclass
class Group:
    """A Telegram group of the community and the bot's carrier, connected."""

    community: Hearth
    carrier: TelegramCarrier
    chat: int
    folder: Path

    async def post(self, name: str, data: bytes, kind: str, text: str,
                   key: str = "calendar:post:1") -> str | None:  # fmt: skip
        """Perform the calendar's SEND of a library item whose file is `name` holding `data`."""
        return await self.carrier.perform(self.action(name, data, kind, text), key)

    def action(self, name: str, data: bytes, kind: str, text: str) -> Action:
        """The calendar's SEND of a library item whose file is `name` holding `data`."""
        (self.folder / name).write_bytes(data)
        content = PostContent(text, kind, f"{name}.md", str(self.folder / name))
        return Action(kind=ActionKind.SEND, carrier="telegram", group=str(self.chat),
                      text=text, handler="calendar",
                      extra=content.extra(POST, 1, Language.ZH_CN))  # fmt: skip

    def messages(self) -> list[JSON]:
        return self.community.api.messages(self.chat, by=self.community.bot_id)

    def alerts(self) -> list[str]:
        return [
            a.text for a in self.community.store.staff_alerts(self.community.runtime.community_id)
        ]


@pytest_asyncio.fixture
async def group(tmp_path: Path, migrated_sqlite: Path) -> AsyncIterator[Group]:
    async with on_sqlite(tmp_path, migrated_sqlite) as community:
        chat = community.group()
        carrier = community.carrier()
        await carrier.connect()
        folder = tmp_path / "pictures"
        folder.mkdir()
        try:
            yield Group(community, carrier, chat, folder)
        finally:
            await carrier.disconnect()


def png(width: int, height: int) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (width, height), (250, 200, 60)).save(out, "PNG")
    return out.getvalue()


async def test_a_picture_goes_as_a_photo_captioned_with_its_text(group: Group) -> None:
    data = png(64, 48)
    sent = await group.post("cup.png", data, "picture", "# 防晒要涂够\n一元硬币大小")
    [message] = group.messages()
    assert str(message["message_id"]) == sent
    assert "text" not in message
    assert message["caption"] == "防晒要涂够\n一元硬币大小"  # the heading in bold, as HTML
    assert message["caption_entities"] == [{"type": "bold", "offset": 0, "length": 5}]
    [photo] = message["photo"]
    assert (photo["width"], photo["height"]) == (64, 48)
    assert group.community.api.sent_files[photo["file_id"]] == data
    assert group.alerts() == []


async def test_a_long_text_follows_the_photo_as_its_own_message(group: Group) -> None:
    text = "护肤小知识 " + "防晒" * 600  # over the 1024 characters of a caption
    await group.post("cup.png", png(64, 48), "picture", text)
    photo, said = group.messages()
    assert "photo" in photo and "caption" not in photo
    assert said["text"] == text


async def test_a_text_fitting_in_characters_but_not_in_telegrams_units_follows_the_photo(
    group: Group,
) -> None:
    """Telegram counts a caption in UTF-16 units: an emoji outside the Basic Multilingual
    Plane is two. 1,000 characters with 40 such emoji are 1,040 units, over a caption: before,
    the photo was refused as "caption is too long" and the post never went."""
    text = "今日打卡 🌞" + ("早安🌞" * 39) + "防" * (1000 - 6 - 39 * 3)
    assert len(text) == 1000
    await group.post("cup.png", png(64, 48), "picture", text)
    photo, said = group.messages()
    assert "photo" in photo and "caption" not in photo
    assert said["text"] == text


async def test_the_text_failing_after_the_photo_sends_no_second_photo(group: Group) -> None:
    text = "护肤小知识 " + "防晒" * 600
    group.community.api.throttle("sendMessage", 1)  # flood control, once
    with pytest.raises(CarrierError, match="flood control"):
        await group.post("cup.png", png(64, 48), "picture", text)
    await group.post("cup.png", png(64, 48), "picture", text)  # the queue's retry
    photo, said = group.messages()
    assert "photo" in photo and said["text"] == text


async def test_a_restart_between_the_photo_and_its_text_sends_the_text_alone(
    group: Group,
) -> None:
    """The photo went, its text failed (Telegram's server error), and the server restarted
    (or was killed) before the outbox's retry: the retry sent the photo again, as only the
    process had remembered it went. It is now kept with the outbox item: the new process sends
    the text alone, members see one photo and its text."""
    text = "护肤小知识 " + "防晒" * 600  # over a caption: its own message after the photo
    action = group.action("cup.png", png(64, 48), "picture", text)
    key = "calendar:post:restart"
    group.community.store.enqueue(key, "telegram", action.to_json(), action.priority)
    group.community.api.refuse("sendMessage", "try again later", code=500)
    with pytest.raises(CarrierError) as failed:
        await group.carrier.perform(action, key)
    assert failed.value.retry and not failed.value.limited
    await group.carrier.disconnect()

    group.carrier = group.community.carrier()  # the next process
    await group.carrier.connect()
    await group.carrier.perform(action, key)
    shown = [("photo" if "photo" in m else m.get("text")) for m in group.messages()]
    assert shown == ["photo", text]


async def test_the_same_file_posted_under_many_keys_is_uploaded_once(group: Group) -> None:
    """A calendar post fired in every group (one outbox key each) uploads its picture once;
    the next groups get it by the id Telegram gave it. Should Telegram forget that id, the
    picture is uploaded again rather than lost."""
    data = png(64, 48)
    await group.post("cup.png", data, "picture", "早安", "calendar:post:1:a")
    await group.post("cup.png", data, "picture", "早安", "calendar:post:1:b")
    first, second = group.messages()
    assert first["photo"][0]["file_id"] == second["photo"][0]["file_id"]
    assert group.community.api.uploads == 1
    group.community.api.sent_kinds.clear()  # Telegram no longer knows the id
    await group.post("cup.png", data, "picture", "早安", "calendar:post:1:c")
    third = group.messages()[2]
    assert group.community.api.sent_files[third["photo"][0]["file_id"]] == data
    assert group.community.api.uploads == 2
    assert group.alerts() == []


async def test_video_voice_and_files_go_by_their_methods(group: Group) -> None:
    await group.post("clip.mp4", b"\0\0\0\x18ftypmp42 a video", "video", "视频", "k1")
    await group.post("hello.ogg", b"OggS a voice message", "voice", "语音", "k2")
    await group.post("course.pdf", b"%PDF-1.4 the course", "file", "课件", "k3")
    video, voice, document = group.messages()
    assert (video["video"]["mime_type"], video["caption"]) == ("video/mp4", "视频")
    assert (voice["voice"]["mime_type"], voice["caption"]) == ("audio/ogg", "语音")
    assert document["document"]["file_name"] == "course.pdf"
    sent = group.community.api.sent_files[document["document"]["file_id"]]
    assert sent == b"%PDF-1.4 the course"


async def test_a_picture_over_a_photos_limits_goes_as_a_document_captioned(
    group: Group,
) -> None:
    """Telegram takes no photo 30 times as long as high, nor one over 10 MB: members still
    get the picture, as a file, with its text as the caption; staff have nothing to fix."""
    banner = png(3000, 100)
    sent = await group.post("banner.png", banner, "picture", "今日团购")
    [message] = group.messages()
    assert str(message["message_id"]) == sent and "photo" not in message
    assert (message["document"]["file_name"], message["caption"]) == ("banner.png", "今日团购")
    assert group.community.api.sent_files[message["document"]["file_id"]] == banner
    assert group.alerts() == []
    calls = [method for method, _ in group.community.api.calls]
    assert "sendPhoto" not in calls  # not tried as a photo first


async def test_a_picture_over_10_mb_goes_as_a_document(group: Group) -> None:
    noise = Image.frombytes("RGB", (1900, 1900), os.urandom(1900 * 1900 * 3))
    out = io.BytesIO()
    noise.save(out, "PNG", compress_level=0)
    assert 10_000_000 < len(out.getvalue()) < 50_000_000
    await group.post("noise.png", out.getvalue(), "picture", "原图", "k2")
    [message] = group.messages()
    assert (message["document"]["file_name"], message["caption"]) == ("noise.png", "原图")
    assert group.alerts() == []


async def test_a_picture_telegram_cannot_process_as_a_photo_goes_as_a_document(
    group: Group,
) -> None:
    """Telegram refuses some pictures our check passes (its own processing fails): members
    still get the picture, as a file with its caption, and staff have nothing to fix."""
    data = png(64, 48)
    group.community.api.refuse("sendPhoto", "IMAGE_PROCESS_FAILED")
    sent = await group.post("cup.png", data, "picture", "今日团购")
    [message] = group.messages()
    assert str(message["message_id"]) == sent and "photo" not in message
    assert (message["document"]["file_name"], message["caption"]) == ("cup.png", "今日团购")
    assert group.community.api.sent_files[message["document"]["file_id"]] == data
    assert group.alerts() == []


async def test_a_file_that_is_no_picture_goes_as_text_and_staff_hear_once(group: Group) -> None:
    """Why, in the community's language, which the calendar puts on the post."""
    broken = b"<html>no picture</html>"
    await group.post("banner.png", broken, "picture", "今日团购")
    await group.post("banner.png", broken, "picture", "今日团购")  # performed again
    assert all("document" not in m and m["text"] == "今日团购" for m in group.messages())
    [alert] = group.alerts()
    assert "定时内容「morning-pack」的文件 banner.png 没有发出（不是图片" in alert
    calls = [method for method, _ in group.community.api.calls]
    assert "sendPhoto" not in calls and "sendDocument" not in calls  # refused before uploading
