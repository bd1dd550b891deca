"""The names members type to appeal (`/appeal`, `/申诉`). Pure: the web chat reads them to
let a muted member's appeal through its door."""

from __future__ import annotations

from hearthkeeper.capabilities.command_book import invokes

NAME = "appeal"
ALIASES = ("申诉",)


def is_appeal(text: str) -> bool:
    """Whether `text` invokes `/appeal` (any prefix the command book takes, any case)."""
    return invokes(text, (NAME, *ALIASES))
