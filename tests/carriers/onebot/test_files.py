"""A scheduled post's file in a QQ group, through the real carrier to the fake OneBot v11
implementation: a picture (its bytes as `base64://` in the image segment), a voice message or
video on its own before the text, any other file uploaded
among the group's files, and a file QQ does not get left out with the text sent alone and
one staff alert naming it."""

from __future__ import annotations

import io
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
import pytest_asyncio
from PIL import Image

from hearthkeeper.capabilities.calendar.content import PostContent
from hearthkeeper.carriers.onebot import OneBotCarrier
from hearthkeeper.carriers.onebot.post_files import LIMITS, Transfer
from hearthkeeper.carriers.parts import OUT
from hearthkeeper.engine.actions import Action, ActionKind
from hearthkeeper.engine.carrier import CarrierError
from hearthkeeper.playbook.output import ScheduledPost
from hearthkeeper.playbook.positioning import Language
from hearthkeeper.store import OutboxItem
from tests.carriers.due_posts import morning_pack_due
from tests.carriers.onebot.fake_onebot import Failed, Said
from tests.carriers.onebot.onebot_setup import QQ, serving

# what a post with a file sends and records, not its pace: parts 50 ms apart (conftest.py)
pytestmark = [pytest.mark.onebot, pytest.mark.asyncio, pytest.mark.usefixtures("quick_parts")]

POST = ScheduledPost.model_validate(
    {"id": "morning-pack", "schedule": "every day 07:30", "content": {"library": "pictures"}}
)
VOICE = b"OggS\x00\x02 a voice message"
VIDEO = b"\x00\x00\x00\x18ftypmp42 a video"
PDF = b"%PDF-1.4 the course"


def png(width: int, height: int) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (width, height), (250, 200, 60)).save(out, "PNG")
    return out.getvalue()


@dataclass
class Group:
    """A QQ group of the community, the bot's carrier serving it."""

    qq: QQ
    carrier: OneBotCarrier
    number: int
    folder: Path

    async def post(self, name: str, data: bytes | None, kind: str, text: str,
                   key: str = "calendar:post:1") -> str | None:  # fmt: skip
        """Perform the calendar's SEND of a library item whose file is `name` holding `data`
        (None: the file is there already)."""
        if data is not None:
            (self.folder / name).write_bytes(data)
        content = PostContent(text, kind, f"{name}.md", str(self.folder / name))
        action = Action(kind=ActionKind.SEND, carrier="qq", group=str(self.number), text=text,
                        handler="calendar", extra=content.extra(POST, 1, Language.ZH_CN))  # fmt: skip
        return await self.carrier.perform(action, key)

    def said(self) -> list[Said]:
        return self.qq.fake.bot_said(self.number)

    def alerts(self) -> list[str]:
        return [a.text for a in self.qq.store.staff_alerts(self.qq.runtime.community_id)]

    def sent(self, action: str) -> list[dict[str, Any]]:
        return self.qq.fake.actions(action)


@pytest_asyncio.fixture
async def group(qq: QQ, tmp_path: Path) -> AsyncIterator[Group]:
    number = qq.group()
    folder = tmp_path / "pictures"
    folder.mkdir()
    async with serving(qq) as carrier:
        yield Group(qq, carrier, number, folder)


async def test_the_morning_pack_s_picture_goes_right_before_its_text(qq: QQ) -> None:
    """The calendar fires a library item with a picture: the group gets the picture, its
    bytes exactly as in the content folder, then the text (a message of its own: see the
    kill test below)."""
    pack = qq.data_dir / "content" / "morning-pack"
    picture = png(64, 48)
    (pack / "00-sunscreen.png").write_bytes(picture)
    (pack / "00-sunscreen.md").write_text(
        "---\nkind: picture\nasset: 00-sunscreen.png\n---\n# 防晒要涂够\n一元硬币大小\n",
        encoding="utf-8",
    )
    number = qq.group()
    async with serving(qq):
        await qq.newcomer(number)  # the group's first event plans its calendar
        due = morning_pack_due(qq.store, qq.runtime.community_id, "qq", str(number))
        qq.clock.set(due + timedelta(minutes=1))
        post = await qq.fake.bot_message(number, "防晒要涂够")
    assert post.text == "防晒要涂够\n一元硬币大小"  # plain text, as QQ shows it
    shown = qq.fake.bot_said(number)
    picture_at = next(n for n, m in enumerate(shown) if m.files)
    assert shown[picture_at + 1] is post
    assert [s["type"] for s in shown[picture_at].segments] == ["image"]
    [stored] = shown[picture_at].files
    assert (stored.kind, stored.data, stored.via) == ("image", picture, "base64")
    sent = [p for p in qq.fake.actions("send_group_msg") if p["message"][0]["type"] == "image"]
    assert sent[0]["message"][0]["data"]["file"].startswith("base64://iVBORw0KGgo")
    alerts = qq.store.staff_alerts(qq.runtime.community_id)  # (the pack running out is one)
    assert not [a.text for a in alerts if "没有发出" in a.text]


