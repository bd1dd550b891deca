"""A newcomer's full-size welcome (about 20,000 characters: `tests/carriers/long_welcome.py`)
in a Telegram group, through the real engine and aiogram to the fake Bot API: it arrives
whole, in order, in messages of at most 4,096 UTF-16 units (Telegram's measure), each ending
a sentence or a line. Cut at the limit alone, a rule longer than a message was torn
mid-sentence, and an emoji's skin tone could start the next message. The fake refuses what
Telegram would (more than a message a second in a chat): the parts, sent at once, met a 429
each, each counted a failed attempt, and the outbox gave the welcome up after six, its end
never sent. They go a second apart, aside from other groups' actions."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
import pytest_asyncio

from hearthkeeper.carriers.telegram.outgoing import TEXT_LIMIT, shown_length
from hearthkeeper.engine.actions import PRIORITY, Action, ActionKind
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
