"""Scheduled posts through the engine: each firing claimed once per group, then posted, offered
to staff (`remind` mode) or skipped when it was missed beyond its grace window; a post of kind
poll opens its poll instead (`polling`).

Each (post, group) keeps exactly one next firing as scheduled work, keyed by the firing's
instant, so planning is idempotent and two chains for the same post always converge (see
`planning`); each firing plans the next, so the calendar survives restarts with nothing kept
in memory. The firing itself is claimed in `posts` (unique per group, post and instant) inside
the scheduled work's transaction: a second process that reaches the same firing finds the
claim and does nothing.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from hearthkeeper.capabilities.calendar import polling
from hearthkeeper.capabilities.calendar.content import (
    PostContent,
    TooLong,
    choose,
    held_too_long,
    library_of,
    ran_out,
    remind,
    running_out,
)
from hearthkeeper.capabilities.calendar.firings import iter_firings
from hearthkeeper.capabilities.calendar.library import ContentLibrary
from hearthkeeper.capabilities.calendar.repository import SqlPosts
from hearthkeeper.capabilities.calendar.requests import CalendarPost
from hearthkeeper.capabilities.calendar.series import Due, Lapsed, Planned, due, keep
from hearthkeeper.engine.actions import Action, ActionKind
from hearthkeeper.engine.effects import Effect, EffectContext
from hearthkeeper.playbook import Playbook
from hearthkeeper.playbook.output import PostMode, ScheduledPost
from hearthkeeper.store.scope import StoreBase

log = logging.getLogger(__name__)
_TICK = timedelta(seconds=1)  # a closed group's next firing is after the one passed over

POST_EFFECT = CalendarPost.effect


def find_post(playbook: Playbook, post_id: str) -> ScheduledPost | None:
    """A scheduled post of the playbook by id."""
    return next((p for p in playbook.calendar.posts if p.id == post_id), None)


def applies(post: ScheduledPost, group_name: str) -> bool:
    """Whether a post goes to a group: named in `groups`, or `groups` is empty (every group)."""
    return not post.groups or group_name in post.groups


def firing_key(group_id: int, post_id: str, at: datetime) -> str:
    """The scheduled work of one firing of one post in one group."""
    return f"post:{group_id}:{post_id}:{at.isoformat()}"


def next_post(group_id: int, post: ScheduledPost, zone: ZoneInfo,
              after: datetime) -> Planned | None:  # fmt: skip
    """The post's first firing at or after `after` in a group (None: it never fires again)."""
    at = next(iter_firings(post.schedule, zone, after), None)
    if at is None:
        return None
    return Planned(firing_key(group_id, post.id, at), CalendarPost(post=post.id, at=at), at)


@dataclass(frozen=True)
class PostFiring:
    """What a firing that still holds does: its status in `posts` (posted, reminded or
    skipped), the content it posts (None: late, or nothing left; `TooLong`: its item is held)
    and its timing."""

    status: str
    content: PostContent | TooLong | None
    due: Due


def lapsed_post(post: ScheduledPost | None, group_name: str, zone: ZoneInfo,
                at: datetime) -> Lapsed | None:  # fmt: skip
    """Why a firing of `post` planned at `at` in a group does nothing (its post is gone or no
    longer goes to the group, or `at` is no longer one of its firings); None: it holds."""
    if post is None or not applies(post, group_name):
        return Lapsed.ENDED
    if next(iter_firings(post.schedule, zone, at), None) != at:
        return Lapsed.MOVED
    return None


def decide_post(post: ScheduledPost | None, group_name: str, zone: ZoneInfo, at: datetime,
                now: datetime, library: ContentLibrary | None, posted: Sequence[str],
                poll_lasts: timedelta | None = None) -> Lapsed | PostFiring:  # fmt: skip
    """The firing of `post` at `at` in a group, fallen due at `now`, given its content library
    (None: inline text) and the items it has used in the group; a poll's, given how long its
    poll stays open (`poll_lasts`): one missed until its poll would have closed is late too."""
    lapsed = lapsed_post(post, group_name, zone, at)
    if lapsed is not None or post is None:
        return lapsed or Lapsed.ENDED
    timing = due(at, now, post.grace)
    if post.poll is not None:  # opened by `polling` once claimed: no content to choose
        if poll_lasts is not None and now >= at + poll_lasts:
            timing = Due(True, timing.after)
        return PostFiring("skipped" if timing.late else "posted", None, timing)
    content = None if timing.late else choose(post, library, list(posted))
    if timing.late or not isinstance(content, PostContent):
        status = "skipped"
    else:
        status = "reminded" if post.mode is PostMode.REMIND else "posted"
    return PostFiring(status, content, timing)


