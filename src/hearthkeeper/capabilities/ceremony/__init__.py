"""The ceremony: welcome, rules acceptance, nickname format, introduction reminder."""

from __future__ import annotations

from hearthkeeper.capabilities.base import CapabilityBase, Setup
from hearthkeeper.capabilities.ceremony.handlers import RulesGate, Welcome
from hearthkeeper.engine.registry import Registry, Stage


class Ceremony(CapabilityBase):
    name = "ceremony"

    def register(self, registry: Registry, setup: Setup) -> None:
        registry.add(Welcome(), Stage.CEREMONY)
        registry.add(RulesGate(), Stage.CEREMONY + 1)


CAPABILITY = Ceremony()
