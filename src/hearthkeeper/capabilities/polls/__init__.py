"""Polls: start, vote, results, deadlines.

`handlers` reads votes and staff commands into requests (`requests`); `effects` load from the
repository, let `decide` choose and write; `parse` and `render` are the pure readers and
writers of text.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from hearthkeeper.capabilities.base import CapabilityBase, Setup

if TYPE_CHECKING:
    from hearthkeeper.engine.registry import Registry


class Polls(CapabilityBase):
    name = "polls"

    def register(self, registry: Registry, setup: Setup) -> None:
        from hearthkeeper.capabilities.polls import handlers

        handlers.register(registry, setup.playbook, setup.book)


CAPABILITY = Polls()
