"""Capability handlers; each module registers itself explicitly into a `Registry`.

Stages (lower runs first; within a stage the first handler whose check passes handles):
GATE 0 blacklist · 1 planning a group's calendar (posts, live sessions, anniversary) the first
time this process sees the group · MODERATION 10 · CEREMONY 20-21 welcome, rules ·
MECHANISMS 30 commands · 31 check-ins · 32 sign-ups · 33 polls · 35 FAQ answers, experts and
the question queue · 36 points for sharing · 37 planning the daily level round on joins ·
39 scheduling the welcome-week digest on joins.
"""

from __future__ import annotations

from pathlib import Path

from hearthkeeper.engine.registry import Registry
from hearthkeeper.handlers import (
    calendar_posts,
    ceremony,
    checkin,
    commands,
    faq,
    gate,
    health_watch,
    moderation,
    points,
    polls,
    roles,
    signups,
)
from hearthkeeper.playbook import Playbook
from hearthkeeper.text.scan import ScorerChoice


def build_registry(
    playbook: Playbook,
    content_root: Path | None = None,
    *,
    scorer: ScorerChoice = "shipped",
) -> Registry:
    """The handlers, effects and commands a playbook runs; content libraries are read relative
    to `content_root` (the playbook file's folder; default: the current directory); `scorer`
    is the learned spam scorer moderation starts from."""
    registry = Registry()
    book = commands.CommandBook()
    gate.register(registry, playbook)
    moderation.register(registry, playbook, scorer, book)  # the book is filled below
    ceremony.register(registry, playbook)
    commands.register(registry, book)
    for mechanism in (checkin, signups, polls, faq, points, roles):
        mechanism.register(registry, playbook, book)
    calendar_posts.register(registry, playbook, book, content_root or Path.cwd())
    health_watch.register(registry)  # effects only: the daily key-member watch
    return registry
