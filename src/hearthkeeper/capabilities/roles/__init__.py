"""Roles, fun titles and member tags."""

from __future__ import annotations

from hearthkeeper.capabilities.base import CapabilityBase, Setup
from hearthkeeper.engine.registry import Registry
from hearthkeeper.handlers import roles


class Roles(CapabilityBase):
    name = "roles"

    def register(self, registry: Registry, setup: Setup) -> None:
        roles.register(registry, setup.playbook, setup.book)


CAPABILITY = Roles()
