"""In-chat commands: prefixes, aliases in both languages, permissions, `/help`."""

from __future__ import annotations

from hearthkeeper.capabilities import command_book
from hearthkeeper.capabilities.base import CapabilityBase, Setup
from hearthkeeper.engine.registry import Registry


class Commands(CapabilityBase):
    name = "commands"

    def register(self, registry: Registry, setup: Setup) -> None:
        command_book.register(registry, setup.book)


CAPABILITY = Commands()
