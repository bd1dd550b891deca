"""The community health report: everything measured about a community over a period, for the
whole community and for each group, and its stable JSON form.

`build_report` gathers the live metrics (`analytics.metrics`, from the rollups), the vital
signs (`analytics.vitals`: segments, cohorts, health, heat death, lifecycle) and each group's
first and last message, the live codes' channels and paid membership's money figures
(`analytics.report_money`). `Report.to_json()` is what `hearth report --format json` prints,
what the HTML report embeds and what the console's dashboard draws from; the format is
documented in docs/metrics.md ("Report format"). `FORMAT_VERSION` changes when a field is renamed or
removed; adding fields does not change it.
"""

from __future__ import annotations

import gc
from collections.abc import Collection, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime, timedelta, tzinfo
from typing import Any, Final
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from hearthkeeper.analytics.member_groups import counted_groups, existing_by
from hearthkeeper.analytics.metrics import (
    LOOK_AHEAD,
    CommunityMetrics,
    ScopeMetrics,
    group_metrics,
)
from hearthkeeper.analytics.report_basis import (
    Span,
    deleted_counts,
    first_message_at,
    message_spans,
    overall_span,
)
from hearthkeeper.analytics.report_cache import ReportCache, data_stamp
from hearthkeeper.analytics.report_json import jsonable
from hearthkeeper.analytics.report_money import money_json, report_money
from hearthkeeper.analytics.report_reads import SharedReads
from hearthkeeper.analytics.signals import EPOCH
from hearthkeeper.analytics.vitals import ScopeVitals, SilentKey, Vitals, community_vitals
from hearthkeeper.apply import community_playbook
from hearthkeeper.capabilities.activities.stats import attendance_json, event_figures
from hearthkeeper.capabilities.billing.metrics import MoneyFigures
from hearthkeeper.capabilities.crisis.report import episode_json, report_episodes
from hearthkeeper.capabilities.crisis.repository import EpisodeRecord
from hearthkeeper.capabilities.grid.report import report_matrix
from hearthkeeper.capabilities.livecodes.records import ChannelStats
from hearthkeeper.capabilities.livecodes.stats import channel_stats
from hearthkeeper.playbook import Playbook
from hearthkeeper.store import Community, Group, Store
from hearthkeeper.store.rollups import local_midnight

FORMAT: Final = "hearthkeeper.report"
FORMAT_VERSION: Final = 1

# Days × scopes (each group, and the whole community) one report measures. Each costs about
# 1.5 KB of memory while the report is made (measured at 1M messages: 764,403 of them took
# 1.3 GB), so a year of 10,000 groups would need some 5 GB; a bigger report is refused.
MAX_SCOPE_DAYS: Final = 1_000_000


