"""`hearth matrix rooms`: the rooms the bot sees, and which group of which community each is."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import aiohttp
import typer
from nio import AsyncClient, AsyncClientConfig, ErrorResponse, InviteAliasEvent, InviteNameEvent
from rich.markup import escape
from sqlalchemy.engine import make_url

from hearthkeeper.carriers.matrix.opening import opened_rooms
from hearthkeeper.carriers.matrix.outgoing import carrier_error
from hearthkeeper.carriers.matrix.plugin import MATRIX, matrix_settings
from hearthkeeper.carriers.matrix.settings import MatrixSettings
from hearthkeeper.cli.context import ConfigOption, settings_from
from hearthkeeper.cli.output import console, fail
from hearthkeeper.clock import SystemClock
from hearthkeeper.config import Settings
from hearthkeeper.engine.carrier import CarrierError
from hearthkeeper.store import Group, Store, StoreError, create_engine_for, require_current

# Only room lists and their state; no history.
_INVITES_FILTER: dict[str, Any] = {
    "presence": {"not_types": ["*"]},
    "account_data": {"not_types": ["*"]},
    "room": {
        "timeline": {"limit": 0},
        "state": {"not_types": ["*"]},
        "ephemeral": {"not_types": ["*"]},
        "account_data": {"not_types": ["*"]},
    },
}

app = typer.Typer(help="The Matrix bot of the [carriers.matrix] table (docs/carriers/matrix.md).",
                  no_args_is_help=True)  # fmt: skip


@dataclass(frozen=True)
class SeenRoom:
    """A room the bot is in (with its member count) or invited to (members unknown)."""

    room_id: str
    name: str
    members: int | None  # None: invited, not in yet


@app.command("rooms")
def rooms(config: ConfigOption = None) -> None:
    """Sign in as the bot and list the rooms it is in or invited to: name, members, and the
    community and group each maps to (or "not mapped")."""
    settings = settings_from(config)
    matrix = matrix_settings(settings)
    if matrix is None:
        where = settings.config_file or "the configuration (no hearth.toml found)"
        fail(f"{where} has no [carriers.matrix] table; see docs/carriers/matrix.md")
    try:
        seen = asyncio.run(list_rooms(matrix))
    except CarrierError as exc:
        fail(str(exc))
    console.print(f"{escape(matrix.user_id)} on {escape(matrix.homeserver)}:")
    groups, opened = _groups(settings)
    for line in describe(seen, matrix, groups, opened):
        console.print(escape(line))


async def list_rooms(matrix: MatrixSettings) -> list[SeenRoom]:
    """Sign in (by token, or by password for this call only) and read the bot's rooms."""
    config = AsyncClientConfig(max_limit_exceeded=0, max_timeouts=1, encryption_enabled=False,
                               store_sync_tokens=False)  # fmt: skip
    client = AsyncClient(matrix.homeserver, matrix.user_id, config=config)
    signed_in = False
    try:
        if matrix.access_token:
            client.access_token = matrix.access_token
            _ok(await client.whoami(), f"matrix: the access token of {matrix.user_id}")
        else:
            _ok(await client.login(matrix.password, device_name="hearth matrix rooms"),
                f"matrix: signing in as {matrix.user_id}")  # fmt: skip
            signed_in = True
        return await _read_rooms(client)
    except (aiohttp.ClientError, TimeoutError) as exc:
        raise CarrierError(
            f"matrix: cannot reach {matrix.homeserver}: {exc}; check [{matrix.table}] homeserver",
            retry=True,
        ) from exc
    finally:
        if signed_in:  # the password made a device for this listing only; remove it
            await client.logout()
        await client.close()


