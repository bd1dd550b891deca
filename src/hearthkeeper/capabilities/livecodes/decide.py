"""Where a live code sends the next newcomer, decided from the groups' loads alone (no
store), and the checks of what staff type when they make a channel."""

from __future__ import annotations

import math
import re
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum

from hearthkeeper.capabilities.livecodes.records import GroupLoad
from hearthkeeper.playbook import Playbook

SLUG = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,46}[a-z0-9])?$")
SOURCE_PREFIX = "code:"
CLIENT_SHARE = 4  # one client holds at most 1/CLIENT_SHARE of a group's by-code limit


@dataclass(frozen=True)
class Limits:
    """The playbook's group sizes as a live code applies them."""

    capacity: int  # `structure.groups.capacity` (a group's own capacity wins when it has one)
    code_cap: int  # `structure.groups.join_by_code_cap`: joining by code stops at this size
    daily_cap: int | None  # `structure.groups.daily_code_cap`: per group and day, by code
    open_at: float  # `copy.open_new_group_at`: share of the by-code limit

    @classmethod
    def of(cls, playbook: Playbook) -> Limits:
        groups = playbook.structure.groups
        return cls(groups.capacity, groups.join_by_code_cap, groups.daily_code_cap,
                   playbook.replication.open_new_group_at)  # fmt: skip

    def limit(self, group: GroupLoad) -> int:
        """How many members the group may hold when newcomers come by code."""
        capacity = group.capacity if group.capacity is not None else self.capacity
        return min(capacity, self.code_cap)

    def takes(self, group: GroupLoad) -> bool:
        """Whether the group takes one more newcomer by code now."""
        under_daily = self.daily_cap is None or group.today < self.daily_cap
        return group.size < self.limit(group) and under_daily

    def client_share(self, group: GroupLoad) -> int:
        """Most seats one client may hold in the group at a time: a quarter of its by-code
        limit (at least one), so one client opening the link again and again cannot fill a
        group with nobody and have the next opened."""
        return max(1, self.limit(group) // CLIENT_SHARE)

    def nearly_full(self, group: GroupLoad) -> bool:
        """Whether the group is `open_at` full (of its by-code limit): time for the next."""
        return group.size >= math.ceil(self.open_at * self.limit(group))


class Step(StrEnum):
    SEND = "send"  # to `Route.group_id`
    OPEN = "open"  # open the next group and send the newcomer there
    OPEN_AHEAD = "open_ahead"  # open the next group, but send to `Route.group_id`
    FULL = "full"  # nowhere to go: every group is full
    NO_GROUPS = "no_groups"  # nowhere to go: the carrier has no group of the community yet


@dataclass(frozen=True)
class Route:
    step: Step
    group_id: int | None = None


def route(groups: Sequence[GroupLoad], limits: Limits, *, can_open: bool) -> Route:
    """Send the newcomer to the oldest group that takes newcomers by code (groups fill in
    order, leaving fewer half-empty ones); open the next group once the newest is `open_at`
    full, or when no group takes anyone (all full, or at today's cap, or none yet)."""
    ordered = sorted(groups, key=lambda g: g.group_id)
    taking = next((g for g in ordered if limits.takes(g)), None)
    newest = ordered[-1] if ordered else None
    if taking is None and can_open:
        return Route(Step.OPEN)
    if taking is None:
        return Route(Step.FULL if ordered else Step.NO_GROUPS)
    if can_open and newest is not None and limits.nearly_full(newest):
        return Route(Step.OPEN_AHEAD, taking.group_id)
    return Route(Step.SEND, taking.group_id)


def slug_problem(slug: str) -> str | None:
    """Why `slug` cannot name a live code's link, or None when it can."""
    if not SLUG.fullmatch(slug):  # not `match`: its `$` lets "poster\n" through
        return (
            f"{slug!r} cannot be a live code's name: use 1 to 48 lower-case letters, digits "
            "and hyphens, starting and ending with a letter or digit (e.g. poster-2026-spring)"
        )
    return None


def carrier_problem(
    carrier: str, running: Collection[str], installed: Mapping[str, str]
) -> str | None:
    """Why a live code cannot route to the groups of `carrier`, or None when the server runs
    it: a code for a carrier that does not run would send every newcomer nowhere.
    `installed`: each installed carrier's kind → the hearth.toml table that configures it."""
    if carrier in running:
        return None
    runs = ", ".join(sorted(running)) or "none"
    if carrier in installed:
        why = (f"this server does not run the {carrier} carrier (hearth.toml has no "
               f"[carriers.{installed[carrier]}] table)")  # fmt: skip
    else:
        why = f"{carrier!r} is not a carrier of this Hearthkeeper"
    return f"{why}; a live code routes to the groups of a carrier it runs: {runs}"


def slug_of(source: str | None) -> str | None:
    """The channel a join's link token names (`code:<slug>`), or None for other tokens."""
    if source is None or not source.startswith(SOURCE_PREFIX):
        return None
    slug = source[len(SOURCE_PREFIX) :].strip()
    return slug or None