def most_days(groups: int) -> int:
    """The longest period one report of `groups` groups may cover (`MAX_SCOPE_DAYS`)."""
    return max(1, MAX_SCOPE_DAYS // (groups + 1))


class ReportError(Exception):
    """A report that cannot be made as asked (unknown community, a backwards period)."""


@dataclass(frozen=True)
class ScopeReport:
    """The whole community (`group` None) or one group over the period."""

    group: Group | None
    span: Span
    metrics: ScopeMetrics
    vitals: ScopeVitals | None
    deleted: int = 0  # messages the bot deleted in the period (counted in no other figure)

    @property
    def messages(self) -> int:
        """Messages sent in the period."""
        return self.metrics.total.messages

    @property
    def members(self) -> int:
        """Distinct members who sent them (a member in two groups counts once overall)."""
        return self.metrics.total.speakers

    def to_json(self) -> dict[str, Any]:
        """The scope's part of the report (see docs/metrics.md, "Report format")."""
        first, last = self.span
        found: dict[str, Any] = {}
        if self.group is not None:
            found |= {"id": self.group.id, "name": self.group.name, "carrier": self.group.carrier}
            closed_at = self.group.closed_at
            found["closed"] = None if closed_at is None else {
                "at": closed_at.isoformat(), "by": self.group.closed_by}  # fmt: skip
        found |= {
            "messages": self.messages,
            "members": self.members,
            "deleted": self.deleted,
            "first_ts": None if first is None else first.isoformat(),
            "last_ts": None if last is None else last.isoformat(),
            "daily": [day.to_json() for day in self.metrics.daily],
            "metrics": {
                "total": jsonable(self.metrics.total),
                "weekly": jsonable(self.metrics.weekly),
                "monthly": jsonable(self.metrics.monthly),
            },
        }
        if self.vitals is not None:
            found |= jsonable(self.vitals.sections())
        return found


@dataclass(frozen=True)
class Report:
    """A community over the local days `start`..`end` (both included) in `timezone`."""

    community: Community
    timezone: str
    start: date
    end: date
    generated_at: datetime
    overall: ScopeReport
    groups: tuple[ScopeReport, ...]
    vitals: Vitals | None
    channels: tuple[ChannelStats, ...] = ()  # the live codes and who they brought
    money: MoneyFigures | None = None  # paid membership's figures (None: sells nothing)
    crisis: tuple[EpisodeRecord, ...] = ()  # crisis watch's episodes during the period
    attendance: dict[str, Any] | None = None  # offline events' attendance (None: no events)
    matrix: dict[str, Any] | None = None  # the matrix of groups and its warnings

    def to_json(self) -> dict[str, Any]:
        """The report as plain JSON values (see docs/metrics.md, "Report format"): hundreds
        of thousands of new values, no cycles; made with the cycle collector paused, as the
        report was (`paused_cycles`)."""
        was_on = paused_cycles()
        try:
            return self._json()
        finally:
            resume_cycles(was_on)

    def _json(self) -> dict[str, Any]:
        c = self.community
        return {
            "format": FORMAT,
            "version": FORMAT_VERSION,
            "generated_at": self.generated_at.isoformat(),
            "community": {"id": c.id, "slug": c.slug, "name": c.name, "timezone": self.timezone},
            "period": {"start": self.start.isoformat(), "end": self.end.isoformat()},
            "overall": self.overall.to_json(),
            "lifecycle": None if self.vitals is None else jsonable(self.vitals.lifecycle),
            "silent_key_members": [] if self.vitals is None else [
                _silent_json(s) for s in self.vitals.silent_key
            ],
            "groups": [g.to_json() for g in self.groups],
            "channels": [_channel_json(s) for s in self.channels],
            "money": None if self.money is None else money_json(
                self.money, self.generated_at, {g.group.id for g in self.groups if g.group}),
            "crisis": [episode_json(e) for e in self.crisis],
            "attendance": self.attendance,
            "matrix": self.matrix,
        }  # fmt: skip


def _channel_json(stats: ChannelStats) -> dict[str, Any]:
    c = stats.channel
    return {
        "slug": c.slug, "label": c.label, "kind": c.kind.value,
        "retired_at": None if c.retired_at is None else c.retired_at.isoformat(),
        "arrived": stats.arrived, "settled": stats.settled, "stayed": stats.stayed,
        "spoke": stats.spoke, "paid": stats.paid,
    }  # fmt: skip


def _silent_json(silent: SilentKey) -> dict[str, Any]:
    placed = silent.placed
    return {
        "member_id": placed.member_id,
        "name": silent.name,
        "group_id": silent.group_id,
        "last_active": None if placed.last_active is None else placed.last_active.isoformat(),
        "silent_days": placed.silent_days,
    }


def zone_of(playbook: Playbook | None) -> tuple[str, ZoneInfo]:
    """The community's time zone (its name and the zone); UTC without a usable playbook."""
    name = "UTC" if playbook is None else playbook.community.timezone
    try:
        return name, ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return "UTC", ZoneInfo("UTC")


def default_start(store: Store, community_id: int, zone: tzinfo, end: date) -> date:
    """The local day of the community's first message (`end` when there is none, or when
    it is later than `end`)."""
    first = first_message_at(store, community_id)
    return end if first is None else min(end, first.astimezone(zone).date())


def build_report(
    store: Store,
    community_id: int,
    *,
    now: datetime,
    start: date | None = None,
    end: date | None = None,
    group_ids: Collection[int] | None = None,
    playbook: Playbook | None = None,
    cache: ReportCache | None = None,
) -> Report:
    """Everything measured about community `community_id` from local day `start` (default:
    the day of its first message, or the first of the `most_days` a report of so many groups
    may cover) to `end` (default: today), both included; ReportError for a longer period
    (`MAX_SCOPE_DAYS`). Only the groups
    `group_ids` if given. `playbook` defaults to the one the community runs now. Segments,
    health and heat death are as of `end`. With a `cache` (the console's), the heavy parts
    are built again only when the data or the playbook changed.

    Built with the cycle collector paused (`paused_cycles`): the report is hundreds of
    thousands of objects, and the collector would walk them once per generation as the
    report's last parts are read (0.1 s at 1M messages), though they hold no cycles."""
    was_on = paused_cycles()
    try:
        return _build_report(store, community_id, now=now, start=start, end=end,
                             group_ids=group_ids, playbook=playbook, cache=cache)  # fmt: skip
    finally:
        resume_cycles(was_on)


def _build_report(
    store: Store,
    community_id: int,
    *,
    now: datetime,
    start: date | None = None,
    end: date | None = None,
    group_ids: Collection[int] | None = None,
    playbook: Playbook | None = None,
    cache: ReportCache | None = None,
) -> Report:
    community = next((c for c in store.list_communities() if c.id == community_id), None)
    if community is None:
        raise ReportError(f"there is no community with id {community_id}")
    playbook = playbook if playbook is not None else community_playbook(store, community_id)
    zone_name, zone = zone_of(playbook)
    end = end if end is not None else now.astimezone(zone).date()
    groups = existing_by(store, counted_groups(store, community_id, group_ids, playbook), end, zone)
    ids = [g.id for g in groups]
    longest = most_days(len(groups))
    if start is None:  # (a community with few groups may reach back before year 1)
        reach = min(longest - 1, (end - date.min).days)
        start = max(default_start(store, community_id, zone, end), end - timedelta(days=reach))
    if start > end:
        raise ReportError(
            f"the period starts on {start.isoformat()}, after it ends on {end.isoformat()}; "
            "give --from on or before --to"
        )
    if (end - start).days + 1 > longest:
        raise ReportError(
            f"{(end - start).days + 1} days of {len(groups)} groups is more than one report "
            f"measures ({MAX_SCOPE_DAYS:,} group-days, about 1.5 GB of memory): give a period "
            f"of at most {longest} days, e.g. --from {(end - timedelta(days=longest - 1)).isoformat()}"
        )

    def heavy() -> _Heavy:
        with without_cycle_collection():
            return heavy_parts()

    def heavy_parts() -> _Heavy:
        reads = shared_reads(store, ids, start=start, end=end, zone=zone, now=now)
        try:
            # The questions are begun first and asked for last (the vital signs' health
            # scores, then the metrics): on PostgreSQL the server reads them meanwhile.
            reads.read_ahead(zone)
            vitals = community_vitals(store, community_id, as_of=end, zone=zone,
                                      playbook=playbook, name=community.name, group_ids=ids,
                                      reads=reads)  # fmt: skip
            return _Heavy(
                group_metrics(store, community_id, start=start, end=end, tz=zone, group_ids=ids,
                              reads=reads),
                vitals,
                message_spans(store, ids, local_midnight(start, zone),
                              local_midnight(end + timedelta(days=1), zone)),
                report_matrix(store, community_id, playbook, zone, now, reads, as_of=end),
            )  # fmt: skip
        finally:
            reads.close()

    if cache is None:
        parts = heavy()
    else:
        version = store.latest_playbook_version(community_id)
        key = (community_id, start, end, tuple(ids), zone_name, now.astimezone(zone).date(),
               None if version is None else version.sha256, data_stamp(store, community_id))  # fmt: skip
        parts = cache.get(key, heavy)
    measured, vitals, spans = parts.measured, parts.vitals, parts.spans
    deleted = deleted_counts(store, ids, local_midnight(start, zone),
                             local_midnight(end + timedelta(days=1), zone))  # fmt: skip
    return Report(
        community=community,
        timezone=zone_name,
        start=start,
        end=end,
        generated_at=now,
        overall=ScopeReport(
            None,
            overall_span(spans.values()),
            measured.community,
            vitals.community,
            sum(deleted.values()),
        ),
        groups=tuple(
            ScopeReport(
                g, spans[g.id], measured.groups[g.id], vitals.groups.get(g.id), deleted[g.id]
            )
            for g in groups
        ),
        vitals=vitals,
        channels=tuple(channel_stats(store, community_id, now)),
        money=report_money(store, community_id, playbook, now),
        crisis=report_episodes(
            store,
            community_id,
            local_midnight(start, zone),
            local_midnight(end + timedelta(days=1), zone),
            ids,
        ),
        attendance=report_attendance(store, community_id, now),
        matrix=parts.matrix,
    )


@contextmanager
def without_cycle_collection() -> Iterator[None]:
    """Python's cycle collector paused: the heavy part of a report makes millions of small
    objects (rows, tuples, dicts) that live until it is done, and the collector would walk
    them again and again (about a sixth of the report's time at 1M messages); they hold
    no cycles, and memory is still freed as each goes out of use."""
    was_on = paused_cycles()
    try:
        yield
    finally:
        resume_cycles(was_on)


def paused_cycles() -> bool:
    """Pause Python's cycle collector; whether it was running. Called inline rather than as a
    context manager: leaving a generator-made one allocates (its StopIteration) after the
    collector is back on, and a collection would then walk everything made while paused."""
    was_on = gc.isenabled()
    gc.disable()
    return was_on


def resume_cycles(was_on: bool) -> None:
    """Restart the cycle collector if it was running before `paused_cycles`."""
    if was_on:
        gc.enable()


@dataclass(frozen=True)
class _Heavy:
    """What a report reads the rollups and the messages for."""

    measured: CommunityMetrics
    vitals: Vitals
    spans: dict[int, Span]
    matrix: dict[str, Any]


def shared_reads(store: Store, group_ids: Collection[int], *, start: date, end: date,
                 zone: ZoneInfo, now: datetime) -> SharedReads:  # fmt: skip
    """The report's heavy reads over the window its parts ask for: the metrics' period (with
    their look-back and look-ahead), the vital signs' history up to `end`, and the matrix's
    up to `end` or `now`'s local day if earlier; each part's last 28 days of questions; the
    groups' daily totals and kinds over the period and the vital signs' last 35 days."""
    today = min(end, now.astimezone(zone).date())  # the matrix's day
    since = min(local_midnight(start, zone), local_midnight(end - timedelta(days=27), zone),
                local_midnight(today - timedelta(days=27), zone))  # fmt: skip
    until = local_midnight(max(end, today) + timedelta(days=1), zone)
    return SharedReads(store, group_ids, first_day=EPOCH, last_day=max(end + LOOK_AHEAD, today),
                       since=since, until=until,
                       group_days=(min(start, end - timedelta(days=34)), end))  # fmt: skip


def report_attendance(store: Store, community_id: int, now: datetime) -> dict[str, Any] | None:
    """Offline events' attendance to date, per event and per activity (None: no events)."""
    figures = event_figures(store, community_id, now)
    return attendance_json(figures) if figures else None


def period_days(report: Report) -> int:
    """How many local days the report covers."""
    return (report.end - report.start).days + 1
