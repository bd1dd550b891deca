"""`hearth import FORMAT FILE --community NAME`: bring existing chat history in."""

from __future__ import annotations

import re
import unicodedata
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated
from zoneinfo import ZoneInfo

import typer

from hearthkeeper.cli.context import ConfigOption, clock_of

if TYPE_CHECKING:
    from hearthkeeper.importers import ImportSummary
    from hearthkeeper.store import Store

# A top-level command: this module is imported by every `hearth` command, so what the command
# needs is imported when it runs.

SHOWN_BAD_ROWS = 20
SHOWN_GROUPS = 10


class Format(StrEnum):
    TELEGRAM = "telegram"
    WHATSAPP = "whatsapp"
    CSV = "csv"


class DateOrder(StrEnum):
    DMY = "dmy"
    MDY = "mdy"
    YMD = "ymd"


def register(app: typer.Typer) -> None:
    """Add `import` to the top-level command."""
    app.command("import")(import_history)


def import_history(
    ctx: typer.Context,
    format: Annotated[Format, typer.Argument(help="telegram, whatsapp or csv.", metavar="FORMAT")],
    file: Annotated[Path, typer.Argument(help="The export file.", metavar="FILE")],
    community: Annotated[
        str, typer.Option("--community", help="The community (its slug or name); created if new.")
    ],
    tz: Annotated[
        str | None,
        typer.Option(
            "--tz",
            help="Time zone of times written without one (default: the community's, else UTC).",
        ),
    ] = None,
    date_order: Annotated[
        DateOrder | None,
        typer.Option("--date-order", help="WhatsApp: dmy, mdy or ymd (default: inferred)."),
    ] = None,
    group: Annotated[
        str | None,
        typer.Option(
            "--group",
            help="WhatsApp: the group's name (default: from the file "
            "name). Telegram and CSV: import only this group.",
        ),
    ] = None,
    config: ConfigOption = None,
) -> None:
    """Import chat history into a community: messages, members, joins and leaves."""
    from rich.progress import BarColumn, Progress, TaskProgressColumn, TimeRemainingColumn

    from hearthkeeper.cli.context import open_store, settings_from
    from hearthkeeper.cli.output import errors, fail
    from hearthkeeper.importers import ImportFileError, ImportOptions, import_source, open_source

    if date_order is not None and format is not Format.WHATSAPP:
        fail("--date-order is for WhatsApp exports only (the other formats say their dates)")
    if group is not None:
        group = _group(group)
    store = open_store(settings_from(config), clock_of(ctx))
    slug, name = _community(store, community)
    found = store.get_community(slug)
    zone = _zone(tz, store.community_timezone(found.id) if found is not None else "UTC")
    options = ImportOptions(tz=zone, date_order=date_order, group=group)
    try:
        source = open_source(format.value, file, options)
        with Progress(
            "[progress.description]{task.description}", BarColumn(), TaskProgressColumn(),
            TimeRemainingColumn(), console=errors, transient=True,
            disable=not errors.is_terminal,
        ) as bar:  # fmt: skip
            task = bar.add_task(f"importing {file.name}", total=source.total)
            summary = import_source(
                store, source, community=slug, name=name,
                progress=lambda done, total: bar.update(task, completed=done, total=total),
                stage=lambda what: bar.update(task, description=what),
            )  # fmt: skip
    except ImportFileError as exc:
        fail(f"{exc}; nothing was imported")
    _report(summary, zone)
    if not summary.read_anything:
        fail(
            f"nothing could be imported from {file}: {len(summary.bad_rows)} bad rows"
            if summary.bad_rows
            else f"{file} holds no messages"
        )


def _report(summary: ImportSummary, zone: ZoneInfo) -> None:
    from rich.markup import escape

    from hearthkeeper.cli.output import console, errors

    community = summary.community
    where = f"{community.name} ({community.slug})" if community is not None else "-"
    console.print(escape(f"Imported {summary.path} ({summary.format}) into {where}"))
    console.print(
        f"  messages: {summary.messages_added:,} added, {summary.messages_already:,} already there"
    )
    if summary.stays_seen:
        console.print(f"  joins and leaves: {summary.stays_added:,} added, "
                      f"{summary.stays_seen - summary.stays_added:,} already there")  # fmt: skip
    names = sorted(summary.groups.values())
    shown = ", ".join(names[:SHOWN_GROUPS]) + (", …" if len(names) > SHOWN_GROUPS else "")
    console.print(escape(f"  groups: {len(names)}" + (f" ({shown})" if names else "")))
    console.print(f"  members: {summary.members:,}")
    console.print(f"  bad rows skipped: {len(summary.bad_rows):,}")
    for note in summary.notes:
        console.print(escape(f"  note: {note}"))
    if summary.zoneless_times:  # a Telegram export's date_unixtime is zoned: no note then
        console.print(escape(f"  note: times written without a time zone were read in {zone.key}"))
    for bad in summary.bad_rows[:SHOWN_BAD_ROWS]:
        errors.print(escape(str(bad)))
    rest = len(summary.bad_rows) - SHOWN_BAD_ROWS
    if rest > 0:
        errors.print(f"… and {rest:,} more bad rows")


def _community(store: Store, given: str) -> tuple[str, str]:
    """(slug, name) for `--community`: an existing slug as is, else a slug made of the name."""
    from hearthkeeper.cli.output import fail

    given = given.strip()
    if not given:
        fail("--community needs a name")
    if store.get_community(given) is not None:
        return given, given
    # a new community is named by what was typed: one visible line, as a group's name
    name = _name("--community", "community's name", given, "--community needs a name")
    return slugify(name), name


def _group(given: str) -> str:
    """`--group` as typed, or a refusal naming the option before anything is read or stored:
    the name becomes a group's (WhatsApp) or picks one by its name (Telegram, CSV)."""
    return _name("--group", "group's name", given,
                 "--group needs a name (leave the option out: a WhatsApp group is named after "
                 "the file, and Telegram and CSV import every group)")  # fmt: skip


def _name(option: str, what: str, given: str, empty: str) -> str:
    """A name typed for `option`, or a refusal naming it (`empty`: what to say when there is
    none): one visible line that fits its column; nothing is read or stored before."""
    from hearthkeeper.cli.output import fail
    from hearthkeeper.store.columns import length_problem
    from hearthkeeper.store.models import NAME
    from hearthkeeper.text.controls import hidden_character

    name = given.strip()
    if not name:
        fail(f"{empty}; nothing was imported")
    hidden = hidden_character(name)
    if hidden is not None:
        fail(
            f"{option}: the name carries {hidden}; type it without (a {what} is one visible "
            "line); nothing was imported"
        )
    too_long = length_problem(what, name, NAME)
    if too_long is not None:
        fail(f"{option}: {too_long}; nothing was imported")
    return name


def slugify(name: str) -> str:
    """A community slug from its name: lower case, words joined by '-' (letters of any
    script kept), at most 64 characters."""
    text = unicodedata.normalize("NFKC", name).lower()
    slug = re.sub(r"[^\w]+", "-", text).strip("-_")[:64].strip("-_")
    return slug or "community"


def _zone(given: str | None, community: str) -> ZoneInfo:
    from hearthkeeper.playbook.base import zone_problem

    name = given if given is not None else community
    problem = zone_problem(name)
    if problem is None:
        return ZoneInfo(name)
    if given is None:
        return ZoneInfo("UTC")
    from hearthkeeper.cli.output import fail

    fail(f"--tz: {problem}")
