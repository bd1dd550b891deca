"""Wiring: a playbook and a store become a community runtime with its handlers."""

from __future__ import annotations

from pathlib import Path

from hearthkeeper.engine.executor import Runtime
from hearthkeeper.handlers import build_registry
from hearthkeeper.playbook import Playbook
from hearthkeeper.store import Store


def runtime_for(store: Store, playbook: Playbook, base_dir: Path | None = None) -> Runtime:
    """A community's runtime: its stored identity and the handlers its playbook asks for.
    `base_dir` is the playbook file's folder, where its content libraries are (default: the
    current directory)."""
    community = store.ensure_community(playbook.community.slug, playbook.community.name)
    return Runtime(community.id, community.slug, playbook, build_registry(playbook, base_dir))
