"""Telegram groups as a carrier, through the Bot API (aiogram's client): long polling or a
webhook, moderation by restrict/ban/delete, join requests screened at the door."""

from hearthkeeper.carriers.telegram.carrier import TelegramCarrier
from hearthkeeper.carriers.telegram.chats import ChatMap
from hearthkeeper.carriers.telegram.settings import TelegramSettings

__all__ = ["ChatMap", "TelegramCarrier", "TelegramSettings"]
