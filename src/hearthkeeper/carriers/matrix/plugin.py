"""The Matrix carrier as a plug-in: the `[carriers.matrix]` table, its mapped rooms taken up as
groups when the server starts, the bot built for the engine, and `hearth matrix ...`."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from hearthkeeper.carriers.plugin import (
    CarrierTable,
    ServedCarrier,
    ServerParts,
    owned_elsewhere,
    unmapped,
)

if TYPE_CHECKING:
    import typer
    from fastapi import APIRouter

    from hearthkeeper.carriers.matrix.settings import MatrixSettings
    from hearthkeeper.config import Settings
    from hearthkeeper.playbook import Playbook
    from hearthkeeper.playbook.positioning import Language
    from hearthkeeper.store import Community, Group, Store
    from hearthkeeper.web.context import Web

# Every `hearth` command imports the plug-ins (for their kinds and commands): the bot's client
# (matrix-nio) is imported when a server serves it, its settings (pydantic) when read.

MATRIX = "matrix"


class MatrixPlugin:
    """Runs only with a table: the bot needs an account."""

    kind = MATRIX
    sends_files = frozenset({"picture", "video", "voice", "file"})  # uploaded, then shown

    def configure(self, table: CarrierTable) -> MatrixSetup:
        """The table checked (`ConfigError` saying which setting and how to write it)."""
        from hearthkeeper.carriers.matrix.settings import read_matrix

        return MatrixSetup(read_matrix(table))

    def default(self) -> None:
        """No table, no bot."""
        return None

    def sample(self) -> str:
        """The commented table `hearth init` writes."""
        from hearthkeeper.carriers.matrix.settings import ENV_MATRIX_TOKEN

        return (
            "# A Matrix bot (docs/carriers/matrix.md): uncomment, then map rooms to communities.\n"
            f"# [carriers.{MATRIX}]\n"
            '# homeserver = "https://matrix.example.org"\n'
            '# user_id = "@hearth:example.org"\n'
            f"# access_token in the environment: {ENV_MATRIX_TOKEN}\n"
            f"# [carriers.{MATRIX}.rooms]\n"
            '# "!AbCdEf:example.org" = "your-community-slug"\n'
        )

    def commands(self) -> typer.Typer:
        """`hearth matrix rooms`, imported when one of them runs."""
        # Imported here: the command line imports every plug-in, so a plug-in that imported the
        # command line at its top would make each import the other half-initialised.
        from hearthkeeper.cli.lazy import lazy_typer

        return lazy_typer(
            "hearthkeeper.carriers.matrix.cli:app",
            help="The Matrix bot of the [carriers.matrix] table (docs/carriers/matrix.md).",
        )


@dataclass(frozen=True)
class MatrixSetup:
    """The checked table of one server."""

    settings: MatrixSettings
    # each community's language, for the join page (kept up to date by `adopt`)
    languages: dict[int, Language] = field(default_factory=dict, compare=False)

    def adopt(self, store: Store, community_id: int, playbook: Playbook) -> None:
        """Rooms are mapped in hearth.toml, not per playbook: only the community's language
        is noted, for the join page."""
        self.languages[community_id] = playbook.community.language

    def serve(self, server: ServerParts) -> ServedCarrier:
        """Every mapped room a group of its community, then the bot (not yet signed in)."""
        from hearthkeeper.carriers.matrix.carrier import MatrixAccount, MatrixCarrier
        from hearthkeeper.carriers.matrix.opening import MatrixGroups, opened_rooms
        from hearthkeeper.carriers.matrix.position import SyncPosition
        from hearthkeeper.carriers.matrix.rooms import RoomMap

        adopt_rooms(server.store, self.settings, server.communities)
        matrix = self.settings
        account = MatrixAccount(homeserver=matrix.homeserver, user_id=matrix.user_id,
                                access_token=matrix.access_token,
                                password=matrix.password)  # fmt: skip
        opened = opened_rooms(server.store, server.communities)
        carrier = MatrixCarrier(account, RoomMap({**opened, **matrix.rooms}),
                                SyncPosition(matrix.sync_position),
                                admission=server.admission, clock=server.clock)  # fmt: skip
        count = len(matrix.rooms)
        rooms = f"{count} room" + ("" if count == 1 else "s")
        status = f"Matrix: {matrix.user_id} on {matrix.homeserver}, {rooms} mapped"
        if opened.keys() - matrix.rooms.keys():
            made = len(opened.keys() - matrix.rooms.keys())
            status += f", {made} opened by the bot"
        groups = MatrixGroups(carrier, server.web.public_url)
        admission, languages = server.admission, self.languages

        def routes(web: Web) -> APIRouter:
            from hearthkeeper.carriers.matrix.join import join_routes

            return join_routes(web, carrier, admission, languages, groups.room_link)

        # Joins by the join page carry the link's token (the bot's invitation is remembered).
        return ServedCarrier(carrier=carrier, routes=routes, status=(status,), opens=groups,
                             join_link=groups.join_link, attributes=True)  # fmt: skip


def adopt_rooms(
    store: Store, matrix: MatrixSettings, communities: Mapping[str, Community]
) -> list[Group]:
    """Every mapped room as a group (carrier `matrix`, the room id as its carrier group id) of
    its community: registered the first time, kept after. Raises `ConfigError` for a room
    mapped to a community this server does not run, or already a group of another one."""
    from hearthkeeper.config import ConfigError
    from hearthkeeper.store.columns import clipped_to
    from hearthkeeper.store.models.base import NAME

    groups: list[Group] = []
    for room, slug in sorted(matrix.rooms.items()):
        community = communities.get(slug)
        if community is None:
            raise ConfigError(unmapped(f"{matrix.table}.rooms: {room}", slug, communities))
        group = store.group_for_carrier(MATRIX, room)
        if group is None:
            # named by its id, which may be longer than a name is kept (255 against 200)
            group = store.add_group(community.id, clipped_to(NAME, room), MATRIX, room)
        elif group.community_id != community.id:
            owner = next((c for c in store.list_communities()
                          if c.id == group.community_id), None)  # fmt: skip
            raise ConfigError(owned_elsewhere(f"{matrix.table}.rooms: {room}", slug, owner))
        groups.append(group)
    return groups


def matrix_settings(settings: Settings) -> MatrixSettings | None:
    """The Matrix table of `settings` (None: there is none, the bot is not run)."""
    setup = settings.carriers.get(MATRIX)
    return setup.settings if isinstance(setup, MatrixSetup) else None
