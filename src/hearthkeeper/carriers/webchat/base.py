"""What the web chat carrier's two sides share: the store, the live connections, and the
queue of events for the engine."""

from __future__ import annotations

import asyncio
import uuid
from pathlib import Path

from hearthkeeper.carriers.webchat.hub import Hub
from hearthkeeper.carriers.webchat.protocol import members_frame
from hearthkeeper.clock import Clock
from hearthkeeper.engine.events import Event, Leave, Sender
from hearthkeeper.store import Group, Store

MiB = 1024 * 1024
BOT_NAME = "Hearthkeeper"


class WebChatRefused(Exception):
    """A member's request the web chat turns down; `message` is shown to them. `elsewhere`
    is the invite code of another group of the community with room, when one has it."""

    def __init__(self, message: str, *, elsewhere: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.elsewhere = elsewhere


class ChatBase:
    """State shared by the member side (join, say, leave) and the engine side (perform)."""

    def __init__(
        self,
        store: Store,
        clock: Clock,
        uploads_dir: Path,
        *,
        name: str = "webchat",
        max_upload_bytes: int = 5 * MiB,
        bot_name: str = BOT_NAME,
    ) -> None:
        self.name = name
        self.store = store
        self.clock = clock
        self.uploads_dir = uploads_dir
        self.max_upload_bytes = max_upload_bytes
        self.bot_name = bot_name
        self.hub = Hub()
        self.connected = False
        self._events: asyncio.Queue[Event | None] = asyncio.Queue()
        self._groups: dict[str, Group] = {}
        self._by_id: dict[int, Group] = {}

    def take_events(self) -> list[Event]:
        """The events queued for the engine, taken without waiting (the simulator and tests
        use this; the engine reads `events()`)."""
        taken: list[Event] = []
        ended = False
        while not self._events.empty():
            event = self._events.get_nowait()
            if event is None:
                ended = True
            else:
                taken.append(event)
        if ended:
            self._events.put_nowait(None)
        return taken

    def _emit(self, event: Event) -> None:
        self._events.put_nowait(event)

    def _group(self, carrier_group_id: str) -> Group | None:
        """One of this carrier's groups by the id the engine knows it by."""
        group = self._groups.get(carrier_group_id)
        if group is None:
            group = self.store.group_for_carrier(self.name, carrier_group_id)
            if group is not None:
                self._groups[carrier_group_id] = group
        return group

    def _group_by_id(self, group_id: int) -> Group | None:
        """One of this carrier's groups by its store id (groups are never removed)."""
        group = self._by_id.get(group_id)
        if group is None:
            group = self.store.get_group(group_id)
            if group is None or group.carrier != self.name:
                return None
            self._by_id[group_id] = group
        return group

    def _people(self, group_id: int) -> list[tuple[str, str]]:
        """(user id, nickname) of everyone in the group now, for mentions."""
        return [(seated.user_id, seated.nickname) for seated in self.store.webchat_seated(group_id)]

    def _sender(self, user_id: str) -> Sender:
        user = self.store.webchat_user(user_id)
        return Sender(user_id=user_id, display_name=user.nickname if user else "")

    def _left(self, group: Group, user_id: str, *, removed_by: str | None = None) -> None:
        """Tell the engine and the group that someone is no longer in it."""
        self._emit(Leave(carrier=self.name, group=group.carrier_group_id,
                         event_id=f"leave-{uuid.uuid4().hex}",
                         at=self.clock.now(), sender=self._sender(user_id),
                         removed_by=removed_by))  # fmt: skip
        self._members_changed(group.id)

    def _members_changed(self, group_id: int) -> None:
        self.hub.broadcast(group_id, members_frame(self.store.webchat_seats_taken(group_id)))
