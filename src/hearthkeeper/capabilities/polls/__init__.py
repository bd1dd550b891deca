"""Polls: start, vote, results, deadlines."""

from __future__ import annotations

from hearthkeeper.capabilities.base import CapabilityBase, Setup
from hearthkeeper.engine.registry import Registry
from hearthkeeper.handlers import polls


class Polls(CapabilityBase):
    name = "polls"

    def register(self, registry: Registry, setup: Setup) -> None:
        polls.register(registry, setup.playbook, setup.book)


CAPABILITY = Polls()
