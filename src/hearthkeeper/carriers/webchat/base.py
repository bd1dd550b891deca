"""What the web chat carrier's two sides share: the store and the chat's own repository, the
live connections, and the feed of events for the engine (read from the chat's queue)."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from hearthkeeper.carriers.assets import Remembered
from hearthkeeper.carriers.webchat.feed import Feed
from hearthkeeper.carriers.webchat.hub import Hub
from hearthkeeper.carriers.webchat.protocol import members_frame
from hearthkeeper.carriers.webchat.records import WebChatRoom
from hearthkeeper.carriers.webchat.repository import SqlWebChat
from hearthkeeper.clock import Clock
from hearthkeeper.engine.admission import Admission
from hearthkeeper.engine.events import Event
from hearthkeeper.playbook.positioning import BOT_NAME, Language
from hearthkeeper.store import Group, Store
from hearthkeeper.store.rooms import SqlRooms
from hearthkeeper.store.scope import StoreBase

if TYPE_CHECKING:
    from hearthkeeper.text.scan import Scanner

MiB = 1024 * 1024
UTC_ZONE = ZoneInfo("UTC")


class WebChatRefused(Exception):
    """A member's request the web chat turns down; `message` is shown to them. `elsewhere`
    is the invite code of another group of the community with room, when one has it."""

    def __init__(self, message: str, *, elsewhere: str | None = None,
                 frame: dict[str, Any] | None = None) -> None:  # fmt: skip
        super().__init__(message)
        self.message = message
        self.elsewhere = elsewhere
        self.frame = frame  # a frame the page shows besides the refusal (a closed group's line)


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
        languages: Mapping[int, Language] | None = None,
        zones: Mapping[int, ZoneInfo] | None = None,
        admission: Admission | None = None,
        staff_channels: Mapping[int, str] | None = None,
        nickname_rules: Mapping[int, Scanner] | None = None,
        staff_titles: Mapping[int, Mapping[str, str]] | None = None,
        bot_names: Mapping[int, str] | None = None,
    ) -> None:
        self.name = name
        self.store = store
        self.platform = SqlWebChat.on(store)  # the chat's own tables: users, seats, messages
        self.clock = clock
        self.uploads_dir = uploads_dir
        self.max_upload_bytes = max_upload_bytes
        self.bot_name = bot_name  # where no playbook names the bot (`bot_names`)
        # community id → its playbook's language, kept current by whoever runs the playbooks
        self.languages: Mapping[int, Language] = {} if languages is None else languages
        # community id → its playbook's time zone, kept current the same way
        self.zones: Mapping[int, ZoneInfo] = {} if zones is None else zones
        # community id → its staff channel's name or carrier id (`alerts.staff_group`) when
        # it is kept as staff's own: nobody is seated there in place of a full group
        self.staff_channels: Mapping[int, str] = {} if staff_channels is None else staff_channels
        # community id → its moderation rules, learned scorer left out, that a nickname is read
        # by on joining and renaming (`names.advert_in`), kept current the same way
        self.nickname_rules: Mapping[int, Scanner] = (
            {} if nickname_rules is None else nickname_rules
        )
        # community id → its staff roles' titles by role id (`structure.roles[].title`), no
        # member's nickname: members know staff by them; kept current the same way
        self.staff_titles: Mapping[int, Mapping[str, str]] = (
            {} if staff_titles is None else staff_titles
        )
        # community id → what its playbook calls the bot (`community.bot_name`): the sender
        # of its messages in that community's groups; kept current the same way
        self.bot_names: Mapping[int, str] = {} if bot_names is None else bot_names
        # asks a community's joining threshold before a new member is seated (None: everyone
        # is let in, as a chat built on its own for tests or demos)
        self.admission = admission
        self.hub = Hub()
        self.connected = False
        self.feed = Feed(store, name, uploads_dir)
        # A scheduled post's file as kept with the uploads (its stored name, or why not), by
        # its path, size, modification time, kind and language: a post fired in 200 groups
        # reads and hashes its file once, not once a group inside the performing transaction.
        self.kept_assets: Remembered[tuple[str | None, str | None]] = Remembered(256)
        self._groups: dict[str, Group] = {}
        self._by_id: dict[int, Group] = {}
        # Users an action was performed on: they exist (users are never removed), so a later
        # action on them needs no look-up.
        self._known_users: set[str] = set()

    def bot_name_for(self, group: Group | None) -> str:
        """What members of `group`'s community call the bot (`community.bot_name`)."""
        return self.bot_name if group is None else self.bot_names.get(group.community_id,
                                                                      self.bot_name)  # fmt: skip

    def bots_named(self) -> tuple[str, ...]:
        """Every name the bot goes by on this server (the default and each community's): a
        member's one identity and nickname is shown in all the groups they are in."""
        return (self.bot_name, *sorted(set(self.bot_names.values()) - {self.bot_name}))

    def rules_for(self, group: Group | None) -> Scanner | None:
        """The moderation rules a nickname shown in `group` is read by (None: no playbook)."""
        return None if group is None else self.nickname_rules.get(group.community_id)

    def titles_for(self, group: Group | None) -> tuple[str, ...]:
        """The staff titles no member's nickname shown in `group` may wear (none: no
        playbook)."""
        return (
            () if group is None else tuple(self.staff_titles.get(group.community_id, {}).values())
        )

    def title_of(self, group: Group, role: str) -> tuple[str, ...]:
        """The title of staff role `role` in `group`'s community (none: no such role)."""
        title = self.staff_titles.get(group.community_id, {}).get(role)
        return () if title is None else (title,)

    def language(self, group: Group) -> Language:
        """The language members of `group`'s community read (English when no playbook says)."""
        return self.languages.get(group.community_id, Language.EN)

    def seats_members(self, group: Group) -> bool:
        """Whether newcomers may be sent to `group` (any group but the staff channel)."""
        staff = self.staff_channels.get(group.community_id)
        return staff is None or staff not in (group.name, group.carrier_group_id)

    def rooms_with_room(self, scope: StoreBase, full: Group) -> list[WebChatRoom]:
        """The other groups of `full`'s community that newcomers may be sent to and that have
        room, oldest first: seats taken, seats a live code holds there and applications to it
        waiting for staff, against its capacity (`store/rooms.py`, as the live code routes)."""
        rooms = [room for room in SqlWebChat.on(scope).rooms(full.community_id, self.name)
                 if room.group.id != full.id and self.seats_members(room.group)]  # fmt: skip
        if not rooms:
            return []
        taken = {room.group.id: room.taken for room in rooms}
        loads = SqlRooms.on(scope).loads(full.community_id, self.name, self.clock.now(),
                                         taken=taken)  # fmt: skip
        free = {load.group_id for load in loads if load.group_id in taken and load.has_room}
        return [room for room in rooms if room.group.id in free]

    def zone(self, group: Group) -> ZoneInfo:
        """The clock `group`'s community keeps (UTC when no playbook says)."""
        return self.zones.get(group.community_id, UTC_ZONE)

    def take_events(self) -> list[Event]:
        """The events queued for the engine and not handed out yet, taken without waiting
        (tests use this; the engine reads `events()`)."""
        return self.feed.take()

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
        return people(self.platform, group_id)

    def _left(self, group: Group) -> None:
        """Someone is no longer in the group (the store queued the `Leave`): wake the feed
        and tell the group."""
        self.feed.signal()
        self._members_changed(group.id)

    def _members_changed(self, group_id: int) -> None:
        self.hub.broadcast(group_id, members_frame(self.platform.seats_taken(group_id)))


def people(platform: SqlWebChat, group_id: int) -> list[tuple[str, str]]:
    """(user id, nickname) of everyone in the group now (`platform`: in its transaction)."""
    return [(seated.user_id, seated.nickname) for seated in platform.seated(group_id)]
