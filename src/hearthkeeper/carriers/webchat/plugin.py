"""The built-in web chat as a plug-in: it runs without a table (`[carriers.webchat]` only
changes its abuse limits), gives each community a first group, hosts its groups on this
server (the invite links, opening another group) and adds its pages to the web app."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Coroutine, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from hearthkeeper.carriers.plugin import CarrierTable, ServedCarrier, ServerParts
from hearthkeeper.carriers.webchat.groups import (
    WEBCHAT,
    ensure_staff_channel,
    ensure_webchat_group,
    open_next_group,
)
from hearthkeeper.lazy import exports

if TYPE_CHECKING:
    from fastapi import APIRouter

    from hearthkeeper.carriers.webchat.carrier import WebChatCarrier
    from hearthkeeper.carriers.webchat.settings import WebChatLimits
    from hearthkeeper.config import Settings
    from hearthkeeper.playbook import Playbook
    from hearthkeeper.playbook.positioning import Language
    from hearthkeeper.store import Group, Store
    from hearthkeeper.text.scan import Scanner
    from hearthkeeper.web.context import Web

# Every `hearth` command imports the plug-ins (for their kinds and commands): the carrier, its
# pages and FastAPI are imported when a server serves it, its settings (pydantic) when read.
__getattr__ = exports(__name__, {"WebChatLimits": ".settings"})

__all__ = [
    "WebChatLimits",
    "WebChatPlugin",
    "WebChatSetup",
    "served",
    "webchat_limits",
    "webchat_of",
]


class WebChatPlugin:
    """Always runs: the table is optional."""

    kind = WEBCHAT
    # a scheduled post's picture shown; its video, voice or file as a download
    sends_files = frozenset({"picture", "video", "voice", "file"})

    def configure(self, table: CarrierTable) -> WebChatSetup:
        """The limits of the table (`ConfigError` naming each wrong setting)."""
        from hearthkeeper.carriers.webchat.settings import read_limits

        return WebChatSetup(read_limits(table))

    def default(self) -> WebChatSetup:
        """No table: the default limits."""
        from hearthkeeper.carriers.webchat.settings import WebChatLimits

        return WebChatSetup(WebChatLimits())

    def sample(self) -> str:
        """The commented table `hearth init` writes: the defaults."""
        from hearthkeeper.carriers.webchat.settings import WebChatLimits

        limits = WebChatLimits()
        return (
            "# The web chat's abuse limits, per member or client address (docs/cli.md).\n"
            f"# [carriers.{WEBCHAT}]\n"
            f"# messages_per_10s = {limits.messages_per_10s}\n"
            f"# joins_per_minute = {limits.joins_per_minute}\n"
            f"# uploads_per_hour = {limits.uploads_per_hour}\n"
            f"# upload_mib_per_hour = {limits.upload_mib_per_hour}\n"
            f"# unused_upload_hours = {limits.unused_upload_hours}\n"
            f"# renames_per_hour = {limits.renames_per_hour}\n"
        )

    def commands(self) -> None:
        """No commands of its own."""
        return None


@dataclass(frozen=True)
class WebChatSetup:
    """The web chat's limits on one server, and the language each community's members read
    (kept current as playbooks are applied: the carrier reads the same mapping)."""

    limits: WebChatLimits
    languages: dict[int, Language] = field(default_factory=dict, compare=False)
    zones: dict[int, ZoneInfo] = field(default_factory=dict, compare=False)
    staff_channels: dict[int, str] = field(default_factory=dict, compare=False)
    nickname_rules: dict[int, Scanner] = field(default_factory=dict, compare=False)
    staff_titles: dict[int, dict[str, str]] = field(default_factory=dict, compare=False)
    bot_names: dict[int, str] = field(default_factory=dict, compare=False)

    def adopt(self, store: Store, community_id: int, playbook: Playbook) -> None:
        """Every community has a web chat group to invite members to, and its staff channel
        when the playbook names one only the web chat can hold; its pages speak the
        playbook's `community.language`."""
        self.languages[community_id] = playbook.community.language
        self.zones[community_id] = ZoneInfo(playbook.community.timezone)
        self.bot_names[community_id] = playbook.community.bot_name
        from hearthkeeper.text.scan import Scanner

        # built once a playbook: a nickname is read by them once a join or rename
        self.nickname_rules[community_id] = Scanner.from_rules(playbook.rules, scorer=None)
        self.staff_titles[community_id] = {
            role: held.title for role, held in playbook.structure.roles.items()
        }
        staff = playbook.alerts.staff_group
        if staff and not playbook.alerts.staff_group_as_members:
            self.staff_channels[community_id] = staff
        else:
            self.staff_channels.pop(community_id, None)
        ensure_staff_channel(store, community_id, playbook)
        ensure_webchat_group(store, community_id, playbook)

    def serve(self, server: ServerParts) -> ServedCarrier:
        """The carrier, its pages, its hosted groups."""
        from hearthkeeper.carriers.webchat.carrier import WebChatCarrier

        chat = WebChatCarrier(server.store, server.clock, server.web.data_dir / "uploads",
                              max_upload_bytes=server.web.max_upload_bytes,
                              languages=self.languages, zones=self.zones,
                              admission=server.admission,
                              staff_channels=self.staff_channels,
                              nickname_rules=self.nickname_rules,
                              staff_titles=self.staff_titles,
                              bot_names=self.bot_names)  # fmt: skip
        if server.cluster is None:
            return served(chat, self.limits)
        # Several processes share the database: the engine workers split the groups between
        # them, and each web node shows the others' frames to its own browsers.
        from hearthkeeper.carriers.webchat.shared_feed import SharedFeed

        chat.feed = SharedFeed(server.store, chat.name, chat.uploads_dir, server.cluster)
        return replace(served(chat, self.limits), background=chat_relay(chat), shared=True)


