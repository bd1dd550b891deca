"""The Telegram bot's settings, the `[carriers.telegram]` table: where its token is (the name
of an environment variable), how it receives updates (long polling or a webhook), and which
groups (chat ids) are groups of which community."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from hearthkeeper.carriers.plugin import CarrierTable
from hearthkeeper.config import ConfigError, read_table

DEFAULT_TOKEN_ENV = "HEARTH_TELEGRAM_TOKEN"
DEFAULT_SECRET_ENV = "HEARTH_TELEGRAM_WEBHOOK_SECRET"
API_BASE = "https://api.telegram.org"
WEBHOOK_PATH = "/telegram/webhook"
_TOKEN = re.compile(r"^\d+:[\w-]{20,}$")
_SECRET = re.compile(r"^[A-Za-z0-9_-]{1,256}$")  # what Telegram accepts as a secret_token


class TelegramTable(BaseModel):
    """The table as written."""

    model_config = ConfigDict(extra="forbid")

    token_env: str = Field(DEFAULT_TOKEN_ENV,
                           description="The environment variable holding the bot's token.")  # fmt: skip
    mode: Literal["polling", "webhook"] = Field(
        "polling", description="polling (long polling getUpdates) or webhook."
    )
    webhook_url: str = Field(
        "", description="webhook: the public https URL Telegram posts to (…/telegram/webhook)."
    )
    webhook_secret_env: str = Field(
        DEFAULT_SECRET_ENV, description="webhook: the variable holding the secret_token."
    )
    api_base: str = Field(API_BASE, description="The Bot API server (a local one, a test's).")
    poll_timeout: int = Field(30, ge=0, le=50, description="Long polling: seconds per getUpdates.")
    groups: dict[str, str] = Field(
        default_factory=dict, description="Chat id → the slug of the community it is a group of."
    )


@dataclass(frozen=True)
class TelegramSettings:
    """The checked table."""

    token: str
    mode: Literal["polling", "webhook"]
    api_base: str
    groups: Mapping[str, str]  # chat id ("-100…") → community slug
    webhook_url: str = ""
    webhook_secret: str = ""
    poll_timeout: int = 30
    table: str = "carriers.telegram"  # the table as written, for messages
    token_env: str = DEFAULT_TOKEN_ENV

    @property
    def bot_id(self) -> str:
        """The bot's user id: the token's first part (not a secret)."""
        return self.token.partition(":")[0]


def read_telegram(table: CarrierTable) -> TelegramSettings:
    """The table checked; `ConfigError` saying which setting is wrong and how to write it."""
    read = read_table(TelegramTable, table)
    token = (table.env.get(read.token_env) or "").strip()
    if not token:
        raise ConfigError(
            f"{table.where('token_env')}: the environment variable {read.token_env} is not set; "
            "put the token @BotFather gave you there (docs/carriers/telegram.md)"
        )
    if not _TOKEN.match(token):
        raise ConfigError(
            f"{table.where('token_env')}: {read.token_env} does not hold a bot token (they look "
            "like 123456789:AAE…, as @BotFather shows them)"
        )
    api_base = read.api_base.strip().rstrip("/")
    if not re.match(r"^https?://[^/\s]+", api_base):
        raise ConfigError(f"{table.where('api_base')}: {read.api_base!r} is not a URL")
    secret = ""
    webhook_url = read.webhook_url.strip()
    if read.mode == "webhook":
        if not re.match(r"^https://[^/\s]+", webhook_url) and not webhook_url.startswith(
            "http://127.0.0.1"
        ):
            raise ConfigError(
                f"{table.where('webhook_url')}: webhook mode needs the public https URL Telegram "
                f'posts to, e.g. webhook_url = "https://hearth.example.org{WEBHOOK_PATH}"'
            )
        secret = (table.env.get(read.webhook_secret_env) or "").strip()
        if not _SECRET.match(secret):
            raise ConfigError(
                f"{table.where('webhook_secret_env')}: set {read.webhook_secret_env} to a secret "
                "of 1-256 characters A-Z, a-z, 0-9, _ and - (Telegram sends it back with each "
                "update, so that nobody else can post updates to the webhook)"
            )
    for chat, slug in read.groups.items():
        # ASCII digits (\d takes any script's), as many as a 64-bit id has: Telegram's are
        # shorter, and the store keeps a group's id and name within 255 and 200 characters.
        if not re.fullmatch(r"-[0-9]{1,19}", chat):
            shown = repr(chat) if len(chat) <= 40 else repr(chat[:40]) + "…"
            raise ConfigError(
                f"{table.where('groups')}: {shown} is not a group's chat id (they are negative, "
                '"-100…" for supergroups, at most 19 digits; `hearth telegram check` shows the '
                "bot's groups)"
            )
        if not slug.strip():
            raise ConfigError(f"{table.where('groups')}.{chat}: name the community's slug")
    return TelegramSettings(
        token=token, mode=read.mode, api_base=api_base,
        groups={chat: slug.strip() for chat, slug in read.groups.items()},
        webhook_url=webhook_url, webhook_secret=secret, poll_timeout=read.poll_timeout,
        table=table.path, token_env=read.token_env,
    )  # fmt: skip
