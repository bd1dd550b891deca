"""The Matrix bot's settings, the `[carriers.matrix]` table: its account, and which rooms are
groups of which community. Secrets come from the environment, which wins over the file."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field

from hearthkeeper.carriers.plugin import CarrierTable
from hearthkeeper.config import ConfigError, read_table

ENV_MATRIX_TOKEN = "HEARTH_MATRIX_TOKEN"
ENV_MATRIX_PASSWORD = "HEARTH_MATRIX_PASSWORD"
DEFAULT_SYNC_POSITION = "matrix-sync.json"
ROOM_ID_MAX = 255  # the Matrix spec's limit on a room id, sigil and server included


class MatrixTable(BaseModel):
    """The table as written."""

    model_config = ConfigDict(extra="forbid")

    homeserver: str = Field(description="The homeserver's client URL, https://matrix.example.org.")
    user_id: str = Field(description="The bot's account, @hearth:example.org.")
    access_token: str | None = Field(None, description="The bot's token (or HEARTH_MATRIX_TOKEN).")
    password: str | None = Field(
        None, description="Or the bot's password (or HEARTH_MATRIX_PASSWORD)."
    )
    rooms: dict[str, str] = Field(
        default_factory=dict, description="Room id → the slug of the community it is a group of."
    )
    sync_position: str = Field(
        DEFAULT_SYNC_POSITION, description="Where the sync position is kept, under data_dir."
    )


@dataclass(frozen=True)
class MatrixSettings:
    """The `[carriers.matrix]` table: the bot's account and which rooms are groups of which
    community."""

    homeserver: str
    user_id: str
    access_token: str | None
    password: str | None
    rooms: Mapping[str, str]  # room id → community slug
    sync_position: Path  # a file under the data directory
    table: str = "carriers.matrix"  # the table as written, for messages

    def credential(self) -> str:
        """How the bot signs in, for messages (never the secret itself)."""
        return "an access token" if self.access_token else "a password"


def read_matrix(table: CarrierTable) -> MatrixSettings:
    """The table checked; `ConfigError` saying which setting is wrong and how to write it."""
    read = read_table(MatrixTable, table)
    homeserver = read.homeserver.strip().rstrip("/")
    if not re.match(r"^https?://[^/\s]+", homeserver):
        raise ConfigError(
            f"{table.where('homeserver')}: {read.homeserver!r} is not a URL; "
            'write it as homeserver = "https://matrix.example.org"'
        )
    if not re.fullmatch(r"@[^:\s]+:\S+", read.user_id):
        raise ConfigError(
            f"{table.where('user_id')}: {read.user_id!r} is not a Matrix user id; "
            'write it as user_id = "@hearth:example.org"'
        )
    token = table.env.get(ENV_MATRIX_TOKEN) or read.access_token or None
    password = table.env.get(ENV_MATRIX_PASSWORD) or read.password or None
    if token is None and password is None:
        raise ConfigError(
            f"{table.where()}: {read.user_id} needs an access token or a password; set "
            f"{ENV_MATRIX_TOKEN} (or {ENV_MATRIX_PASSWORD}) in the environment, or "
            f"access_token in [{table.path}]"
        )
    for room, slug in read.rooms.items():
        # Room version 12 ids have no server part: !<43 characters>; older ones !id:server.
        if len(room) > ROOM_ID_MAX:  # no homeserver makes one; the store keeps no more
            raise ConfigError(
                f"{table.where('rooms')}: {room[:40]!r}… is not a room id: it is {len(room)} "
                f"characters long, and a Matrix room id is at most {ROOM_ID_MAX} "
                "(`hearth matrix rooms` lists the bot's rooms with their ids)"
            )
        if not re.fullmatch(r"![^:\s]+(:\S+)?", room):
            raise ConfigError(
                f"{table.where('rooms')}: {room!r} is not a room id (they look like "
                "!AbCdEf:example.org, or !AbCdEf… without a server in rooms of version 12; "
                "`hearth matrix rooms` lists the bot's rooms with their ids)"
            )
        if not slug.strip():
            raise ConfigError(f"{table.where('rooms')}.{room}: name the community's slug")
    return MatrixSettings(
        homeserver=homeserver,
        user_id=read.user_id,
        access_token=token,
        password=password,
        rooms={room: slug.strip() for room, slug in read.rooms.items()},
        sync_position=(table.data_dir / read.sync_position).resolve(),
        table=table.path,
    )
