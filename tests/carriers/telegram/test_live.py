"""The carrier against the real Telegram, with a test bot of yours: runs only when
HEARTH_TELEGRAM_TEST_TOKEN and HEARTH_TELEGRAM_TEST_CHAT (a supergroup where that bot is an
administrator) are set (docs/carriers/telegram.md, "The live test")."""

from __future__ import annotations

import os
from datetime import UTC, datetime

import pytest

from hearthkeeper.carriers.telegram import ChatMap, TelegramCarrier, TelegramSettings
from hearthkeeper.carriers.telegram.cli import inspect
from hearthkeeper.clock import FrozenClock
from hearthkeeper.engine.actions import Action, ActionKind

TOKEN = os.environ.get("HEARTH_TELEGRAM_TEST_TOKEN", "")
CHAT = os.environ.get("HEARTH_TELEGRAM_TEST_CHAT", "")

pytestmark = [
    pytest.mark.telegram,
    pytest.mark.asyncio,
    pytest.mark.skipif(
        not (TOKEN and CHAT),
        reason="set HEARTH_TELEGRAM_TEST_TOKEN and "
        "HEARTH_TELEGRAM_TEST_CHAT to run against the real Telegram",
    ),
]


def settings() -> TelegramSettings:
    return TelegramSettings(token=TOKEN, mode="polling", api_base="https://api.telegram.org",
                            groups={CHAT: "live-test"}, poll_timeout=1)  # fmt: skip


async def test_the_bot_is_an_administrator_with_every_right_it_needs() -> None:
    found = await inspect(settings())
    [group] = found.groups
    assert group.error == "", group.error
    assert group.status in ("administrator", "creator")
    assert group.missing == ()


async def test_the_carrier_sends_and_deletes_a_message() -> None:
    carrier = TelegramCarrier(settings(), ChatMap({CHAT: "live-test"}),
                              FrozenClock(datetime.now(UTC)))  # fmt: skip
    await carrier.connect()
    try:
        sent = await carrier.perform(Action(kind=ActionKind.SEND, carrier="telegram", group=CHAT,
                                            text="Hearthkeeper live test"), "live:1")  # fmt: skip
        assert sent is not None and sent.isdigit()
        await carrier.perform(Action(kind=ActionKind.DELETE, carrier="telegram", group=CHAT,
                                     target=sent), "live:2")  # fmt: skip
    finally:
        await carrier.disconnect()
