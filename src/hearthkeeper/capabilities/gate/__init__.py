"""The gate: blacklisted members are refused before anything else runs."""

from __future__ import annotations

from hearthkeeper.capabilities.base import CapabilityBase, Setup
from hearthkeeper.capabilities.gate.blacklist import Blacklist
from hearthkeeper.engine.registry import Registry, Stage


class Gate(CapabilityBase):
    name = "gate"

    def register(self, registry: Registry, setup: Setup) -> None:
        registry.add(Blacklist(), Stage.GATE)


CAPABILITY = Gate()
