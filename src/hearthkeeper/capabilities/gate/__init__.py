"""The gate: blacklisted members are refused before anything else runs."""

from __future__ import annotations

from hearthkeeper.capabilities.base import CapabilityBase, Setup
from hearthkeeper.engine.registry import Registry
from hearthkeeper.handlers import gate


class Gate(CapabilityBase):
    name = "gate"

    def register(self, registry: Registry, setup: Setup) -> None:
        gate.register(registry, setup.playbook)


CAPABILITY = Gate()
