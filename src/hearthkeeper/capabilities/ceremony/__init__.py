"""The ceremony: welcome, rules acceptance, nickname format, introduction reminder."""

from __future__ import annotations

from hearthkeeper.capabilities.base import CapabilityBase, Setup
from hearthkeeper.engine.registry import Registry
from hearthkeeper.handlers import ceremony


class Ceremony(CapabilityBase):
    name = "ceremony"

    def register(self, registry: Registry, setup: Setup) -> None:
        ceremony.register(registry, setup.playbook)


CAPABILITY = Ceremony()
