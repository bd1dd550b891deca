"""Points, levels and redemptions: the pyramid of members."""

from __future__ import annotations

from hearthkeeper.capabilities.base import CapabilityBase, Setup
from hearthkeeper.capabilities.points import handlers
from hearthkeeper.engine.registry import Registry


class Points(CapabilityBase):
    name = "points"

    def register(self, registry: Registry, setup: Setup) -> None:
        handlers.register(registry, setup.playbook, setup.book)


CAPABILITY = Points()
