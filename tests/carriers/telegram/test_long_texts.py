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
from tests.carriers.long_welcome import assert_arrived_whole, long_welcome_playbook
from tests.carriers.telegram.telegram_setup import (
    WAIT_S,
    Hearth,
    bot_message,
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
