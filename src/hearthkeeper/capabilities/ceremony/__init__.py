"""The ceremony: welcome, rules acceptance, nickname format, introduction reminder."""

from __future__ import annotations

from typing import TYPE_CHECKING

from hearthkeeper.capabilities.base import CapabilityBase, Setup

if TYPE_CHECKING:
    from hearthkeeper.engine.registry import Registry


class Ceremony(CapabilityBase):
    name = "ceremony"

    def register(self, registry: Registry, setup: Setup) -> None:
        from hearthkeeper.capabilities.ceremony.handlers import RulesGate, Welcome
        from hearthkeeper.engine.registry import Stage

        registry.add(Welcome(), Stage.CEREMONY)
        registry.add(RulesGate(), Stage.CEREMONY + 1)


CAPABILITY = Ceremony()
