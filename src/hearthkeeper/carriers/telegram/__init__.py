"""Telegram groups as a carrier, through the Bot API (aiogram's client): long polling or a
webhook, moderation by restrict/ban/delete, join requests screened at the door."""

from __future__ import annotations

from typing import TYPE_CHECKING

from hearthkeeper.lazy import exports

if TYPE_CHECKING:
    from hearthkeeper.carriers.telegram.carrier import TelegramCarrier
    from hearthkeeper.carriers.telegram.chats import ChatMap
    from hearthkeeper.carriers.telegram.settings import TelegramSettings


__all__ = ["ChatMap", "TelegramCarrier", "TelegramSettings"]

# Imported on first use: the plug-in is imported by every `hearth` command (hearthkeeper/lazy.py).
__getattr__ = exports(
    __name__,
    {
        "TelegramCarrier": ".carrier",
        "ChatMap": ".chats",
        "TelegramSettings": ".settings",
    },
)
