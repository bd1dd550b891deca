"""`hearth init` and `hearth apply`: start a deployment, and store a playbook version."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from hearthkeeper.cli.context import ConfigOption, actor_fits

if TYPE_CHECKING:
    from hearthkeeper.apply import Applied

# A top-level command: this module is imported by every `hearth` command, so what the command
# needs is imported when it runs.


def register(app: typer.Typer) -> None:
    """Add `init` and `apply` to the top-level command."""
    app.command("init")(init)
    app.command("apply")(apply)


def init(
    directory: Annotated[Path, typer.Argument(help="Directory for the new deployment.")],
    template: Annotated[
        str,
        typer.Option(
            "--template", "-t", help="Playbook template (see `hearth playbook templates`)."
        ),
    ] = "skincare",
) -> None:
    """Create a deployment: hearth.toml, playbook.yaml from a template, and the database."""
    from rich.markup import escape

    from hearthkeeper.carriers.installed import CARRIERS
    from hearthkeeper.cli.context import prepare, settings_from
    from hearthkeeper.cli.output import console, fail
    from hearthkeeper.config import CONFIG_NAME, config_text
    from hearthkeeper.playbook.templates import UnknownTemplate, copy_content, template_text
    from hearthkeeper.store import StoreError, upgrade

    try:
        text = template_text(template)
    except UnknownTemplate as exc:
        fail(str(exc))
    config_path, playbook_path = directory / CONFIG_NAME, directory / "playbook.yaml"
    for path in (config_path, playbook_path):
        if path.exists():
            fail(
                f"{path} already exists; `hearth init` never overwrites: choose an empty directory"
            )
    try:
        directory.mkdir(parents=True, exist_ok=True)
        playbook_path.write_text(text, encoding="utf-8")
        config_path.write_text(config_text("playbook.yaml", carriers=CARRIERS), encoding="utf-8")
        copy_content(template, directory)
    except OSError as exc:
        fail(f"cannot write to {directory}: {exc.strerror or exc}")
    settings = settings_from(config_path)
    prepare(settings)
    try:
        upgrade(settings.database_url)
    except StoreError as exc:
        fail(str(exc))
    console.print(
        f"Created {escape(str(config_path))} and {escape(str(playbook_path))} "
        f"({template} template); database ready in {escape(str(settings.data_dir))}."
    )
    console.print(
        f"Next: edit the playbook, then `hearth apply {escape(str(playbook_path))} "
        f"--config {escape(str(config_path))}`."
    )


def apply(
    playbook: Annotated[Path, typer.Argument(help="The playbook file to apply.")],
    config: ConfigOption = None,
    actor: Annotated[
        str, typer.Option("--as", help="Who applies it, for the audit log.", callback=actor_fits)
    ] = "cli",
) -> None:
    """Store a playbook as the next version of its community and print the diff."""
    from rich.markup import escape

    from hearthkeeper.apply import apply_playbook
    from hearthkeeper.cli.context import open_store, settings_from
    from hearthkeeper.cli.output import console, fail, load_or_exit
    from hearthkeeper.store import StoreError

    loaded = load_or_exit(playbook)
    store = open_store(settings_from(config))
    try:
        applied = apply_playbook(store, loaded, actor)
    except StoreError as exc:
        fail(str(exc))
    print_applied(applied)
    groups = store.list_groups(applied.community.id)
    for line in unmatched_overrides(list(loaded.playbook.groups),
                                    [g.name for g in groups],
                                    [g.carrier_group_id for g in groups]):  # fmt: skip
        console.print(escape(line))


def unmatched_overrides(overrides: list[str], names: list[str], ids: list[str]) -> list[str]:
    """A note for each `groups:` override naming none of the community's groups by name or
    carrier id (a typo among hundreds of groups, or a group not opened yet), with the group it
    would name but for width, case, spaces or a leading zero ("07群" for "7群")."""
    import re
    import unicodedata

    from hearthkeeper.text.folding import fold

    def loose(text: str) -> str:
        return re.sub(r"\d+", plain_number, re.sub(r"\s+", "", fold(text)))

    def plain_number(digits: re.Match[str]) -> str:
        """The digits in ASCII without leading zeros, as text (int() refuses a run of over
        4,300 digits: a 5,000-digit key ended `hearth apply` as a bug)."""
        return "".join(str(unicodedata.digit(c)) for c in digits.group()).lstrip("0") or "0"

    known = set(names) | set(ids)
    near = {loose(name): name for name in [*ids, *names]}  # a name wins over an id
    found = []
    for key in overrides:
        if key in known:
            continue
        hint = f" Did you mean “{near[loose(key)]}”?" if loose(key) in near else ""
        found.append(f"note: groups: “{key}” names no group yet (by name or carrier id); it "
                     f"applies to a group opened later under that name.{hint}")  # fmt: skip
    return found


def print_applied(applied: Applied) -> None:
    """Say which version was stored and what changed."""
    from rich.markup import escape

    from hearthkeeper.cli.output import console

    name = escape(f"{applied.community.name} [{applied.community.slug}]")
    if applied.unchanged:
        console.print(f"{name}: identical to version {applied.version.version}; nothing stored.")
        return
    if applied.previous is None:
        console.print(f"{name}: stored version {applied.version.version} (first version).")
        return
    console.print(
        f"{name}: stored version {applied.version.version} "
        f"(changes against version {applied.previous.version}):"
    )
    if not applied.changes:
        console.print("  no change in effect (only comments or layout differ)")
    for change in applied.changes:
        console.print(f"  {escape(str(change))}")
    for warning in applied.warnings:
        console.print(f"warning: {escape(warning)}")
