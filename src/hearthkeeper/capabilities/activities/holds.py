"""A priced event's unpaid places and their payment window: when a place is held unpaid,
a reminder and the lapse are scheduled for it (keyed `activity:<event>:pay:<sign-up>:<held
since>:remind|lapse`, so each hold's work is planned once and called off with the event);
the reminder tells the member, @-mentioned in the group they signed up from, when the place
lapses and their payment reference; the lapse lets the place go and moves the first waiting
up (before the start), each told the same way.

Both run as scheduled work, once across restarts and workers (claimed in the transaction that
runs them). Each re-reads the sign-up under the event's row lock, the lock a recorded fee
takes too, and the lapse is a conditional write on the very hold it was planned for: a fee
recorded just before the deadline wins, and an old hold's work does nothing to a new one.
Members are told in the group, as every activities message is: a member may never have
opened a private chat with the bot (Telegram refuses a bot's first message), and the group is
where they signed up and where the waitlist hears of it."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from hearthkeeper.capabilities.activities import decide as d
from hearthkeeper.capabilities.activities.addresses import ticket_link
from hearthkeeper.capabilities.activities.moments import tell
from hearthkeeper.capabilities.activities.records import Event, SignUp, Status
from hearthkeeper.capabilities.activities.render import amount_text
from hearthkeeper.capabilities.activities.repository import SqlActivities
from hearthkeeper.capabilities.activities.requests import EventPayLapse, EventPayRemind
from hearthkeeper.capabilities.activities.texts import TEXTS
from hearthkeeper.capabilities.billing.ledger import has_access
from hearthkeeper.capabilities.billing.repository import SqlBilling
from hearthkeeper.capabilities.format import currency_words, when_text
from hearthkeeper.capabilities.lists_common.actions import language, zone
from hearthkeeper.engine.actions import Action
from hearthkeeper.engine.effects import EffectContext, schedule_request
from hearthkeeper.store import Store
from hearthkeeper.store.pointing import PointingQueries
from hearthkeeper.store.scope import StoreBase

ACTOR = "activities"  # who the audit log says let a place go


def hold_key(signup: SignUp, part: str) -> str:
    """The key of a hold's scheduled work or message: one per hold (its start)."""
    since = signup.changed_at.isoformat()
    return f"activity:{signup.event_id}:pay:{signup.id}:{since}:{part}"


def plan_hold(scope: StoreBase, event: Event, signup: SignUp) -> None:
    """Schedule the reminder and the lapse of the place `signup` holds unpaid (nothing for a
    free event or a window of none)."""
    deadline = d.pay_deadline(event, signup)
    if deadline is None:
        return
    remind_at = d.pay_reminder_at(signup.changed_at, deadline)
    if remind_at is not None:
        schedule_request(scope, hold_key(signup, "remind"), event.community_id,
                         EventPayRemind(event=event.id, signup=signup.id), remind_at,
                         group_id=signup.group_id)  # fmt: skip
    schedule_request(scope, hold_key(signup, "lapse"), event.community_id,
                     EventPayLapse(event=event.id, signup=signup.id), deadline,
                     group_id=signup.group_id)  # fmt: skip


def payment_reference(scope: StoreBase, carrier: str, signup: SignUp, now: datetime) -> str:
    """The payment reference of the member a sign-up is for, on `carrier` ("" if unknown)."""
    user = PointingQueries.on(scope).user_ids([signup.member_id], carrier)
    carrier_user = user.get(signup.member_id)
    if carrier_user is None:
        return ""
    return SqlBilling.on(scope).reference_for(carrier, carrier_user, signup.display_name,
                                              now).code  # fmt: skip


def pay_by_text(event: Event, signup: SignUp, ctx: EffectContext) -> str:
    """The sentence saying until when an unpaid place is held ("" without a window)."""
    deadline = d.pay_deadline(event, signup)
    if deadline is None:
        return ""
    lang = language(ctx)
    return TEXTS.say("pay_by", lang, deadline=when_text(deadline, zone(ctx), lang))


def remind_to_pay(scope: StoreBase, request: EventPayRemind,
                  ctx: EffectContext) -> Sequence[Action]:  # fmt: skip
    """Before the place lapses: tell the member when, and their payment reference."""
    repo = SqlActivities.on(scope)
    found = _locked(repo, request.event, request.signup)
    if found is None:
        return []
    event, signup, _ = found
    deadline = d.pay_deadline(event, signup)
    if event.cancelled or deadline is None or deadline <= ctx.now:
        return []  # paid, given up, or the server was down through it: the lapse says
    remind_at = d.pay_reminder_at(signup.changed_at, deadline)
    if remind_at is None or remind_at > ctx.now:
        return []  # planned for an earlier hold of this member's: the new one has its own
    lang = language(ctx)
    text = TEXTS.say("pay_reminder", lang, name=signup.display_name, title=event.title,
                     deadline=when_text(deadline, zone(ctx), lang),
                     price=amount_text(event.price) if event.price is not None else "",
                     currency=currency_words(event.currency, lang),
                     code=payment_reference(scope, ctx.group.carrier, signup, ctx.now)
                     or d.shown_code(signup.code))  # fmt: skip
    # their payment reference: theirs alone where the carrier can, as the hold's first answer
    tell(scope, signup, text, hold_key(signup, "reminded"), ctx.now, in_group=text)
    return []


