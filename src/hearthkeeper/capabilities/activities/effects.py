"""The store work behind members' commands: list the events coming up, sign up (a place,
held unpaid on a priced event, or the waitlist), give a place up (the first waiting moves up
and is told), and show one's door code. Each loads, lets `decide` choose, and writes."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from hearthkeeper.capabilities.activities import catalogue
from hearthkeeper.capabilities.activities import decide as d
from hearthkeeper.capabilities.activities.addresses import ticket_link
from hearthkeeper.capabilities.activities.holds import (
    move_up,
    pay_by_text,
    payment_reference,
    plan_hold,
)
from hearthkeeper.capabilities.activities.moments import plan_moments
from hearthkeeper.capabilities.activities.records import Event, EventStatus, SignUp, Status
from hearthkeeper.capabilities.activities.render import amount_text, listing, place_text
from hearthkeeper.capabilities.activities.repository import SqlActivities
from hearthkeeper.capabilities.activities.requests import (
    EventSignUp,
    EventsList,
    EventTicket,
    EventWithdraw,
)
from hearthkeeper.capabilities.activities.texts import TEXTS
from hearthkeeper.capabilities.format import currency_words, when_text
from hearthkeeper.capabilities.lists_common.actions import Answers, language, zone
from hearthkeeper.engine.actions import IN_GROUP, Action, privately
from hearthkeeper.engine.effects import EffectContext
from hearthkeeper.playbook import Playbook
from hearthkeeper.playbook.positioning import Language
from hearthkeeper.store.scope import StoreBase

HANDLER = "activities"
HORIZON = timedelta(days=60)  # events listed and open to sign-up this far ahead


def upcoming(scope: StoreBase, community_id: int, playbook: Playbook,
             now: datetime) -> list[Event]:  # fmt: skip
    """The community's scheduled events still ahead within the horizon, the next occurrence
    of each playbook activity made an event first (once: the row is unique)."""
    repo = SqlActivities.on(scope)
    zone_ = ZoneInfo(playbook.community.timezone)
    for activity in playbook.activities:
        at = catalogue.next_occurrence(activity, zone_, now)
        if at is not None and at < now + HORIZON:
            repo.materialise(community_id, catalogue.new_event(activity, at), now)
    found = repo.events(community_id, after=now, before=now + HORIZON)
    return [e for e in found if e.status is EventStatus.SCHEDULED]


def list_events(scope: StoreBase, request: EventsList, ctx: EffectContext) -> Sequence[Action]:
    """`/活动`: the events coming up with their places, and how to sign up."""
    answers, lang = Answers.to(ctx, request, HANDLER), language(ctx)
    events = upcoming(scope, ctx.group.community_id, ctx.playbook, ctx.now)
    if not events:
        return [answers.reply(TEXTS.say("none", lang))]
    repo = SqlActivities.on(scope)
    lines = listing([(e, repo.signups(e.id)) for e in events], zone(ctx), lang)
    example = events[0].activity_id or str(events[0].id)
    return [answers.reply(TEXTS.say("header", lang) + "\n" + lines + "\n"
                          + TEXTS.say("how_to", lang, example=example))]  # fmt: skip


def sign_up(scope: StoreBase, request: EventSignUp, ctx: EffectContext) -> Sequence[Action]:
    """A place at the event the words name: confirmed (with the door code), held unpaid (with
    the payment reference), or on the waitlist (with the position)."""
    answers = Answers.to(ctx, request, HANDLER)
    if ctx.member is None:
        return []
    name = ctx.member.display_name or ctx.member.user_id
    events = [e for e in upcoming(scope, ctx.group.community_id, ctx.playbook, ctx.now)
              if e.sign_up]  # fmt: skip
    event = _picked(scope, events, request.words, name, ctx)
    if not isinstance(event, Event):
        return [answers.reply(event)]
    repo = SqlActivities.on(scope)
    repo.lock_event(event.id)
    signups = repo.signups(event.id)
    decided = d.decide_sign_up(event, signups, ctx.member.id, ctx.now)
    mine = next((s for s in signups if s.member_id == ctx.member.id), None)
    if isinstance(decided, d.Refuse):
        refused = answers.reply(_say(scope, decided.key, event, mine, name, ctx,
                                     position=decided.position))  # fmt: skip
        return [quoting_reference(refused, decided.key)]
    signed = repo.put(event.id, ctx.member.id, ctx.group.id, decided.status, ctx.now)
    plan_moments(scope, event, ctx.group.id, ctx.now)
    plan_hold(scope, event, signed)
    said = answers.reply(_say(scope, decided.status.value, event, signed, name, ctx,
                              position=decided.position))  # fmt: skip
    if signed.status is Status.CONFIRMED:  # the door code is theirs alone
        said = privately(said, _say(scope, "confirmed_shared", event, signed, name, ctx))
    return [quoting_reference(said, decided.status.value)]


def withdraw(scope: StoreBase, request: EventWithdraw, ctx: EffectContext) -> Sequence[Action]:
    """Give a place up; whoever moves up from the waitlist is told, @-mentioned."""
    answers, lang = Answers.to(ctx, request, HANDLER), language(ctx)
    if ctx.member is None:
        return []
    repo, name = SqlActivities.on(scope), ctx.member.display_name or ctx.member.user_id
    mine = _mine(scope, ctx)
    if not mine:  # signed up for nothing: whatever the words name (never repeated)
        return [answers.reply(TEXTS.say("not_signed_any", lang, name=name))]
    event = _picked(scope, [e for e, _ in mine], request.words, name, ctx)
    if not isinstance(event, Event):
        return [answers.reply(event)]
    repo.lock_event(event.id)
    decided = d.decide_withdraw(event, repo.signups(event.id), ctx.member.id)
    if isinstance(decided, d.Refuse):
        return [answers.reply(_say(scope, decided.key, event, None, name, ctx))]
    repo.set_status(decided.id, Status.CANCELLED, ctx.now)
    if event.price is not None and decided.order_id is not None:  # the fee stays theirs
        said = TEXTS.say("withdrawn_paid", lang, name=name, title=event.title,
                         price=amount_text(event.price),
                         currency=currency_words(event.currency, lang))  # fmt: skip
    else:
        said = TEXTS.say("withdrawn", lang, name=name, title=event.title)
    out = [answers.reply(said)]
    move_up(scope, event, ctx)
    return out


def ticket(scope: StoreBase, request: EventTicket, ctx: EffectContext) -> Sequence[Action]:
    """The member's door codes for their confirmed events coming up; for a place held
    unpaid, the fee and the payment reference to quote; on a waitlist, the place in it."""
    answers, lang = Answers.to(ctx, request, HANDLER), language(ctx)
    if ctx.member is None:
        return []
    name = ctx.member.display_name or ctx.member.user_id
    mine = _mine(scope, ctx)
    confirmed = [(e, s) for e, s in mine if s.status is Status.CONFIRMED]
    said = [_say(scope, "ticket", e, s, name, ctx) for e, s in confirmed]
    # where the carrier cannot show the answer to the member alone, the group reads it with
    # each door code cut to its tail
    shared = [_say(scope, "ticket_shared", e, s, name, ctx) for e, s in confirmed]
    if not said:
        said.append(TEXTS.say("no_ticket", lang, name=name))
        shared.append(said[0])
    repo = SqlActivities.on(scope)
    for event, signup in mine:  # no code yet: where they stand, not just "no code"
        if signup.status is Status.UNPAID:  # held: how to pay, and the reference to quote
            said.append(_say(scope, "ticket_unpaid", event, signup, name, ctx))
            shared.append(said[-1])
        elif signup.status is Status.WAITLISTED:
            waiting = [s.id for s in d.waitlist(repo.signups(event.id))]
            position = waiting.index(signup.id) + 1 if signup.id in waiting else 0
            said.append(_say(scope, "ticket_waitlisted", event, signup, name, ctx,
                             position=position))  # fmt: skip
            shared.append(said[-1])
    return [privately(answers.reply("\n".join(said)), "\n".join(shared))]


def _mine(scope: StoreBase, ctx: EffectContext) -> list[tuple[Event, SignUp]]:
    """The member's live sign-ups to scheduled events still ahead (or under way)."""
    assert ctx.member is not None
    repo = SqlActivities.on(scope)
    found = []
    for event in repo.events(ctx.group.community_id, after=ctx.now - d.DOOR_CLOSES):
        if event.status is not EventStatus.SCHEDULED:
            continue
        mine = next((s for s in repo.signups(event.id) if s.member_id == ctx.member.id), None)
        if mine is not None and mine.live:
            found.append((event, mine))
    return found