@dataclass(frozen=True)
class WebChatGroups:
    """The web chat's groups are hosted here: invite links and new groups."""

    chat: WebChatCarrier
    remote = False  # a new group is a row in the store: opened in the caller's transaction

    def invite_path(self, group_id: int) -> str:
        """`/join/<code>`, the code made on first use."""
        return f"/join/{self.chat.invite_code(group_id)}"

    def invite_paths(self, group_ids: Sequence[int]) -> dict[int, str]:
        """`invite_path` of each group, read at once."""
        return {g: f"/join/{code}" for g, code in self.chat.invite_codes(group_ids).items()}

    def open_group(self, store: Store, community_id: int, playbook: Playbook) -> Group:
        """The next group, named by `replication.naming` with the next free number."""
        return open_next_group(store, community_id, playbook, carrier=self.chat.name)


def served(chat: WebChatCarrier, limits: WebChatLimits | None = None) -> ServedCarrier:
    """`chat` as a server runs it: with its pages (under `limits`) and its hosted groups."""
    from hearthkeeper.carriers.webchat.settings import WebChatLimits

    chosen = limits or WebChatLimits()

    def routes(web: Web) -> APIRouter:
        from hearthkeeper.carriers.webchat.routes import webchat_router

        return webchat_router(web, chat, chosen)

    return ServedCarrier(carrier=chat, routes=routes, hosted=WebChatGroups(chat))


def chat_relay(
    chat: WebChatCarrier,
) -> tuple[Callable[[asyncio.Event], Coroutine[Any, Any, None]], ...]:
    """Relay `chat`'s frames through PostgreSQL to the other nodes (and theirs to it); a
    member's message seen on another node counts as shown, for the engine's feed."""
    from hearthkeeper.carriers.webchat.relay import RelayedHub

    hub = RelayedHub(chat.store.engine)
    hub.on_member_message = chat.feed.announce
    chat.hub = hub

    async def relay(stop: asyncio.Event) -> None:
        try:
            await hub.listen(stop)
        finally:  # what is still queued for the other nodes goes out before stopping
            await asyncio.to_thread(hub.close)

    return (relay,)


def webchat_limits(settings: Settings) -> WebChatLimits:
    """The web chat's limits in `settings` (the defaults when hearth.toml sets none)."""
    from hearthkeeper.carriers.webchat.settings import WebChatLimits

    setup = settings.carriers.get(WEBCHAT)
    return setup.limits if isinstance(setup, WebChatSetup) else WebChatLimits()


def webchat_of(carriers: Mapping[str, ServedCarrier]) -> WebChatCarrier:
    """The web chat among a server's carriers (for its member side: the demo, tests)."""
    from hearthkeeper.carriers.webchat.carrier import WebChatCarrier

    chat = carriers[WEBCHAT].carrier
    if not isinstance(chat, WebChatCarrier):
        raise LookupError(f"the {WEBCHAT!r} carrier is a {type(chat).__name__}")
    return chat