async def test_voice_and_video_go_alone_before_the_text_and_a_file_among_the_group_s_files(
    group: Group,
) -> None:
    voice = await group.post("hello.ogg", VOICE, "voice", "今天的语音课", "k1")
    await group.post("clip.mp4", VIDEO, "video", "上脸演示", "k2")
    await group.post("护肤课件.pdf", PDF, "file", "课件在群文件里", "k3")
    record, said_voice, video, said_video, said_file = group.said()
    assert ([s["type"] for s in record.segments], record.files[0].data) == (["record"], VOICE)
    assert said_voice.text == "今天的语音课" and str(said_voice.message_id) == voice
    assert ([s["type"] for s in video.segments], video.files[0].data) == (["video"], VIDEO)
    assert said_video.text == "上脸演示"
    assert said_file.text == "课件在群文件里"
    [uploaded] = group.qq.fake.groups[group.number].files
    assert (uploaded.name, uploaded.data, uploaded.via) == ("护肤课件.pdf", PDF, "base64")
    notice = [e for e in group.qq.fake.pushed if e.get("notice_type") == "group_upload"]
    assert notice[0]["file"]["name"] == "护肤课件.pdf"  # QQ announces it in the group
    assert group.alerts() == []


async def test_a_voice_qq_cannot_convert_goes_as_text_and_staff_hear_once(group: Group) -> None:
    """The implementation refuses it (ffmpeg cannot read it): the text goes alone, and the
    alert names the file and what the implementation said, however often it is performed. The
    text, kept as sent with the item, is not sent again (it was, before: the file's place in
    what went was taken by the text's)."""
    await group.post("hello.ogg", b"<html>not audio</html>", "voice", "今天的语音课")
    await group.post("hello.ogg", None, "voice", "今天的语音课")  # performed again
    assert [m.text for m in group.said()] == ["今天的语音课"]
    assert all(not m.files for m in group.said())
    [alert] = group.alerts()
    assert alert.startswith("📎 定时内容「morning-pack」的文件 hello.ogg 没有发出（the OneBot "
                            "implementation refused it (retcode 1200: voice conversion failed")  # fmt: skip
    assert "只收到了文字" in alert


async def test_a_file_that_is_no_picture_is_not_sent_and_the_text_goes_alone(
    group: Group,
) -> None:
    await group.post("cup.png", b"<html>no picture</html>", "picture", "今日团购")
    [said] = group.said()
    assert (said.text, said.files, said.segments[0]["type"]) == ("今日团购", [], "text")
    assert not any(p["message"][0]["type"] == "image" for p in group.sent("send_group_msg"))
    [alert] = group.alerts()
    assert "的文件 cup.png 没有发出（不是图片：请上传 PNG、JPEG、GIF 或 WebP 图片）" in alert


async def test_a_picture_too_big_to_show_goes_among_the_group_s_files(group: Group) -> None:
    """A long banner QQ would not show as a picture (over 8000 pixels a side) still reaches
    members, as a group file under its own name, its text after it; staff have nothing to fix."""
    banner = png(9000, 2)
    await group.post("banner.png", banner, "picture", "年终大促")
    [said] = group.said()
    assert (said.text, said.files) == ("年终大促", [])
    [uploaded] = group.qq.fake.groups[group.number].files
    assert (uploaded.name, uploaded.data) == ("banner.png", banner)
    assert group.alerts() == []


async def test_a_video_over_the_limit_is_not_read(group: Group) -> None:
    big = group.folder / "long.mp4"
    with big.open("wb") as out:
        out.truncate(LIMITS["video"] + 1)  # sparse: the size is checked before reading
    await group.post("long.mp4", None, "video", "完整版")
    [said] = group.said()
    assert said.text == "完整版"
    [alert] = group.alerts()
    assert (
        "long.mp4 没有发出（文件 52,428,801 bytes，超过了这个平台的上限 52,428,800 bytes）" in alert
    )


