"""Keeping every group's calendar planned: the next firing of each post, live session and the
anniversary held as scheduled work, once per firing.

A chain is started when this process first sees an event in a group (`CalendarPlanner`), or
for every group at once by `plan_calendar` (a server calls it at start); afterwards each firing
plans the next, so nothing of the calendar is kept in memory but which groups this process
planned already — and a batch that rolls back makes the planner forget those
(`CalendarPlanner.forget`): planning again adds nothing that exists.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from zoneinfo import ZoneInfo

from hearthkeeper.capabilities.calendar.posts import applies, find_post, lapsed_post, next_post
from hearthkeeper.capabilities.calendar.requests import CalendarPlan, CalendarPost
from hearthkeeper.capabilities.calendar.rituals import next_anniversary_plan
from hearthkeeper.capabilities.calendar.series import Planned, keep_in
from hearthkeeper.capabilities.calendar.sessions import next_session, sessions_in
from hearthkeeper.engine.actions import Action
from hearthkeeper.engine.effects import EffectContext
from hearthkeeper.engine.events import Event
from hearthkeeper.engine.handler import Context, Outcome
from hearthkeeper.playbook import Playbook
from hearthkeeper.playbook.groups import group_playbook
from hearthkeeper.store.communities import CommunityQueries
from hearthkeeper.store.scheduled import ScheduledQueries, WorkOf
from hearthkeeper.store.scope import StoreBase


def group_plan(playbook: Playbook, group_id: int, group_name: str,
               now: datetime) -> tuple[list[Planned], int]:  # fmt: skip
    """The next firing of every post and live session that goes to this group, and its next
    anniversary; with how many posts and sessions go to it."""
    zone = ZoneInfo(playbook.community.timezone)
    posts = [p for p in playbook.calendar.posts if applies(p, group_name)]
    sessions = sessions_in(playbook, group_name)
    planned = [next_post(group_id, post, zone, now) for post in posts]
    # Live sessions and the anniversary keep their chains alongside the posts'.
    planned += [next_session(group_id, session, zone, now) for session in sessions]
    planned.append(next_anniversary_plan(playbook, group_id, now))
    return [p for p in planned if p is not None], len(posts) + len(sessions)


def plan_group(scope: StoreBase, playbook: Playbook, community_id: int, group_id: int,
               group_name: str, now: datetime) -> int:  # fmt: skip
    """Keep the group's calendar scheduled; how many posts and sessions go to it."""
    planned, series = group_plan(playbook, group_id, group_name, now)
    for item in planned:
        keep_in(scope, community_id, group_id, item)
    return series


def plan_calendar(scope: StoreBase, community_id: int, playbook: Playbook, now: datetime) -> int:
    """Plan every group of a community (at server start, or after a playbook is applied),
    each by the playbook it runs (its `groups:` override applied). A group an import
    registered (`import:csv` …) is history only: no carrier posts there, so it gets no
    calendar (its posts would wait in the outbound queue for ever)."""
    groups = [g for g in CommunityQueries.on(scope).list_groups(community_id) if not g.imported]
    return sum(plan_group(scope, group_playbook(playbook, g.name, g.carrier_group_id),
                          community_id, g.id, g.name, now) for g in groups)  # fmt: skip


def call_off_replaced(scope: StoreBase, community_id: int, playbook: Playbook) -> int:
    """Call off the pending firings of posts the playbook no longer fires then in their group
    (the schedule or time zone changed, the post is gone or goes elsewhere): at their time they
    would do nothing, and `plan_calendar` already continued each series from its new schedule.
    So the scheduled work left pending is what will be posted. How many were called off."""
    groups = {g.id: g for g in CommunityQueries.on(scope).list_groups(community_id)}
    work = ScheduledQueries.on(scope)
    runs: dict[int, Playbook] = {}  # group id → the playbook the group runs
    called_off = 0
    for firing in work.pending_work(WorkOf(community_id, "post:")):
        group = groups.get(firing.group_id or 0)
        if group is None or firing.effect != CalendarPost.effect:
            continue
        request = CalendarPost.from_payload(firing.payload)
        if group.id not in runs:
            runs[group.id] = group_playbook(playbook, group.name, group.carrier_group_id)
        post = find_post(runs[group.id], request.post)
        zone = ZoneInfo(runs[group.id].community.timezone)
        if lapsed_post(post, group.name, zone, request.at) is not None:
            called_off += work.cancel_scheduled(firing.key)
    return called_off


class CalendarPlanner:
    """The first event this process sees in a group makes sure its posts are planned: cheap
    (one effect per group per process), and a group the engine has never seen gets posts too."""

    name = "calendar"

    def __init__(self) -> None:
        self._planned: set[int] = set()

    def check(self, event: Event, ctx: Context) -> bool:
        return ctx.group.id not in self._planned

    def handle(self, event: Event, ctx: Context) -> Outcome:
        self._planned.add(ctx.group.id)
        return Outcome((CalendarPlan().action(carrier=event.carrier, group=event.group,
                                              handler=self.name),))  # fmt: skip

    def forget(self) -> None:
        """Forget which groups were planned: a rolled-back batch took their plan with it."""
        self._planned.clear()


def plan(scope: StoreBase, request: CalendarPlan, ctx: EffectContext) -> Sequence[Action]:
    """Effect: plan this group's posts, live sessions and anniversary."""
    g = ctx.group
    plan_group(scope, ctx.playbook, g.community_id, g.id, g.name, ctx.now)
    return []
