"""(checkin: being written.)"""

from __future__ import annotations

from hearthkeeper.engine.registry import Registry
from hearthkeeper.handlers.commands import CommandBook
from hearthkeeper.playbook import Playbook


def register(registry: Registry, playbook: Playbook, commands: CommandBook) -> None:
    """Add this mechanism's handlers, effects and commands."""
