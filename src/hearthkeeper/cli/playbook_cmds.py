"""`hearth playbook ...`: validate, show, list templates, start a new playbook."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.markup import escape

from hearthkeeper.cli.context import clock_of
from hearthkeeper.cli.output import console, fail, installed, load_or_exit
from hearthkeeper.cli.setup_cmds import apply

if TYPE_CHECKING:
    from collections.abc import Collection, Mapping

    from hearthkeeper.playbook import CarrierKinds, Playbook

# Each command imports what it needs: `validate` runs in editors and pre-commit hooks, and needs
# neither the engine (`show`'s registry: the store, SQLAlchemy) nor the reference's docs.

app = typer.Typer()  # `hearth playbook`, its help in root.py


@app.command("validate")
def validate(
    ctx: typer.Context,
    files: Annotated[list[Path], typer.Argument(help="Playbook files to check.")],
    config: Annotated[
        Path | None,
        typer.Option(
            "--config",
            "-c",
            help="A deployment's configuration: also check the "
            "groups posts name against the groups its database holds, and warn of the "
            "carriers the playbook lists that its hearth.toml does not run.",
        ),
    ] = None,
) -> None:
    """Check playbooks; print one line per problem (FILE:LINE:COL: field: message) and per
    warning (FILE:LINE:COL: field: warning: message); exit 1 if any problem, 0 if only warnings."""
    from hearthkeeper.playbook import validate_file

    groups = None
    kinds = installed()
    if config is not None:  # only when asked: validating needs no database
        from hearthkeeper.apply import stored_group_names
        from hearthkeeper.cli.context import open_store, settings_from

        settings = settings_from(config)
        groups = stored_group_names(open_store(settings, clock_of(ctx)))
        kinds = installed(settings)  # a carrier named that it does not run is a warning
    failed = False
    now = clock_of(ctx).now()
    for path in files:
        problems = validate_file(path, carriers=kinds, now=now, groups=groups)
        for problem in problems:
            typer.echo(str(problem))
        if any(not p.is_warning for p in problems):
            failed = True
        else:
            warned = len(problems)
            typer.echo(f"{path}: ok" + (f" ({warned} warning{'s' if warned != 1 else ''})"
                                        if warned else ""))  # fmt: skip
    if failed:
        raise typer.Exit(1)


@app.command("show")
def show(
    ctx: typer.Context,
    file: Annotated[Path, typer.Argument(help="The playbook to summarise.")],
    config: Annotated[
        Path | None,
        typer.Option(
            "--config",
            "-c",
            help="A deployment's configuration: name groups as its community's next group "
            "will be, by the groups its database holds, and name the carriers the playbook "
            "lists that its hearth.toml does not run.",
        ),
    ] = None,
) -> None:
    """Summarise a playbook by ISOOC and call out its gaps."""
    from hearthkeeper.assembly import build_registry
    from hearthkeeper.capabilities.calendar.library import posts_with_files

    names: Collection[str] = ()
    kinds = installed()
    if config is None:  # only when asked: summarising needs no database
        loaded = load_or_exit(file, now=clock_of(ctx).now())
    else:
        from hearthkeeper.apply import stored_group_names
        from hearthkeeper.cli.context import open_store, settings_from

        settings = settings_from(config)
        kinds = installed(settings)  # what its hearth.toml runs: the others are gaps
        loaded = load_or_exit(file, carriers=kinds, now=clock_of(ctx).now())
        names = stored_group_names(open_store(settings, clock_of(ctx)))(
            loaded.playbook.community.slug
        )
    checked = build_registry(
        loaded.playbook, file.parent, scorer=None, inspecting=True
    ).thresholds()
    files = posts_with_files(loaded.playbook.calendar.posts, file.parent)
    print_summary(loaded.playbook, replace(kinds, thresholds=checked), files, names)


def print_summary(
    playbook: Playbook,
    carriers: CarrierKinds | None = None,
    posts_with_files: Mapping[str, frozenset[str]] | None = None,
    group_names: Collection[str] = (),
) -> None:
    """Print the ISOOC summary and its gaps (with `carriers`, also each carrier the playbook
    names that cannot run here; with `posts_with_files`, what those posts cannot send; with
    `group_names`, the community's groups, the naming its next group takes)."""
    from hearthkeeper.playbook.summary import summarise

    gaps = 0
    for element in summarise(playbook, carriers, posts_with_files, group_names):
        console.print(f"\n[bold]{escape(element.title)}[/]")
        for line in element.lines:
            console.print(f"  {escape(line)}")
        for gap in element.gaps:
            gaps += 1
            console.print(f"  [yellow]Gap:[/] {escape(gap.text)} [dim]({escape(gap.source)})[/]")
    console.print(f"\n{gaps} gap(s)." if gaps else "\nNo gaps found.")


@app.command("templates")
def templates() -> None:
    """List the playbook templates."""
    from rich.table import Table

    from hearthkeeper.playbook.templates import TEMPLATES

    table = Table("name", "for", box=None, pad_edge=False)
    for template in TEMPLATES.values():
        table.add_row(template.name, f"{template.title}: {template.description}")
    console.print(table)


@app.command("new")
def new(
    template: Annotated[
        str,
        typer.Option("--template", "-t", help="Template name (see `hearth playbook templates`)."),
    ],
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="File to write; default: print.")
    ] = None,
    force: Annotated[bool, typer.Option("--force", help="Overwrite an existing file.")] = False,
) -> None:
    """Start a playbook from a template."""
    from hearthkeeper.playbook.templates import UnknownTemplate, copy_content, template_text

    try:
        text = template_text(template)
    except UnknownTemplate as exc:
        fail(str(exc))
    if output is None:
        typer.echo(text, nl=False)
        return
    if output.exists() and not force:
        fail(f"{output} exists; choose another file or pass --force to overwrite it")
    try:
        output.parent.mkdir(parents=True, exist_ok=True)
        output.write_text(text, encoding="utf-8")
    except OSError as exc:
        fail(f"cannot write {output}: {exc.strerror or exc}")
    for folder in copy_content(template, output.parent):
        console.print(f"Wrote sample content to {escape(str(folder))}/ (edit or replace it).")
    console.print(
        f"Wrote {escape(str(output))} from the {template} template. "
        f"Next: edit it, then `hearth playbook validate {escape(str(output))}`."
    )


@app.command("reference")
def reference() -> None:
    """Print every playbook field with its type, default and meaning (Markdown)."""
    from hearthkeeper.playbook.reference import markdown_reference

    typer.echo(markdown_reference(), nl=False)


# `hearth playbook apply` is where an operator who has just validated and shown a playbook
# looks for the next step; it is `hearth apply` itself (same arguments, same output).
app.command("apply", short_help="The same as `hearth apply`: store the next version.",
            help="Store a playbook as the next version of its community and print the diff "
            "(the same as `hearth apply`).")(apply)  # fmt: skip
