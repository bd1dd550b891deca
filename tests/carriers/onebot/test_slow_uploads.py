"""A scheduled post's group file that QQ takes long to upload (`upload_group_file` is answered
once QQ has the file, up to 120 s): the engine performs it aside (`engine/aside.py`), so the
other groups' replies go on meanwhile, and the same group's next post waits for it, sent once
and in order."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.carriers.due_posts import PDF, course_file, hold_back, queue_post
from tests.carriers.onebot.onebot_setup import QQ, serving

pytestmark = [pytest.mark.onebot, pytest.mark.asyncio]


def queue(qq: QQ, number: int, key: str, text: str, file: Path | None = None) -> None:
    """Put a calendar SEND for group `number` in the outbox, as a post that fell due does
    (due now on the community's clock)."""
    queue_post(qq.store, "qq", str(number), key, text, file, at=qq.clock.now())


async def test_a_slow_group_file_holds_up_neither_other_groups_nor_its_own_order(
    qq: QQ, tmp_path: Path
) -> None:
    """Group A's course file takes long to reach QQ. Before, the whole engine waited for it:
    a newcomer in group B was not welcomed until the upload ended (up to two minutes). Now B's
    welcome comes at once, and A's next post waits until A's file and its text are sent."""
    course, lounge = qq.group(), qq.group()
    pdf = course_file(tmp_path, "护肤课件.pdf")
    uploaded = hold_back(qq.fake, "upload_group_file")
    async with serving(qq):
        queue(qq, course, "calendar:course:1", "课件在群文件里", pdf)
        queue(qq, course, "calendar:course:2", "今晚八点直播答疑")
        await qq.fake.until(lambda: qq.fake.holding == 1, "the upload to be under way")

        mei = qq.person("小美")
        await qq.fake.join(lounge, mei, "小美")
        await qq.fake.bot_message(lounge, "欢迎 小美")  # not held up by the upload
        assert qq.fake.bot_said(course) == []  # A's next post waits for its file

        uploaded.set()
        await qq.fake.bot_message(course, "今晚八点直播答疑")
    texts = [s.text for s in qq.fake.bot_said(course)]
    assert texts == ["课件在群文件里", "今晚八点直播答疑"]
    assert [f.name for f in qq.fake.groups[course].files] == ["护肤课件.pdf"]
    assert len(qq.fake.actions("upload_group_file")) == 1


async def test_at_most_two_uploads_are_out_at_once_and_each_file_goes_once(
    qq: QQ, tmp_path: Path
) -> None:
    """Three groups' course files fall due together: two uploads go to QQ at once (the
    carrier's `slow_at_once`), the third waits in the outbox until one is done; each group
    gets its file and its text once."""
    groups = [qq.group(), qq.group(), qq.group()]
    lounge = qq.group()
    uploaded = hold_back(qq.fake, "upload_group_file")
    async with serving(qq) as carrier:
        for n, number in enumerate(groups):
            pdf = course_file(tmp_path, f"课件{n}.pdf", PDF + bytes([n]))
            queue(qq, number, f"calendar:course:{n}", f"第{n}课的课件", pdf)
        await qq.fake.until(lambda: qq.fake.holding == 2, "two uploads under way")
        assert carrier.slow_at_once == 2
        mei = qq.person("小美")
        await qq.fake.join(lounge, mei, "小美")
        await qq.fake.bot_message(lounge, "欢迎 小美")  # the engine is not waiting
        assert len(qq.fake.actions("upload_group_file")) == 2  # the third still waits

        uploaded.set()
        for n, number in enumerate(groups):
            await qq.fake.bot_message(number, f"第{n}课的课件")
    for n, number in enumerate(groups):
        assert [f.name for f in qq.fake.groups[number].files] == [f"课件{n}.pdf"]
    assert len(qq.fake.actions("upload_group_file")) == 3
