"""The daily key-member watch: staff hear of key members who went silent."""

from __future__ import annotations

from datetime import datetime

from hearthkeeper.capabilities.base import CapabilityBase, Setup
from hearthkeeper.engine.registry import Registry
from hearthkeeper.handlers import health_watch
from hearthkeeper.playbook import Playbook
from hearthkeeper.store import Store


class HealthWatch(CapabilityBase):
    name = "health"

    def register(self, registry: Registry, setup: Setup) -> None:
        health_watch.register(registry)

    def plan(self, store: Store, community_id: int, playbook: Playbook, now: datetime) -> None:
        health_watch.plan_health_watch(store, community_id, playbook, now)


CAPABILITY = HealthWatch()