async def test_the_text_failing_after_the_voice_sends_no_second_voice(group: Group) -> None:
    refused: list[bool] = []

    def text_once(action: str, params: dict[str, Any]) -> Failed | None:
        texts = action == "send_group_msg" and params["message"][0]["type"] == "text"
        if texts and not refused:
            refused.append(True)
            return Failed(1200, "send failed: try again")
        return None

    group.qq.fake.refuse = text_once
    with pytest.raises(CarrierError, match="send failed"):
        await group.post("hello.ogg", VOICE, "voice", "今天的语音课")
    await group.post("hello.ogg", VOICE, "voice", "今天的语音课")  # performed again
    record, said = group.said()
    assert record.files[0].data == VOICE and said.text == "今天的语音课"
    assert group.alerts() == []  # the group refused for a moment, not the file


async def test_an_upload_never_answered_is_not_sent_again_and_staff_are_told(
    qq: QQ, tmp_path: Path
) -> None:
    number = qq.group()
    qq.fake.silent = lambda action, params: action == "upload_group_file"
    async with serving(qq, qq.carrier(upload_timeout=0.5)) as carrier:
        group = Group(qq, carrier, number, tmp_path)
        await group.post("课件.pdf", PDF, "file", "课件在群文件里")
        await group.post("课件.pdf", PDF, "file", "课件在群文件里")  # performed again
    assert len(qq.fake.groups[number].files) == 1  # it did arrive: once
    assert [m.text for m in group.said()] == ["课件在群文件里"]  # kept as sent: once
    [alert] = group.alerts()
    assert "课件.pdf 没有发出（no answer from the OneBot implementation in time" in alert


@pytest.mark.parametrize("transfer", ["base64", "path"])
async def test_a_group_file_for_lagrange_needs_a_path(
    qq: QQ, tmp_path: Path, transfer: Transfer
) -> None:
    """go-cqhttp and Lagrange.OneBot read `upload_group_file`'s file from a path: with
    file_transfer = "path" the implementation on this machine reads it there (pictures, voice
    and videos too, as `file:///…`); with base64 it refuses, and staff are told what to set."""
    number = qq.group()
    qq.fake.base64_group_files = False
    async with serving(qq, qq.carrier(file_transfer=transfer)) as carrier:
        group = Group(qq, carrier, number, tmp_path)
        await group.post("课件.pdf", PDF, "file", "课件", "k1")
        await group.post("cup.png", png(8, 8), "picture", "今日团购", "k2")
    files = qq.fake.groups[number].files
    [picture] = [m for m in group.said() if m.files]
    if transfer == "path":
        assert [(f.name, f.data, f.via) for f in files] == [("课件.pdf", PDF, "path")]
        assert picture.files[0].via == "path"
        [upload] = qq.fake.actions("upload_group_file")
        assert upload["file"] == str(tmp_path / "课件.pdf")
        assert group.alerts() == []
    else:
        assert files == [] and picture.files[0].via == "base64"
        [alert] = group.alerts()
        assert "课件.pdf 没有发出（the OneBot implementation refused it (retcode 1200" in alert
        assert 'set file_transfer = "path" in [carriers.onebot]' in alert


async def test_a_picture_out_at_a_kill_leaves_its_text_to_go_once_and_staff_told(
    qq: QQ, tmp_path: Path
) -> None:
    """The server was killed while the morning pack's picture was going out (the outbox item
    kept as out, `carriers/parts.py`). Before, the picture went in one message with the text,
    so the restart could not tell whether the text had gone, and failed the whole post:
    members never read it when QQ had not got it. Now the picture is a message of its own,
    so the text goes once after the restart, and staff are told to look in QQ for the
    picture (it may have arrived: not sent again)."""
    number = qq.group()
    carrier = qq.carrier()  # adopts the group
    path = tmp_path / "sunscreen.png"
    path.write_bytes(png(64, 48))
    content = PostContent("防晒要涂够", "picture", "sunscreen.png.md", str(path))
    key = "calendar:morning-pack:1"
    action = Action(kind=ActionKind.SEND, carrier="qq", group=str(number), text="防晒要涂够",
                    handler="calendar", key=key,
                    extra=content.extra(POST, 1, Language.ZH_CN))  # fmt: skip
    known = qq.store.group_for_carrier("qq", str(number))
    assert known is not None
    with qq.store.transaction() as tx:
        tx.enqueue(key, "qq", action.to_json(), action.priority, group_id=known.id,
                   at=qq.clock.now())  # fmt: skip
    assert qq.store.record_progress(key, [OUT])  # what the killed process left

    def settled() -> list[OutboxItem]:
        return [i for s in ("done", "failed") for i in qq.store.outbox_items(s) if i.key == key]

    async with serving(qq, carrier):
        # The engine may reach the post before the implementation has connected: that try
        # is refused and waits for its retry (2 s on the frozen clock), as after a real start
        # (the item then keeps that try's error beside `done`: only its outcome is asserted).
        [item] = await qq.until_due(settled, "the post settled")
    assert item.status.value == "done"
    assert [m.text for m in qq.fake.bot_said(number)] == ["防晒要涂够"]  # once
    assert all(p["message"][0]["type"] == "text" for p in qq.fake.actions("send_group_msg"))
    [alert] = [a.text for a in qq.store.staff_alerts(qq.runtime.community_id)]
    assert "sunscreen.png 没有发出（no answer from the OneBot implementation" in alert
    assert "look in QQ" in alert


