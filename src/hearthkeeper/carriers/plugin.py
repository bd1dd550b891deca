"""How a kind of carrier plugs into Hearthkeeper: its settings table, how it serves a server's
communities, and what it adds to the web side and the command line.

The host, the configuration and the web name no concrete carrier: they go through the
`CarrierPlugin`s of `installed.py`, keyed by kind (a group's `carrier`, the playbook's
`structure.carriers[].kind`, the `[carriers.<kind>]` table of hearth.toml). A plug-in may
read its settings from a table named otherwise (`table_name`): QQ is reached through the
OneBot protocol, so its kind is `qq` and its table `[carriers.onebot]`.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Coroutine, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    import typer
    from fastapi import APIRouter

    from hearthkeeper.clock import Clock
    from hearthkeeper.engine.admission import Admission
    from hearthkeeper.engine.carrier import Carrier
    from hearthkeeper.playbook import Playbook
    from hearthkeeper.store import Community, Group, Store
    from hearthkeeper.store.cluster import Cluster
    from hearthkeeper.web.context import Web, WebSettings


@dataclass(frozen=True)
class CarrierTable:
    """A carrier's settings table as read from hearth.toml, and where it was written."""

    values: Mapping[str, Any]  # {} when the file has no table for the carrier
    path: str  # as written: "carriers.matrix", or the older top-level "matrix"
    file: str  # the configuration file, or "the configuration" when there is none
    env: Mapping[str, str]  # secrets come from here and win over the file's
    data_dir: Path

    def where(self, field: str = "") -> str:
        """`FILE: carriers.matrix.homeserver`: how a message says which setting is wrong."""
        return f"{self.file}: {self.path}" + (f".{field}" if field else "")


@dataclass(frozen=True)
class ServerParts:
    """What a carrier is given by the server that runs it."""

    store: Store
    clock: Clock
    web: WebSettings
    communities: Mapping[str, Community]  # the communities this server runs, by slug
    admission: Admission  # asks a community's threshold whether a joiner may come in
    # Set when this process is one of several sharing a PostgreSQL database (`hearth serve
    # --role`): a carrier spreads its groups over the engine workers and relays what it shows
    # to the other web nodes. None: this process is the only one.
    cluster: Cluster | None = None


class GroupOpener(Protocol):
    """A carrier that can open a community's next group: named by `copy.naming`, as large as
    `structure.groups.capacity`, recorded as a group of the community (a live code opens one
    when the newest is nearly full)."""

    @property
    def remote(self) -> bool:
        """Whether opening asks another server (Matrix: the bot creates a room), which takes
        time and may fail: such an opener is called with the store, outside any transaction,
        one opening at a time per community; one that is not remote (the web chat) writes in
        the caller's transaction."""
        ...

    def open_group(self, store: Store, community_id: int, playbook: Playbook) -> Group:
        """The community's next group, named and sized by its playbook (`StoreError`, or
        `CarrierError` for a remote opener, when it cannot be opened)."""
        ...


class HostedGroups(GroupOpener, Protocol):
    """A carrier whose groups this server hosts itself (the built-in web chat): it opens a
    community's next group, and members join one through a link the server serves."""

    def invite_path(self, group_id: int) -> str:
        """The path of the group's invite link (`/join/<code>`), made on first use."""
        ...

    def invite_paths(self, group_ids: Sequence[int]) -> dict[int, str]:
        """`invite_path` of each of these groups, read at once (a page listing hundreds)."""
        ...


