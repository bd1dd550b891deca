"""A scheduled post's Markdown in a Telegram group, through aiogram to the fake Bot API, which
reads `parse_mode=HTML` as strictly as Telegram's documentation puts it: the post arrives
formatted (bold, italics, links, lists, quotes, code) as on the other carriers, and never as
HTML Telegram refuses."""

from __future__ import annotations

import pytest

from hearthkeeper.engine.actions import Action, ActionKind
from hearthkeeper.engine.carrier import CarrierError
from tests.carriers.telegram.fake_bot_api import JSON
from tests.carriers.telegram.telegram_setup import Hearth

# the long posts here are about what their parts say and how they resume, not their pace
pytestmark = [pytest.mark.telegram, pytest.mark.asyncio, pytest.mark.usefixtures("quick_parts")]

POST = """## 今晚 **答疑** 提醒

- **防晒** 要涂够 *一元硬币* 大小
- 详情见 [护肤 *指南*](https://example.org/guide?a=1&b=2) 和 [坏链接](ftp://example.org/x)
- 水温 < 38℃ & 不要 > 40℃，用 `pH<7` 的洗面奶

1. 先洗脸
2. **再** 涂 `**精华**`

> 引用 *一句*
>
> ```
> a < b
> ```
"""


async def posted(community: Hearth, text: str) -> list[JSON]:
    """Every message the group shows for a scheduled post of `text`, in order."""
    chat = community.group()
    carrier = community.carrier()
    await carrier.connect()
    try:
        action = Action(kind=ActionKind.SEND, carrier="telegram", group=str(chat), text=text,
                        handler="calendar", extra={"format": "markdown"})  # fmt: skip
        await carrier.perform(action, "calendar:post:1")
    finally:
        await carrier.disconnect()
    return community.api.messages(chat, by=community.bot_id)


async def sent(community: Hearth, text: str) -> JSON:
    """What the group shows for a scheduled post of `text` the carrier performs."""
    [message] = await posted(community, text)
    return message


def entity(message: JSON, kind: str, words: str) -> JSON:
    """The `kind` entity over `words` of the message (offsets in UTF-16, as Telegram's)."""
    units = message["text"].encode("utf-16-le")
    for found in message.get("entities", []):
        start, length = found["offset"] * 2, found["length"] * 2
        if found["type"] == kind and units[start : start + length].decode("utf-16-le") == words:
            return found
    raise AssertionError(f"no {kind} over {words!r} in {message.get('entities')}")


async def test_a_posts_markdown_arrives_formatted_and_as_valid_html(community: Hearth) -> None:
    message = await sent(community, POST)
    assert message["text"].split("\n") == [
        "今晚 答疑 提醒",
        "",
        "• 防晒 要涂够 一元硬币 大小",
        "• 详情见 护肤 指南 和 坏链接",  # an ftp link is its words
        "• 水温 < 38℃ & 不要 > 40℃，用 pH<7 的洗面奶",
        "",
        "1. 先洗脸",
        "2. 再 涂 **精华**",
        "",
        "引用 一句",
        "a < b",
    ]
    assert entity(message, "bold", "今晚 答疑 提醒")  # the heading, one bold line
    assert entity(message, "bold", "防晒")
    assert entity(message, "italic", "一元硬币")
    link = entity(message, "text_link", "护肤 指南")
    assert link["url"] == "https://example.org/guide?a=1&b=2"
    assert entity(message, "italic", "指南")
    assert entity(message, "code", "pH<7")
    assert entity(message, "code", "**精华**")
    assert entity(message, "bold", "再")
    assert entity(message, "blockquote", "引用 一句\na < b")
    # only http(s) addresses become links
    assert [e["url"] for e in message["entities"] if e["type"] == "text_link"] == [link["url"]]


