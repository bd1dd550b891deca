"""Capability handlers; each module registers itself explicitly into a `Registry`.

Stages (lower runs first; within a stage the first handler whose check passes handles):
GATE 0 blacklist · MODERATION 10 · CEREMONY 20-21 welcome, rules · MECHANISMS 30 commands ·
31 check-ins · 32 sign-ups · 33 polls · 35 FAQ answers, experts and the question queue ·
36 points for sharing · 37 planning the daily level round on joins.
"""

from __future__ import annotations

from hearthkeeper.engine.registry import Registry
from hearthkeeper.handlers import (
    ceremony,
    checkin,
    commands,
    faq,
    gate,
    moderation,
    points,
    polls,
    roles,
    signups,
)
from hearthkeeper.playbook import Playbook


def build_registry(playbook: Playbook) -> Registry:
    """The handlers, effects and commands a playbook runs."""
    registry = Registry()
    book = commands.CommandBook()
    gate.register(registry, playbook)
    moderation.register(registry, playbook)
    ceremony.register(registry, playbook)
    commands.register(registry, book)
    for mechanism in (checkin, signups, polls, faq, points, roles):
        mechanism.register(registry, playbook, book)
    return registry