@dataclass(frozen=True)
class ServedCarrier:
    """One carrier as a server runs it, with what it adds to the web side and the terminal."""

    carrier: Carrier
    routes: Callable[[Web], APIRouter] | None = None  # its own pages, mounted in the web app
    hosted: HostedGroups | None = None  # set when this server hosts the carrier's groups
    status: tuple[str, ...] = ()  # lines `hearth serve` prints once started
    # A carrier not hosted here that can open groups all the same (Matrix: the bot creates
    # rooms), and the link a person opens to join one of its groups (the Matrix join page, a
    # Telegram invite link), given the token of the link they came by (`code:<slug>`,
    # `ref:<token>`, or None); `attributes`: whether a join by that link carries the token
    # back as `Join.source` (Telegram: the invite link named after it; Matrix: the join page,
    # whose invitation is remembered until the join).
    opens: GroupOpener | None = None
    join_link: Callable[[Group, str | None], str] | None = None
    attributes: bool = False
    # Work the carrier needs running in every role until the event is set (the web chat's
    # relay listener, which shows the other nodes' frames to this node's browsers).
    background: tuple[Callable[[asyncio.Event], Coroutine[Any, Any, None]], ...] = ()
    # Whether every engine worker may run this carrier at once (the web chat, whose groups
    # the workers share); a carrier with one connection to its platform runs in one only.
    shared: bool = False
    # Why this carrier cannot run with the web and the engine in different processes
    # (`--role web|engine`), said at start; None: it can. Telegram's webhook is posted to the
    # web while its bot runs in one engine worker, so nothing would take the updates.
    needs_one_process: str | None = None

    def opener(self) -> GroupOpener | None:
        """How this carrier opens a community's next group; None: it cannot."""
        return self.opens if self.opens is not None else self.hosted


class CarrierSetup(Protocol):
    """A carrier's checked settings, ready to serve one server's communities."""

    def adopt(self, store: Store, community_id: int, playbook: Playbook) -> None:
        """Called for each community as it starts and whenever it runs a new playbook (the web
        chat gives it a first group here)."""
        ...

    def serve(self, server: ServerParts) -> ServedCarrier:
        """Once every community has started: take up the groups the settings name (raising
        `ConfigError` for one no community here can have) and build the carrier (not yet
        connected: the engine connects it)."""
        ...


class CarrierPlugin(Protocol):
    """One kind of carrier this Hearthkeeper can run."""

    @property
    def kind(self) -> str:
        """The carrier's name: a group's `carrier`, the `[carriers.<kind>]` table."""
        ...

    def configure(self, table: CarrierTable) -> CarrierSetup:
        """The settings table checked; `ConfigError` (saying file, table path and fix) if not."""
        ...

    def default(self) -> CarrierSetup | None:
        """How the carrier runs when hearth.toml has no table for it; None: it does not run."""
        ...

    def sample(self) -> str:
        """Its table for `hearth init`'s hearth.toml, commented out, with a comment above."""
        ...

    def commands(self) -> typer.Typer | None:
        """Its own commands, `hearth <kind> ...` (None: it has none)."""
        ...


def table_name(plugin: CarrierPlugin) -> str:
    """The `[carriers.<name>]` table the plug-in reads: its kind, unless it has a `table`
    attribute naming another (the QQ plug-in, kind `qq`, reads `[carriers.onebot]`: the
    platform is what playbooks and groups name, the protocol is what the operator sets up)."""
    table = getattr(plugin, "table", None)
    return table if isinstance(table, str) and table else plugin.kind


def sent_files(plugin: CarrierPlugin) -> frozenset[str]:
    """The content kinds (picture, video, voice, file) whose files the plug-in's carrier sends
    with a scheduled post: its `sends_files` attribute; none without one (it posts the item's
    text or title only)."""
    sends = getattr(plugin, "sends_files", None)
    return frozenset(sends) if isinstance(sends, frozenset) else frozenset()


def unmapped(where: str, slug: str, communities: Mapping[str, Community]) -> str:
    """The refusal of a `[carriers.*]` mapping to a community no playbook here runs: which do,
    as `slug (name)`, and, when `slug` is one of their names, the slug to write instead."""
    served = ", ".join(communities[s].shown for s in sorted(communities)) or "none"
    said = f"{where} is mapped to community {slug!r}, which no playbook of this server runs"
    named = next((c for c in communities.values() if c.name == slug.strip()), None)
    if named is not None:
        return f"{said}: that is the name of {named.shown}; map it to its slug, {named.slug!r}"
    return f"{said} (communities run here: {served})"


def owned_elsewhere(where: str, slug: str, owner: Community | None) -> str:
    """The refusal of a `[carriers.*]` mapping of a group that is another community's."""
    shown = "?" if owner is None else owner.shown
    fix = "" if owner is None else f" (map it to {owner.slug!r})"
    return (f"{where} is mapped to {slug!r}, but it is already a group of community {shown}; "
            f"a group belongs to one community{fix}")  # fmt: skip
