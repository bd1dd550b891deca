"""The `hearth` command: the Typer application and its entry point."""

from __future__ import annotations

import os
import signal
import sys

import typer

from hearthkeeper import __version__, process
from hearthkeeper.capabilities.installed import CAPABILITIES
from hearthkeeper.carriers.installed import CARRIERS
from hearthkeeper.cli import (
    demo_cmd,
    import_cmd,
    report_cmd,
    serve_cmd,
    setup_cmds,
    trial_cmds,
)
from hearthkeeper.cli.commands import conventional
from hearthkeeper.cli.lazy import add_lazy_group

app = typer.Typer(
    name="hearth",
    help="Hearthkeeper: write the playbook, run it on real chat groups, keep them clean and alive.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)
# Groups are imported when one of their commands runs (cli/lazy.py): `hearth --help` and
# `hearth playbook validate` start without SQLAlchemy, FastAPI or the carriers' clients.
add_lazy_group(
    app, "playbook", "hearthkeeper.cli.playbook_cmds:app", help="Write, check and read playbooks."
)
add_lazy_group(app, "db", "hearthkeeper.cli.db_cmds:app", help="Manage the database.")
add_lazy_group(
    app, "bench", "hearthkeeper.cli.bench_cmds:app", help="Run benchmarks and print the figures."
)
setup_cmds.register(app)
demo_cmd.register(app)
trial_cmds.register(app)
add_lazy_group(
    app,
    "staff",
    "hearthkeeper.cli.staff_cmds:staff_app",
    help="Who is staff: give and take staff roles.",
)
add_lazy_group(
    app,
    "groups",
    "hearthkeeper.cli.groups_cmds:groups_app",
    help="Open a community's groups, many at once; close one, or reopen it.",
)
add_lazy_group(
    app,
    "operator",
    "hearthkeeper.cli.operator_cmds:operator_app",
    help="Operators who sign in to the console.",
)
add_lazy_group(
    app, "token", "hearthkeeper.cli.operator_cmds:token_app", help="Tokens for the REST API."
)
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


conventional(app)  # after every command is added: usage lines and bad numbers (commands.py)


def main() -> None:
    """Entry point of the `hearth` console script and `python -m hearthkeeper`."""
    process.mark_as_one_command()
    try:
        _run()
    finally:
        # The command is over: a Ctrl-C or SIGTERM now (a second one after `hearth serve`
        # stopped) could only interrupt Python's own exit, with a traceback from its threading
        # module or a death by signal. Python keeps an ignored signal ignored while it exits.
        for sig in (signal.SIGINT, signal.SIGTERM):
            signal.signal(sig, signal.SIG_IGN)


def _run() -> None:
    try:
        app()
    except KeyboardInterrupt:
        typer.echo("interrupted", err=True)
        sys.exit(130)
    except OverflowError as exc:  # an id or number beyond what the database binds (SQLite)
        from hearthkeeper.store.ids import MAX_ID

        typer.echo(f"error: a number in this command is too large for the database ({exc}); "
                   f"ids go up to {MAX_ID}. Nothing was changed.", err=True)  # fmt: skip
        sys.exit(1)
    except Exception as exc:  # the last line of defence: a user never sees a traceback
        if os.environ.get("HEARTH_DEBUG"):
            raise
        from hearthkeeper.store.errors import unavailable

        if unavailable(exc):  # a restart, a lost connection, a file locked by a backup
            first = (str(getattr(exc, "orig", None) or exc).strip().splitlines() or [""])[0]
            typer.echo(f"error: the database is unavailable just now ({first[:200]}); the "
                       "command stopped and what it had not finished was rolled back. Try "
                       "again in a moment.", err=True)  # fmt: skip
            sys.exit(1)
        typer.echo(
            f"error: {type(exc).__name__}: {exc}\n"
            "This is a bug in Hearthkeeper; run again with HEARTH_DEBUG=1 for details and report it.",
            err=True,
        )
        sys.exit(2)
