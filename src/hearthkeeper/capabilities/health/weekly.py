"""The weekly report: once a week (`alerts.weekly_report`, Mondays 09:00 community time by
default) staff get the week's health as a staff alert: the console's inbox keeps it, and it
goes to the staff channel and by direct message as every alert does (`alerts/route.py`,
quiet hours included). Figures: `weekly_figures`; words: `weekly_text`.

Exactly once: the report is scheduled work keyed by the community and the day it is due
(`health:weekly:<community>:<day>`), so planning it twice — at each server's start, after
each playbook applied, by each report for the next — makes one row, and claiming it marks it
done in the transaction that queues the report. The alert is keyed by the week it reports
(`health:weekly:<community>:week:<its last day>`), and the inbox and the outbound queue take a key
once: two late rows that both find the same latest week send it once.

New: a community whose oldest group opened during the week gets the days it had, said as its
first week (`weekly_figures`); one with no group open in the week gets no report (its first
is the next Monday's).

Aside: the figures take seconds at hundreds of groups (docs/benchmarks.md), so a running
engine reads them in a worker thread before it runs the report (`prepare`, `Engine.run`), and
goes on deciding members' messages meanwhile; the report's own transaction only plans the
next one and queues the alert.

Late: a report due while no server ran is run when one starts, and reports the latest week
due by then (not the week it was planned for): after three weeks down staff get one report,
of the last week, not three. A report whose day or time the playbook has since changed says
nothing (the new day's is planned); one the playbook turned off says nothing and plans none.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from hearthkeeper.capabilities.health.weekly_figures import week_figures
from hearthkeeper.capabilities.health.weekly_reads import SqlWeek
from hearthkeeper.capabilities.health.weekly_text import weekly_text
from hearthkeeper.engine.actions import Action, ActionKind
from hearthkeeper.engine.effects import EffectContext, Request, schedule_request
from hearthkeeper.playbook import Playbook
from hearthkeeper.playbook.business import WeeklyReport as Settings
from hearthkeeper.store import Store
from hearthkeeper.store.communities import CommunityQueries
from hearthkeeper.store.scheduled import ScheduledQueries
from hearthkeeper.store.scope import StoreBase

_WEEK = timedelta(days=7)


class SendWeeklyReport(Request, effect="health.weekly"):
    """The community's weekly report due at `due` (community time, as planned)."""

    due: datetime


def report_key(community_id: int, day: date) -> str:
    """The scheduled report due on local day `day`."""
    return f"health:weekly:{community_id}:{day.isoformat()}"


def alert_key(community_id: int, end: date) -> str:
    """The report of the week ending on local day `end`."""
    return f"{_alert_prefix(community_id)}{end.isoformat()}"


def _alert_prefix(community_id: int) -> str:
    return f"health:weekly:{community_id}:week:"


def latest_due(settings: Settings, zone: ZoneInfo, now: datetime) -> datetime:
    """The last time a report was due at or before `now` (an aware time in `zone`)."""
    day = now.astimezone(zone).date()
    day -= timedelta(days=(day.weekday() - settings.weekday) % 7)
    at = datetime.combine(day, time(*settings.hour_minute), tzinfo=zone)
    if at > now:
        at = datetime.combine(day - _WEEK, time(*settings.hour_minute), tzinfo=zone)
    return at


def next_due(settings: Settings, zone: ZoneInfo, now: datetime) -> datetime:
    """The first time a report is due after `now`."""
    day = latest_due(settings, zone, now).date() + _WEEK
    return datetime.combine(day, time(*settings.hour_minute), tzinfo=zone)


def plan_weekly_report(scope: StoreBase, community_id: int, playbook: Playbook,
                       now: datetime) -> datetime | None:  # fmt: skip
    """Schedule the community's next weekly report, attached to the group its daily watch
    runs in; planning twice is a no-op. When it is due; None when it is off or the community
    has no group yet."""
    settings = playbook.alerts.weekly_report
    if not settings.enabled:
        return None
    group = CommunityQueries.on(scope).watch_group(community_id)
    if group is None:
        return None
    due = next_due(settings, ZoneInfo(playbook.community.timezone), now)
    schedule_request(scope, report_key(community_id, due.date()), community_id,
                     SendWeeklyReport(due=due), due, group_id=group.id)  # fmt: skip
    return due


