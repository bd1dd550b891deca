"""The figures of the weekly report: one community over seven local days, against the seven
before, measured as `hearth report` measures them (`analytics.metrics` over each week, the
heat-death warnings of `analytics.heat` as of the week's last day), plus the week's bans,
money and posts and what staff still have to decide (`weekly_reads`).

A community is as old as its oldest group (the day it opened: its first message, stay or
row, `analytics.signals`). One that opened during the week is measured over the days it had
(its first week: `days` below 7, nothing before to compare with); one whose groups all opened
after the week ended, or that has none, has no week to report (`week_figures` is None)."""

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
    start: date  # the week's first day, or the day the community opened if later
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
    days: int = 7  # days of the week the community was open (fewer: its first week)
    days_before: int = 7  # days of the week before it was open (0: nothing to compare with)


def _days(store: Store, community_id: int, ids: list[int], start: date, end: date,
          zone: ZoneInfo) -> PeriodMetrics:  # fmt: skip
    measured = group_metrics(store, community_id, start=start, end=end, tz=zone, group_ids=ids)
    return measured.community.total


def week_figures(store: Store, community_id: int, name: str, slug: str, playbook: Playbook,
                 end: date) -> WeekFigures | None:  # fmt: skip
    """The figures of the week ending on local day `end` (included) and of the one before,
    each from the day the community opened if later; None when no group of it was open in
    the week."""
    zone = ZoneInfo(playbook.community.timezone)
    groups = counted_groups(store, community_id, playbook=playbook)
    ids = [g.id for g in groups]
    vitals = community_vitals(store, community_id, as_of=end, zone=zone, playbook=playbook,
                              name=name, group_ids=ids, cohort_weeks=1,
                              language=playbook.community.language)  # fmt: skip
    if vitals.opened is None or vitals.opened > end:
        return None
    whole = end - WEEK + timedelta(days=1)
    start = max(whole, vitals.opened)
    before_start = max(whole - WEEK, vitals.opened)
    days_before = max(0, (whole - before_start).days)
    served = {g.id for g in groups if not g.imported}  # posts in an imported group never went out
    this = _days(store, community_id, ids, start, end, zone)
    before = (_days(store, community_id, ids, before_start, whole - timedelta(days=1), zone)
              if days_before else None)  # fmt: skip
    since, until = local_midnight(start, zone), local_midnight(end + timedelta(days=1), zone)
    reads = SqlWeek.on(store)
    appeals, reports = reads.waiting(community_id)
    posts = {p.id for p in playbook.calendar.posts}  # not rituals, sessions, welcome digests
    firings = [r.status for r in SqlPosts.on(store).post_records(community_id, since=since)
               if r.scheduled_for < until and r.group_id in served and r.post_id in posts]  # fmt: skip
    sent, missed = sent_and_missed(firings)
    plans = playbook.monetisation.plans
    warned = tuple(v.heat for _, v in sorted(vitals.groups.items()) if v.heat.warning)
    return WeekFigures(
        community=name, slug=slug, start=start, end=end,
        messages=this.messages, messages_before=before.messages if before else 0,
        active=this.speakers, active_before=before.speakers if before else 0,
        joins=this.joins, leaves=this.leaves,
        newcomers_before=before.newcomers if before else 0,
        newcomers_before_spoke=before.newcomers_posted if before else 0,
        deleted=sum(deleted_counts(store, ids, since, until).values()) if ids else 0,
        strikes=this.violations, banned=reads.banned(community_id, since, until),
        appeals_waiting=appeals, reports_waiting=reports,
        money=reads.money(community_id, since, until) if plans else None,
        currency=plans[0].currency if plans else None,
        posts_sent=sent, posts_missed=missed, warned=warned,
        days=(end - start).days + 1, days_before=days_before,
    )  # fmt: skip
