"""Direct messages from the bot (a staff alert to one staff member): one private room per
person, created once and found again by its alias.

The room's alias is derived from the bot and the person (`#hearth-dm-<hash>:<bot's server>`),
so the room is remembered by the homeserver itself: after a restart, or when a creation's
answer was lost, resolving the alias finds the room, and a second creation is refused by the
server (the alias is taken) instead of opening a second room.
"""

from __future__ import annotations

import hashlib
from typing import Any

from nio import ErrorResponse, RoomPreset

from hearthkeeper.carriers.matrix.outgoing import carrier_error


def alias_localpart(bot: str, person: str) -> str:
    """The alias local part of the bot's direct room with `person`."""
    digest = hashlib.sha256(f"{bot}\n{person}".encode()).hexdigest()[:20]
    return f"hearth-dm-{digest}"


def server_of(user_id: str) -> str:
    """The server name of a Matrix user id (`@name:server`)."""
    return user_id.split(":", 1)[1] if ":" in user_id else user_id


class DirectRooms:
    """The bot's direct room with each person, found or created on first use, then cached."""

    def __init__(self) -> None:
        self._rooms: dict[str, str] = {}

    async def room_for(self, client: Any, bot: str, person: str) -> str:
        """The room id of the bot's direct room with `person` (invited into it)."""
        known = self._rooms.get(person)
        if known is not None:
            return known
        local = alias_localpart(bot, person)
        alias = f"#{local}:{server_of(bot)}"
        room = await _resolve(client, alias)
        if room is None:
            made = await client.room_create(alias=local, is_direct=True, invite=[person],
                                            preset=RoomPreset.trusted_private_chat,
                                            name="Hearthkeeper")  # fmt: skip
            if isinstance(made, ErrorResponse):
                room = await _resolve(client, alias)  # created meanwhile (or by a lost answer)
                if room is None:
                    raise carrier_error(made, f"matrix: opening a direct room with {person}")
            else:
                room = str(made.room_id)
                self._rooms[person] = room
                return room
        await _invited(client, room, person)
        self._rooms[person] = room
        return room


async def _resolve(client: Any, alias: str) -> str | None:
    found = await client.room_resolve_alias(alias)
    return None if isinstance(found, ErrorResponse) else str(found.room_id)


async def _invited(client: Any, room: str, person: str) -> None:
    """`person` is in the room or invited to it (invited again if they left it)."""
    state = await client.room_get_state_event(room, "m.room.member", person)
    membership = None if isinstance(state, ErrorResponse) else state.content.get("membership")
    if membership in ("invite", "join"):
        return
    invited = await client.room_invite(room, person)
    if isinstance(invited, ErrorResponse):
        raise carrier_error(invited, f"matrix: inviting {person} to the direct room")
