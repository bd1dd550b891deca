"""The names members type to report a message (`/report`, `/举报`). Pure."""

from __future__ import annotations

from hearthkeeper.capabilities.command_book import invokes

NAME = "report"
ALIASES = ("举报",)


def is_report(text: str) -> bool:
    """Whether `text` invokes `/report` (any prefix the command book takes, any case)."""
    return invokes(text, (NAME, *ALIASES))