async def test_code_in_bold_or_in_a_link_is_sent_as_telegram_can_show_it(
    community: Hearth,
) -> None:
    message = await sent(community, "**先 `洗` 脸** 见 [`指南`](https://example.org/g)")
    assert message["text"] == "先 洗 脸 见 指南"
    assert entity(message, "code", "洗")  # code holds no bold and a link no code (Bot API)
    assert entity(message, "text_link", "指南")["url"] == "https://example.org/g"


async def test_a_post_longer_than_a_message_arrives_whole_in_parts(community: Hearth) -> None:
    """Telegram refuses a message showing over 4,096 characters: a long formatted post was
    refused and never shown (a plain one was cut at 4,096, the rest lost)."""
    paragraphs = [f"第 {n} 段：**重点** " + "护肤心得" * 40 for n in range(40)]
    messages = await posted(community, "\n\n".join(paragraphs))
    assert len(messages) == 2
    shown = "\n\n".join(message["text"] for message in messages)
    assert shown == "\n\n".join(p.replace("**", "") for p in paragraphs)
    assert all(any(e["type"] == "bold" for e in m["entities"]) for m in messages)


async def test_one_paragraph_longer_than_a_message_arrives_whole_as_text(
    community: Hearth,
) -> None:
    words = "".join(f"{n:05d}😀 " for n in range(1_200))  # emoji count two units each
    messages = await posted(community, f"*{words.strip()}*")
    assert len(messages) >= 3
    assert "".join(m["text"] for m in messages).replace(" ", "") == words.replace(" ", "")


async def test_a_long_post_whose_second_part_failed_is_finished_not_sent_again(
    community: Hearth,
) -> None:
    """The retry after a later part failed sent the post again from its first part."""
    paragraphs = [f"第 {n} 段 " + "护肤心得" * 40 for n in range(40)]
    chat = community.group()
    carrier = community.carrier()
    action = Action(kind=ActionKind.SEND, carrier="telegram", group=str(chat),
                    text="\n\n".join(paragraphs), handler="calendar",
                    extra={"format": "markdown"})  # fmt: skip
    community.api.refuse("sendMessage", "Internal Server Error", after=1)
    await carrier.connect()
    try:
        with pytest.raises(CarrierError):
            await carrier.perform(action, "calendar:post:again")
        await carrier.perform(action, "calendar:post:again")
    finally:
        await carrier.disconnect()
    messages = community.api.messages(chat, by=community.bot_id)
    assert "\n\n".join(m["text"] for m in messages) == "\n\n".join(paragraphs)


async def test_a_long_post_whose_second_part_failed_is_finished_after_a_restart_too(
    community: Hearth,
) -> None:
    """The parts sent were remembered by the process only: `hearth serve` restarted between
    the failed part and its retry sent the post again from its first part. They are kept with
    the outbox item, and a new process sends only the rest."""
    paragraphs = [f"第 {n} 段 " + "护肤心得" * 40 for n in range(60)]  # three parts
    chat = community.group()
    action = Action(kind=ActionKind.SEND, carrier="telegram", group=str(chat),
                    text="\n\n".join(paragraphs), handler="calendar",
                    extra={"format": "markdown"})  # fmt: skip
    key = "calendar:post:restart"
    community.store.enqueue(key, "telegram", action.to_json(), action.priority)
    community.api.refuse("sendMessage", "Internal Server Error", after=2)
    before = community.carrier()
    await before.connect()
    try:
        with pytest.raises(CarrierError):
            await before.perform(action, key)
    finally:
        await before.disconnect()
    assert len(community.api.messages(chat, by=community.bot_id)) == 2

    after = community.carrier()  # a new process: nothing remembered in memory
    await after.connect()
    try:
        receipt = await after.perform(action, key)
    finally:
        await after.disconnect()
    messages = community.api.messages(chat, by=community.bot_id)
    assert len(messages) == 3, "the first two parts were not sent again"
    assert "\n\n".join(m["text"] for m in messages) == "\n\n".join(paragraphs)
    assert receipt == str(messages[0]["message_id"]), "the post's receipt is its first part"
