"""The store work behind polls: start, vote (a single-choice vote replaces the last one),
withdraw, standings, and close at the deadline with the results posted once."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from zoneinfo import ZoneInfo

from hearthkeeper.engine.actions import Action, ActionKind
from hearthkeeper.engine.effects import EffectContext
from hearthkeeper.engine.registry import Registry
from hearthkeeper.handlers.poll_render import TEXTS, announcement, choices_text, standings
from hearthkeeper.playbook.positioning import Language
from hearthkeeper.store import Store

HANDLER = "polls"


def close_key(poll_id: int) -> str:
    """The name of a poll's scheduled closing."""
    return f"poll:{poll_id}:close"


def register_effects(registry: Registry) -> None:
    """Add the poll effects."""
    registry.add_effect("poll.start", start)
    registry.add_effect("poll.vote", vote)
    registry.add_effect("poll.unvote", unvote)
    registry.add_effect("poll.results", results)
    registry.add_effect("poll.close", close)


def start(store: Store, action: Action, ctx: EffectContext) -> Sequence[Action]:
    """Open a poll (unless one is open in the group) and schedule its results."""
    lang = _lang(ctx)
    current = store.current_poll(ctx.group.id)
    if current is not None:
        return [_reply(action, TEXTS.say("still_open", lang, question=current.question))]
    extra = action.extra
    deadline = datetime.fromisoformat(str(extra["deadline"]))
    poll = store.open_poll(
        ctx.group.community_id, ctx.group.id, str(extra["question"]),
        [str(o) for o in extra["options"]], multiple=bool(extra["multiple"]),
        anonymous=bool(extra["anonymous"]), deadline=deadline,
        created_by=ctx.member.id if ctx.member else None, at=ctx.now,
    )  # fmt: skip
    store.schedule(close_key(poll.id), ctx.group.community_id, "poll.close", {"poll": poll.id},
                   deadline, group_id=ctx.group.id)  # fmt: skip
    return [_send(action, announcement(poll, _zone(ctx), lang))]


def vote(store: Store, action: Action, ctx: EffectContext) -> Sequence[Action]:
    """Record a vote in the open poll. Bare numbers out of range are ordinary chat."""
    lang = _lang(ctx)
    explicit = bool(action.extra.get("explicit"))
    poll = store.current_poll(ctx.group.id)
    if poll is None or ctx.member is None:
        return [_reply(action, TEXTS.say("no_poll", lang))] if explicit else []
    name = ctx.member.display_name or ctx.member.user_id
    choices = [int(c) for c in action.extra.get("choices", [])]
    if any(not 0 <= c < len(poll.options) for c in choices):
        if not explicit and len(choices) == 1:
            return []
        count = len(poll.options)
        return [_reply(action, TEXTS.say("out_of_range", lang, name=name, count=count,
                                         letter=chr(ord("A") + count - 1)))]  # fmt: skip
    if not poll.multiple and len(choices) > 1:
        return [_reply(action, TEXTS.say("single_only", lang, name=name))]
    before, after = store.cast_vote(poll.id, ctx.member.id, choices, replace=not poll.multiple,
                                    at=ctx.now)  # fmt: skip
    if after == before:
        key = "same"
    elif poll.anonymous:
        key = "counted"
    else:
        key = "changed" if before and not poll.multiple else "voted"
    return [_reply(action, TEXTS.say(key, lang, name=name, choices=choices_text(poll, after)))]


def unvote(store: Store, action: Action, ctx: EffectContext) -> Sequence[Action]:
    """Take back the member's votes in the open poll."""
    lang = _lang(ctx)
    poll = store.current_poll(ctx.group.id)
    if poll is None or ctx.member is None:
        return [_reply(action, TEXTS.say("no_poll", lang))]
    name = ctx.member.display_name or ctx.member.user_id
    taken = store.withdraw_votes(poll.id, ctx.member.id)
    return [_reply(action, TEXTS.say("withdrawn" if taken else "not_voted", lang, name=name))]


def results(store: Store, action: Action, ctx: EffectContext) -> Sequence[Action]:
    """The standings of the open poll, else of the last one."""
    poll = store.current_poll(ctx.group.id) or store.latest_poll(ctx.group.id)
    if poll is None:
        return [_reply(action, TEXTS.say("no_polls", _lang(ctx)))]
    text = standings(poll, store.poll_votes(poll.id), _zone(ctx), _lang(ctx),
                     final=poll.status != "open")  # fmt: skip
    return [_reply(action, text)]


def close(store: Store, action: Action, ctx: EffectContext) -> Sequence[Action]:
    """Close the poll (at its deadline, or early by staff) and post the results once."""
    poll_id = action.extra.get("poll")
    if poll_id is None:
        current = store.current_poll(ctx.group.id)
        if current is None:
            return [_reply(action, TEXTS.say("no_poll", _lang(ctx)))]
        poll_id = current.id
    if not store.close_poll(int(poll_id), ctx.now):
        return []  # closed already: the results were posted then
    store.cancel_scheduled(close_key(int(poll_id)))
    poll = store.poll(int(poll_id))
    assert poll is not None
    text = standings(poll, store.poll_votes(poll.id), _zone(ctx), _lang(ctx), final=True)
    return [_send(action, text)]


def _lang(ctx: EffectContext) -> Language:
    return ctx.playbook.community.language


def _zone(ctx: EffectContext) -> ZoneInfo:
    return ZoneInfo(ctx.playbook.community.timezone)


def _reply(action: Action, text: str) -> Action:
    return Action(kind=ActionKind.REPLY, carrier=action.carrier, group=action.group,
                  member=action.member, target=action.target, text=text, handler=HANDLER,
                  reason=f"{action.effect}")  # fmt: skip


def _send(action: Action, text: str) -> Action:
    return Action(kind=ActionKind.SEND, carrier=action.carrier, group=action.group,
                  member=action.member, text=text, handler=HANDLER, reason=f"{action.effect}")  # fmt: skip
