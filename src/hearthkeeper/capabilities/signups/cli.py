"""`hearth signups ...`: see the sign-up lists and group-buys, export a final list as CSV."""

from __future__ import annotations

import io
from typing import Annotated

import typer
from rich.markup import escape

from hearthkeeper.capabilities.signups.export import local, write_csv, zone_of
from hearthkeeper.capabilities.signups.export import rows as export_rows
from hearthkeeper.capabilities.signups.repository import SqlSignUps
from hearthkeeper.cli.context import (
    ConfigOption,
    CsvOutputOption,
    clock_of,
    open_store,
    pick_community,
    settings_from,
)
from hearthkeeper.cli.output import console, fail, shown_safely
from hearthkeeper.cli.zones import one_zone, times_in
from hearthkeeper.store.ids import MAX_ID

signups_app = typer.Typer()  # its help: capabilities/signups/__init__.py


@signups_app.command("list")
def list_signups(
    ctx: typer.Context,
    community: Annotated[
        str | None, typer.Option("--community", help="Only this community (its slug or name).")
    ] = None,
    open_only: Annotated[bool, typer.Option("--open", help="Only the lists still open.")] = False,
    config: ConfigOption = None,
) -> None:
    """Every sign-up list, oldest first: id, state, group, title, deadline and how many joined."""
    store = open_store(settings_from(config), clock_of(ctx))
    community_id = None
    if community is not None:
        community_id = pick_community(store, community).id
    repo = SqlSignUps.on(store)
    lists = repo.lists(community_id, open_only=open_only)
    zones = {c: zone_of(store, c) for c in {lst.community_id for lst in lists}}
    shared = one_zone(zones.values())  # named once above the rows, else after each time
    if shared is not None and any(lst.closed_at or lst.deadline for lst in lists):
        console.print(times_in(shared))
    for lst in lists:
        zone = zones[lst.community_id]
        group = store.get_group(lst.group_id)
        entries = repo.entries(lst.id)
        confirmed = sum(1 for e in entries if e.status == "confirmed")
        waiting = len(entries) - confirmed
        when = lst.closed_at if lst.closed_at is not None else lst.deadline
        shown = (
            f"{'closed' if lst.status != 'open' else 'closes'} {local(when, zone)}"
            f"{'' if shared is not None else ' ' + zone.key}"
            if when
            else ""
        )
        console.print(escape(shown_safely(
            f"#{lst.id}  {lst.status}  {group.name if group else lst.group_id}  {lst.title}  "
            f"{shown}  {confirmed} signed up, {waiting} waitlisted"
        )))  # fmt: skip
    if not lists:
        console.print("No sign-up lists yet." if not open_only else "No open sign-up lists.")


@signups_app.command("export")
def export(
    ctx: typer.Context,
    list_id: Annotated[
        int, typer.Argument(min=1, max=MAX_ID, help="The list's id (see `hearth signups list`).")
    ],
    output: CsvOutputOption = None,
    config: ConfigOption = None,
) -> None:
    """Write a list as CSV with a header: the confirmed entries numbered, then the waitlist.
    Cells a spreadsheet would run as a formula start with an apostrophe."""
    store = open_store(settings_from(config), clock_of(ctx))
    repo = SqlSignUps.on(store)
    lst = repo.get(list_id)
    if lst is None:
        fail(f"there is no sign-up list with id {list_id}; `hearth signups list` shows them")
    rows = list(export_rows(repo, lst, zone_of(store, lst.community_id)))
    if output is None:  # to a terminal, most likely: no escape sequences reach it
        buffer = io.StringIO()
        write_csv(buffer, [[shown_safely(cell) for cell in row] for row in rows])
        typer.echo(buffer.getvalue(), nl=False)
        return
    try:
        with output.open("w", encoding="utf-8-sig", newline="") as handle:
            write_csv(handle, rows)
    except OSError as exc:
        fail(f"cannot write {output}: {exc.strerror or exc}")
    console.print(escape(shown_safely(f"Wrote {len(rows)} entr{'y' if len(rows) == 1 else 'ies'} "
                                      f"of #{lst.id} {lst.title} to {output}.")))  # fmt: skip
