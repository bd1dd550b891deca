"""The gate: blacklisted members are refused before anything else runs."""

from __future__ import annotations

from typing import TYPE_CHECKING

from hearthkeeper.capabilities.base import CapabilityBase, Setup

if TYPE_CHECKING:
    from hearthkeeper.engine.registry import Registry


class Gate(CapabilityBase):
    name = "gate"

    def register(self, registry: Registry, setup: Setup) -> None:
        from hearthkeeper.capabilities.gate.blacklist import Blacklist
        from hearthkeeper.engine.registry import Stage

        registry.add(Blacklist(), Stage.GATE)


CAPABILITY = Gate()
