"""In-chat commands: prefixes, aliases in both languages, permissions, `/help`."""

from __future__ import annotations

from typing import TYPE_CHECKING

from hearthkeeper.capabilities.base import CapabilityBase, Setup

if TYPE_CHECKING:
    from hearthkeeper.engine.registry import Registry


class Commands(CapabilityBase):
    name = "commands"

    def register(self, registry: Registry, setup: Setup) -> None:
        from hearthkeeper.capabilities import command_book

        command_book.register(registry, setup.book)


CAPABILITY = Commands()
