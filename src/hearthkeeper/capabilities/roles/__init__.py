"""Roles, fun titles and member tags."""

from __future__ import annotations

from typing import TYPE_CHECKING

from hearthkeeper.capabilities.base import CapabilityBase, Setup

if TYPE_CHECKING:
    from datetime import datetime

    from hearthkeeper.engine.registry import Registry
    from hearthkeeper.playbook import Playbook
    from hearthkeeper.store import Store


class Roles(CapabilityBase):
    name = "roles"

    def register(self, registry: Registry, setup: Setup) -> None:
        # Imported here: importing one module of the package (a repository, a request)
        # then loads no handlers, and the packages that use each other's repositories
        # (a check-in's title, the member card's points) import without a cycle.
        from hearthkeeper.capabilities.roles import card

        card.register(registry, setup.playbook, setup.book)

    def plan(self, store: Store, community_id: int, playbook: Playbook, now: datetime) -> None:
        from hearthkeeper.capabilities.roles.titles_effects import plan_reminders

        plan_reminders(store, community_id, playbook, now)


CAPABILITY = Roles()
