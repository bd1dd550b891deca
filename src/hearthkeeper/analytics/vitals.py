"""A community's vital signs as of a day: segments, cohorts, health score and heat-death
warning for the whole community and for each group, and the lifecycle stage — the health
modules run on one load of the store (`signals.load`). The report and the console show
`Vitals.sections()`; the daily key-member watch uses `silent_key`.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from typing import Any
from zoneinfo import ZoneInfo

from hearthkeeper.analytics import signals
from hearthkeeper.analytics.cohorts import CohortRow, cohort_table
from hearthkeeper.analytics.health import HealthScore, health_score
from hearthkeeper.analytics.heat import HeatWarning, SilentMember, assess
from hearthkeeper.analytics.lifecycle import Lifecycle, infer_stage
from hearthkeeper.analytics.member_groups import counted_groups
from hearthkeeper.analytics.report_reads import Reads
from hearthkeeper.analytics.segments import (
    DEFAULT_RULES,
    MemberFacts,
    Placed,
    Placements,
    SegmentReport,
    SegmentRules,
    segment_members,
    silent_key_members,
)
from hearthkeeper.capabilities.activities.stats import met_offline
from hearthkeeper.playbook import Playbook
from hearthkeeper.playbook.positioning import Language
from hearthkeeper.store import GroupDayActivity, Store

COMMUNITY_SCOPE = 0  # the group id the community-wide scores carry


@dataclass(frozen=True)
class ScopeVitals:
    """One scope (a group, or the whole community)."""

    segments: SegmentReport
    cohorts: tuple[CohortRow, ...]
    health: HealthScore
    heat: HeatWarning

    def sections(self) -> dict[str, Any]:
        """The JSON-able sections the report format names."""
        return {
            "segments": self.segments.to_json(),
            "cohorts": {"rows": [row.to_json() for row in self.cohorts]},
            "health": self.health.to_json(),
            "heat": self.heat.to_json(),
        }


@dataclass(frozen=True)
class SilentKey:
    """A key member silent 7–28 days, with where they last posted."""

    placed: Placed
    name: str
    group_id: int


@dataclass(frozen=True)
class Vitals:
    """The community's vital signs on `as_of`."""

    as_of: date
    community: ScopeVitals
    lifecycle: Lifecycle
    groups: Mapping[int, ScopeVitals]
    silent_key: tuple[SilentKey, ...]
    opened: date | None = None  # the local day its oldest group opened (None: no group)
    groups_opened: Mapping[int, date] = field(default_factory=dict)  # each group's

    def sections(self) -> tuple[dict[str, Any], dict[int, dict[str, Any]]]:
        """(community sections, per-group sections by group id)."""
        community = self.community.sections() | {"lifecycle": self.lifecycle.to_json()}
        return community, {gid: v.sections() for gid, v in self.groups.items()}


def community_vitals(store: Store, community_id: int, *, as_of: date, zone: ZoneInfo,
                     playbook: Playbook | None, name: str,
                     group_ids: Collection[int] | None = None, cohort_weeks: int = 8,
                     rules: SegmentRules = DEFAULT_RULES, reads: Reads | None = None,
                     language: Language = Language.EN) -> Vitals:  # fmt: skip
    """Everything the health modules say about the community (`name` labels the
    community-wide scores), for the groups `group_ids` (default: all of them); the heat-death
    warnings' reasons and actions said in `language` (the report's English by default)."""
    ids = (
        group_ids
        if group_ids is not None
        else [g.id for g in counted_groups(store, community_id, playbook=playbook)]
    )
    data = signals.load(store, community_id, ids, as_of, zone, reads)
    scopes = {gid: ({gid}, gname) for gid, gname in sorted(data.groups.items())}
    all_groups = set(data.groups)
    members = signals.member_facts(data, all_groups)
    met = met_offline(store, community_id)  # who came to an offline event (activities)
    placed: Placements = {}  # a member's placement, made once where their facts are the same
    report = _met(segment_members(members, as_of, rules, known=placed), members, met)
    reports = {
        gid: _segments(data, scope, rules, met, placed) for gid, (scope, _) in scopes.items()
    }
    silent = silent_key_members(report, rules)
    silent_in = {gid: silent_key_members(r, rules) for gid, r in reports.items()}
    # Every name the scores show, in one read.
    names = _names(store, {p.member_id for p in silent}
                   | {p.member_id for found in silent_in.values() for p in found})  # fmt: skip
    last_group = _last_groups(data, silent)
    key = tuple(SilentKey(p, names.get(p.member_id, f"member {p.member_id}"),
                          last_group.get(p.member_id, 0)) for p in silent)  # fmt: skip
    community = _scope(data, all_groups, COMMUNITY_SCOPE, name, playbook, cohort_weeks, names,
                       members, report, silent, language)  # fmt: skip
    groups = {gid: _scope(data, scope, gid, gname, playbook, cohort_weeks, names,
                          signals.member_facts(data, scope), reports[gid], silent_in[gid],
                          language)
              for gid, (scope, gname) in scopes.items()}  # fmt: skip
    for group in store.list_groups(community_id):  # a closed group is warned of no more
        if group.closed and group.id in groups:
            heat = replace(
                groups[group.id].heat,
                warning=False,
                actions=(),
                reasons=(
                    f"Closed by {group.closed_by} (hearth groups close): no warning about it.",
                ),
            )
            groups[group.id] = replace(groups[group.id], heat=heat)
    lifecycle = infer_stage(signals.community_facts(data, members), playbook)
    return Vitals(as_of, community, lifecycle, groups, key,
                  opened=min(data.opened.values(), default=None),
                  groups_opened=dict(data.opened))  # fmt: skip


