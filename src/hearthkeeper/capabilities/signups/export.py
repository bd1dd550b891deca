"""A sign-up list as the organiser's spreadsheet reads it: the confirmed entries numbered,
then the waitlist (`W1`, `W2`, …), one row each, as CSV with a header — shared by `hearth
signups export` and the console's *Sign-ups* page. Cells a spreadsheet would run as a formula
start with an apostrophe."""

from __future__ import annotations

import csv
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import TextIO
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from hearthkeeper.capabilities.signups.records import SignUpEntry, SignUpList
from hearthkeeper.capabilities.signups.render import item_of, money, plain, price_of
from hearthkeeper.capabilities.signups.repository import SignUpRepository
from hearthkeeper.store import Store

# A spreadsheet reads a cell starting with one of these as a formula (`=HYPERLINK(...)` in a
# member's name would run in the organiser's Excel): such cells get a leading apostrophe.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
COLUMNS = ("number", "status", "name", "member_id", "item", "price", "quantity", "amount", "note",
           "signed_up_at")  # fmt: skip


@dataclass(frozen=True)
class Line:
    """One entry as the list shows it: its number (`3`, or `W1` on the waitlist), its item's
    label (empty on a list without choices), its price and amount (empty without a price)."""

    number: str
    entry: SignUpEntry
    item: str
    price: str
    amount: str


def lines(repo: SignUpRepository, lst: SignUpList) -> list[Line]:
    """The list's live entries in order: the confirmed numbered, then the waitlist."""
    counters = {"confirmed": 0, "waitlisted": 0}
    found = []
    for entry in repo.entries(lst.id):
        counters[entry.status] = counters.get(entry.status, 0) + 1
        number = str(counters[entry.status])
        item = item_of(lst, entry)
        price = price_of(item)
        found.append(Line(
            number if entry.status == "confirmed" else f"W{number}", entry,
            "" if item is None or plain(lst) else item.label,
            "" if price is None else money(price),
            "" if price is None else money(price * Decimal(entry.quantity)),
        ))  # fmt: skip
    return found


def rows(repo: SignUpRepository, lst: SignUpList, zone: ZoneInfo) -> Iterator[list[str]]:
    """The CSV's rows (without the header), times in `zone`."""
    for line in lines(repo, lst):
        entry = line.entry
        yield [line.number, entry.status, entry.display_name, str(entry.member_id), line.item,
               line.price, str(entry.quantity), line.amount, entry.note,
               local(entry.at, zone)]  # fmt: skip


def spreadsheet_safe(cell: str) -> str:
    """`cell` as a spreadsheet shows it as text, never running it as a formula."""
    return "'" + cell if cell.startswith(FORMULA_STARTS) else cell


def write_csv(handle: TextIO, found: list[list[str]]) -> None:
    """The header, then `found`, each cell spreadsheet-safe."""
    writer = csv.writer(handle)
    writer.writerow(COLUMNS)
    writer.writerows([spreadsheet_safe(cell) for cell in row] for row in found)


def zone_of(store: Store, community_id: int) -> ZoneInfo:
    """The community's time zone, from its applied playbook (UTC when unknown)."""
    version = store.latest_playbook_version(community_id)
    name = version.content.get("community", {}).get("timezone") if version else None
    try:
        return ZoneInfo(str(name)) if name else ZoneInfo("UTC")
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


def local(moment: datetime, zone: ZoneInfo) -> str:
    """`moment` on the community's clock, to the minute."""
    return moment.astimezone(zone).strftime("%Y-%m-%d %H:%M")
