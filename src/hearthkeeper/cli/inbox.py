"""The body the inbox's listing commands share (`hearth appeals list`, `hearth reports list`):
one community or every one, the undecided only or all, a table with a Community column when
the rows come from several communities."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Protocol, TypeVar

import typer

from hearthkeeper.cli.context import clock_of, open_store, pick_community, settings_from
from hearthkeeper.cli.output import console, print_table

if TYPE_CHECKING:
    from hearthkeeper.store import Store


class Row(Protocol):
    """A listed item, naming its community (its slug)."""

    @property
    def community(self) -> str: ...


R = TypeVar("R", bound=Row)


def print_inbox(
    ctx: typer.Context,
    config: Path | None,
    community: str | None,
    open_only: bool,
    *,
    listed: Callable[..., Sequence[R]],
    columns: Sequence[str],
    row: Callable[[R, datetime, bool], list[str]],
    none: tuple[str, str],
) -> None:
    """List what `listed(store, community_id, open_only=…)` finds as a table of `columns`,
    each line `row(item, now, several communities)`; `none`: what is said when nothing is
    found (undecided only, all)."""
    clock = clock_of(ctx)
    store: Store = open_store(settings_from(config), clock)
    now = clock.now()
    only = None if community is None else pick_community(store, community)
    found = listed(store, only.id if only else None, open_only=open_only)
    if not found:
        console.print(none[0] if open_only else none[1])
        return
    several = only is None and len({f.community for f in found}) > 1
    print_table([*(["Community"] if several else []), *columns],
                [row(f, now, several) for f in found])  # fmt: skip
