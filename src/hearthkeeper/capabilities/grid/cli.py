"""`hearth grid ...`: the matrix of groups in the terminal, who is in charge of a group, and
one poll, check-in prompt or skip across many groups (`across_cli.py`)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape

from hearthkeeper.analytics.report import zone_of
from hearthkeeper.apply import community_playbook
from hearthkeeper.capabilities.grid import across_cli
from hearthkeeper.capabilities.grid.decide import (
    MAX_FIND,
    STAGE_FILTER,
    GroupLine,
    matrix_warnings,
    narrowed,
    sorted_lines,
)
from hearthkeeper.capabilities.grid.load import Matrix, load_matrix
from hearthkeeper.capabilities.grid.repository import (
    CLOSED_TAKES_NOBODY,
    NOT_IN_IT,
    NOT_IN_THEM,
    SqlGrid,
)
from hearthkeeper.capabilities.grid.stage import Stage
from hearthkeeper.cli.context import (
    ActorOption,
    ConfigOption,
    CsvOutputOption,
    clock_of,
    member_option,
    open_store,
    pick_community,
    settings_from,
)
from hearthkeeper.cli.output import console, errors, fail
from hearthkeeper.clock import Clock
from hearthkeeper.playbook import Playbook
from hearthkeeper.store import Community, Group, Store
from hearthkeeper.text.counts import counted, groups_named, percent

grid_app = typer.Typer()  # its help: capabilities/grid/__init__.py
# one action across many groups, chosen the same way by the three
grid_app.command("poll")(across_cli.poll)
grid_app.command("checkin")(across_cli.checkin)
grid_app.command("skip")(across_cli.skip)

CommunityOption = Annotated[
    str | None,
    typer.Option("--community", help="Community slug or name (needed when there are several)."),
]


def _group(store: Store, community: Community, name: str) -> Group:
    groups = store.list_groups(community.id)
    for group in groups:
        if name in (group.name, group.carrier_group_id, str(group.id)):
            return group
    known = ", ".join(g.name for g in groups[:10]) or "none yet"
    fail(f"{community.slug} has no group {name!r} (by name, carrier id or number); "
         f"its groups include: {known}")  # fmt: skip


class SortBy(StrEnum):
    """What `hearth grid show --sort` orders by."""

    NAME = "name"  # 2群 before 10群 (`name_order`)
    GROUP = "group"  # the order groups were opened in
    HEALTH = "health"  # lowest first
    MESSAGES = "messages"  # fewest first
    MEMBERS = "members"
    FILL = "fill"
    STAGE = "stage"


StageOption = Annotated[
    Stage | None,
    typer.Option("--stage", help="Only the groups at this stage (dying, declining, …)."),
]
FindOption = Annotated[
    str | None,
    typer.Option("--find", help="Only the groups whose name or carrier id holds this."),
]
SortOption = Annotated[
    SortBy,
    typer.Option(
        "--sort",
        help="Order by: name (2群 before 10群), group (opening), health "
        "(lowest first), messages (fewest first), members, fill or stage.",
    ),
]


@dataclass(frozen=True)
class _Shown:
    """The community's matrix, the lines asked for, and its playbook (None: not applied)."""

    matrix: Matrix
    lines: list[GroupLine]
    playbook: Playbook | None


def _matrix(clock: Clock, community: str | None, stage: Stage | None, find: str | None,
            sort: SortBy, config: Path | None) -> _Shown:  # fmt: skip
    store = open_store(settings_from(config), clock)
    found = pick_community(store, community)
    playbook = community_playbook(store, found.id)
    matrix = load_matrix(store, found.id, playbook, zone_of(playbook)[1], clock.now())
    shown = sorted_lines(narrowed(matrix.lines, stage, (find or "").strip()[:MAX_FIND]),
                         sort.value)  # fmt: skip
    return _Shown(matrix, shown, playbook)


@grid_app.command("show")
def show(
    ctx: typer.Context,
    community: CommunityOption = None,
    stage: StageOption = None,
    find: FindOption = None,
    sort: SortOption = SortBy.NAME,
    config: ConfigOption = None,
) -> None:
    """Every group with its size, fill, 7-day activity, health, stage and who is in charge,
    how many groups are at each stage, then the warnings (of the groups shown)."""
    picked = _matrix(clock_of(ctx), community, stage, find, sort, config)
    matrix, shown, playbook = picked.matrix, picked.lines, picked.playbook
    for line in shown:
        fill = "" if line.fill is None else f" ({percent(line.fill)})"
        size = f"{line.members}" + (f"/{line.capacity}" if line.capacity else "")
        keepers = ", ".join(k.name + ("" if k.assigned else " (role)") for k in line.keepers)
        health = "—" if line.health is None else str(line.health)
        console.print(escape(
            f"{line.name}: {size}{fill} · {line.messages_7d} messages, {line.speakers_7d} "
            f"active in 7 days · health {health} · {line.stage.value} · in charge: "
            f"{keepers or 'nobody'}"))  # fmt: skip
    if not matrix.lines:
        console.print("No groups yet.")
    else:
        stages = {s: sum(1 for line in matrix.lines if line.stage is s) for s in STAGE_FILTER}
        console.print(escape(counted(len(matrix.lines), "group") + ": " + ", ".join(
            f"{n} {s.value}" for s, n in stages.items() if n) + "."))  # fmt: skip
    if len(shown) < len(matrix.lines):
        asked = [f"stage {stage.value}"] if stage is not None else []
        asked += [f"“{find.strip()}” in the name or carrier id"] if find and find.strip() else []
        console.print(escape(f"Shown: {len(shown)} of them ({', '.join(asked)})."))
    if playbook is None:
        console.print("No playbook applied: no warnings (they need its limits).")
        return
    ids = {line.group_id for line in shown}
    warnings = [w for w in matrix_warnings(matrix.lines, playbook)
                if w.group_id is None or w.group_id in ids]  # fmt: skip
    console.print(escape(counted(len(warnings), "warning") + (":" if warnings else ".")))
    for warning in warnings:
        console.print(escape(f"  ⚠ {warning.text()}"))


