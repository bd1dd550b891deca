"""The store work behind sign-ups: start, join (stock taken atomically), paste, cancel with
waitlist promotion, show, and close at the deadline. Each loads from the repository, lets
`decide` choose, writes, and answers with the replies to post."""

from __future__ import annotations

from collections.abc import Sequence

from hearthkeeper.capabilities.lists_common.actions import Answers, Say, language, zone
from hearthkeeper.capabilities.lists_common.closing import NothingOpen, close_once, schedule_closing
from hearthkeeper.capabilities.signups import decide as d
from hearthkeeper.capabilities.signups import render as r
from hearthkeeper.capabilities.signups.parse import Join
from hearthkeeper.capabilities.signups.records import SignUpList
from hearthkeeper.capabilities.signups.repository import SignUpRepository, SqlSignUps
from hearthkeeper.capabilities.signups.requests import (
    SignUpCancel,
    SignUpClose,
    SignUpJoin,
    SignUpPaste,
    SignUpShow,
    SignUpStart,
)
from hearthkeeper.engine.actions import Action
from hearthkeeper.engine.effects import EffectContext
from hearthkeeper.engine.registry import Registry
from hearthkeeper.store.scope import StoreBase

HANDLER = "signups"
KIND = "signup"  # scheduled closings are `signup:<list id>:close`


def register_effects(registry: Registry) -> None:
    """Add the sign-up effects."""
    registry.add_effect(SignUpStart, start)
    registry.add_effect(SignUpJoin, join)
    registry.add_effect(SignUpPaste, paste)
    registry.add_effect(SignUpCancel, cancel)
    registry.add_effect(SignUpShow, show)
    registry.add_effect(SignUpClose, close)


def start(scope: StoreBase, request: SignUpStart, ctx: EffectContext) -> Sequence[Action]:
    """Open a list (unless one is open in the group) and schedule its closing."""
    repo, answers = _repository(scope), Answers.to(ctx, request, HANDLER)
    decided = d.decide_start(repo.current(ctx.group.id), request, language(ctx))
    if isinstance(decided, Say):
        return decided.actions(answers)
    lst = repo.open_list(
        ctx.group.community_id, ctx.group.id, decided.title, decided.items,
        deadline=decided.deadline, created_by=ctx.member.id if ctx.member else None, at=ctx.now,
    )  # fmt: skip
    schedule_closing(scope, KIND, lst.id, SignUpClose(list=lst.id), decided.deadline,
                     community_id=ctx.group.community_id, group_id=ctx.group.id)  # fmt: skip
    return [answers.send(d.started(lst, language(ctx), zone(ctx)))]


def join(scope: StoreBase, request: SignUpJoin, ctx: EffectContext) -> Sequence[Action]:
    """Put the member on the open list: confirmed while stock lasts, else waitlisted."""
    repo, answers = _repository(scope), Answers.to(ctx, request, HANDLER)
    lst = repo.current(ctx.group.id)
    if lst is None or ctx.member is None:
        return d.no_list(request.explicit, language(ctx)).actions(answers)
    return _take(repo, answers, ctx, lst, Join(request.counted, request.text))


def paste(scope: StoreBase, request: SignUpPaste, ctx: EffectContext) -> Sequence[Action]:
    """A pasted list with the member's line added: compare with the list, take the new line."""
    repo, answers = _repository(scope), Answers.to(ctx, request, HANDLER)
    lst = repo.current(ctx.group.id)
    if lst is None or ctx.member is None:
        return []
    me = ctx.member.display_name or ctx.member.user_id
    entries = repo.entries(lst.id, include_cancelled=True)
    wanted = d.decide_paste(lst, entries, ctx.member.id, me, request)
    return [] if wanted is None else _take(repo, answers, ctx, lst, wanted)


def cancel(scope: StoreBase, request: SignUpCancel, ctx: EffectContext) -> Sequence[Action]:
    """Take the member off the list; promote the waitlist and @-mention who moved up."""
    repo, answers, lang = _repository(scope), Answers.to(ctx, request, HANDLER), language(ctx)
    lst = repo.current(ctx.group.id)
    if lst is None or ctx.member is None:
        return d.no_list(request.explicit, lang).actions(answers)
    name = ctx.member.display_name or ctx.member.user_id
    decided = d.decide_cancel(lst, request, name, lang)
    if isinstance(decided, Say):
        return decided.actions(answers)
    done = repo.cancel(lst.id, ctx.member.id, item_id=decided.item_id, at=ctx.now)
    entries = repo.entries(lst.id) if done.promoted else []
    said = d.cancelled(lst, done, entries, name, request.explicit, lang)
    out = Say(said.reply).actions(answers)
    out.extend(answers.mention(text, user_id, name) for user_id, name, text in said.promoted)
    return out


def show(scope: StoreBase, request: SignUpShow, ctx: EffectContext) -> Sequence[Action]:
    """The whole list (the open one, else the last one), as a reply."""
    repo, answers = _repository(scope), Answers.to(ctx, request, HANDLER)
    lst = repo.current(ctx.group.id) or repo.latest(ctx.group.id)
    if lst is None:
        return d.no_list(True, language(ctx)).actions(answers)
    return [answers.reply(r.render(lst, repo.entries(lst.id), zone(ctx), language(ctx)))]


def close(scope: StoreBase, request: SignUpClose, ctx: EffectContext) -> Sequence[Action]:
    """Close the list (at its deadline, or early by staff) and post the final list once."""
    repo, answers = _repository(scope), Answers.to(ctx, request, HANDLER)
    lst = close_once(scope, repo, KIND, request.list, ctx.group.id, ctx.now)
    if isinstance(lst, NothingOpen):
        return d.no_list(True, language(ctx)).actions(answers)
    if lst is None:
        return []  # closed already: the final list was posted then
    return [answers.send(r.render(lst, repo.entries(lst.id), zone(ctx), language(ctx)))]


def _take(repo: SignUpRepository, answers: Answers, ctx: EffectContext, lst: SignUpList,
          wanted: Join) -> list[Action]:  # fmt: skip
    assert ctx.member is not None
    lang, name = language(ctx), ctx.member.display_name or ctx.member.user_id
    decided = d.decide_take(lst, repo.entries(lst.id), ctx.member.id, name, wanted, lang)
    if isinstance(decided, Say):
        return decided.actions(answers)
    item_id = decided.item.id if decided.item else None
    entry = repo.take(lst.id, ctx.member.id, decided.quantity, item_id=item_id,
                      note=decided.note, at=ctx.now)  # fmt: skip
    fresh = repo.get(lst.id) or lst
    entries = repo.entries(lst.id)
    return [answers.reply(d.taken(fresh, entries, entry, decided, name, lang, zone(ctx)))]


def _repository(scope: StoreBase) -> SignUpRepository:
    return SqlSignUps.on(scope)
