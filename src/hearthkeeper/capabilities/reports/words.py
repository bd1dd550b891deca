"""The names members type to report a message (`/report`, `/举报`). Pure."""

from __future__ import annotations

from hearthkeeper.capabilities.command_book import parse

NAME = "report"
ALIASES = ("举报",)


def is_report(text: str) -> bool:
    """Whether `text` invokes `/report` (any prefix the command book takes, any case)."""
    invocation = parse(text)
    return invocation is not None and invocation.name in (NAME, *ALIASES)
