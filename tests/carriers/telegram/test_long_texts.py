"""A newcomer's full-size welcome (about 20,000 characters: `tests/carriers/long_welcome.py`)
in a Telegram group, through the real engine and aiogram to the fake Bot API: it arrives
whole, in order, in messages of at most 4,096 UTF-16 units (Telegram's measure), each ending
a sentence or a line. Cut at the limit alone, a rule longer than a message was torn
mid-sentence, and an emoji's skin tone could start the next message. The fake refuses what
Telegram would (more than a message a second in a chat): the parts, sent at once, met a 429
each, each counted a failed attempt, and the outbox gave the welcome up after six, its end
never sent. They go a second apart, aside from other groups' actions."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path

import pytest
import pytest_asyncio

from hearthkeeper.carriers import cutting
from hearthkeeper.carriers.telegram import outgoing
from hearthkeeper.carriers.telegram.outgoing import TEXT_LIMIT, cut, shown_length
from hearthkeeper.engine.actions import PRIORITY, Action, ActionKind
from hearthkeeper.engine.carrier import CarrierError
from hearthkeeper.engine.outbound import MAX_ATTEMPTS
from tests.carriers.long_welcome import assert_arrived_whole, long_welcome_playbook
from tests.carriers.telegram.telegram_setup import (
    WAIT_S,
    Hearth,
    bot_message,
    eventually,
    on_sqlite,
    serving,
    text_of,
)

pytestmark = [pytest.mark.telegram, pytest.mark.asyncio]

# Tests of what a long text's parts are, how they resume and what the queue counts use
# `quick_parts` (50 ms apart, conftest.py); those of the pace (the fake's limits on), flood
# control, the twenty-a-minute quota and another group between the parts keep the second.


@pytest_asyncio.fixture
async def community(tmp_path: Path, migrated_sqlite: Path) -> AsyncIterator[Hearth]:
    async with on_sqlite(tmp_path, migrated_sqlite, long_welcome_playbook()) as found:
        yield found


async def test_a_full_size_welcome_arrives_whole_and_in_order(community: Hearth) -> None:
    chat = community.group()
    community.api.limits()
    async with serving(community):
        community.api.join(chat, community.person("Mei"))
        await bot_message(community, chat, "请回复「同意」表示接受群规", timeout=2 * WAIT_S)
    said = [text_of(m) for m in community.api.messages(chat, by=community.bot_id)]
    assert_arrived_whole(said, "Mei", TEXT_LIMIT, lambda t: shown_length(t, parsed=False))


async def test_a_long_direct_message_holds_up_no_group(community: Hearth) -> None:
    """A staff alert's direct message of three parts, queued before a group's post: its parts
    went a second apart while every other action waited, the group's post after its last part.
    It now goes aside, as a group's long text does: the post goes meanwhile."""
    chat = community.group()
    staff = community.person("Lan")
    community.api.start_private(staff, community.token)
    long = "\n\n".join(f"第{n}条：" + "有人在群里发广告，请看一下。" * 250 for n in range(3))
    assert shown_length(long, parsed=False) > 2 * TEXT_LIMIT
    dm = Action(kind=ActionKind.DIRECT, carrier="telegram", member=str(staff["id"]), text=long,
                handler="alerts")  # fmt: skip
    post = Action(kind=ActionKind.SEND, carrier="telegram", group=str(chat), text="今天的打卡开始了",
                  handler="calendar")  # fmt: skip
    now = community.clock.now()
    for key, action in (("alert:dm", dm), ("calendar:post", post)):
        community.store.enqueue(key, "telegram", action.to_json(), PRIORITY[action.kind], at=now)
    async with serving(community):
        await eventually(lambda: len(community.api.private_messages(staff["id"], community.token))
                         == 3 or None, "the direct message's three parts", 4 * WAIT_S)  # fmt: skip
    sent = [str(p.get("chat_id")) for m, p in community.api.calls if m.lower() == "sendmessage"]
    to_staff = [n for n, to in enumerate(sent) if to == str(staff["id"])]
    assert len(to_staff) == 3 and sent.count(str(chat)) == 1
    assert sent.index(str(chat)) < to_staff[-1], "the group's post waited for the whole message"


