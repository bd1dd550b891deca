"""Community metrics per group and for the whole community, by day, ISO week and month.

`group_metrics` reads the live rollups (`group_day_activity`, `group_days`, `group_day_kinds`)
and a few bounded tables (stays, questions, check-ins, sign-up lists, scheduled posts) once,
then measures every scope and period in memory (`analytics.measures`). Every metric is
defined in docs/metrics.md; a value that cannot be measured is None, with the reason in
`notes`.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import date, timedelta
from zoneinfo import ZoneInfo

from hearthkeeper.analytics.measures import Inputs, measure_scope
from hearthkeeper.analytics.member_groups import counted_groups
from hearthkeeper.analytics.metric_records import (
    CommunityMetrics,
    DayPoint,
    PeriodMetrics,
    ScopeMetrics,
)
from hearthkeeper.analytics.report_reads import Reads, concurrently
from hearthkeeper.capabilities.calendar.repository import SqlPosts
from hearthkeeper.store import Store
from hearthkeeper.store.rollups import local_midnight

EPOCH = date(1970, 1, 1)

# How far before the period the rollups are read (MAU looks back 30 days) and after it
# (a newcomer's first week).
LOOK_BACK = timedelta(days=29)
LOOK_AHEAD = timedelta(days=6)

__all__ = ["CommunityMetrics", "DayPoint", "PeriodMetrics", "ScopeMetrics", "group_metrics"]


def group_metrics(store: Store, community_id: int, *, start: date, end: date, tz: ZoneInfo,
                  group_ids: Collection[int] | None = None,
                  reads: Reads | None = None) -> CommunityMetrics:  # fmt: skip
    """The metrics of the community's groups (or of `group_ids` among them) and of the
    community as a whole, over the local days `start`..`end` (both included) in `tz`
    (`reads`: where the rollups, stays and questions come from; default the store)."""
    reads = reads or store
    if end < start:
        raise ValueError(f"the period ends ({end}) before it starts ({start})")
    groups = counted_groups(store, community_id, group_ids)
    ids = [g.id for g in groups]
    # A post recorded in a group an import registered never went out (no carrier serves it:
    # firings planned before such groups got no calendar): no scheduled content.
    served = [g.id for g in groups if not g.imported]
    since, until = local_midnight(start, tz), local_midnight(end + timedelta(days=1), tz)
    activity, questions, days, kinds = concurrently(
        store,
        lambda: reads.group_day_activity(ids, start - LOOK_BACK, end + LOOK_AHEAD),
        lambda: reads.question_days(ids, since, until, tz),
        lambda: reads.group_days(ids, start, end),
        lambda: reads.group_day_kinds(ids, start, end),
    )
    earlier = reads.group_day_activity(ids, EPOCH, start - LOOK_BACK - timedelta(days=1))
    inputs = Inputs(
        zone=tz,
        start=start,
        end=end,
        activity=activity,
        days=days,
        kinds=kinds,
        stays=reads.stays(ids, until),
        questions=questions,
        checkins=store.checkin_marks(community_id, start, end),
        signups=store.signup_reach(ids, since, until),
        posts=SqlPosts.on(store).post_responses(served, since, until),
        posted_before={(a.group_id, m) for a in earlier for m in a.members},
    )
    per_group = {g.id: measure_scope(inputs, {g.id}, g.id, g.name) for g in groups}
    whole = measure_scope(inputs, set(ids), None, "community", community=True)
    return CommunityMetrics(community_id, str(tz), start, end, whole, per_group)
