"""Shared terminal output for the commands."""

from __future__ import annotations

from typing import NoReturn

import typer
from rich.console import Console

console = Console(highlight=False, soft_wrap=True)
errors = Console(stderr=True, highlight=False, soft_wrap=True)


def fail(message: str, code: int = 1) -> NoReturn:
    """Print an error the user can act on and exit."""
    errors.print(f"[bold red]error:[/] {message}", markup=True)
    raise typer.Exit(code)
