"""The carriers this Hearthkeeper has, in the order the server starts them. Adding a carrier
is its folder under `carriers/` (with a `plugin.py`) plus one line here."""

from __future__ import annotations

from collections.abc import Collection

from hearthkeeper.carriers.matrix.plugin import MatrixPlugin
from hearthkeeper.carriers.onebot.plugin import OneBotPlugin
from hearthkeeper.carriers.plugin import CarrierPlugin, sent_files, table_name
from hearthkeeper.carriers.telegram.plugin import TelegramPlugin
from hearthkeeper.carriers.webchat.plugin import WebChatPlugin
from hearthkeeper.playbook.checks import CarrierKinds

CARRIERS: tuple[CarrierPlugin, ...] = (
    WebChatPlugin(),  # first: the built-in carrier whose groups the console opens
    MatrixPlugin(),
    OneBotPlugin(),  # QQ: kind `qq`, table [carriers.onebot]
    TelegramPlugin(),
)


def installed_kinds(carriers: tuple[CarrierPlugin, ...] = CARRIERS) -> frozenset[str]:
    """The kinds a playbook's `structure.carriers` may name."""
    return frozenset(plugin.kind for plugin in carriers)


def installed_tables(carriers: tuple[CarrierPlugin, ...] = CARRIERS) -> dict[str, str]:
    """Each installed carrier's kind → the `[carriers.<table>]` of hearth.toml that runs it."""
    return {plugin.kind: table_name(plugin) for plugin in carriers}


def installed_file_kinds(
    carriers: tuple[CarrierPlugin, ...] = CARRIERS,
) -> dict[str, frozenset[str]]:
    """Each installed carrier's kind → the content kinds whose files it sends with a scheduled
    post (`sends_files` on its plug-in; none when it has no such attribute)."""
    return {plugin.kind: sent_files(plugin) for plugin in carriers}


def runs_here(
    tables: Collection[str], carriers: tuple[CarrierPlugin, ...] = CARRIERS
) -> CarrierKinds:
    """What a server whose hearth.toml has a `[carriers.*]` table for each kind of `tables`
    runs, for checking a playbook's `structure.carriers` as `hearth serve` would: each kind
    with a table, and each that runs on its defaults (the web chat)."""
    running = frozenset(p.kind for p in carriers if p.kind in tables or p.default() is not None)
    return CarrierKinds(installed_kinds(carriers), running, tables=installed_tables(carriers),
                        sends_files=installed_file_kinds(carriers))  # fmt: skip
