"""A scheduled post's file that takes long to reach Telegram (up to 50 MB uploaded as multipart
form data): the engine performs it aside (`engine/aside.py`), so the other groups' welcomes
and replies go on meanwhile, and the same group's next post waits for it, sent once and in
order."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.carriers.due_posts import course_file, hold_back, queue_post
from tests.carriers.telegram.fake_bot_api import JSON
from tests.carriers.telegram.telegram_setup import Hearth, bot_message, eventually, serving

pytestmark = [pytest.mark.telegram, pytest.mark.asyncio]


def queue(community: Hearth, chat: int, key: str, text: str, file: Path | None = None) -> None:
    """Put a calendar SEND for `chat` in the outbox, as a post that fell due does."""
    queue_post(community.store, "telegram", str(chat), key, text, file)


def shown(community: Hearth, chat: int) -> list[str]:
    """What the bot posted in `chat`, in order: a document by its file name, text as text."""
    out: list[str] = []
    for message in community.api.messages(chat, by=community.bot_id):
        document: JSON | None = message.get("document")
        out.append(str(document["file_name"]) if document else str(message.get("text", "")))
    return out


async def test_a_slow_file_holds_up_neither_other_groups_nor_its_own_order(
    community: Hearth, tmp_path: Path
) -> None:
    """Group A's course file takes long to upload. Before, the whole engine waited for it: a
    newcomer in group B was not welcomed until the upload ended. Now B's welcome comes at
    once, and A's next post waits until A's file is sent."""
    course, lounge = community.group("护肤课 1群"), community.group("护肤闲聊群")
    pdf = course_file(tmp_path, "护肤课件.pdf")
    api = community.api
    uploaded = hold_back(api, "sendDocument")
    async with serving(community):
        queue(community, course, "calendar:course:1", "课件", pdf)
        queue(community, course, "calendar:course:2", "今晚八点直播答疑")
        await eventually(lambda: api.holding == 1, "the upload to be under way")

        api.join(lounge, community.person("小美"))
        await bot_message(community, lounge, "欢迎 小美")  # not held up by the upload
        assert shown(community, course) == []  # A's next post waits for its file

        uploaded.set()
        await bot_message(community, course, "今晚八点直播答疑")
    assert shown(community, course) == ["护肤课件.pdf", "今晚八点直播答疑"]
    assert sum(1 for method, _ in api.calls if method == "sendDocument") == 1


async def test_the_same_file_to_two_groups_at_once_is_uploaded_once(
    community: Hearth, tmp_path: Path
) -> None:
    """A post with a file fires in two groups at once; both are performed aside together. The
    second waits for the first upload and goes by the `file_id` Telegram gave it, instead of
    uploading the same 50 MB again."""
    first, second = community.group("护肤课 1群"), community.group("护肤课 2群")
    pdf = course_file(tmp_path, "护肤课件.pdf")
    api = community.api
    uploaded = hold_back(api, "sendDocument")
    async with serving(community):
        queue(community, first, "calendar:course:1", "课件", pdf)
        queue(community, second, "calendar:course:2", "课件", pdf)
        await eventually(lambda: api.holding >= 1, "the upload to be under way")
        uploaded.set()
        await eventually(lambda: shown(community, second), "the file in the second group")
    assert shown(community, first) == shown(community, second) == ["护肤课件.pdf"]
    assert api.uploads == 1


async def test_nothing_comes_between_a_file_and_its_retried_text(
    community: Hearth, tmp_path: Path
) -> None:
    """Group A's course file went; its text, too long to be the file's caption, failed
    (Telegram's server error) and is retried 2 s later. Before, A's next post went meanwhile:
    members read the file, the next post, then the text that belongs to the file (the process
    alone knew the file had gone, the outbox did not). That the file went is now kept with the
    post, and A's next post waits for its text."""
    course = community.group("护肤课 1群")
    pdf = course_file(tmp_path, "护肤课件.pdf")
    text = "课件说明：" + "防晒" * 600  # over a caption's 1024 characters
    api = community.api
    api.refuse("sendMessage", "try again later", code=500)
    async with serving(community):
        queue(community, course, "calendar:course:1", text, pdf)
        queue(community, course, "calendar:course:2", "今晚八点直播答疑")
        await bot_message(community, course, "今晚八点直播答疑")
    assert shown(community, course) == ["护肤课件.pdf", text, "今晚八点直播答疑"]
    assert sum(1 for method, _ in api.calls if method == "sendDocument") == 1
