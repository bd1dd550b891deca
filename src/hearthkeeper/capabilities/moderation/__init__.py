"""Moderation: detectors and the learned scorer, the violation ladder, probation."""

from __future__ import annotations

from hearthkeeper.capabilities.base import CapabilityBase, Setup
from hearthkeeper.engine.registry import Registry
from hearthkeeper.handlers import moderation


class Moderation(CapabilityBase):
    name = "moderation"

    def register(self, registry: Registry, setup: Setup) -> None:
        # The command book is filled by the capabilities after this one: moderation reads it
        # when deciding, so the community's own commands are never taken for repeated text.
        moderation.register(registry, setup.playbook, setup.scorer, setup.book)


CAPABILITY = Moderation()
