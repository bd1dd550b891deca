"""`hearth signups ...`: see the sign-up lists and group-buys, export a final list as CSV."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from datetime import datetime
from decimal import Decimal
from pathlib import Path
from typing import Annotated, TextIO
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import typer
from rich.markup import escape

from hearthkeeper.capabilities.signups.records import SignUpList
from hearthkeeper.capabilities.signups.render import item_of, money, plain, price_of
from hearthkeeper.capabilities.signups.repository import SignUpRepository, SqlSignUps
from hearthkeeper.cli.context import ConfigOption, open_store, pick_community, settings_from
from hearthkeeper.cli.output import console, fail, shown_safely
from hearthkeeper.cli.zones import one_zone, times_in
from hearthkeeper.store import Store
from hearthkeeper.store.ids import MAX_ID

signups_app = typer.Typer()  # its help: capabilities/signups/__init__.py
# A spreadsheet reads a cell starting with one of these as a formula (`=HYPERLINK(...)` in a
# member's name would run in the organiser's Excel): such cells get a leading apostrophe.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
COLUMNS = ("number", "status", "name", "member_id", "item", "price", "quantity", "amount", "note",
           "signed_up_at")  # fmt: skip


@signups_app.command("list")
def list_signups(
    community: Annotated[
        str | None, typer.Option("--community", help="Only this community (its slug or name).")
    ] = None,
    open_only: Annotated[bool, typer.Option("--open", help="Only the lists still open.")] = False,
    config: ConfigOption = None,
) -> None:
    """Every sign-up list, oldest first: id, state, group, title, deadline and how many joined."""
    store = open_store(settings_from(config))
    community_id = None
    if community is not None:
        community_id = pick_community(store, community).id
    repo = SqlSignUps.on(store)
    lists = repo.lists(community_id, open_only=open_only)
    zones = {c: _zone(store, c) for c in {lst.community_id for lst in lists}}
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
            f"{'closed' if lst.status != 'open' else 'closes'} {_local(when, zone)}"
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
    list_id: Annotated[
        int, typer.Argument(min=1, max=MAX_ID, help="The list's id (see `hearth signups list`).")
    ],
    output: Annotated[
        Path | None,
        typer.Option(
            "--output",
            "-o",
            help="CSV file to write (UTF-8 with BOM, for Excel); default: standard output.",
        ),
    ] = None,
    config: ConfigOption = None,
) -> None:
    """Write a list as CSV with a header: the confirmed entries numbered, then the waitlist.
    Cells a spreadsheet would run as a formula start with an apostrophe."""
    store = open_store(settings_from(config))
    repo = SqlSignUps.on(store)
    lst = repo.get(list_id)
    if lst is None:
        fail(f"there is no sign-up list with id {list_id}; `hearth signups list` shows them")
    rows = list(_rows(repo, lst, _zone(store, lst.community_id)))
    if output is None:  # to a terminal, most likely: no escape sequences reach it
        buffer = io.StringIO()
        _write(buffer, [[shown_safely(cell) for cell in row] for row in rows])
        typer.echo(buffer.getvalue(), nl=False)
        return
    try:
        with output.open("w", encoding="utf-8-sig", newline="") as handle:
            _write(handle, rows)
    except OSError as exc:
        fail(f"cannot write {output}: {exc.strerror or exc}")
    console.print(escape(shown_safely(f"Wrote {len(rows)} entr{'y' if len(rows) == 1 else 'ies'} "
                                      f"of #{lst.id} {lst.title} to {output}.")))  # fmt: skip


def _rows(repo: SignUpRepository, lst: SignUpList, zone: ZoneInfo) -> Iterator[list[str]]:
    counters = {"confirmed": 0, "waitlisted": 0}
    for entry in repo.entries(lst.id):
        counters[entry.status] += 1
        number = str(counters[entry.status])
        item = item_of(lst, entry)
        price = price_of(item)
        yield [
            number if entry.status == "confirmed" else f"W{number}", entry.status,
            entry.display_name, str(entry.member_id),
            "" if item is None or plain(lst) else item.label,
            "" if price is None else money(price), str(entry.quantity),
            "" if price is None else money(price * Decimal(entry.quantity)), entry.note,
            _local(entry.at, zone),
        ]  # fmt: skip


def spreadsheet_safe(cell: str) -> str:
    """`cell` as a spreadsheet shows it as text, never running it as a formula."""
    return "'" + cell if cell.startswith(FORMULA_STARTS) else cell


def _write(handle: TextIO, rows: list[list[str]]) -> None:
    writer = csv.writer(handle)
    writer.writerow(COLUMNS)
    writer.writerows([spreadsheet_safe(cell) for cell in row] for row in rows)


def _zone(store: Store, community_id: int) -> ZoneInfo:
    """The community's time zone, from its applied playbook (UTC when unknown)."""
    version = store.latest_playbook_version(community_id)
    name = version.content.get("community", {}).get("timezone") if version else None
    try:
        return ZoneInfo(str(name)) if name else ZoneInfo("UTC")
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


def _local(moment: datetime, zone: ZoneInfo) -> str:
    return moment.astimezone(zone).strftime("%Y-%m-%d %H:%M")
