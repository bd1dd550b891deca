"""The daily watch: staff hear of key members who went silent and of groups whose heat-death
warning started (`watch`); the weekly report: staff get the week's health by themselves
(`weekly`, `alerts.weekly_report`). The figures themselves come from `hearthkeeper.analytics`."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from hearthkeeper.capabilities.base import CapabilityBase, Setup

if TYPE_CHECKING:
    from hearthkeeper.engine.registry import Registry
    from hearthkeeper.playbook import Playbook
    from hearthkeeper.store import Store


class Health(CapabilityBase):
    name = "health"

    def register(self, registry: Registry, setup: Setup) -> None:
        """Add the watch (planned by the server at start, `plan`)."""
        from hearthkeeper.capabilities.health import watch, weekly

        registry.add_effect(watch.HealthWatch, watch.watch, prepare=watch.prepare)
        registry.add_effect(weekly.SendWeeklyReport, weekly.weekly, prepare=weekly.prepare)

    def plan(self, store: Store, community_id: int, playbook: Playbook, now: datetime) -> None:
        from hearthkeeper.capabilities.health import watch, weekly

        watch.plan_health_watch(store, community_id, playbook, now)
        weekly.plan_weekly_report(store, community_id, playbook, now)


CAPABILITY = Health()
