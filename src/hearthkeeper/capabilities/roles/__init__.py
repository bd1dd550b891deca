"""Roles, fun titles and member tags."""

from __future__ import annotations

from hearthkeeper.capabilities.base import CapabilityBase, Setup
from hearthkeeper.capabilities.roles import card
from hearthkeeper.engine.registry import Registry


class Roles(CapabilityBase):
    name = "roles"

    def register(self, registry: Registry, setup: Setup) -> None:
        card.register(registry, setup.playbook, setup.book)


CAPABILITY = Roles()
