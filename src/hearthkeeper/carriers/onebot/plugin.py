"""The QQ carrier as a plug-in. Its kind is `qq` — what a playbook's `structure.carriers`
names and what its groups' `carrier` is — and its table `[carriers.onebot]`, after the
protocol the operator sets up (`table`, read through `carriers.plugin.table_name`)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
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

    from hearthkeeper.carriers.onebot.settings import OneBotSettings
    from hearthkeeper.config import Settings
    from hearthkeeper.playbook import Playbook
    from hearthkeeper.store import Community, Group, Store

# Every `hearth` command imports the plug-ins (for their kinds and commands): the carrier is
# imported when a server serves it, its settings (pydantic) when read.
CARRIER = "qq"  # translate.CARRIER: a group's `carrier`

TABLE = "onebot"


class OneBotPlugin:
    """Runs only with a table: it needs the access token and the groups."""

    kind = CARRIER
    table = TABLE
    # image, record and video segments, or upload_group_file (`post_files.py`)
    sends_files = frozenset({"picture", "video", "voice", "file"})

    def configure(self, table: CarrierTable) -> OneBotSetup:
        """The table checked (`ConfigError` saying which setting and how to write it)."""
        from hearthkeeper.carriers.onebot.settings import read_onebot

        return OneBotSetup(read_onebot(table))

    def default(self) -> None:
        """No table, no QQ."""
        return None

    def sample(self) -> str:
        """The commented table `hearth init` writes."""
        from hearthkeeper.carriers.onebot.settings import ENV_ONEBOT_TOKEN

        return (
            "# QQ groups through a OneBot v11 implementation, NapCat or Lagrange\n"
            "# (docs/carriers/qq.md; an unofficial QQ client: the account risks a ban).\n"
            f"# [carriers.{TABLE}]\n"
            "# port = 6199             # give NapCat ws://127.0.0.1:6199/onebot/v11/ws\n"
            '# file_transfer = "base64" # posts\' files; "path" for go-cqhttp or Lagrange here\n'
            f"# the access token in the environment: {ENV_ONEBOT_TOKEN}\n"
            f"# [carriers.{TABLE}.groups]\n"
            '# "123456789" = "your-community-slug"\n'
        )

    def commands(self) -> typer.Typer | None:
        """No commands of its own."""
        return None


@dataclass(frozen=True)
class OneBotSetup:
    """The checked table of one server."""

    settings: OneBotSettings

    def adopt(self, store: Store, community_id: int, playbook: Playbook) -> None:
        """Groups are mapped in hearth.toml, not per playbook: nothing to do per community."""

    def serve(self, server: ServerParts) -> ServedCarrier:
        """Every mapped QQ group a group of its community, then the listening end (not yet
        listening: the engine connects it)."""
        adopt_groups(server.store, self.settings, server.communities)
        from hearthkeeper.carriers.onebot.carrier import OneBotCarrier

        onebot = self.settings
        carrier = OneBotCarrier(onebot, admission=server.admission, store=server.store,
                                clock=server.clock)  # fmt: skip
        count = len(onebot.groups)
        groups = f"{count} group" + ("" if count == 1 else "s")
        status = (f"QQ (OneBot v11): waiting for NapCat/Lagrange on {onebot.url}, "
                  f"{groups} mapped")  # fmt: skip
        return ServedCarrier(carrier=carrier, status=(status,))


def adopt_groups(
    store: Store, onebot: OneBotSettings, communities: Mapping[str, Community]
) -> list[Group]:
    """Every mapped QQ group as a group (carrier `qq`, the group number as its carrier group
    id) of its community: registered the first time, kept after. `ConfigError` for a group
    mapped to a community this server does not run, or already a group of another one."""
    from hearthkeeper.config import ConfigError

    groups: list[Group] = []
    for number, slug in sorted(onebot.groups.items()):
        community = communities.get(slug)
        if community is None:
            raise ConfigError(unmapped(f"{onebot.table}.groups: {number}", slug, communities))
        group = store.group_for_carrier(CARRIER, number)
        if group is None:
            group = store.add_group(community.id, f"QQ 群 {number}", CARRIER, number)
        elif group.community_id != community.id:
            owner = next((c for c in store.list_communities()
                          if c.id == group.community_id), None)  # fmt: skip
            raise ConfigError(owned_elsewhere(f"{onebot.table}.groups: {number}", slug, owner))
        groups.append(group)
    return groups


def onebot_settings(settings: Settings) -> OneBotSettings | None:
    """The `[carriers.onebot]` table of `settings` (None: there is none, QQ is not served)."""
    setup = settings.carriers.get(CARRIER)
    return setup.settings if isinstance(setup, OneBotSetup) else None
