"""One sync response read into engine events and room decisions. Pure, but for the log line
of an event it skips because it could not read it."""

from __future__ import annotations

import logging
from collections import OrderedDict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any, Literal

from hearthkeeper.carriers.matrix.rooms import RoomMap
from hearthkeeper.carriers.matrix.translate import BotIdentity, translate
from hearthkeeper.engine.events import Event

Section = Literal["join", "leave", "invite"]

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class RoomUpdate:
    """The raw events of one room in one sync response; `section` is where the room was."""

    room_id: str
    section: Section
    events: Sequence[Mapping[str, Any]] = ()  # the timeline
    state: Sequence[Mapping[str, Any]] = ()  # state changes before the timeline
    limited: bool = False  # the server left out events before the timeline (too many)


class Names:
    """Members' display names per room, learnt from membership events (Matrix messages carry
    none), so that what the bot says names people as their room shows them."""

    def __init__(self) -> None:
        self._names: dict[tuple[str, str], str] = {}

    def learn(self, room_id: str, raw: Mapping[str, Any]) -> None:
        """Note the display name a membership event sets (or clears)."""
        content, user = raw.get("content"), raw.get("state_key")
        if raw.get("type") != "m.room.member" or not isinstance(user, str):
            return
        if not isinstance(content, Mapping) or content.get("membership") != "join":
            return
        self.set(room_id, user, content.get("displayname"))

    def set(self, room_id: str, user_id: str, name: object) -> None:
        if isinstance(name, str) and name.strip():
            self._names[(room_id, user_id)] = name.strip()
        else:
            self._names.pop((room_id, user_id), None)

    def of(self, room_id: str, user_id: str) -> str:
        """The member's display name in the room, "" when none is known."""
        return self._names.get((room_id, user_id), "")

    def named(self, event: Event) -> Event:
        """`event` with its sender's display name filled in, when the carrier said none."""
        name = "" if event.sender.display_name else self.of(event.group, event.sender.user_id)
        return replace(event, sender=replace(event.sender, display_name=name)) if name else event


@dataclass(frozen=True)
class Knock:
    """Someone asking to join a room whose join rule is `knock`; `reason` is what they wrote
    with it (their answers, an invite code)."""

    room_id: str
    user_id: str
    display_name: str
    reason: str
    event_id: str


@dataclass
class SyncReading:
    """What a sync response means for the bot."""

    events: list[Event] = field(default_factory=list)
    knocks: list[Knock] = field(default_factory=list)  # join requests for the door to screen
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
            if not isinstance(info, Mapping):
                info = {}
            timeline = info.get("timeline")
            limited = isinstance(timeline, Mapping) and timeline.get("limited") is True
            updates.append(RoomUpdate(str(room_id), section, _events(timeline),
                                      _events(info.get("state")), limited))  # fmt: skip
    return updates


def _events(block: object) -> list[Mapping[str, Any]]:
    raws = block.get("events") if isinstance(block, Mapping) else None
    return [e for e in raws if isinstance(e, Mapping)] if isinstance(raws, list) else []


def read_sync(updates: Sequence[RoomUpdate], bot: BotIdentity, rooms: RoomMap,
              seen: RecentIds, names: Names | None = None) -> SyncReading:  # fmt: skip
    """Events of mapped rooms, in order, each once; the invitations to accept; the rooms the
    bot was removed from. A kicked bot learns of it only here: its own leave arrives in the
    response's `leave` section, not in `join`."""
    reading = SyncReading()
    names = names if names is not None else Names()
    for update in updates:
        if not rooms.accepts(update.room_id):
            continue
        if update.section == "invite":
            reading.to_join.append(update.room_id)
            continue
        for raw in update.state:
            names.learn(update.room_id, raw)
        found: list[Event] = []
        for raw in update.events:
            names.learn(update.room_id, raw)
            knock = knock_of(update.room_id, raw)
            if knock is not None and seen.add(knock.event_id):
                reading.knocks.append(knock)
                continue
            if _is_own_removal(raw, bot):
                reading.removed[update.room_id] = str(raw.get("sender"))
                continue
            if _is_own_join(raw, bot):
                found.clear()  # the history before the bot came in is not the bot's to handle
                continue
            event = _translated(update.room_id, raw, bot)
            if event is not None and event.sender.user_id != bot.user_id:
                found.append(names.named(event))
        reading.events.extend(e for e in found if seen.add(e.event_id))
    return reading


def _translated(room_id: str, raw: Mapping[str, Any], bot: BotIdentity) -> Event | None:
    """`translate`, except that an event it cannot read is skipped, said in the log: one
    event a homeserver sent oddly must not stop the bot reading every room (the sync loop
    would end, or resume at that event and end again)."""
    try:
        return translate(room_id, raw, bot)
    except Exception:  # anything at all: the loop must go on
        log.exception("matrix: skipped event %s of %s, which could not be read",
                      str(raw.get("event_id"))[:200], room_id[:200])  # fmt: skip
        return None


def knock_of(room_id: str, raw: Mapping[str, Any]) -> Knock | None:
    """The knock a membership event is, if it is one."""
    content, user, event_id = raw.get("content"), raw.get("state_key"), raw.get("event_id")
    if raw.get("type") != "m.room.member" or not isinstance(content, Mapping):
        return None
    if content.get("membership") != "knock" or not isinstance(user, str):
        return None
    if not isinstance(event_id, str):
        return None
    name, reason = content.get("displayname"), content.get("reason")
    return Knock(room_id, user, name if isinstance(name, str) else "",
                 reason.strip() if isinstance(reason, str) else "", event_id)  # fmt: skip


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