# Five paragraphs of 994 characters: 4,978 in all, over one message. Cut at paragraph ends,
# the first four go in one message; cut otherwise, its end falls inside the fifth.
PARAGRAPHS = [f"第{n}段：" + "早晚洗脸后涂防晒。" * 110 for n in range(5)]
LONG = "\n\n".join(PARAGRAPHS)


def long_post(chat: int, text: str = LONG, *, markdown: bool = False) -> Action:
    return Action(kind=ActionKind.SEND, carrier="telegram", group=str(chat), text=text,
                  handler="calendar",
                  extra={"format": "markdown"} if markdown else {})  # fmt: skip


async def _first_part_then_refused(community: Hearth, action: Action, key: str) -> None:
    """A process sends the first part of `action` and its second is refused; it stops."""
    later = community.clock.now() + timedelta(days=1)  # queued, not due: performed here by hand
    community.store.enqueue(key, "telegram", action.to_json(), 0, at=later)
    community.api.refuse("sendMessage", "message is too long", after=1)
    carrier = community.carrier()
    await carrier.connect()
    try:
        with pytest.raises(CarrierError):
            await carrier.perform(action, key)
    finally:
        await carrier.disconnect()


async def _performed_by_a_new_process(community: Hearth, action: Action, key: str) -> str | None:
    carrier = community.carrier()
    await carrier.connect()
    try:
        return await carrier.perform(action, key)
    finally:
        await carrier.disconnect()


def _cut_otherwise(monkeypatch: pytest.MonkeyPatch) -> None:
    """An upgrade that cuts a text otherwise: paragraph and line ends no longer preferred."""
    never = re.compile(r"(?!)")
    monkeypatch.setattr(cutting, "_PARAGRAPH", never)
    monkeypatch.setattr(cutting, "_LINE", never)