def _still_planned(settings: Settings, zone: ZoneInfo, due: datetime) -> bool:
    """Whether a report planned for `due` is still at a time the playbook names."""
    local = due.astimezone(zone)
    return local.weekday() == settings.weekday and (local.hour, local.minute) == (
        settings.hour_minute
    )


@dataclass(frozen=True)
class WeekRead:
    """The report of the week ending on `end`, worded (None: no group was open in it)."""

    end: date
    text: str | None


def _week_end(ctx: EffectContext) -> date:
    """The last day of the latest week due at `ctx.now`."""
    pb = ctx.playbook
    zone = ZoneInfo(pb.community.timezone)
    return latest_due(pb.alerts.weekly_report, zone, ctx.now).date() - timedelta(days=1)


def _read(scope: StoreBase, ctx: EffectContext, end: date) -> WeekRead:
    pb = ctx.playbook
    figures = week_figures(Store.on(scope), ctx.group.community_id, pb.community.name,
                           pb.community.slug, pb, end)  # fmt: skip
    if figures is None:  # no group was open in the week: nothing to report but zeros
        return WeekRead(end, None)
    return WeekRead(end, weekly_text(figures, pb.community.language))


def prepare(scope: StoreBase, request: SendWeeklyReport, ctx: EffectContext) -> WeekRead | None:
    """The report's figures, read aside before its item runs (None: it will say nothing)."""
    settings = ctx.playbook.alerts.weekly_report
    zone = ZoneInfo(ctx.playbook.community.timezone)
    if not settings.enabled or not _still_planned(settings, zone, request.due):
        return None
    return _read(scope, ctx, _week_end(ctx))


def weekly(scope: StoreBase, request: SendWeeklyReport, ctx: EffectContext) -> Sequence[Action]:
    """Send staff the report of the latest week due (late: the latest only); plan the next.
    Its figures are those read aside (`prepare`) when they are of that week."""
    pb, community = ctx.playbook, ctx.group.community_id
    settings = pb.alerts.weekly_report
    zone = ZoneInfo(pb.community.timezone)
    if not settings.enabled:
        return []
    plan_weekly_report(scope, community, pb, ctx.now)
    if not _still_planned(settings, zone, request.due):
        return []
    end = _week_end(ctx)
    read = ctx.prepared
    if not (isinstance(read, WeekRead) and read.end == end):
        read = _read(scope, ctx, end)
    if read.text is None:
        return []
    text = read.text
    group = ctx.group
    return [Action(kind=ActionKind.ALERT_STAFF, carrier=group.carrier,
                   group=group.carrier_group_id, text=text, reason="the weekly report",
                   handler="health", key=alert_key(community, end))]  # fmt: skip


def weekly_status(scope: StoreBase, community_id: int, playbook: Playbook, now: datetime) -> str:
    """What `hearth alerts show` says of the weekly report: when it goes, when the last one
    went (and of which week), and when the next is due — overdue when no server ran it at
    its time, not planned when no server has planned it yet."""
    settings = playbook.alerts.weekly_report
    if not settings.enabled:
        return "Weekly report: off (alerts.weekly_report.enabled: false)"
    zone = ZoneInfo(playbook.community.timezone)
    lines = [f"Weekly report: every {settings.day.capitalize()} at {settings.at} ({zone.key})"]
    last = SqlWeek.on(scope).last_sent(community_id, _alert_prefix(community_id))
    if last is None:
        lines.append("  last: none sent yet")
    else:
        at, key = last
        week_end = key.removeprefix(_alert_prefix(community_id))
        lines.append(f"  last: {at.astimezone(zone):%Y-%m-%d %H:%M}, the week ending {week_end}")
    scheduled = ScheduledQueries.on(scope)
    missed = latest_due(settings, zone, now)
    row = scheduled.scheduled(report_key(community_id, missed.date()))
    if row is not None and row.status == "pending":  # its time came and no server ran it
        lines.append(f"  next: due since {missed:%Y-%m-%d %H:%M}: overdue, it goes when "
                     "`hearth serve` runs")  # fmt: skip
        return "\n".join(lines)
    due = next_due(settings, zone, now)
    row = scheduled.scheduled(report_key(community_id, due.date()))
    planned = row is not None and row.status == "pending"
    lines.append(f"  next: {due:%Y-%m-%d %H:%M}"
                 + ("" if planned else " — not planned yet: `hearth serve` plans it when it "
                    "runs this playbook"))  # fmt: skip
    return "\n".join(lines)
