"""Shared terminal output for the commands."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, NoReturn

import typer
from rich.console import Console

if TYPE_CHECKING:
    from hearthkeeper.playbook import CarrierKinds, LoadedPlaybook

MAX_ID = 2**63 - 1  # the store's ids and counts are 64-bit signed integers: beyond, no such row
MAX_DAYS = 36_600  # a hundred years back or ahead: beyond, no date to compute

console = Console(highlight=False, soft_wrap=True)
errors = Console(stderr=True, highlight=False, soft_wrap=True)


def fail(message: str, code: int = 1) -> NoReturn:
    """Print an error the user can act on and exit."""
    errors.print(f"[bold red]error:[/] {message}", markup=True)
    raise typer.Exit(code)


def load_or_exit(path: Path) -> LoadedPlaybook:
    """Load a playbook, or print its problems one per line (FILE:LINE:COL: ...) and exit 1.
    Its warnings, if any, go to standard error and the command carries on (a carrier it
    names that this Hearthkeeper does not have is one)."""
    from hearthkeeper.playbook import PlaybookError, load_playbook

    try:
        loaded = load_playbook(path, carriers=installed())
    except PlaybookError as exc:
        for problem in exc.problems:
            typer.echo(str(problem))
        raise typer.Exit(1) from None
    for warning in loaded.warnings:
        typer.echo(str(warning), err=True)
    return loaded


def installed() -> CarrierKinds:
    """The carriers installed, for checking what a playbook's `structure.carriers` names."""
    from hearthkeeper.carriers.installed import installed_kinds
    from hearthkeeper.playbook import CarrierKinds

    return CarrierKinds(installed_kinds())