def lapse(scope: StoreBase, request: EventPayLapse, ctx: EffectContext) -> Sequence[Action]:
    """At the deadline: the unpaid place goes, the member is told, and (before the start)
    the first waiting moves up with a window of their own."""
    repo = SqlActivities.on(scope)
    found = _locked(repo, request.event, request.signup)
    if found is None:
        return []
    event, signup, _ = found
    if not d.due_to_lapse(event, signup, ctx.now):
        return []  # paid, given up, or held again later (that hold has its own lapse)
    if not repo.lapse(signup.id, signup.changed_at, ctx.now):
        return []
    lang = language(ctx)
    text = TEXTS.say("lapsed", lang, name=signup.display_name, title=event.title)
    tell(scope, signup, text, hold_key(signup, "lapsed"), ctx.now)
    moved = move_up(scope, event, ctx)
    Store.on(scope).audit(ACTOR, "event place lapsed unpaid", event.community_id,
                          target=f"member {signup.member_id}",
                          detail={"event": event.id, "signup": signup.id,
                                  "moved_up": [m.member_id for m in moved]})  # fmt: skip
    return []


def move_up(scope: StoreBase, event: Event, ctx: EffectContext) -> list[SignUp]:
    """The first waiting take the places that freed (none once the event started), each told
    in the group they signed up from; an unpaid place gets its own window. A waiting member
    whose paid membership has run out, their removal not yet run (two memberships lapsing in
    one tick: the first's removal frees a place, the second's is next), is passed over: they
    keep their spot until their own removal lets it go, and are not told of a place."""
    repo = SqlActivities.on(scope)
    signups = repo.signups(event.id)
    leaving = _leaving(scope, event.community_id, d.waitlist(signups), ctx)
    if leaving:
        signups = [s for s in signups if not (s.status is Status.WAITLISTED
                                              and s.member_id in leaving)]  # fmt: skip
    moved_up = []
    for waiting, status in d.promotions(event, signups, ctx.now):
        moved = repo.set_status(waiting.id, status, ctx.now)
        lang = language(ctx)
        shared: str | None = None  # the door code is the member's alone
        if status is Status.CONFIRMED:
            text = TEXTS.say("promoted", lang, name=moved.display_name, title=event.title,
                             ticket=ticket_link(scope, moved.code))  # fmt: skip
            shared = TEXTS.say("promoted_shared", lang, name=moved.display_name,
                               title=event.title, tail=d.code_tail(moved.code))  # fmt: skip
        else:
            group = Store.on(scope).get_group(moved.group_id)
            carrier = group.carrier if group is not None else ctx.group.carrier
            code = payment_reference(scope, carrier, moved, ctx.now) or d.shown_code(moved.code)
            text = TEXTS.say("promoted_unpaid", lang, name=moved.display_name,
                             title=event.title, code=code) + pay_by_text(event, moved, ctx)  # fmt: skip
            shared = text  # their payment reference: theirs alone where the carrier can
            plan_hold(scope, event, moved)
        tell(scope, moved, text, f"activity:{event.id}:promoted:{moved.id}:"
                                 f"{moved.changed_at.isoformat()}", ctx.now,
             in_group=shared)  # fmt: skip
        moved_up.append(moved)
    return moved_up


def _leaving(scope: StoreBase, community_id: int, waiting: Sequence[SignUp],
             ctx: EffectContext) -> set[int]:  # fmt: skip
    """Of the `waiting` members, those whose membership ran out by now, not yet removed: a
    live subscription in the community and none that still lets them in."""
    if not waiting or not ctx.playbook.monetisation.plans:
        return set()
    wanted = {s.member_id for s in waiting}
    subs = [s for s in SqlBilling.on(scope).live_subscriptions(community_id)
            if s.member_id in wanted]  # fmt: skip
    plans = {p.id: p for p in ctx.playbook.monetisation.plans}
    kept = {s.member_id for s in subs if has_access(s, plans.get(s.plan_id), ctx.now)}
    return {s.member_id for s in subs} - kept


def _locked(repo: SqlActivities, event_id: int,
            signup_id: int) -> tuple[Event, SignUp, list[SignUp]] | None:  # fmt: skip
    """The event and the sign-up, read under the event's lock (None: either is gone)."""
    if repo.event(event_id) is None:
        return None
    repo.lock_event(event_id)
    event = repo.event(event_id)
    signups = repo.signups(event_id)
    signup = next((s for s in signups if s.id == signup_id), None)
    if event is None or signup is None:
        return None
    return event, signup, signups