def said(ctx: EffectContext, post: ScheduledPost, firing: PostFiring, ref: int, at: datetime,
         library: ContentLibrary | None, posted: Sequence[str]) -> list[Action]:  # fmt: skip
    """What a claimed firing that is not late says: the post (or the staff reminder), an alert
    when the library is running out, or the alert that it ran out."""
    content, g = firing.content, ctx.group
    if content is None:
        return [ran_out(ctx, post)]
    if isinstance(content, TooLong):
        return [held_too_long(ctx, post, content)]
    if post.mode is PostMode.REMIND:
        actions = [remind(ctx, post, content, ref)]
    else:
        actions = [Action(kind=ActionKind.SEND, carrier=g.carrier, group=g.carrier_group_id,
                          text=content.text, handler="calendar", reason=f"scheduled post {post.id}",
                          key=f"calendar:post:{ref}",
                          extra=content.extra(post, ref, ctx.playbook.community.language))]  # fmt: skip
    if library is not None and content.item_id is not None:
        alert = running_out(ctx, post, library, [*posted, content.item_id], at)
        if alert is not None:
            actions.append(alert)
    return actions


def fire(scope: StoreBase, request: CalendarPost, ctx: EffectContext,
         root: Path) -> list[Action]:  # fmt: skip
    """Effect: one firing of a post in this group, claimed once; plans the next firing."""
    g, zone, at = ctx.group, ZoneInfo(ctx.playbook.community.timezone), request.at
    if g.imported:  # planned before imported groups got no calendar: history only, no chat
        log.info("post %s: group %s is imported history; its series ends", request.post, g.name)
        return []
    posts = SqlPosts.on(scope)
    post = find_post(ctx.playbook, request.post)
    if g.closed and post is not None and applies(post, g.name):  # nothing said, none claimed
        keep(scope, g, next_post(g.id, post, zone, max(at, ctx.now) + _TICK))  # on when reopened
        return []
    library = library_of(post, root) if post is not None and applies(post, g.name) else None
    posted = posts.posted_items(g.id, request.post) if library is not None else []
    lasts = (
        None if post is None or post.poll is None else polling.closes_after(post.poll, ctx.playbook)
    )
    firing = decide_post(post, g.name, zone, at, ctx.now, library, posted, lasts)
    if post is None or firing is Lapsed.ENDED:
        log.info("post %s no longer goes to group %s; its series ends", request.post, g.name)
        return []
    if firing is Lapsed.MOVED:
        log.info("post %s: %s is no longer a firing; replanned", post.id, at.isoformat())
        keep(scope, g, next_post(g.id, post, zone, ctx.now))
        return []
    content = firing.content if isinstance(firing.content, PostContent) else None
    open_question = None if post.poll is None or firing.due.late else polling.still_open(scope, ctx)
    status = "skipped" if open_question is not None else firing.status
    ref = posts.claim_post(
        g.community_id, g.id, post.id, at, item_id=None if content is None else content.item_id,
        content_kind=post.content_kind if content is None else content.kind,
        mode=post.mode.value, status=status,
        posted_at=ctx.now if status == "posted" else None,
    )  # fmt: skip
    # The series goes on whoever claimed this firing: another process or an earlier run of
    # this one (which planned the same next key: nothing is added), or staff ahead of its time
    # (`hearth grid skip --on` a later day: the claim was made before this work was planned)
    keep(scope, g, next_post(g.id, post, zone, firing.due.after))
    if ref is None:
        return []
    if firing.due.skipped_some(at):
        log.warning("post %s in group %s: firings between %s and %s were missed and are skipped",
                    post.id, g.name, at.isoformat(), firing.due.after.isoformat())  # fmt: skip
    if firing.due.late:
        log.warning("post %s in group %s due %s was missed by more than its grace (%s), or until "
                    "its poll would have closed; skipped", post.id, g.name, at.isoformat(),
                    post.grace)  # fmt: skip
        return []
    if open_question is not None:
        return [polling.passed_over(ctx, post, at, open_question)]
    if post.poll is not None:
        return polling.open_poll(scope, ctx, post, ref, at)
    return said(ctx, post, firing, ref, at, library, posted)


def firing_effect(root: Path) -> Effect[CalendarPost]:
    """The `calendar.post` effect, reading content libraries under `root`."""

    def run(scope: StoreBase, request: CalendarPost, ctx: EffectContext) -> Sequence[Action]:
        return fire(scope, request, ctx, root)

    return run
