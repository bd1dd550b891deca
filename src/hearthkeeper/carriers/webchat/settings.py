"""The web chat's settings, the `[carriers.webchat]` table: abuse limits, all with defaults."""

from __future__ import annotations

from dataclasses import dataclass

from pydantic import BaseModel, ConfigDict, Field

from hearthkeeper.carriers.plugin import CarrierTable
from hearthkeeper.config import read_table


@dataclass(frozen=True)
class WebChatLimits:
    """The `[carriers.webchat]` table: abuse limits of the built-in web chat, kept per member or
    per client (never per socket, which a client opens as many of as it likes)."""

    messages_per_10s: int = 8
    joins_per_minute: int = 20  # per client address: a venue's Wi-Fi is one address
    uploads_per_hour: int = 30
    upload_mib_per_hour: int = 100
    unused_upload_hours: int = 1
    renames_per_hour: int = 10  # nickname changes per member: each message under a new name


_LIMITS = WebChatLimits()  # the defaults of the table


class WebChatTable(BaseModel):
    """The table as written; every setting has its default."""

    model_config = ConfigDict(extra="forbid")

    messages_per_10s: int = Field(
        _LIMITS.messages_per_10s,
        ge=1,
        description="Messages per member every 10 s, across all their sockets.",
    )
    joins_per_minute: int = Field(
        _LIMITS.joins_per_minute,
        ge=1,
        description="New seats taken through invite links per client address.",
    )
    uploads_per_hour: int = Field(
        _LIMITS.uploads_per_hour, ge=1, description="Pictures one member may upload."
    )
    upload_mib_per_hour: int = Field(
        _LIMITS.upload_mib_per_hour, ge=1, description="MiB of pictures per member."
    )
    unused_upload_hours: int = Field(
        _LIMITS.unused_upload_hours,
        ge=1,
        description="Uploaded pictures no message uses are deleted after this.",
    )
    renames_per_hour: int = Field(
        _LIMITS.renames_per_hour, ge=1, description="Nickname changes one member may make."
    )


def read_limits(table: CarrierTable) -> WebChatLimits:
    """The table checked (`ConfigError` naming each wrong setting)."""
    return WebChatLimits(**read_table(WebChatTable, table).model_dump())
