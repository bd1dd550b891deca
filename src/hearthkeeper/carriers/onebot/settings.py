"""The QQ carrier's settings, the `[carriers.onebot]` table: where Hearthkeeper listens for the
OneBot implementation's reverse WebSocket, the access token it must bring (read from an
environment variable the table names), the bot's QQ number, and which QQ groups are groups
of which community. Quotas for what the bot sends are settings too: QQ publishes none."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from hearthkeeper.carriers.plugin import CarrierTable
from hearthkeeper.config import ConfigError, read_table
from hearthkeeper.engine.carrier import RateLimit

ENV_ONEBOT_TOKEN = "HEARTH_ONEBOT_TOKEN"
DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 6199
DEFAULT_PATH = "/onebot/v11/ws"
DEFAULT_REQUESTS = "onebot-requests.json"
JOURNAL = "onebot-events.jsonl"  # under data_dir: events received, not yet recorded


class OneBotTable(BaseModel):
    """The table as written."""

    model_config = ConfigDict(extra="forbid")

    host: str = Field(DEFAULT_HOST, description="Where to listen for the OneBot connection.")
    port: int = Field(DEFAULT_PORT, ge=0, le=65535, description="Its port (0: any free one).")
    path: str = Field(DEFAULT_PATH, description="The WebSocket path the implementation opens.")
    access_token_env: str = Field(
        ENV_ONEBOT_TOKEN, description="The environment variable holding the access token."
    )
    self_id: int | None = Field(
        None, description="The bot's QQ number; a connection for another account is refused."
    )
    groups: dict[str, str] = Field(
        default_factory=dict, description="QQ group number → the slug of its community."
    )
    group_actions_per_minute: int = Field(20, ge=1, description="What the bot does in one group.")
    actions_per_second: int = Field(2, ge=1, description="Everything the bot does, all groups.")
    requests_file: str = Field(
        DEFAULT_REQUESTS, description="Join requests waiting for staff, kept under data_dir."
    )
    file_transfer: Literal["base64", "path"] = Field(
        "base64",
        description="How a scheduled post's file reaches the implementation: in the call "
        "(base64, wherever it runs) or as a path on this machine (path).",
    )


@dataclass(frozen=True)
class OneBotSettings:
    """The `[carriers.onebot]` table, checked."""

    host: str
    port: int
    path: str
    access_token: str
    token_env: str  # the variable the token came from, for messages
    self_id: int | None
    groups: Mapping[str, str]  # QQ group number (as text) → community slug
    per_group: RateLimit
    overall: RateLimit
    requests_file: Path
    table: str = "carriers.onebot"
    # how a scheduled post's file reaches the implementation (`post_files.py`)
    file_transfer: Literal["base64", "path"] = "base64"
    # events received and not yet recorded, kept across a crash (`journal.py`; None: not kept)
    journal_file: Path | None = None

    @property
    def url(self) -> str:
        """The reverse WebSocket URL to give the OneBot implementation."""
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"ws://{host}:{self.port}{self.path}"


def read_onebot(table: CarrierTable) -> OneBotSettings:
    """The table checked; `ConfigError` saying which setting is wrong and how to write it."""
    read = read_table(OneBotTable, table)
    if not read.path.startswith("/") or any(c.isspace() for c in read.path):
        raise ConfigError(f'{table.where("path")}: {read.path!r} is not a path; write it as '
                          f'path = "{DEFAULT_PATH}"')  # fmt: skip
    if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", read.access_token_env):
        raise ConfigError(f"{table.where('access_token_env')}: {read.access_token_env!r} is not "
                          f'an environment variable name; write it as access_token_env = '
                          f'"{ENV_ONEBOT_TOKEN}"')  # fmt: skip
    token = table.env.get(read.access_token_env, "").strip()
    if not token:
        raise ConfigError(
            f"{table.where()}: set the OneBot access token in the environment variable "
            f"{read.access_token_env} (the same token as in NapCat's or Lagrange's reverse "
            "WebSocket settings); Hearthkeeper accepts no connection without one"
        )
    for group, slug in read.groups.items():
        if not re.fullmatch(r"[1-9][0-9]{4,11}", group):
            raise ConfigError(f"{table.where('groups')}: {group!r} is not a QQ group number "
                              '(digits, as QQ shows them: "123456789" = "your-community")')  # fmt: skip
        if not slug.strip():
            raise ConfigError(f"{table.where('groups')}.{group}: name the community's slug")
    return OneBotSettings(
        host=read.host.strip(),
        port=read.port,
        path=read.path,
        access_token=token,
        token_env=read.access_token_env,
        self_id=read.self_id,
        groups={group: slug.strip() for group, slug in read.groups.items()},
        per_group=RateLimit(count=read.group_actions_per_minute, seconds=60),
        overall=RateLimit(count=read.actions_per_second, seconds=1),
        requests_file=(table.data_dir / read.requests_file).resolve(),
        table=table.path,
        file_transfer=read.file_transfer,
        journal_file=(table.data_dir / JOURNAL).resolve(),
    )
