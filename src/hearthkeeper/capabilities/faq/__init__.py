"""FAQ answers, the expert finder and the queue of unanswered questions."""

from __future__ import annotations

from hearthkeeper.capabilities.base import CapabilityBase, Setup
from hearthkeeper.engine.registry import Registry
from hearthkeeper.handlers import faq


class Faq(CapabilityBase):
    name = "faq"

    def register(self, registry: Registry, setup: Setup) -> None:
        faq.register(registry, setup.playbook, setup.book)


CAPABILITY = Faq()
