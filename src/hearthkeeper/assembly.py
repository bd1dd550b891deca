"""Wiring: a playbook and a store become a community runtime with its handlers."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from hearthkeeper.capabilities.base import Setup
from hearthkeeper.capabilities.command_book import CommandBook
from hearthkeeper.capabilities.installed import CAPABILITIES
from hearthkeeper.engine.executor import Runtime
from hearthkeeper.engine.registry import Registry
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


def build_registry(
    playbook: Playbook,
    content_root: Path | None = None,
    *,
    scorer: ScorerChoice = "shipped",
    inspecting: bool = False,
) -> Registry:
    """The handlers, effects and commands a playbook runs: every installed capability's.
    Content libraries are read relative to `content_root` (the playbook file's folder;
    default: the current directory); `scorer` is the learned spam scorer moderation starts
    from; `inspecting`: only to be read (`hearth playbook show`), no model prepared."""
    registry = Registry()
    setup = Setup(playbook, CommandBook(), content_root or Path.cwd(), scorer, inspecting)
    for capability in CAPABILITIES:
        capability.register(registry, setup)
    return registry


def plan_community(store: Store, community_id: int, playbook: Playbook, now: datetime) -> None:
    """Schedule what every capability needs at start (idempotent: planning twice adds nothing)."""
    for capability in CAPABILITIES:
        capability.plan(store, community_id, playbook, now)
