"""Which Matrix rooms are groups of which community. Pure."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field


@dataclass(frozen=True)
class RoomMap:
    """Room id → the community (its id in the playbook) the room is a group of.

    The bot accepts invitations only to mapped rooms and hands the engine events only from
    them; everything else it sees is ignored (and listed as unmapped by `hearth matrix rooms`).
    """

    rooms: Mapping[str, str] = field(default_factory=dict)

    def community_of(self, room_id: str) -> str | None:
        """The community the room belongs to, or None when it is not mapped."""
        return self.rooms.get(room_id)

    def accepts(self, room_id: str) -> bool:
        """Whether the bot should be in the room (and accept an invitation to it)."""
        return room_id in self.rooms

    def with_room(self, room_id: str, community: str) -> RoomMap:
        """This map with `room_id` a room of `community` too."""
        return RoomMap({**self.rooms, room_id: community})

    def rooms_of(self, community: str) -> list[str]:
        """The rooms of one community, sorted."""
        return sorted(r for r, c in self.rooms.items() if c == community)
