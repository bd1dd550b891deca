"""The figures of the weekly report: one community over seven local days, against the seven
before, measured as `hearth report` measures them (`analytics.metrics` over each week, the
heat-death warnings of `analytics.heat` as of the week's last day), plus the week's bans,
money and posts and what staff still have to decide (`weekly_reads`).

A community is as old as its oldest group (the day it opened: its first message, stay or
row, `analytics.signals`). One that opened during the week is measured over the days it had
(its first week: `days` below 7, nothing before to compare with); one whose groups all opened
after the week ended, or that has none, has no week to report (`week_figures` is None). A
group that opened during the week in a community older than the week is named on its own
(`WeekFigures.new_groups`): the week's totals hold its days and the week before none of it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from zoneinfo import ZoneInfo

from hearthkeeper.analytics.heat import HeatWarning
from hearthkeeper.analytics.member_groups import counted_groups
from hearthkeeper.analytics.metric_records import CommunityMetrics
from hearthkeeper.analytics.metrics import group_metrics
from hearthkeeper.analytics.report_basis import deleted_counts
from hearthkeeper.analytics.vitals import community_vitals
from hearthkeeper.capabilities.calendar.repository import SqlPosts
from hearthkeeper.capabilities.health.weekly_reads import SqlWeek, WeekMoney, sent_and_missed
from hearthkeeper.playbook import Playbook
from hearthkeeper.store import Store
from hearthkeeper.store.rollups import local_midnight
from hearthkeeper.text.folding import in_name_order

WEEK = timedelta(days=7)


@dataclass(frozen=True)
class NewGroup:
    """A group that opened during the week of an older community, over the days it had."""

    id: int
    name: str
    opened: date  # its first day (its first message, stay or row, `analytics.signals`)
    days: int
    messages: int
    active: int


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
    new_groups: tuple[NewGroup, ...] = ()  # opened during the week (none in a first week)


def _days(store: Store, community_id: int, ids: list[int], start: date, end: date,
          zone: ZoneInfo) -> CommunityMetrics:  # fmt: skip
    return group_metrics(store, community_id, start=start, end=end, tz=zone, group_ids=ids)


def new_groups(measured: CommunityMetrics, opened: dict[int, date], start: date,
               end: date) -> tuple[NewGroup, ...]:  # fmt: skip
    """The groups of `measured` that opened on `start`..`end`, in name order."""
    found = [NewGroup(gid, m.name, opened[gid], (end - opened[gid]).days + 1,
                      m.total.messages, m.total.speakers)
             for gid, m in measured.groups.items()
             if gid in opened and start <= opened[gid] <= end]  # fmt: skip
    return tuple(in_name_order(found))


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
    measured = _days(store, community_id, ids, start, end, zone)
    this = measured.community.total
    before = (_days(store, community_id, ids, before_start, whole - timedelta(days=1),
                    zone).community.total if days_before else None)  # fmt: skip
    # In a community's first week every group is new: the head says so
    fresh = new_groups(measured, dict(vitals.groups_opened), whole, end) if start == whole else ()
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
        days=(end - start).days + 1, days_before=days_before, new_groups=fresh,
    )  # fmt: skip
