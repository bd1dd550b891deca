"""The figures of the weekly report: one community over seven local days, against the seven
before, measured as `hearth report` measures them (`analytics.metrics` over each week, the
heat-death warnings of `analytics.heat` as of the week's last day), plus the week's bans,
money and posts and what staff still have to decide (`weekly_reads`)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from zoneinfo import ZoneInfo

from hearthkeeper.analytics.heat import HeatWarning
from hearthkeeper.analytics.member_groups import counted_groups
from hearthkeeper.analytics.metrics import PeriodMetrics, group_metrics
from hearthkeeper.analytics.report_basis import deleted_counts
from hearthkeeper.analytics.vitals import community_vitals
from hearthkeeper.capabilities.calendar.repository import SqlPosts
from hearthkeeper.capabilities.health.weekly_reads import SqlWeek, WeekMoney, sent_and_missed
from hearthkeeper.playbook import Playbook
from hearthkeeper.store import Store
from hearthkeeper.store.rollups import local_midnight

WEEK = timedelta(days=7)


@dataclass(frozen=True)
class WeekFigures:
    """One community's week (local days `start`..`end`) and the week before it."""

    community: str
    slug: str
    start: date
    end: date
    messages: int
    messages_before: int
    active: int  # distinct members who posted in the week (a member in two groups once)
    active_before: int
    joins: int
    leaves: int
    newcomers_before: int  # members first joining in the week before
    newcomers_before_spoke: int  # of them, who posted within 7 days of joining
    deleted: int  # messages sent in the week that the bot deleted
    strikes: int
    banned: int  # members banned from a group or blacklisted in the week
    appeals_waiting: int  # now, not only this week's
    reports_waiting: int
    money: WeekMoney | None  # None: the community has no membership plans
    currency: str | None  # the community's first plan's (what "no revenue" is said in)
    posts_sent: int
    posts_missed: int
    warned: tuple[HeatWarning, ...]  # groups with a heat-death warning as of `end`


def _week(store: Store, community_id: int, ids: list[int], start: date,
          zone: ZoneInfo) -> PeriodMetrics:  # fmt: skip
    measured = group_metrics(store, community_id, start=start, end=start + WEEK - timedelta(days=1),
                             tz=zone, group_ids=ids)  # fmt: skip
    return measured.community.total


def week_figures(store: Store, community_id: int, name: str, slug: str, playbook: Playbook,
                 end: date) -> WeekFigures:  # fmt: skip
    """The figures of the week ending on local day `end` (included) and of the one before."""
    zone = ZoneInfo(playbook.community.timezone)
    start = end - WEEK + timedelta(days=1)
    groups = counted_groups(store, community_id, playbook=playbook)
    ids = [g.id for g in groups]
    served = {g.id for g in groups if not g.imported}  # posts in an imported group never went out
    this, before = (
        _week(store, community_id, ids, start, zone),
        _week(store, community_id, ids, start - WEEK, zone),
    )
    since, until = local_midnight(start, zone), local_midnight(end + timedelta(days=1), zone)
    reads = SqlWeek.on(store)
    appeals, reports = reads.waiting(community_id)
    posts = {p.id for p in playbook.calendar.posts}  # not rituals, sessions, welcome digests
    firings = [r.status for r in SqlPosts.on(store).post_records(community_id, since=since)
               if r.scheduled_for < until and r.group_id in served and r.post_id in posts]  # fmt: skip
    sent, missed = sent_and_missed(firings)
    plans = playbook.monetisation.plans
    vitals = community_vitals(store, community_id, as_of=end, zone=zone, playbook=playbook,
                              name=name, group_ids=ids, cohort_weeks=1,
                              language=playbook.community.language)  # fmt: skip
    warned = tuple(v.heat for _, v in sorted(vitals.groups.items()) if v.heat.warning)
    return WeekFigures(
        community=name, slug=slug, start=start, end=end,
        messages=this.messages, messages_before=before.messages,
        active=this.speakers, active_before=before.speakers,
        joins=this.joins, leaves=this.leaves,
        newcomers_before=before.newcomers, newcomers_before_spoke=before.newcomers_posted,
        deleted=sum(deleted_counts(store, ids, since, until).values()) if ids else 0,
        strikes=this.violations, banned=reads.banned(community_id, since, until),
        appeals_waiting=appeals, reports_waiting=reports,
        money=reads.money(community_id, since, until) if plans else None,
        currency=plans[0].currency if plans else None,
        posts_sent=sent, posts_missed=missed, warned=warned,
    )  # fmt: skip
