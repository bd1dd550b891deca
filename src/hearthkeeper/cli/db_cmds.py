"""`hearth db ...`: database schema migrations."""

from __future__ import annotations

import typer

from hearthkeeper.cli.context import ConfigOption, prepare, settings_from
from hearthkeeper.cli.output import console, fail
from hearthkeeper.store import StoreError, upgrade

app = typer.Typer(help="Manage the database.", no_args_is_help=True)


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
