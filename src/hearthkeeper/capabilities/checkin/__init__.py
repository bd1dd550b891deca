"""Check-ins (打卡): keywords or a command, streaks, milestones, the daily summary."""

from __future__ import annotations

from hearthkeeper.capabilities.base import CapabilityBase, Setup
from hearthkeeper.capabilities.checkin import handlers
from hearthkeeper.engine.registry import Registry


class CheckIns(CapabilityBase):
    name = "checkin"

    def register(self, registry: Registry, setup: Setup) -> None:
        handlers.register(registry, setup.playbook, setup.book)


CAPABILITY = CheckIns()
