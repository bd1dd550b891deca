"""Points, levels and redemptions: the pyramid of members."""

from __future__ import annotations

from typing import TYPE_CHECKING

from hearthkeeper.capabilities.base import CapabilityBase, Setup

if TYPE_CHECKING:
    from hearthkeeper.engine.registry import Registry


class Points(CapabilityBase):
    name = "points"

    def register(self, registry: Registry, setup: Setup) -> None:
        # Imported here: importing one module of the package (a repository, a request)
        # then loads no handlers, and the packages that use each other's repositories
        # (a check-in's title, the member card's points) import without a cycle.
        from hearthkeeper.capabilities.points import handlers

        handlers.register(registry, setup.playbook, setup.book)


CAPABILITY = Points()
