"""`hearth db ...`: database schema migrations and the analytics rollups."""

from __future__ import annotations

from typing import Annotated

import typer

from hearthkeeper.cli.context import (
    ConfigOption,
    clock_of,
    communities_named,
    open_store,
    prepare,
    settings_from,
)
from hearthkeeper.cli.output import console, fail
from hearthkeeper.store import StoreError, upgrade

app = typer.Typer()  # `hearth db`, its help in root.py


@app.command("upgrade")
def db_upgrade(config: ConfigOption = None) -> None:
    """Create or migrate the database schema to the current version."""
    settings = settings_from(config)
    prepare(settings)
    try:
        applied = upgrade(settings.database_url)
    except StoreError as exc:
        fail(str(exc))
    where = settings.database_url.split("@")[-1]
    if applied:
        console.print(f"Database {where}: applied {', '.join(applied)}.")
    else:
        console.print(f"Database {where}: already up to date.")


@app.command("rollups")
def db_rollups(
    ctx: typer.Context,
    community: Annotated[
        str | None, typer.Option("--community", help="Only this community (its slug or name).")
    ] = None,
    config: ConfigOption = None,
) -> None:
    """Recompute the analytics rollups from the stored messages, stays and strikes."""
    store = open_store(settings_from(config), clock_of(ctx))
    for each in communities_named(store, community):
        groups = [g.id for g in store.list_groups(each.id)]
        store.rebuild_rollups(groups)
        zone = store.community_timezone(each.id)
        console.print(f"{each.slug}: rollups rebuilt for {len(groups)} groups (days in {zone}).")
