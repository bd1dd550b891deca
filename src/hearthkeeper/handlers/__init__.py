"""Capability handlers; each module registers itself explicitly into a `Registry`."""

from __future__ import annotations

from hearthkeeper.engine.registry import Registry
from hearthkeeper.handlers import ceremony, gate, moderation
from hearthkeeper.playbook import Playbook


def build_registry(playbook: Playbook) -> Registry:
    """The handlers a playbook runs, in their priority groups."""
    registry = Registry()
    gate.register(registry, playbook)
    moderation.register(registry, playbook)
    ceremony.register(registry, playbook)
    return registry