def _picked(scope: StoreBase, events: list[Event], words: str, name: str,
            ctx: EffectContext) -> Event | str:  # fmt: skip
    """The event the words name, or the reply saying why not (with the events to choose;
    never the words, which named none of them: maybe an ad)."""
    lang = language(ctx)
    found = catalogue.pick(events, words)
    if isinstance(found, Event):
        return found
    if found == "none":
        return TEXTS.say("none", lang)
    repo = SqlActivities.on(scope)
    shown = listing([(e, repo.signups(e.id)) for e in events], zone(ctx), lang)
    return TEXTS.say(found, lang, name=name, events=shown)


# The texts quoting the member's payment reference (`_say` fills it in)
REFERENCED = ("unpaid", "already_unpaid", "promoted_unpaid", "ticket_unpaid")


def quoting_reference(said: Action, key: str) -> Action:
    """`said` (a text of `key`) for its member's eyes where the carrier can, when it quotes
    their payment reference, as /membership's and /ticket's answers are; the group reads the
    same words where the carrier cannot (a reference only credits payments to its member:
    docs/membership.md)."""
    if key not in REFERENCED or IN_GROUP in said.extra:
        return said
    return privately(said, said.text or "")


def _say(scope: StoreBase, key: str, event: Event, signup: SignUp | None, name: str,
         ctx: EffectContext, *, position: int = 0) -> str:  # fmt: skip
    """A text about `event` (and the member's sign-up) with everything it may name; a place
    held unpaid says until when."""
    lang: Language = language(ctx)
    unpaid = signup if key in REFERENCED else None
    code = payment_reference(scope, ctx.group.carrier, unpaid, ctx.now) if unpaid else ""
    link = ticket_link(scope, signup.code) if signup is not None else ""
    text = TEXTS.say(key, lang, name=name, title=event.title,
                     when=when_text(event.starts_at, zone(ctx), lang),
                     place=place_text(event, lang), position=position, ticket=link,
                     code=code or (d.shown_code(signup.code) if signup else ""),
                     tail=d.code_tail(signup.code) if signup else "",
                     price=amount_text(event.price) if event.price is not None else "",
                     currency=currency_words(event.currency, lang))  # fmt: skip
    return text + (pay_by_text(event, unpaid, ctx) if unpaid is not None else "")
