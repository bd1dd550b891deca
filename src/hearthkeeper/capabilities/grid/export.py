"""The matrix of groups as CSV, for the operator's spreadsheet: one row per group as the Matrix
page shows it (members, capacity and fill, 7-day activity, health, stage, who is in charge, the
settings its `groups:` entry overrides, its warnings) — shared by `hearth grid export` and the
page's *Download CSV*. Names are the operator's and members' own text: a cell a spreadsheet
would run as a formula starts with an apostrophe (`signups.export.spreadsheet_safe`)."""

from __future__ import annotations

import csv
from collections.abc import Mapping, Sequence
from typing import TextIO

from hearthkeeper.capabilities.grid.decide import GroupLine, MatrixWarning
from hearthkeeper.capabilities.signups.export import spreadsheet_safe
from hearthkeeper.playbook.groups import GroupOverride

COLUMNS = ("group_id", "group", "carrier", "carrier_group_id", "members", "capacity",
           "fill_percent", "messages_7d", "active_7d", "health", "stage", "in_charge",
           "override", "warnings")  # fmt: skip
OVERRIDDEN = ("welcome", "faq_cooldown", "capacity", "calendar_posts")  # as the page lists them


def rows(lines: Sequence[GroupLine], warnings: Sequence[MatrixWarning],
         overrides: Mapping[int, GroupOverride]) -> list[list[str]]:  # fmt: skip
    """One row per line, in the lines' order: numbers as numbers (the fill a percentage to
    one decimal, empty without a capacity; health empty while not measured), a keeper who
    holds a manager role without being put in charge marked "(role)", the warnings' kinds."""
    kinds: dict[int, list[str]] = {}
    for warning in warnings:
        if warning.group_id is not None:
            kinds.setdefault(warning.group_id, []).append(warning.kind.value)
    found = []
    for line in lines:
        override = overrides.get(line.group_id)
        overridden = [] if override is None else [
            name for name in OVERRIDDEN if getattr(override, name) is not None]  # fmt: skip
        found.append([
            str(line.group_id), line.name, line.carrier, line.carrier_group_id,
            str(line.members), "" if line.capacity is None else str(line.capacity),
            "" if line.fill is None else f"{100 * line.fill:.1f}",
            str(line.messages_7d), str(line.speakers_7d),
            "" if line.health is None else str(line.health), line.stage.value,
            "; ".join(k.name + ("" if k.assigned else " (role)") for k in line.keepers),
            " ".join(overridden), " ".join(kinds.get(line.group_id, ())),
        ])  # fmt: skip
    return found


def write_csv(handle: TextIO, found: Sequence[Sequence[str]]) -> None:
    """The header, then `found`, each cell spreadsheet-safe."""
    writer = csv.writer(handle)
    writer.writerow(COLUMNS)
    writer.writerows([spreadsheet_safe(cell) for cell in row] for row in found)
