"""The `hearth` command: the Typer application and its entry point."""

from __future__ import annotations

import os
import sys

import typer

from hearthkeeper import __version__
from hearthkeeper.capabilities.installed import CAPABILITIES
from hearthkeeper.carriers.installed import CARRIERS
from hearthkeeper.cli import (
    bench_cmds,
    db_cmds,
    demo_cmd,
    import_cmd,
    operator_cmds,
    playbook_cmds,
    report_cmd,
    serve_cmd,
    setup_cmds,
    staff_cmds,
    trial_cmds,
)

app = typer.Typer(
    name="hearth",
    help="Hearthkeeper: write the playbook, run it on real chat groups, keep them clean and alive.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)
app.add_typer(playbook_cmds.app, name="playbook")
app.add_typer(db_cmds.app, name="db")
app.add_typer(bench_cmds.app, name="bench")
setup_cmds.register(app)
demo_cmd.register(app)
trial_cmds.register(app)
staff_cmds.register(app)
operator_cmds.register(app)
serve_cmd.register(app)
import_cmd.register(app)
report_cmd.register(app)
for capability in CAPABILITIES:
    capability.cli(app)
for carrier in CARRIERS:  # each carrier's own commands: `hearth matrix rooms`
    commands = carrier.commands()
    if commands is not None:
        app.add_typer(commands, name=carrier.kind)


@app.command("version")
def version() -> None:
    """Print the Hearthkeeper version."""
    typer.echo(f"hearthkeeper {__version__}")


def main() -> None:
    """Entry point of the `hearth` console script and `python -m hearthkeeper`."""
    try:
        app()
    except KeyboardInterrupt:
        typer.echo("interrupted", err=True)
        sys.exit(130)
    except Exception as exc:  # the last line of defence: a user never sees a traceback
        if os.environ.get("HEARTH_DEBUG"):
            raise
        typer.echo(
            f"error: {type(exc).__name__}: {exc}\n"
            "This is a bug in Hearthkeeper; run again with HEARTH_DEBUG=1 for details and report it.",
            err=True,
        )
        sys.exit(2)