async def _read_rooms(client: AsyncClient) -> list[SeenRoom]:
    seen: list[SeenRoom] = []
    joined = _ok(await client.joined_rooms(), "matrix: listing the bot's rooms")
    for room_id in joined.rooms:
        members = _ok(await client.joined_members(room_id), f"matrix: members of {room_id}")
        seen.append(SeenRoom(room_id, await _name(client, room_id), len(members.members)))
    sync = _ok(await client.sync(timeout=0, sync_filter=_INVITES_FILTER), "matrix: sync")
    for room_id, info in sync.rooms.invite.items():
        names = [e.name for e in info.invite_state if isinstance(e, InviteNameEvent)]
        aliases = [e.canonical_alias for e in info.invite_state if isinstance(e, InviteAliasEvent)]
        seen.append(SeenRoom(room_id, next(iter(names + aliases), "") or "", None))
    return sorted(seen, key=lambda r: r.room_id)


async def _name(client: AsyncClient, room_id: str) -> str:
    """The room's name, else its canonical alias, else ""."""
    for event_type, key in (("m.room.name", "name"), ("m.room.canonical_alias", "alias")):
        state = await client.room_get_state_event(room_id, event_type)
        if not isinstance(state, ErrorResponse):
            value = state.content.get(key)
            if isinstance(value, str) and value:
                return value
    return ""


def describe(seen: list[SeenRoom], matrix: MatrixSettings, groups: dict[str, Group],
             opened: dict[str, str] | None = None) -> list[str]:  # fmt: skip
    """One line per room the bot sees, then one per mapped room it does not see. `opened`:
    the rooms the bot created for a live code (room id → community slug)."""
    lines: list[str] = []
    for room in seen:
        name = f'"{room.name}"' if room.name else "(no name)"
        members = "invited" if room.members is None else _members(room.members)
        lines.append(
            f"{room.room_id}  {name}  {members}  → "
            f"{_maps_to(room.room_id, matrix, groups, opened or {})}"
        )
    visible = {room.room_id for room in seen}
    for room_id, slug in sorted(matrix.rooms.items()):
        if room_id not in visible:
            lines.append(
                f"{room_id}  mapped to {slug}, but the bot is neither in it nor invited: "
                f"invite {matrix.user_id} to it"
            )
    if not lines:
        lines.append(
            f"no rooms: invite {matrix.user_id} to a room, then map it in [{matrix.table}.rooms]"
        )
    return lines


def _members(count: int) -> str:
    return f"{count} member" + ("" if count == 1 else "s")


def _maps_to(room_id: str, matrix: MatrixSettings, groups: dict[str, Group],
             opened: dict[str, str]) -> str:  # fmt: skip
    slug = matrix.rooms.get(room_id)
    made = groups.get(room_id)
    if slug is None and room_id in opened and made is not None:
        return f"community {opened[room_id]}, group {made.id} (opened by the bot)"
    if slug is None:
        return "not mapped"
    group = groups.get(room_id)
    if group is None:
        return f"community {slug} (its group is made when `hearth serve` starts)"
    return f"community {slug}, group {group.id}"


def _groups(settings: Settings) -> tuple[dict[str, Group], dict[str, str]]:
    """The Matrix groups registered in the database, by room id, and the rooms the bot opened
    (room id → community slug); none if the database is not set up."""
    url = make_url(settings.database_url)
    if url.get_backend_name() == "sqlite" and not Path(url.database or "").is_file():
        return {}, {}  # no database yet; opening it would create an empty file
    try:
        engine = create_engine_for(settings.database_url)
    except StoreError:
        return {}, {}
    try:
        require_current(engine)
        store = Store(engine, SystemClock())
        communities = {c.slug: c for c in store.list_communities()}
        groups = {
            g.carrier_group_id: g
            for c in communities.values()
            for g in store.list_groups(c.id)
            if g.carrier == MATRIX
        }
        return groups, opened_rooms(store, communities)
    except StoreError:
        return {}, {}
    finally:
        engine.dispose()


def _ok(response: Any, doing: str) -> Any:
    if isinstance(response, ErrorResponse):
        raise carrier_error(response, doing)
    return response
