"""Whom the bot's messages in a Matrix room name, as a member's client reads them from a real
Synapse: the text names each person as the feature wrote it, once, and the person is
mentioned (`m.mentions`: their client notifies them) without their name being added to the
body. Unlike QQ's `at` and Telegram's link, a Matrix mention is not part of the text, so it
cannot name anyone a second time."""

from __future__ import annotations

from datetime import timedelta

import pytest

from hearthkeeper.store.scheduled import WorkOf
from tests.carriers.matrix.matrix_setup import Hearth, body, bot_message, mentioned, serving

pytestmark = [pytest.mark.matrix, pytest.mark.asyncio]


async def test_a_title_s_reminder_names_its_holder_once_and_mentions_her(
    community: Hearth,
) -> None:
    bot = community.bot.user_id
    room = await community.create_room()
    async with serving(community):
        await community.bot_joined(room)
        mei = await community.newcomer(room)
        name = mei.user.localpart
        await mei.say(room, "/认领 喝水委员")
        await bot_message(mei, room, bot, f"{name} 成为「喝水委员」")
        group = community.store.group_for_carrier("matrix", room)
        assert group is not None
        planned = community.store.pending_work(
            WorkOf(community.runtime.community_id, f"titles:remind:{group.id}:"))  # fmt: skip
        assert planned, "the duty reminder is planned"
        community.clock.set(planned[0].due_at + timedelta(minutes=1))
        reminder = await bot_message(mei, room, bot, "喝水委员提醒", about=mei.user_id)
    assert body(reminder) == f"@{name} 喝水委员提醒：每天提醒大家喝水，喝够水皮肤才水润"
    assert mentioned(reminder) == [mei.user_id]
