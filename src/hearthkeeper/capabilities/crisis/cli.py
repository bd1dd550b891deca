"""`hearth crisis episodes`: the episodes of a community, with the messages that made them."""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated

import typer
from rich.markup import escape

from hearthkeeper.analytics.report import zone_of
from hearthkeeper.apply import community_playbook
from hearthkeeper.capabilities.crisis.render import percent, quote
from hearthkeeper.capabilities.crisis.repository import SqlCrisis
from hearthkeeper.cli.context import (
    ConfigOption,
    clock_of,
    open_store,
    pick_community,
    settings_from,
)
from hearthkeeper.cli.days import MAX_DAYS
from hearthkeeper.cli.output import console
from hearthkeeper.cli.zones import times_in

crisis_app = typer.Typer()  # its help: capabilities/crisis/__init__.py


@crisis_app.command("episodes")
def episodes(
    ctx: typer.Context,
    community: Annotated[str, typer.Option("--community", help="The community's slug or name.")],
    days: Annotated[
        int, typer.Option("--days", min=1, max=MAX_DAYS, help="How far back (by last spike).")
    ] = 30,
    config: ConfigOption = None,
) -> None:
    """Each episode, newest first: group, when, the figures, and every message that made it."""
    store = open_store(settings_from(config), clock_of(ctx))
    found = pick_community(store, community)
    _, zone = zone_of(community_playbook(store, found.id))
    since = clock_of(ctx).now() - timedelta(days=days)
    shown = SqlCrisis.on(store).episodes(found.id, since)
    if shown:
        console.print(times_in(zone))
    for e in shown:
        usual = percent(e.baseline) if e.baseline is not None else "unknown"
        console.print(escape(
            f"{e.group}  {e.started_at.astimezone(zone):%Y-%m-%d %H:%M}  {e.alarming} of "
            f"{e.messages} messages alarming from {e.authors} members (usual {usual})"
        ))  # fmt: skip
        for mark in e.marks:
            console.print(escape("  " + quote(mark, zone)))
    if not shown:
        console.print(f"No crisis episode in the last {days} days.")