def silent_key_members_of(store: Store, community_id: int, *, as_of: date, zone: ZoneInfo,
                          rules: SegmentRules = DEFAULT_RULES) -> list[SilentKey]:  # fmt: skip
    """Key members of the community silent 7–28 days on `as_of`, with where they last posted
    (reads only the activity rollups and the stays)."""
    data = signals.load_members(store, community_id, as_of, zone)
    report = segment_members(signals.member_facts(data, set(data.groups)), as_of, rules)
    silent = silent_key_members(report, rules)
    names, last_group = _names(store, {p.member_id for p in silent}), _last_groups(data, silent)
    return [SilentKey(p, names.get(p.member_id, f"member {p.member_id}"),
                      last_group.get(p.member_id, 0)) for p in silent]  # fmt: skip


def _segments(data: signals.HealthData, scope: set[int], rules: SegmentRules,
              met: Collection[int], placed: Placements) -> SegmentReport:  # fmt: skip
    members = signals.member_facts(data, scope)
    return _met(segment_members(members, data.as_of, rules, known=placed), members, met)


def _scope(data: signals.HealthData, scope: set[int], group_id: int, name: str,
           playbook: Playbook | None, weeks: int, names: Mapping[int, str],
           members: Sequence[MemberFacts], report: SegmentReport,
           silent: Sequence[Placed], language: Language) -> ScopeVitals:  # fmt: skip
    joined = {m.member_id: m.joined for m in members if m.joined is not None}
    posted = {m.member_id: m.active_days for m in members}
    cohorts = tuple(cohort_table(joined, posted, data.as_of, weeks=weeks))
    health = health_score(signals.health_inputs(data, scope, name, group_id, members))
    quiet = [SilentMember(names.get(p.member_id, f"member {p.member_id}"), p.last_active)
             for p in silent if p.last_active is not None]  # fmt: skip
    present = sum(1 for m in members if m.present)
    heat = assess(signals.heat_inputs(data, scope, name, group_id, quiet, present), playbook,
                  language)  # fmt: skip
    return ScopeVitals(report, cohorts, health, heat)


def _met(report: SegmentReport, members: Sequence[MemberFacts],
         met: Collection[int]) -> SegmentReport:  # fmt: skip
    """The report with how many of the scope's present members met offline."""
    count = sum(1 for m in members if m.present and m.member_id in met)
    return replace(report, met_offline=count)


def _last_groups(data: signals.HealthData, silent: Sequence[Placed]) -> dict[int, int]:
    """Each of the `silent` members → the group of their latest active day (of two groups
    on that day, the later in `data.activity`'s order). Their latest day is their placement's
    `last_active`, so only each group's rows from the earliest of those days are read (rows
    are in order of day)."""
    wanted = {p.member_id for p in silent if p.last_active is not None}
    if not wanted:
        return {}
    first = min(p.last_active for p in silent if p.last_active is not None)
    latest: dict[int, tuple[date, int]] = {}
    for rows in data.activity.values():
        for row in rows[bisect_left(rows, first, key=_day_of) :]:
            for member in wanted.intersection(row.posters()):
                if row.day >= latest.get(member, (row.day, 0))[0]:
                    latest[member] = (row.day, row.group_id)
    return {member: group for member, (_, group) in latest.items()}


def _day_of(row: GroupDayActivity) -> date:
    return row.day


NAMES_PER_READ = 500  # ids bound in one query


def _names(store: Store, member_ids: set[int]) -> dict[int, str]:
    """Display names ("member <id>" for one without), a few hundred per query."""
    ids = sorted(member_ids)
    found: dict[int, str] = {}
    for i in range(0, len(ids), NAMES_PER_READ):
        found.update(store.member_names(ids[i : i + NAMES_PER_READ]))
    return {m: found.get(m) or f"member {m}" for m in ids}
