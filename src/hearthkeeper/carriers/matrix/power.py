"""Power levels: who may do what in a room, and the edits that mute and unmute. Pure.

Matrix has no "mute": a member is muted by giving them a power level below the level needed
to send messages. The trap: from room version 12 on, the room's creators (the sender of
`m.room.create` and its `additional_creators`) have unlimited power and are *not* listed in
`m.room.power_levels` — a naive reading takes them for ordinary members at `users_default`,
and a power-levels event that lists them is refused by the server.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from hearthkeeper.playbook.positioning import Language

MESSAGE = "m.room.message"
POWER_LEVELS = "m.room.power_levels"
INFINITE = float("inf")
MODERATOR = 50  # the level Matrix clients show as "Moderator": staff keep posting in a closed room
# What closing a room (`hearth groups close`) changed, kept in the power levels themselves, so
# reopening gives exactly that back (after a restart, from any node): the old `events_default`
# and the old level of each event type raised (None: it was not set)
CLOSED_BY_HEARTH = "org.hearthkeeper.closed"


def too_low(have: float, need: int) -> dict[Language, str]:
    """What staff read when the bot's power level `have` is under the `need` of editing the
    power levels: why closing (or reopening) a room failed (`engine/not_closed.py`)."""
    level = "?" if have == INFINITE else f"{have:.0f}"
    return {
        Language.EN: f"the bot's power level in the room ({level}) is below the {need} needed "
                     "to change who may post (make the bot an Admin, power level 100)",
        Language.ZH_CN: f"机器人在该房间的权限等级（{level}）低于修改发言权限所需的 {need}"
                        "（请把机器人设为管理员，权限等级 100）",
    }  # fmt: skip


class PowerRefused(Exception):
    """The edit is impossible whatever the bot's power (e.g. muting a room creator)."""


@dataclass(frozen=True, kw_only=True)
class RoomAuthority:
    """A room's power levels and, for room versions ≥ 12, its privileged creators."""

    levels: Mapping[str, Any]
    creators: frozenset[str] = frozenset()

    def level_of(self, user_id: str) -> float:
        """The user's power level; a privileged creator's is infinite."""
        if user_id in self.creators:
            return INFINITE
        users = self.levels.get("users")
        if isinstance(users, Mapping) and isinstance(users.get(user_id), int):
            return int(users[user_id])
        return _int(self.levels.get("users_default"), 0)

    def send_level(self, event_type: str = MESSAGE) -> int:
        """The level needed to send `event_type` (a message event)."""
        events = self.levels.get("events")
        if isinstance(events, Mapping) and isinstance(events.get(event_type), int):
            return int(events[event_type])
        return _int(self.levels.get("events_default"), 0)

    def action_level(self, action: str) -> int:
        """The level needed to `kick`, `ban` or `redact` (defaults 50, as the spec says)."""
        return _int(self.levels.get(action), 50)

    def state_level(self, event_type: str) -> int:
        """The level needed to send the state event `event_type`."""
        events = self.levels.get("events")
        if isinstance(events, Mapping) and isinstance(events.get(event_type), int):
            return int(events[event_type])
        return _int(self.levels.get("state_default"), 50)

    def is_muted(self, user_id: str) -> bool:
        """Whether the user cannot send messages."""
        return self.level_of(user_id) < self.send_level()

    def muted(self, user_id: str) -> dict[str, Any]:
        """The power-levels content with `user_id` unable to send messages."""
        if user_id in self.creators:
            raise PowerRefused(f"{user_id} created the room and cannot be muted")
        target = min(self.send_level(), self.send_level("m.reaction")) - 1
        current = self.level_of(user_id)
        if current <= target:
            return dict(self.levels)
        return self._with_user(user_id, target)

    @property
    def closed(self) -> bool:
        """Whether the room was closed by `closed_levels` (and not reopened since)."""
        return isinstance(self.levels.get(CLOSED_BY_HEARTH), Mapping)

    def closed_levels(self) -> dict[str, Any]:
        """The power-levels content of the room closed: members (at `users_default`, or any
        level under a moderator's) can send no message event any more; moderators, admins and
        the bot still can. Every level raised is kept under `CLOSED_BY_HEARTH`."""
        if self.closed:
            return dict(self.levels)
        needed = max(MODERATOR, _int(self.levels.get("users_default"), 0) + 1)
        content = dict(self.levels)
        events = dict(content.get("events") or {})
        kept: dict[str, Any] = {"events_default": self.levels.get("events_default"), "events": {}}
        content["events_default"] = max(needed, _int(self.levels.get("events_default"), 0))
        for kind, level in events.items():
            if isinstance(level, int) and level < needed and not kind.startswith("m.room.power"):
                kept["events"][kind] = level
                events[kind] = needed
        content["events"] = events
        content[CLOSED_BY_HEARTH] = kept
        return self._without_creators(content)

    def reopened_levels(self) -> dict[str, Any]:
        """The power-levels content with what `closed_levels` raised given back."""
        kept = self.levels.get(CLOSED_BY_HEARTH)
        if not isinstance(kept, Mapping):
            return dict(self.levels)
        content = {k: v for k, v in self.levels.items() if k != CLOSED_BY_HEARTH}
        if isinstance(kept.get("events_default"), int):
            content["events_default"] = kept["events_default"]
        else:
            content.pop("events_default", None)
        events = dict(content.get("events") or {})
        raised = kept.get("events")
        for kind, level in raised.items() if isinstance(raised, Mapping) else ():
            if isinstance(level, int):
                events[kind] = level
            else:
                events.pop(kind, None)
        content["events"] = events
        return self._without_creators(content)

    def unmuted(self, user_id: str) -> dict[str, Any]:
        """The power-levels content with `user_id` back at the room's default, or at the send
        level where the default itself cannot send (a read-only room). In a room closed by
        `closed_levels`, back at the default: once reopened, they post like everyone else."""
        if not self.is_muted(user_id) or user_id in self.creators:
            return dict(self.levels)
        if self.closed:
            return self._with_user(user_id, None)
        default = _int(self.levels.get("users_default"), 0)
        return self._with_user(user_id, None if default >= self.send_level() else self.send_level())

    def _with_user(self, user_id: str, level: int | None) -> dict[str, Any]:
        content = self._without_creators(dict(self.levels))
        users = dict(content.get("users") or {})
        if level is None:
            users.pop(user_id, None)
        else:
            users[user_id] = level
        content["users"] = users
        return content

    def _without_creators(self, content: dict[str, Any]) -> dict[str, Any]:
        # Never write a creator back into the map: v12 servers refuse such an event.
        if self.creators and isinstance(content.get("users"), Mapping):
            content["users"] = {u: v for u, v in content["users"].items()
                                if u not in self.creators}  # fmt: skip
        return content


def privileged_creators(create: Mapping[str, Any]) -> frozenset[str]:
    """The creators with unlimited power for the raw `m.room.create` event; empty for room
    versions before 12, where creators hold only what the power levels give them."""
    content = create.get("content")
    content = content if isinstance(content, Mapping) else {}
    if not _creators_privileged(str(content.get("room_version", "1"))):
        return frozenset()
    found = {create["sender"]} if isinstance(create.get("sender"), str) else set()
    extra = content.get("additional_creators")
    if isinstance(extra, list):
        found.update(u for u in extra if isinstance(u, str))
    return frozenset(found)


def _creators_privileged(version: str) -> bool:
    if version == "org.matrix.hydra.11":
        return True
    return version.isdigit() and int(version) >= 12


def _int(value: object, default: int) -> int:
    return value if isinstance(value, int) and not isinstance(value, bool) else default