@pytest.mark.usefixtures("quick_parts")
async def test_a_retry_after_an_upgrade_that_cuts_otherwise_sends_exactly_the_rest(
    community: Hearth, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The first four paragraphs went, the fifth was refused; the server was upgraded to a
    version that cuts this text at a sentence inside the fifth paragraph. The retry counted
    the parts sent and sent the new cut's second part: the fifth paragraph's beginning was
    never sent. It now sends the text from where the part that went ended."""
    chat = community.group()
    key = "calendar:post:upgraded"
    await _first_part_then_refused(community, long_post(chat), key)
    _cut_otherwise(monkeypatch)
    assert cut(LONG)[0] != "\n\n".join(PARAGRAPHS[:4]), "the upgrade cuts this text otherwise"
    receipt = await _performed_by_a_new_process(community, long_post(chat), key)
    said = [text_of(m) for m in community.api.messages(chat, by=community.bot_id)]
    assert said == ["\n\n".join(PARAGRAPHS[:4]), PARAGRAPHS[4]]  # all of it, once
    assert receipt == str(community.api.messages(chat)[0]["message_id"])


@pytest.mark.usefixtures("quick_parts")
async def test_a_markdown_post_resumes_after_the_blocks_that_went(
    community: Hearth, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The same for a Markdown post (Telegram's HTML): its paragraphs went four in a message;
    after the upgrade the retry sends the fifth, whole, not the rest of a fresh cut."""
    chat = community.group()
    key = "calendar:post:markdown"
    await _first_part_then_refused(community, long_post(chat, LONG, markdown=True), key)
    # the upgrade measures a message otherwise: three paragraphs fit in one, not four
    measured = outgoing.shown_length
    monkeypatch.setattr(outgoing, "shown_length",
                        lambda text, parsed: measured(text, parsed) * 13 // 10)  # fmt: skip
    assert len(outgoing.markdown_messages(LONG)) == 2
    assert outgoing.markdown_messages(LONG)[0] == "\n\n".join(PARAGRAPHS[:3])
    await _performed_by_a_new_process(community, long_post(chat, LONG, markdown=True), key)
    said = [text_of(m) for m in community.api.messages(chat, by=community.bot_id)]
    assert said == ["\n\n".join(PARAGRAPHS[:4]), PARAGRAPHS[4]]


async def test_parts_kept_by_the_version_before_still_resume(community: Hearth) -> None:
    """An item half-sent across the upgrade: the parts kept as message ids alone (the format
    before positions) are counted, and the rest of the text goes."""
    chat = community.group()
    key = "calendar:post:kept-before"
    later = community.clock.now() + timedelta(days=1)
    community.store.enqueue(key, "telegram", long_post(chat).to_json(), 0, at=later)
    assert community.store.record_progress(key, ["77"])  # the first part, as kept before
    receipt = await _performed_by_a_new_process(community, long_post(chat), key)
    said = [text_of(m) for m in community.api.messages(chat, by=community.bot_id)]
    assert said == [PARAGRAPHS[4]] and receipt == "77"


async def test_flood_control_is_waited_out_not_counted_as_failed_attempts(
    community: Hearth,
) -> None:
    """Telegram answered a long post's parts with flood control (429, retry after 1 s) seven
    times, one more than the outbox's six attempts: each counted as a failed attempt, and the
    post was given up, its end never sent. A 429 now waits the time asked, no attempt used."""
    chat = community.group()
    community.api.throttle("sendMessage", retry_after=1, times=MAX_ATTEMPTS + 1)
    action = long_post(chat)
    community.store.enqueue("calendar:post:flood", "telegram", action.to_json(),
                            PRIORITY[action.kind], at=community.clock.now())  # fmt: skip
    async with serving(community):
        await eventually(lambda: len(community.api.messages(chat, by=community.bot_id)) == 2,
                         "both parts", 2 * WAIT_S)  # fmt: skip
    said = [text_of(m) for m in community.api.messages(chat, by=community.bot_id)]
    assert said == ["\n\n".join(PARAGRAPHS[:4]), PARAGRAPHS[4]]
    [item] = [i for i in community.store.outbox_items("done") if i.key == "calendar:post:flood"]
    assert item.attempts == 0


@pytest.mark.usefixtures("quick_parts")
async def test_the_queue_counts_each_message_a_long_post_is_sent_in(community: Hearth) -> None:
    """What the outbound queue counts against a chat's twenty messages a minute is what the
    carrier sends: the parts of a long post, plain or Markdown."""
    chat = community.group()
    carrier = community.carrier()
    for n, action in enumerate((long_post(chat), long_post(chat, markdown=True))):
        before = len(community.api.messages(chat, by=community.bot_id))
        await _performed_by_a_new_process(community, action, f"calendar:post:counted{n}")
        sent = len(community.api.messages(chat, by=community.bot_id)) - before
        assert carrier.messages(action) == sent == 2


async def test_each_part_of_a_long_post_counts_against_the_groups_twenty_a_minute(
    community: Hearth,
) -> None:
    """A long post of two parts, then nineteen reminders, all due at once in a group Telegram
    lets have twenty messages a minute: the post counted as one message, so the nineteenth
    reminder was the twenty-first message of the minute, refused with a 429. Each part now
    counts: the last reminder waits for the minute, none is refused."""
    chat = community.group()
    community.api.limits()
    now = community.clock.now()
    reminders = [f"打卡提醒 {n}" for n in range(19)]
    actions = [long_post(chat)] + [
        Action(kind=ActionKind.SEND, carrier="telegram", group=str(chat), text=text,
               handler="calendar") for text in reminders]  # fmt: skip
    for n, action in enumerate(actions):
        community.store.enqueue(f"calendar:burst:{n}", "telegram", action.to_json(),
                                PRIORITY[action.kind], at=now)  # fmt: skip
    async with serving(community):
        await eventually(lambda: len(community.api.messages(chat, by=community.bot_id)) == 21,
                         "the post's two parts and the nineteen reminders", 4 * WAIT_S)  # fmt: skip
    said = [text_of(m) for m in community.api.messages(chat, by=community.bot_id)]
    assert said == ["\n\n".join(PARAGRAPHS[:4]), PARAGRAPHS[4], *reminders]
    assert [r for r in community.api.refused if r[1] == 429] == []
