"""The matrix's lines, read from the store in a fixed number of queries whatever the number
of groups: the groups and their member counts, one load of the rollups and stays
(`analytics.signals.load`, the same the health score reads), the staff assigned, and names.

Who is in charge of a group: the staff assigned to it (the matrix page, `hearth grid
assign`); a group nobody was assigned to is in the charge of the members holding a role of
kind `manager` in it.
"""

from __future__ import annotations

from bisect import bisect_left
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from hearthkeeper.analytics import signals
from hearthkeeper.analytics.health import health_score
from hearthkeeper.analytics.report_reads import Reads
from hearthkeeper.capabilities.grid.decide import GroupLine, Keeper
from hearthkeeper.capabilities.grid.repository import SqlGrid
from hearthkeeper.capabilities.grid.stage import Pulse
from hearthkeeper.playbook import Playbook
from hearthkeeper.playbook.groups import group_capacity, is_staff_channel
from hearthkeeper.playbook.structure import RoleKind
from hearthkeeper.store import Group, Store
from hearthkeeper.store.records import GroupDayActivity
from hearthkeeper.text.folding import in_name_order


@dataclass(frozen=True)
class Matrix:
    """Every group of a community as of a local day."""

    as_of: date
    lines: tuple[GroupLine, ...]


def manager_roles(playbook: Playbook | None) -> frozenset[str]:
    """The role ids of kind `manager` (none without a playbook)."""
    if playbook is None:
        return frozenset()
    return frozenset(r for r, role in playbook.structure.roles.items()
                     if role.kind is RoleKind.MANAGER)  # fmt: skip


def capacity_of(group: Group, playbook: Playbook | None) -> int | None:
    """The group's own capacity, else its override's, else the playbook's."""
    return group_capacity(playbook, group.name, group.carrier_group_id, group.capacity)


def load_matrix(store: Store, community_id: int, playbook: Playbook | None, zone: ZoneInfo,
                now: datetime, reads: Reads | None = None,
                as_of: date | None = None) -> Matrix:  # fmt: skip
    """The matrix of the community's groups as of `now`'s local day, or of the earlier local
    day `as_of` (a report of a past period: its members, activity, health, stage and role
    holders then, the groups that existed by then; the staff assigned are today's, the
    assignments keep no history) (`reads`: a report's shared reads)."""
    today = now.astimezone(zone).date()
    if as_of is not None and as_of < today:
        today, now = (
            as_of,
            signals.midnight(as_of + timedelta(days=1), zone) - timedelta(microseconds=1),
        )
    listed = [g for g in store.list_groups(community_id)  # the staff channel is no member group
              if playbook is None or not is_staff_channel(playbook, g.name, g.carrier_group_id)]  # fmt: skip
    data = signals.load(store, community_id, [g.id for g in listed], today, zone, reads)
    groups = (listed if as_of is None  # a report's: those opened by then
              else [g for g in listed if data.opened.get(g.id, today) <= today])  # fmt: skip
    # listed by name (2群 before 10群): the report, the warnings and `hearth grid show`
    groups = in_name_order(groups)
    ids = [g.id for g in groups]
    grid = SqlGrid.on(store)
    assigned = grid.in_charge(ids)
    by_role = _role_holders(data, manager_roles(playbook), now)
    circle = playbook.structure.groups.small_circle_size if playbook else 20
    keepers = {g.id: [(m, True) for m in assigned[g.id]] if g.id in assigned
               else [(m, False) for m in by_role.get(g.id, [])] for g in groups}  # fmt: skip
    names = grid.display_names({m for held in keepers.values() for m, _ in held})
    week_ago = today - timedelta(days=6)
    lines = []
    for group in groups:
        scope = {group.id}
        facts = signals.member_facts(data, scope)
        members = sum(1 for f in facts if f.present)  # counted as the health and metrics do
        health = health_score(signals.health_inputs(data, scope, group.name, group.id, facts))
        rows = data.activity.get(group.id, ())  # in order of day: the last 28 days
        rows = rows[bisect_left(rows, today - timedelta(days=27), key=_day_of) :]
        lines.append(GroupLine(
            group_id=group.id, name=group.name, carrier=group.carrier,
            carrier_group_id=group.carrier_group_id, members=members,
            capacity=capacity_of(group, playbook), pulse=_pulse(data, group, today, members),
            speakers_7d=len({m for r in rows if r.day >= week_ago for m in r.posters()}),
            top_messages_28d=_top(rows, today, circle), health=health.score,
            keepers=tuple(Keeper(m, names[m], a) for m, a in keepers[group.id]),
            closed=group.closed,
        ))  # fmt: skip
    return Matrix(today, tuple(lines))


def _role_holders(data: signals.HealthData, roles: frozenset[str],
                  now: datetime) -> dict[int, list[int]]:  # fmt: skip
    """Group → members in it now holding one of `roles`."""
    found: dict[int, list[int]] = defaultdict(list)
    if not roles:
        return found
    for group_id, stays in data.stays.items():
        for stay in stays:
            if stay.role in roles and (stay.left_at is None or stay.left_at > now):
                found[group_id].append(stay.member_id)
    return {g: sorted(set(m)) for g, m in found.items()}


def _pulse(data: signals.HealthData, group: Group, today: date, members: int) -> Pulse:
    weeks = [0] * 5
    joins = leaves = 0
    for row in data.days.get(group.id, ()):
        back = (today - row.day).days
        if 0 <= back < 35:
            weeks[back // 7] += row.messages
        if 0 <= back < 28:
            joins, leaves = joins + row.joins, leaves + row.leaves
    # the first known activity (`signals.load`): an imported group's row is made today
    opened = data.opened.get(group.id, group.created_at.astimezone(data.zone).date())
    return Pulse((today - opened).days, members, tuple(weeks), joins, leaves)


def _day_of(row: GroupDayActivity) -> date:
    return row.day


def _top(rows: Sequence[GroupDayActivity], today: date, circle: int) -> int:
    """Messages of the group's `circle` most active members over the last 28 days."""
    start = today - timedelta(days=27)
    per: dict[int, int] = defaultdict(int)
    for row in rows:
        if start <= row.day <= today:
            for member, messages in zip(row.members, row.messages, strict=True):
                per[member] += messages
    return sum(sorted(per.values(), reverse=True)[:circle])
