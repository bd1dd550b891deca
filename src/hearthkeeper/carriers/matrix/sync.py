"""One sync response read into engine events and room decisions. Pure."""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from hearthkeeper.carriers.matrix.rooms import RoomMap
from hearthkeeper.carriers.matrix.translate import BotIdentity, translate
from hearthkeeper.engine.events import Event

Section = Literal["join", "leave", "invite"]


@dataclass(frozen=True)
class RoomUpdate:
    """The raw events of one room in one sync response; `section` is where the room was."""

    room_id: str
    section: Section
    events: Sequence[Mapping[str, Any]] = ()


@dataclass
class SyncReading:
    """What a sync response means for the bot."""

    events: list[Event] = field(default_factory=list)
    to_join: list[str] = field(default_factory=list)  # invitations to mapped rooms
    removed: dict[str, str] = field(default_factory=dict)  # room → who kicked or banned the bot


class RecentIds:
    """The last `size` event ids handed out, so one process never hands an event out twice."""

    def __init__(self, size: int = 10_000) -> None:
        self.size = size
        self._ids: OrderedDict[str, None] = OrderedDict()

    def add(self, event_id: str) -> bool:
        """True the first time `event_id` is seen."""
        if event_id in self._ids:
            return False
        self._ids[event_id] = None
        if len(self._ids) > self.size:
            self._ids.popitem(last=False)
        return True


def room_updates(body: Mapping[str, Any]) -> list[RoomUpdate]:
    """The room sections of a raw /sync response body: invitations first, then the joined
    rooms' and the left rooms' timelines. Anything not shaped as the spec says is skipped."""
    rooms = body.get("rooms")
    if not isinstance(rooms, Mapping):
        return []
    updates: list[RoomUpdate] = []
    invited = rooms.get("invite")
    if isinstance(invited, Mapping):
        updates.extend(RoomUpdate(str(room_id), "invite") for room_id in invited)
    sections: tuple[Section, ...] = ("join", "leave")
    for section in sections:
        infos = rooms.get(section)
        if not isinstance(infos, Mapping):
            continue
        for room_id, info in infos.items():
            timeline = info.get("timeline") if isinstance(info, Mapping) else None
            raws = timeline.get("events") if isinstance(timeline, Mapping) else None
            events = [e for e in raws if isinstance(e, Mapping)] if isinstance(raws, list) else []
            updates.append(RoomUpdate(str(room_id), section, events))
    return updates


def gaps(body: Mapping[str, Any]) -> list[str]:
    """The joined rooms whose timeline in this response is `limited`: the server left out
    events between the previous position and these (too many to send at once)."""
    joined = body.get("rooms", {}).get("join", {}) if isinstance(body.get("rooms"), Mapping) else {}
    return [str(room_id) for room_id, info in joined.items()
            if isinstance(info, Mapping) and isinstance(info.get("timeline"), Mapping)
            and info["timeline"].get("limited") is True]  # fmt: skip


def read_sync(updates: Sequence[RoomUpdate], bot: BotIdentity, rooms: RoomMap,
              seen: RecentIds) -> SyncReading:  # fmt: skip
    """Events of mapped rooms, in order, each once; the invitations to accept; the rooms the
    bot was removed from. A kicked bot learns of it only here: its own leave arrives in the
    response's `leave` section, not in `join`."""
    reading = SyncReading()
    for update in updates:
        if not rooms.accepts(update.room_id):
            continue
        if update.section == "invite":
            reading.to_join.append(update.room_id)
            continue
        found: list[Event] = []
        for raw in update.events:
            if _is_own_removal(raw, bot):
                reading.removed[update.room_id] = str(raw.get("sender"))
                continue
            if _is_own_join(raw, bot):
                found.clear()  # the history before the bot came in is not the bot's to handle
                continue
            event = translate(update.room_id, raw, bot)
            if event is not None and event.sender.user_id != bot.user_id:
                found.append(event)
        reading.events.extend(e for e in found if seen.add(e.event_id))
    return reading


def _is_own_join(raw: Mapping[str, Any], bot: BotIdentity) -> bool:
    content, unsigned = raw.get("content"), raw.get("unsigned")
    prev = unsigned.get("prev_content") if isinstance(unsigned, Mapping) else None
    return (
        raw.get("type") == "m.room.member"
        and raw.get("state_key") == bot.user_id
        and isinstance(content, Mapping)
        and content.get("membership") == "join"
        and not (isinstance(prev, Mapping) and prev.get("membership") == "join")
    )


def _is_own_removal(raw: Mapping[str, Any], bot: BotIdentity) -> bool:
    content = raw.get("content")
    return (
        raw.get("type") == "m.room.member"
        and raw.get("state_key") == bot.user_id
        and raw.get("sender") != bot.user_id
        and isinstance(content, Mapping)
        and content.get("membership") in ("leave", "ban")
    )
