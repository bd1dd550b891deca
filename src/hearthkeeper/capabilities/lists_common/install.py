"""Adding sign-ups or polls to an engine: the effects, the commands, and the handler that reads
bare replies (`+1`, `2`) while one is open."""

from __future__ import annotations

from collections.abc import Callable, Iterable

from hearthkeeper.capabilities.command_book import Command, CommandBook, Replies
from hearthkeeper.engine.registry import Registry


def install(registry: Registry, book: CommandBook, *, effects: Callable[[Registry], None],
            commands: Iterable[Command], replies: Replies, stage: int) -> None:  # fmt: skip
    """Add one mechanism's effects, commands and reply handler (at `stage`); the book knows
    the replies too, so moderation can tell a member's `+1 西兰花` from a shop's ad."""
    effects(registry)
    for command in commands:
        book.add(command)
    book.add_replies(replies)
    registry.add(replies, stage)
