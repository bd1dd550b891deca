"""Scheduled posts through the engine: each firing claimed once per group, then posted, offered
to staff (`remind` mode) or skipped when it was missed beyond its grace window.

Each (post, group) keeps exactly one next firing as scheduled work, keyed by the firing's
instant, so planning is idempotent and two chains for the same post always converge. A chain
is started when this process first sees an event in a group (`CalendarPlanner`), or for every
group at once by `plan_calendar` (a server calls it at start); afterwards each firing plans the
next, so the calendar survives restarts with nothing kept in memory. The firing itself is
claimed in `posts` (unique per group, post and instant) inside the scheduled work's
transaction: a second process that reaches the same firing finds the claim and does nothing.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from hearthkeeper.capabilities.calendar.firings import iter_firings
from hearthkeeper.capabilities.calendar.repository import SqlPosts
from hearthkeeper.engine.actions import Action, ActionKind
from hearthkeeper.engine.effects import EffectContext, LegacyEffect
from hearthkeeper.engine.events import Event
from hearthkeeper.engine.handler import Context, Outcome
from hearthkeeper.engine.registry import Registry, Stage
from hearthkeeper.handlers import calendar_confirm, calendar_rituals, calendar_sessions
from hearthkeeper.handlers.calendar_content import choose, library_of, ran_out, remind, running_out
from hearthkeeper.handlers.commands import CommandBook
from hearthkeeper.playbook import Playbook
from hearthkeeper.playbook.output import PostMode, ScheduledPost
from hearthkeeper.store import Store

log = logging.getLogger(__name__)

POST_EFFECT = "calendar.post"
PLAN_EFFECT = "calendar.plan"


def find_post(playbook: Playbook, post_id: str) -> ScheduledPost | None:
    """A scheduled post of the playbook by id."""
    return next((p for p in playbook.calendar.posts if p.id == post_id), None)


def applies(post: ScheduledPost, group_name: str) -> bool:
    """Whether a post goes to a group: named in `groups`, or `groups` is empty (every group)."""
    return not post.groups or group_name in post.groups


def firing_key(group_id: int, post_id: str, at: datetime) -> str:
    """The scheduled work of one firing of one post in one group."""
    return f"post:{group_id}:{post_id}:{at.isoformat()}"


def plan_post(store: Store, community_id: int, group_id: int, post: ScheduledPost,
              zone: ZoneInfo, after: datetime) -> datetime | None:  # fmt: skip
    """Schedule the post's first firing at or after `after` in a group (once per firing)."""
    at = next(iter_firings(post.schedule, zone, after), None)
    if at is not None:
        store.schedule(firing_key(group_id, post.id, at), community_id, POST_EFFECT,
                       {"post": post.id, "at": at.isoformat()}, at, group_id=group_id)  # fmt: skip
    return at


def plan_group(store: Store, playbook: Playbook, community_id: int, group_id: int,
               group_name: str, now: datetime) -> int:  # fmt: skip
    """Keep the next firing of every post that goes to this group scheduled; how many posts."""
    zone = ZoneInfo(playbook.community.timezone)
    posts = [p for p in playbook.calendar.posts if applies(p, group_name)]
    for post in posts:
        plan_post(store, community_id, group_id, post, zone, now)
    # Live sessions and the anniversary keep their chains alongside the posts'.
    sessions = calendar_sessions.plan_sessions(store, playbook, community_id, group_id,
                                               group_name, now)  # fmt: skip
    calendar_rituals.plan_anniversary(store, playbook, community_id, group_id, now)
    return len(posts) + sessions


def plan_calendar(store: Store, community_id: int, playbook: Playbook, now: datetime) -> int:
    """Plan every group of a community (at server start, or after a playbook is applied)."""
    return sum(plan_group(store, playbook, community_id, g.id, g.name, now)
               for g in store.list_groups(community_id))  # fmt: skip


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
        return Outcome((Action(kind=ActionKind.EFFECT, carrier=event.carrier, group=event.group,
                               effect=PLAN_EFFECT, handler=self.name),))  # fmt: skip


def plan(store: Store, action: Action, ctx: EffectContext) -> Sequence[Action]:
    """Effect: plan this group's posts."""
    g = ctx.group
    plan_group(store, ctx.playbook, g.community_id, g.id, g.name, ctx.now)
    return []


