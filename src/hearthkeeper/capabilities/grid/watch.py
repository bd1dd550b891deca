"""The matrix watch: every hour, the community's matrix is read and staff are alerted of each
warning once per condition — not on every page load, and not again while it holds.

The watch is scheduled work, one per community and hour (keyed by the hour, so planning it
twice is a no-op), attached to a group a carrier serves (`CommunityQueries.watch_group`:
not an imported history, where its alerts would reach no chat); each watch plans the next. A
condition found for the first time is recorded (`grid_conditions`) in the watch's
transaction and alerted under the key `grid:<community>:<condition>:<when it opened>`; a
condition no watch has found for `CLOSE_AFTER` is forgotten, so if it comes back staff hear
of it again. When one watch finds more than `ALERTS_PER_KIND` new conditions of one kind
about groups (the first watch after a history of hundreds of groups was imported: forty dying
groups), staff get one alert naming them all instead of one each; every condition is still
recorded, so none alerts again while it holds. The watch also writes per-group capacity
overrides onto groups opened since the playbook was applied.

The matrix's reads take seconds at hundreds of groups: a running engine does them aside
(`prepare`), and the watch then settles and alerts in a short transaction with what was read
(a read of another hour, or one made before the watch changed a group's capacity, is read again).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from hearthkeeper.capabilities.grid.capacities import sync_capacities
from hearthkeeper.capabilities.grid.decide import (
    GroupLine,
    Kind,
    MatrixWarning,
    matrix_warnings,
    summary_text,
)
from hearthkeeper.capabilities.grid.load import load_matrix
from hearthkeeper.capabilities.grid.repository import SqlGrid
from hearthkeeper.engine.actions import Action, ActionKind
from hearthkeeper.engine.effects import EffectContext, Request, schedule_request
from hearthkeeper.store import Store
from hearthkeeper.store.communities import CommunityQueries
from hearthkeeper.store.scope import StoreBase

EVERY = timedelta(hours=1)
CLOSE_AFTER = timedelta(days=3)  # a condition that flickers does not alert every hour
ALERTS_PER_KIND = 3  # more new conditions of one kind in one watch are one alert


class GridWatch(Request, effect="grid.watch"):
    """The matrix watch of the community at `at` (a whole hour, UTC)."""

    at: datetime


def watch_key(community_id: int, at: datetime) -> str:
    return f"grid:watch:{community_id}:{at.isoformat()}"


def next_watch(now: datetime) -> datetime:
    """The next whole hour after `now` (UTC)."""
    hour = now.astimezone(UTC).replace(minute=0, second=0, microsecond=0)
    return hour + EVERY


def plan_grid_watch(scope: StoreBase, community_id: int, now: datetime) -> bool:
    """Schedule the community's next watch; planning twice is a no-op. False when the
    community has no group yet."""
    group = CommunityQueries.on(scope).watch_group(community_id)
    if group is None:
        return False
    at = next_watch(now)
    schedule_request(scope, watch_key(community_id, at), community_id, GridWatch(at=at), at,
                     group_id=group.id)  # fmt: skip
    return True


def alert_key(community_id: int, condition: str, opened: datetime) -> str:
    return f"grid:{community_id}:{condition}:{opened.astimezone(UTC).isoformat()}"


def alert(warning: MatrixWarning, lines: dict[int, GroupLine], ctx: EffectContext,
          key: str) -> Action:  # fmt: skip
    """The staff alert of a warning, placed in the group it is about (else the watch's)."""
    line = lines.get(warning.group_id) if warning.group_id is not None else None
    carrier = line.carrier if line else ctx.group.carrier
    group = line.carrier_group_id if line else ctx.group.carrier_group_id
    return Action(kind=ActionKind.ALERT_STAFF, carrier=carrier, group=group,
                  text=warning.text(ctx.playbook.community.language),
                  reason=f"matrix of groups: {warning.kind.value}", handler="grid", key=key)  # fmt: skip


def settle(scope: StoreBase, community_id: int, warnings: Sequence[MatrixWarning],
           now: datetime) -> list[MatrixWarning]:  # fmt: skip
    """Record which conditions hold; the warnings whose condition is new (to alert)."""
    grid = SqlGrid.on(scope)
    known = grid.conditions(community_id)
    holding = {w.key: w for w in warnings if w.alerts}
    fresh = [w for key, w in holding.items()
             if key not in known and grid.open_condition(community_id, key, now)]  # fmt: skip
    grid.hold_conditions(community_id, [k for k in holding if k in known], now)
    grid.close_conditions(community_id, [k for k, c in known.items()
                                         if k not in holding and now - c.held_at >= CLOSE_AFTER])  # fmt: skip
    return fresh


@dataclass(frozen=True)
class WatchRead:
    """The matrix read in the hour `hour` (UTC), and its warnings."""

    hour: datetime
    lines: tuple[GroupLine, ...]
    warnings: tuple[MatrixWarning, ...]


def _hour(now: datetime) -> datetime:
    return now.astimezone(UTC).replace(minute=0, second=0, microsecond=0)


def _read(scope: StoreBase, ctx: EffectContext) -> WatchRead:
    playbook = ctx.playbook
    matrix = load_matrix(Store.on(scope), ctx.group.community_id, playbook,
                         ZoneInfo(playbook.community.timezone), ctx.now)  # fmt: skip
    return WatchRead(_hour(ctx.now), matrix.lines,
                     tuple(matrix_warnings(matrix.lines, playbook)))  # fmt: skip


def prepare(scope: StoreBase, request: GridWatch, ctx: EffectContext) -> WatchRead:
    """The matrix and its warnings, read aside before the watch's item runs (`Engine.run`)."""
    return _read(scope, ctx)


def watch(scope: StoreBase, request: GridWatch, ctx: EffectContext) -> Sequence[Action]:
    """Alert staff of the matrix's new conditions; plan the next watch. The matrix is the one
    read aside (`prepare`) when it is of this hour and no capacity changed since."""
    community = ctx.group.community_id
    changed = sync_capacities(scope, community, ctx.playbook, by="grid")
    read = ctx.prepared
    if changed or not (isinstance(read, WatchRead) and read.hour == _hour(ctx.now)):
        read = _read(scope, ctx)
    fresh = settle(scope, community, read.warnings, ctx.now)
    lines = {line.group_id: line for line in read.lines}
    plan_grid_watch(scope, community, ctx.now)
    return alerts(fresh, lines, ctx, community)


def alerts(fresh: Sequence[MatrixWarning], lines: dict[int, GroupLine], ctx: EffectContext,
           community: int) -> list[Action]:  # fmt: skip
    """One alert per new condition, except a kind about groups with more than
    `ALERTS_PER_KIND` new ones: those are one alert, in the watch's group, naming them."""
    by_kind: dict[Kind, list[MatrixWarning]] = {}
    for warning in fresh:
        by_kind.setdefault(warning.kind, []).append(warning)
    found: list[Action] = []
    for kind, warnings in by_kind.items():
        about_groups = [w for w in warnings if w.group_id is not None]
        if len(about_groups) <= ALERTS_PER_KIND:
            found += [alert(w, lines, ctx, alert_key(community, w.key, ctx.now)) for w in warnings]
            continue
        found += [alert(w, lines, ctx, alert_key(community, w.key, ctx.now))
                  for w in warnings if w.group_id is None]  # fmt: skip
        names = [lines[w.group_id].name for w in about_groups if w.group_id in lines]
        text = summary_text(kind, names, ctx.playbook.community.language)
        found.append(Action(kind=ActionKind.ALERT_STAFF, carrier=ctx.group.carrier,
                            group=ctx.group.carrier_group_id, text=text,
                            reason=f"matrix of groups: {kind.value} ({len(names)} groups)",
                            handler="grid",
                            key=alert_key(community, f"{kind.value}:many", ctx.now)))  # fmt: skip
    return found