async def test_a_long_post_with_a_picture_goes_in_parts_after_it_and_a_retry_sends_the_rest(
    group: Group,
) -> None:
    """A post of 8,000 characters with its picture: the text went as one message of them all,
    over QQ's 4,000 (the carrier's `max_text`), which QQ may refuse or cut. It now follows the
    picture in parts, in order; the second refused once, the retry sends only it."""
    text = "\n\n".join(f"第{n}段：" + "早晚洗脸后涂防晒。" * 100 for n in range(8))  # 7,934
    refused: list[str] = []

    def second_part(action: str, params: dict[str, Any]) -> Failed | None:
        words = "".join(str(s["data"].get("text", "")) for s in params.get("message", []))
        if action == "send_group_msg" and words.startswith("第4段") and not refused:
            refused.append(words)
            return Failed(1200, "send failed")
        return None

    group.qq.fake.refuse = second_part
    with pytest.raises(CarrierError):
        await group.post("cup.png", png(8, 8), "picture", text)
    receipt = await group.post("cup.png", None, "picture", text)  # the retry
    picture, *parts = group.said()
    assert picture.files and not picture.text and len(parts) == 2
    assert receipt == str(parts[0].message_id)
    assert all(len(part.text) <= group.carrier.capabilities.max_text for part in parts)
    assert "\n\n".join(part.text for part in parts) == text


async def test_a_post_is_recorded_by_its_first_part_whose_id_came_back(group: Group) -> None:
    """The answer to the first part of a long post's text came back without its message id:
    the post was recorded by the picture's id (or nothing), not by the next part's, which
    QQ did give."""
    text = "\n\n".join(f"第{n}段：" + "早晚洗脸后涂防晒。" * 100 for n in range(8))
    fake = group.qq.fake
    answer = fake._api_send_group_msg
    lost: list[int] = []

    def first_part_without_id(params: dict[str, Any]) -> dict[str, Any]:
        data = answer(params)
        if str(params["message"][0]["data"].get("text", "")).startswith("第0段") and not lost:
            lost.append(data["message_id"])
            return {}
        return data

    fake._api_send_group_msg = first_part_without_id  # type: ignore[method-assign]
    receipt = await group.post("cup.png", png(8, 8), "picture", text)
    picture, first, second = group.said()
    assert lost == [first.message_id] and picture.files
    assert receipt == str(second.message_id)


async def test_a_retry_after_the_picture_is_recorded_by_it_when_the_text_has_no_id(
    group: Group,
) -> None:
    """The picture went and its text was refused; the retry sent the text, whose answer came
    without its message id: the post was recorded by no id (staff could not delete it or
    reply to it), though QQ gave the picture's."""
    fake = group.qq.fake
    refused: list[str] = []

    def text_once(action: str, params: dict[str, Any]) -> Failed | None:
        if action == "send_group_msg" and params["message"][0]["type"] == "text" and not refused:
            refused.append(action)
            return Failed(1200, "send failed")
        return None

    fake.refuse = text_once
    with pytest.raises(CarrierError):
        await group.post("cup.png", png(8, 8), "picture", "防晒要涂够")
    answer = fake._api_send_group_msg

    def text_without_id(params: dict[str, Any]) -> dict[str, Any]:
        data = answer(params)
        return {} if params["message"][0]["type"] == "text" else data

    fake._api_send_group_msg = text_without_id  # type: ignore[method-assign]
    receipt = await group.post("cup.png", None, "picture", "防晒要涂够")  # the retry
    picture, text = group.said()
    assert picture.files and text.text == "防晒要涂够"
    assert receipt == str(picture.message_id)
