"""Wiring: a playbook and a store become a community runtime with its handlers."""

from __future__ import annotations

from hearthkeeper.engine.executor import Runtime
from hearthkeeper.handlers import build_registry
from hearthkeeper.playbook import Playbook
from hearthkeeper.store import Store


def runtime_for(store: Store, playbook: Playbook) -> Runtime:
    """A community's runtime: its stored identity and the handlers its playbook asks for."""
    community = store.ensure_community(playbook.community.slug, playbook.community.name)
    return Runtime(community.id, community.slug, playbook, build_registry(playbook))