def fire(store: Store, action: Action, ctx: EffectContext, root: Path) -> list[Action]:
    """Effect: one firing of a post in this group, claimed once; plans the next firing."""
    post = find_post(ctx.playbook, str(action.extra["post"]))
    at = datetime.fromisoformat(str(action.extra["at"]))
    if post is None or not applies(post, ctx.group.name):
        log.info("post %s no longer goes to group %s; its series ends", action.extra["post"],
                 ctx.group.name)  # fmt: skip
        return []
    g, zone = ctx.group, ZoneInfo(ctx.playbook.community.timezone)
    if next(iter_firings(post.schedule, zone, at), None) != at:
        # The schedule or the time zone changed since this firing was planned: start over.
        log.info("post %s: %s is no longer a firing; replanned", post.id, at.isoformat())
        plan_post(store, g.community_id, g.id, post, zone, ctx.now)
        return []
    late = ctx.now > at + post.grace
    library = library_of(post, root)
    posted = SqlPosts.on(store).posted_items(g.id, post.id) if library is not None else []
    content = None if late else choose(post, library, posted)
    if late or content is None:
        status = "skipped"
    else:
        status = "reminded" if post.mode is PostMode.REMIND else "posted"
    ref = SqlPosts.on(store).claim_post(
        g.community_id, g.id, post.id, at, item_id=None if content is None else content.item_id,
        content_kind=post.content.kind.value if content is None else content.kind,
        mode=post.mode.value, status=status, posted_at=ctx.now if status == "posted" else None,
    )  # fmt: skip
    if ref is None:
        return []  # claimed already: by another process, or by an earlier run of this one
    _plan_next(store, ctx, post, zone, at)
    if late:
        log.warning("post %s in group %s due %s was missed by more than its grace (%s); skipped",
                    post.id, g.name, at.isoformat(), post.grace)  # fmt: skip
        return []
    if content is None:
        return [ran_out(ctx, post)]
    if post.mode is PostMode.REMIND:
        actions = [remind(ctx, post, content, ref)]
    else:
        actions = [Action(kind=ActionKind.SEND, carrier=g.carrier, group=g.carrier_group_id,
                          text=content.text, handler="calendar", reason=f"scheduled post {post.id}",
                          key=f"calendar:post:{ref}", extra=content.extra(post, ref))]  # fmt: skip
    if library is not None and content.item_id is not None:
        alert = running_out(ctx, post, library, [*posted, content.item_id], at)
        if alert is not None:
            actions.append(alert)
    return actions


def _plan_next(store: Store, ctx: EffectContext, post: ScheduledPost, zone: ZoneInfo,
               at: datetime) -> None:  # fmt: skip
    # After a long outage, firings older than the grace window are not replayed one by one:
    # the chain jumps to the first firing still worth posting.
    after = max(at + timedelta(seconds=1), ctx.now - post.grace)
    if after > at + timedelta(seconds=1):
        log.warning("post %s in group %s: firings between %s and %s were missed and are skipped",
                    post.id, ctx.group.name, at.isoformat(), after.isoformat())  # fmt: skip
    plan_post(store, ctx.group.community_id, ctx.group.id, post, zone, after)


def _firing_effect(root: Path) -> LegacyEffect:
    def run(store: Store, action: Action, ctx: EffectContext) -> Sequence[Action]:
        return fire(store, action, ctx, root)

    return run


def register(registry: Registry, playbook: Playbook, commands: CommandBook,
             content_root: Path) -> None:  # fmt: skip
    """Add the calendar's planner, its firings and `/confirm`; libraries under `content_root`."""
    calendar_rituals.register(registry, playbook)
    cal = playbook.calendar
    if not (cal.posts or cal.live_sessions or cal.rituals.anniversary is not None):
        return
    calendar_sessions.register(registry, playbook)
    registry.add_effect(PLAN_EFFECT, plan)
    registry.add_effect(POST_EFFECT, _firing_effect(content_root))
    # Early and on its own stage: whatever later handlers decide (moderation may stop a
    # message), a group the engine sees gets its calendar planned.
    registry.add(CalendarPlanner(), Stage.GATE + 1)
    calendar_confirm.register(registry, playbook, commands, content_root)
