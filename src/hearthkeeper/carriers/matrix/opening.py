"""Opening a community's next group on Matrix: the bot creates the room (so it administers
it, as its creator), the room becomes a group of the community, and the bot serves it at
once. A live code asks for this when the community's newest room is nearly full."""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

from hearthkeeper.carriers.matrix.carrier import MatrixCarrier
from hearthkeeper.carriers.matrix.join import join_page_path
from hearthkeeper.carriers.matrix.translate import CARRIER
from hearthkeeper.carriers.naming import next_group_name
from hearthkeeper.playbook import Playbook
from hearthkeeper.playbook.groups import group_capacity
from hearthkeeper.playbook.joining import ThresholdKind
from hearthkeeper.store import Community, Group, Store

OPEN_TIMEOUT_S = 60.0  # the homeserver's answer to creating a room, at most
ACTOR = "matrix"
ROOM_CREATED = "matrix.room.create"


@dataclass(frozen=True)
class RoomRequest:
    """What the bot asks the homeserver for: a room's name, topic and who may come in."""

    name: str
    topic: str
    preset: str  # "public_chat" or "private_chat"
    initial_state: tuple[Mapping[str, Any], ...] = ()

    @property
    def join_rule(self) -> str:
        """The room's join rule once created."""
        for state in self.initial_state:
            if state.get("type") == "m.room.join_rules":
                return str(state["content"]["join_rule"])
        return "public" if self.preset == "public_chat" else "invite"


def room_request(name: str, playbook: Playbook) -> RoomRequest:
    """The room for a community's next group: anyone may join when its threshold is `open`;
    otherwise people knock, and the door (`Admission`) screens the knock as on any room."""
    topic = playbook.community.purpose
    if playbook.joining.threshold.kind is ThresholdKind.OPEN:
        return RoomRequest(name, topic, "public_chat")
    knock = {"type": "m.room.join_rules", "state_key": "", "content": {"join_rule": "knock"}}
    return RoomRequest(name, topic, "private_chat", (knock,))


def matrix_to(room_id: str, server: str) -> str:
    """The matrix.to link to a room, with the server to join it through (room ids of version
    12 name no server, so a client on another homeserver needs it)."""
    return f"https://matrix.to/#/{quote(room_id, safe='!:')}?via={quote(server, safe='')}"


@dataclass(frozen=True)
class MatrixGroups:
    """Matrix as a `GroupOpener`: remote, the homeserver creates the room."""

    carrier: MatrixCarrier
    public_url: str = ""  # where browsers reach this server: the join page is there
    remote = True

    def open_group(self, store: Store, community_id: int, playbook: Playbook) -> Group:
        """Create the community's next room and make it a group (from a thread other than the
        carrier's loop: a web request's). `CarrierError` when the homeserver refuses or does
        not answer in time; a room created after the wait ended is still recorded and served."""
        name = next_group_name(store.list_groups(community_id), playbook, CARRIER)
        request = room_request(name, playbook)
        return self.carrier.call(self._open(store, community_id, playbook, request),
                                 OPEN_TIMEOUT_S)  # fmt: skip

    async def _open(self, store: Store, community_id: int, playbook: Playbook,
                    request: RoomRequest) -> Group:  # fmt: skip
        room = await self.carrier.create_room(request.name, request.topic, request.preset,
                                              request.initial_state)  # fmt: skip
        # Recorded before it is served: the engine, once it sees the room's events, finds
        # its group (it remembers a room it found none for).
        # a `groups:` override for the new name holds from the first invitation, as on the web chat
        capacity = group_capacity(playbook, request.name, room, None)
        group = await asyncio.to_thread(record_room, store, community_id, request, room,
                                        capacity or playbook.structure.groups.capacity)  # fmt: skip
        self.carrier.serve_room(room, playbook.community.slug)
        return group

    def join_link(self, group: Group, source: str | None = None) -> str:
        """Where a newcomer joins one of the community's rooms: given the token of the link
        they came by, the join page (`join.py`: the bot invites the Matrix ID they type, and
        their join carries the token); without one, the room's matrix.to link."""
        if source:
            return self.public_url.rstrip("/") + join_page_path(group.carrier_group_id, source)
        return self.room_link(group.carrier_group_id)

    def room_link(self, room: str) -> str:
        """The room's matrix.to link (a join by it names no link)."""
        return matrix_to(room, self.carrier.server_name)


def record_room(store: Store, community_id: int, request: RoomRequest, room: str,
                capacity: int) -> Group:  # fmt: skip
    """The room the bot created as a group of the community, and the audit entry that tells
    the next `hearth serve` to serve it (it is in no `[carriers.matrix.rooms]` table)."""
    with store.transaction() as tx:
        group = tx.add_group(community_id, request.name, CARRIER, room, capacity)
        tx.audit(ACTOR, ROOM_CREATED, community_id, target=f"group {group.id}",
                 detail={"room": room, "name": request.name, "join_rule": request.join_rule})  # fmt: skip
        return group


def opened_rooms(store: Store, communities: Mapping[str, Community]) -> dict[str, str]:
    """The rooms the bot created for the communities run here (room id → community slug):
    Matrix groups whose audit log says the bot created them."""
    found: dict[str, str] = {}
    for slug, community in communities.items():
        for group in store.list_groups(community.id):
            if group.carrier != CARRIER:
                continue
            # only that entry, however many others the group's history holds (a busy group's
            # newest 10,000 entries left it out, and its room went unserved)
            entries = store.audit_entries(community.id, target=f"group {group.id}",
                                          actions=[ROOM_CREATED], limit=None)  # fmt: skip
            if any(e.actor == ACTOR for e in entries):
                found[group.carrier_group_id] = slug
    return found
