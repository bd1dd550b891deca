"""The store work behind polls: start, vote (a single-choice vote replaces the last one),
withdraw, standings, and close at the deadline with the results posted once. Each loads from
the repository, lets `decide` choose, writes, and answers with the replies to post."""

from __future__ import annotations

from collections.abc import Sequence

from hearthkeeper.capabilities.lists_common.actions import Answers, Say, language, zone
from hearthkeeper.capabilities.lists_common.closing import NothingOpen, close_once, schedule_closing
from hearthkeeper.capabilities.polls import decide as d
from hearthkeeper.capabilities.polls.render import TEXTS, announcement, standings
from hearthkeeper.capabilities.polls.repository import PollRepository, SqlPolls
from hearthkeeper.capabilities.polls.requests import (
    CastVote,
    PollClose,
    PollResults,
    PollStart,
    WithdrawVote,
)
from hearthkeeper.engine.actions import Action
from hearthkeeper.engine.effects import EffectContext
from hearthkeeper.engine.registry import Registry
from hearthkeeper.store.scope import StoreBase

HANDLER = "polls"
KIND = "poll"  # scheduled closings are `poll:<poll id>:close`


def register_effects(registry: Registry) -> None:
    """Add the poll effects."""
    registry.add_effect(PollStart, start)
    registry.add_effect(CastVote, vote)
    registry.add_effect(WithdrawVote, unvote)
    registry.add_effect(PollResults, results)
    registry.add_effect(PollClose, close)


def start(scope: StoreBase, request: PollStart, ctx: EffectContext) -> Sequence[Action]:
    """Open a poll (unless one is open in the group) and schedule its results."""
    repo, answers = _repository(scope), Answers.to(ctx, request, HANDLER)
    if request.across and request.deadline <= ctx.now:
        return []  # asked across groups while no engine ran, until a deadline now past
    decided = d.decide_start(repo.current(ctx.group.id), request, language(ctx))
    if isinstance(decided, Say):
        return [] if request.across else decided.actions(answers)
    poll = repo.open_poll(
        ctx.group.community_id, ctx.group.id, decided.question, decided.options,
        multiple=decided.multiple, anonymous=decided.anonymous, deadline=decided.deadline,
        created_by=ctx.member.id if ctx.member else None, at=ctx.now,
    )  # fmt: skip
    schedule_closing(scope, KIND, poll.id, PollClose(poll=poll.id), decided.deadline,
                     community_id=ctx.group.community_id, group_id=ctx.group.id)  # fmt: skip
    return [answers.send(announcement(poll, zone(ctx), language(ctx)))]


def vote(scope: StoreBase, request: CastVote, ctx: EffectContext) -> Sequence[Action]:
    """Record a vote in the open poll. Bare numbers out of range are ordinary chat."""
    repo, answers, lang = _repository(scope), Answers.to(ctx, request, HANDLER), language(ctx)
    poll = repo.current(ctx.group.id)
    if poll is None or ctx.member is None:
        return d.no_poll(request.explicit, lang).actions(answers)
    name = ctx.member.display_name or ctx.member.user_id
    decided = d.decide_vote(poll, request, name, lang)
    if isinstance(decided, Say):
        return decided.actions(answers)
    before, after = repo.cast_vote(poll.id, ctx.member.id, decided.choices,
                                   replace=decided.replace, at=ctx.now)  # fmt: skip
    return [answers.reply(d.voted(poll, before, after, name, lang))]


def unvote(scope: StoreBase, request: WithdrawVote, ctx: EffectContext) -> Sequence[Action]:
    """Take back the member's votes in the open poll."""
    repo, answers, lang = _repository(scope), Answers.to(ctx, request, HANDLER), language(ctx)
    poll = repo.current(ctx.group.id)
    if poll is None or ctx.member is None:
        return d.no_poll(True, lang).actions(answers)
    name = ctx.member.display_name or ctx.member.user_id
    taken = repo.withdraw_votes(poll.id, ctx.member.id)
    return [answers.reply(d.withdrawn(taken, name, lang))]


def results(scope: StoreBase, request: PollResults, ctx: EffectContext) -> Sequence[Action]:
    """The standings of the open poll, else of the last one."""
    repo, answers = _repository(scope), Answers.to(ctx, request, HANDLER)
    poll = repo.current(ctx.group.id) or repo.latest(ctx.group.id)
    if poll is None:
        return [answers.reply(TEXTS.say("no_polls", language(ctx)))]
    text = standings(poll, repo.votes(poll.id), zone(ctx), language(ctx),
                     final=poll.status != "open")  # fmt: skip
    return [answers.reply(text)]


def close(scope: StoreBase, request: PollClose, ctx: EffectContext) -> Sequence[Action]:
    """Close the poll (at its deadline, or early by staff) and post the results once."""
    repo, answers = _repository(scope), Answers.to(ctx, request, HANDLER)
    poll = close_once(scope, repo, KIND, request.poll, ctx.group.id, ctx.now)
    if isinstance(poll, NothingOpen):
        return d.no_poll(True, language(ctx)).actions(answers)
    if poll is None:
        return []  # closed already: the results were posted then
    text = standings(poll, repo.votes(poll.id), zone(ctx), language(ctx), final=True)
    return [answers.send(text)]


def _repository(scope: StoreBase) -> PollRepository:
    return SqlPolls.on(scope)
