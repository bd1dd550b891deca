"""Wiring: a playbook and a store become a community runtime with its handlers."""

from __future__ import annotations

from pathlib import Path

from hearthkeeper.engine.executor import Runtime
from hearthkeeper.handlers import build_registry
from hearthkeeper.playbook import Playbook
from hearthkeeper.store import Store
from hearthkeeper.text.scan import ScorerChoice


def runtime_for(
    store: Store,
    playbook: Playbook,
    base_dir: Path | None = None,
    *,
    scorer: ScorerChoice = "shipped",
) -> Runtime:
    """A community's runtime: its stored identity and the handlers its playbook asks for.
    `base_dir` is the playbook file's folder, where its content libraries are (default: the
    current directory). `scorer` is the learned spam scorer to start from (default: the one
    shipped); the engine adds the community's own decisions to it as staff take them."""
    community = store.ensure_community(playbook.community.slug, playbook.community.name)
    registry = build_registry(playbook, base_dir, scorer=scorer)
    return Runtime(community.id, community.slug, playbook, registry)