@grid_app.command("export")
def export(
    ctx: typer.Context,
    community: CommunityOption = None,
    stage: StageOption = None,
    find: FindOption = None,
    sort: SortOption = SortBy.NAME,
    output: CsvOutputOption = None,
    config: ConfigOption = None,
) -> None:
    """The matrix as CSV with a header, one row per group (those --stage and --find keep, in
    --sort's order), as the Matrix page's Download CSV. Cells a spreadsheet would run as a
    formula start with an apostrophe."""
    import io

    from hearthkeeper.capabilities.grid.export import rows, write_csv
    from hearthkeeper.cli.output import shown_safely
    from hearthkeeper.playbook.groups import override_for

    picked = _matrix(clock_of(ctx), community, stage, find, sort, config)
    playbook = picked.playbook
    warnings = [] if playbook is None else matrix_warnings(picked.matrix.lines, playbook)
    overrides = {} if playbook is None else {
        line.group_id: o for line in picked.lines
        if (o := override_for(playbook, line.name, line.carrier_group_id)) is not None}  # fmt: skip
    found = rows(picked.lines, warnings, overrides)
    if output is None:  # to a terminal, most likely: no escape sequences reach it
        buffer = io.StringIO()
        write_csv(buffer, [[shown_safely(cell) for cell in row] for row in found])
        typer.echo(buffer.getvalue(), nl=False)
        return
    try:
        with output.open("w", encoding="utf-8-sig", newline="") as handle:
            write_csv(handle, found)
    except OSError as exc:
        fail(f"cannot write {output}: {exc.strerror or exc}")
    console.print(escape(f"Wrote {counted(len(found), 'group')} to {output}."))


def _charge(clock: Clock, names: Sequence[str], member: str, community: str | None, actor: str,
            config: Path | None, *, assign: bool) -> None:  # fmt: skip
    """Put `member` in charge of each group `names` names (or take them off it): every name is
    looked up before anything is written, then all in one transaction, each in the audit log."""
    store = open_store(settings_from(config), clock)
    found = pick_community(store, community)
    chosen = list({g.id: g for g in (_group(store, found, name) for name in names)}.values())
    member_id = member_option(store, member, name="MEMBER")
    assert member_id is not None
    grid = SqlGrid.on(store)
    if assign and member_id not in grid.staff_of(found.id):
        fail(f"{member} holds no staff role in {found.slug}; give them one first with "
             "`hearth staff set`")  # fmt: skip
    closed = [g.name for g in chosen if g.closed]
    if assign and closed:
        fail(f"{groups_named(closed)} {'is' if len(closed) == 1 else 'are'} closed: "
             f"{CLOSED_TAKES_NOBODY} (`hearth groups reopen`); nobody was put in charge")  # fmt: skip
    done: list[str] = []
    undone: list[str] = []
    with store.transaction() as tx:
        repo = SqlGrid.on(tx)
        now = clock.now()
        for group in chosen:
            changed = (repo.assign(group.id, member_id, actor, now) if assign
                       else repo.unassign(group.id, member_id))  # fmt: skip
            (done if changed else undone).append(group.name)
            if changed:
                tx.audit(actor, "group.assign" if assign else "group.unassign", found.id,
                         target=f"group {group.id}", detail={"member": member_id,
                                                             "group": group.name})  # fmt: skip
    if assign:
        if done:
            console.print(escape(f"{member} is in charge of {groups_named(done)}."))
        if undone:
            console.print(escape(f"{member} is in charge of {groups_named(undone)} already."))
        inside = store.open_groups(member_id)
        outside = [g.name for g in chosen if g.id not in inside]
        if len(outside) == 1:
            errors.print(escape(f"note: {member} is not in {outside[0]} yet: {NOT_IN_IT}"))
        elif outside:
            errors.print(
                escape(f"note: {member} is not in {groups_named(outside)} yet: {NOT_IN_THEM}")
            )
    else:
        if done:
            console.print(escape(f"{member} is no longer in charge of {groups_named(done)}."))
        if undone:
            console.print(escape(f"{member} was not in charge of {groups_named(undone)}."))


GroupsArgument = Annotated[
    list[str],
    typer.Argument(help="The groups, one or several: each by its name, carrier id or number "
                   "(a shell writes a series for you: {7..14}群).", show_default=False),
]  # fmt: skip


@grid_app.command("assign")
def assign(
    ctx: typer.Context,
    groups: GroupsArgument,
    member: Annotated[str, typer.Argument(help="The staff member, as CARRIER:USER_ID.")],
    community: CommunityOption = None,
    actor: ActorOption = "cli",
    config: ConfigOption = None,
) -> None:
    """Put a staff member in charge of one group or several (a group may have several)."""
    _charge(clock_of(ctx), groups, member, community, actor, config, assign=True)


@grid_app.command("unassign")
def unassign(
    ctx: typer.Context,
    groups: GroupsArgument,
    member: Annotated[str, typer.Argument(help="The staff member, as CARRIER:USER_ID.")],
    community: CommunityOption = None,
    actor: ActorOption = "cli",
    config: ConfigOption = None,
) -> None:
    """Take a staff member off one group or several."""
    _charge(clock_of(ctx), groups, member, community, actor, config, assign=False)
