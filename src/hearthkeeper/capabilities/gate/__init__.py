"""The gate: blacklisted members are refused before anything else runs; members muted,
banned or kicked in a group earn nothing from what they post there (`sanctioned.py`)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from hearthkeeper.capabilities.base import CapabilityBase, Setup

if TYPE_CHECKING:
    from hearthkeeper.engine.registry import Registry


class Gate(CapabilityBase):
    name = "gate"

    def register(self, registry: Registry, setup: Setup) -> None:
        from hearthkeeper.capabilities.gate.blacklist import Blacklist
        from hearthkeeper.capabilities.gate.sanctioned import Sanctioned
        from hearthkeeper.engine.registry import Stage

        registry.add(Blacklist(), Stage.GATE)
        # after the calendar's planning (GATE + 1), before moderation
        registry.add(Sanctioned(), Stage.GATE + 2)


CAPABILITY = Gate()
