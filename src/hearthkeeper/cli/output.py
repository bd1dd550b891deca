"""Shared terminal output for the commands."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

import typer
from rich.console import Console
from rich.markup import escape

from hearthkeeper.text.controls import without_controls

if TYPE_CHECKING:
    from collections.abc import Callable
    from datetime import datetime

    from hearthkeeper.config import Settings
    from hearthkeeper.playbook import CarrierKinds, LoadedPlaybook
    from hearthkeeper.playbook.checks import GroupsOf


def shown_safely(text: str) -> str:
    """`text` without control characters, bidirectional controls or invisible characters, so
    a terminal shows it in the order it is written and does nothing else."""
    return without_controls(text)


TYPED_SHOWN = 80  # characters of a typed name a refusal repeats


def typed(text: str) -> str:
    """What someone typed, quoted, as a refusal repeats it: its first `TYPED_SHOWN`
    characters and its length when longer (a pasted page is not printed back whole)."""
    if len(text) <= TYPED_SHOWN:
        return repr(text)
    return f"{text[:TYPED_SHOWN]!r}… ({len(text):,} characters)"


class SafeConsole(Console):
    """A console whose printed texts lose their control characters: a member's name or
    message (a Matrix display name, a Telegram message quoted in an alert) printed by a
    command cannot clear the operator's screen, retitle their terminal or hide text."""

    def print(self, *objects: Any, **options: Any) -> None:
        super().print(*(shown_safely(o) if isinstance(o, str) else o for o in objects),
                      **options)  # fmt: skip


console = SafeConsole(highlight=False, soft_wrap=True)
errors = SafeConsole(stderr=True, highlight=False, soft_wrap=True)


def fail(message: str, code: int = 1) -> NoReturn:
    """Print an error the user can act on and exit."""
    errors.print(f"[bold red]error:[/] {escape(message)}", markup=True)
    raise typer.Exit(code)


def load_or_exit(
    path: Path,
    groups: Callable[[], GroupsOf] | None = None,
    carriers: CarrierKinds | None = None,
    *,
    now: datetime | None,
) -> LoadedPlaybook:
    """Load a playbook, or print its problems one per line (FILE:LINE:COL: ...) and exit 1.
    Its warnings, if any, go to standard error and the command carries on (a carrier it
    names that this Hearthkeeper does not have is one, or, with `carriers` read from a
    deployment's hearth.toml, one that it does not run). `groups`: once the playbook is valid,
    where the names of its community's groups are known (the database `hearth apply` stores
    it in, opened then: a playbook's problems are said whether or not there is one). `now`:
    the command's time (`clock_of`), before which a one-off activity's start is a warning."""
    from hearthkeeper.playbook import PlaybookError, load_playbook, parse_playbook

    kinds = carriers if carriers is not None else installed()
    try:
        loaded = load_playbook(path, carriers=kinds, now=now)
    except PlaybookError as exc:
        for problem in exc.problems:
            typer.echo(str(problem))
        raise typer.Exit(1) from None
    if groups is not None:  # its warnings again, the groups that exist known
        loaded = parse_playbook(loaded.source_text, str(path), carriers=kinds, now=now,
                                groups=groups())  # fmt: skip
    for warning in loaded.warnings:
        typer.echo(str(warning), err=True)
    return loaded


def installed(settings: Settings | None = None) -> CarrierKinds:
    """The carriers installed, for checking what a playbook's `structure.carriers` names; with
    a deployment's `settings`, also those its hearth.toml runs (`hearth serve` warns of a
    carrier named that does not run, and so do the commands given its configuration)."""
    from hearthkeeper.carriers.installed import (
        installed_file_kinds,
        installed_kinds,
        installed_tables,
        runs_here,
    )
    from hearthkeeper.playbook import CarrierKinds

    if settings is not None:
        return runs_here(settings.carriers)
    return CarrierKinds(installed_kinds(), tables=installed_tables(),
                        sends_files=installed_file_kinds())  # fmt: skip


def age(at: datetime, now: datetime) -> str:
    """How long ago `at` was: `5m`, `3h`, `2d`."""
    gone = max(now - at, timedelta(0))
    if gone < timedelta(hours=1):
        return f"{int(gone.total_seconds() // 60)}m"
    if gone < timedelta(days=2):
        return f"{int(gone.total_seconds() // 3600)}h"
    return f"{gone.days}d"


def print_table(columns: Sequence[str], rows: Iterable[Sequence[str]]) -> None:
    """A listing's table, its cells already escaped, folded rather than cut where the
    terminal is narrow."""
    from rich.table import Table

    table = Table(box=None, pad_edge=False, header_style="bold")
    for name in columns:
        table.add_column(name, overflow="fold")
    for row in rows:
        table.add_row(*row)
    console.print(table)
