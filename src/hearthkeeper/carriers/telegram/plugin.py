"""The Telegram carrier as a plug-in: the `[carriers.telegram]` table, its mapped groups taken
up when the server starts, the bot built for the engine, the webhook route, and
`hearth telegram ...`."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from hearthkeeper.carriers.plugin import (
    CarrierTable,
    ServedCarrier,
    ServerParts,
    owned_elsewhere,
    unmapped,
)

if TYPE_CHECKING:
    import typer

    from hearthkeeper.carriers.telegram.settings import TelegramSettings
    from hearthkeeper.config import Settings
    from hearthkeeper.playbook import Playbook
    from hearthkeeper.store import Community, Group, Store

# Every `hearth` command imports the plug-ins (for their kinds and commands): the bot's client
# (aiogram, seconds to import) and FastAPI are imported when a server serves it, its settings
# (pydantic) when read.
TELEGRAM = "telegram"  # translate.CARRIER: a group's `carrier`
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
LINK_TIMEOUT_S = 20.0


class TelegramPlugin:
    """Runs only with a table: the bot needs a token."""

    kind = TELEGRAM
    sends_files = frozenset({"picture", "video", "voice", "file"})  # sendPhoto, sendVideo …

    def configure(self, table: CarrierTable) -> TelegramSetup:
        """The table checked (`ConfigError` saying which setting and how to write it)."""
        from hearthkeeper.carriers.telegram.settings import read_telegram

        return TelegramSetup(read_telegram(table))

    def default(self) -> None:
        """No table, no bot."""
        return None

    def sample(self) -> str:
        """The commented table `hearth init` writes."""
        from hearthkeeper.carriers.telegram.settings import DEFAULT_TOKEN_ENV

        return (
            "# A Telegram bot (docs/carriers/telegram.md): uncomment, then map groups.\n"
            f"# [carriers.{TELEGRAM}]\n"
            f'# token_env = "{DEFAULT_TOKEN_ENV}"   # the variable holding @BotFather\'s token\n'
            '# mode = "polling"                      # or "webhook" (then webhook_url)\n'
            f"# [carriers.{TELEGRAM}.groups]\n"
            '# "-1001234567890" = "your-community-slug"\n'
        )

    def commands(self) -> typer.Typer:
        """`hearth telegram check`, imported when it runs."""
        from hearthkeeper.cli.lazy import lazy_typer  # see MatrixPlugin.commands

        return lazy_typer(
            "hearthkeeper.carriers.telegram.cli:app",
            help="The Telegram bot of the [carriers.telegram] table (docs/carriers/telegram.md).",
        )


@dataclass(frozen=True)
class TelegramSetup:
    """The checked table of one server."""

    settings: TelegramSettings

    def adopt(self, store: Store, community_id: int, playbook: Playbook) -> None:
        """Groups are mapped in hearth.toml, not per playbook: nothing to do per community."""

    def serve(self, server: ServerParts) -> ServedCarrier:
        """Every mapped group a group of its community, then the bot (not yet connected)."""
        from hearthkeeper.carriers.telegram.carrier import TelegramCarrier
        from hearthkeeper.carriers.telegram.chats import ChatMap

        adopt_chats(server.store, self.settings, server.communities)
        telegram = self.settings
        carrier = TelegramCarrier(telegram, ChatMap(dict(telegram.groups)), server.clock,
                                  admission=server.admission, store=server.store)  # fmt: skip
        count = len(telegram.groups)
        groups = f"{count} group" + ("" if count == 1 else "s")
        status = f"Telegram: bot {telegram.bot_id}, {telegram.mode}, {groups} mapped"
        routes = None
        one_process = None
        if telegram.mode == "webhook":
            status += f", webhook {telegram.webhook_url}"
            from hearthkeeper.carriers.telegram.webhook import webhook_routes

            routes = webhook_routes(carrier, webhook_path(telegram))
            one_process = (
                '[carriers.telegram] mode = "webhook" posts the updates to a web node, while '
                "the bot runs in the engine worker holding the carriers, so no one would take "
                'them; set mode = "polling" (that worker asks Telegram for the updates), or '
                "run one `hearth serve` without --role"
            )

        def join_link(group: Group, source: str | None) -> str:
            return carrier.call(carrier.join_link(group.carrier_group_id, source),
                                LINK_TIMEOUT_S)  # fmt: skip

        return ServedCarrier(carrier=carrier, routes=routes, status=(status,),
                             join_link=join_link, attributes=True,
                             needs_one_process=one_process)  # fmt: skip


def webhook_path(settings: TelegramSettings) -> str:
    """The path of the webhook route: the path of `webhook_url`."""
    from hearthkeeper.carriers.telegram.settings import WEBHOOK_PATH

    return urlsplit(settings.webhook_url).path or WEBHOOK_PATH


def adopt_chats(store: Store, telegram: TelegramSettings,
                communities: Mapping[str, Community]) -> list[Group]:  # fmt: skip
    """Every mapped chat as a group (carrier `telegram`, the chat id as its carrier group id)
    of its community: registered the first time, kept after. `ConfigError` for a chat mapped
    to a community this server does not run, or already a group of another one."""
    from hearthkeeper.config import ConfigError

    groups: list[Group] = []
    for chat, slug in sorted(telegram.groups.items()):
        community = communities.get(slug)
        if community is None:
            raise ConfigError(unmapped(f"{telegram.table}.groups: {chat}", slug, communities))
        group = store.group_for_carrier(TELEGRAM, chat)
        if group is None:
            group = store.add_group(community.id, chat, TELEGRAM, chat)
        elif group.community_id != community.id:
            owner = next((c for c in store.list_communities()
                          if c.id == group.community_id), None)  # fmt: skip
            raise ConfigError(owned_elsewhere(f"{telegram.table}.groups: {chat}", slug, owner))
        groups.append(group)
    return groups


def telegram_settings(settings: Settings) -> TelegramSettings | None:
    """The Telegram table of `settings` (None: there is none, the bot is not run)."""
    setup = settings.carriers.get(TELEGRAM)
    return setup.settings if isinstance(setup, TelegramSetup) else None
