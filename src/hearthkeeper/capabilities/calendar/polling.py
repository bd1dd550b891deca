"""A scheduled post of kind poll (`calendar.posts[].poll`): at each firing the poll opens in
each of the post's groups through the polls' own `poll.start` effect (as `/poll` and
`hearth grid poll` open one), and closes after `closes_after` with its results, as any poll.

The firing is claimed in `posts` like any scheduled post's, in the same transaction as the
poll it opens, so a firing opens its poll once whatever restarts or second processes reach
it. A group whose poll from before is still open gets none this time: staff are told.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta

from hearthkeeper.capabilities.polls import effects as polls
from hearthkeeper.capabilities.polls.repository import SqlPolls
from hearthkeeper.capabilities.polls.requests import PollStart
from hearthkeeper.capabilities.texts import Phrasebook
from hearthkeeper.engine.actions import Action, ActionKind
from hearthkeeper.engine.effects import EffectContext
from hearthkeeper.playbook import Playbook
from hearthkeeper.playbook.output import PollPost, ScheduledPost
from hearthkeeper.playbook.positioning import Language
from hearthkeeper.store.scope import StoreBase

TEXTS = Phrasebook({
    "still_open": {
        Language.ZH_CN: "📊 定时投票「{post}」这次没有在「{group}」发起：上一个投票「{question}」还没有结束。",
        Language.EN: "📊 The scheduled poll '{post}' was not opened in {group} this time: the poll '{question}' is still open there.",
    },
})  # fmt: skip


def closes_after(poll: PollPost, playbook: Playbook) -> timedelta:
    """How long the poll stays open: its own `closes_after`, else the polls' default."""
    return poll.closes_after or playbook.mechanisms.polls.default_duration


def poll_request(poll: PollPost, playbook: Playbook, at: datetime) -> PollStart:
    """The poll a firing at `at` opens, with the playbook's defaults for what it leaves out."""
    settings = playbook.mechanisms.polls
    anonymous = settings.anonymous if poll.anonymous is None else poll.anonymous
    return PollStart(question=poll.question, options=tuple(poll.options), multiple=poll.multiple,
                     anonymous=anonymous, deadline=at + closes_after(poll, playbook),
                     across=True)  # fmt: skip


def still_open(scope: StoreBase, ctx: EffectContext) -> str | None:
    """The question of the poll open in the group now (None: none is open)."""
    current = SqlPolls.on(scope).current(ctx.group.id)
    return None if current is None else current.question


def open_poll(scope: StoreBase, ctx: EffectContext, post: ScheduledPost, ref: int,
              opens: datetime) -> list[Action]:  # fmt: skip
    """Open the poll of a firing claimed as `ref` in the group, closing `closes_after` from
    `opens` (the firing's time; now, when staff open it early); the announcement is keyed by
    the claim, as a post's message is."""
    assert post.poll is not None
    request = poll_request(post.poll, ctx.playbook, opens)
    opened = polls.start(scope, request, ctx)
    return [replace(a, key=f"calendar:post:{ref}", reason=f"scheduled poll {post.id}",
                    extra={"post_id": post.id, "post_ref": ref, "content_kind": "poll"})
            if a.kind is ActionKind.SEND else a for a in opened]  # fmt: skip


def passed_over(ctx: EffectContext, post: ScheduledPost, at: datetime, question: str) -> Action:
    """Tell staff the firing at `at` opened no poll: one was still open in the group."""
    g = ctx.group
    text = TEXTS.say("still_open", ctx.playbook.community.language, post=post.id, group=g.name,
                     question=question)  # fmt: skip
    return Action(kind=ActionKind.ALERT_STAFF, carrier=g.carrier, group=g.carrier_group_id,
                  text=text, handler="calendar", reason=f"scheduled poll {post.id}: one is open",
                  key=f"calendar:poll_open:{g.id}:{post.id}:{at.isoformat()}",
                  extra={"post_id": post.id})  # fmt: skip
