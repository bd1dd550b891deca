"""An event's moments in each group its members signed up from: the reminders before it
and the photo and feedback round after it, as scheduled work keyed
`activity:<event>:<group>:remind-<seconds>` and `activity:<event>:<group>:round` — planned
when a member of that group signs up (planning again schedules nothing new), each run once
across restarts and processes, called off with the event."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

from hearthkeeper.capabilities.activities import decide as d
from hearthkeeper.capabilities.activities.records import Event, SignUp, Status
from hearthkeeper.capabilities.activities.render import names, place_text
from hearthkeeper.capabilities.activities.repository import SqlActivities
from hearthkeeper.capabilities.activities.requests import EventRemind, EventRound
from hearthkeeper.capabilities.activities.texts import TEXTS
from hearthkeeper.capabilities.format import when_text
from hearthkeeper.capabilities.lists_common.actions import language, zone
from hearthkeeper.engine.actions import Action, ActionKind, mentioning, privately
from hearthkeeper.engine.effects import EffectContext, schedule_request
from hearthkeeper.store import Store
from hearthkeeper.store.pointing import PointingQueries
from hearthkeeper.store.scope import StoreBase

HANDLER = "activities"


def moment_key(event_id: int, group_id: int, moment: str) -> str:
    return f"activity:{event_id}:{group_id}:{moment}"


def plan_moments(scope: StoreBase, event: Event, group_id: int, now: datetime) -> None:
    """Schedule the reminders still ahead and the round, for the group, once."""
    for before in d.reminder_moments(event.starts_at, now):
        seconds = int(before.total_seconds())
        schedule_request(scope, moment_key(event.id, group_id, f"remind-{seconds}"),
                         event.community_id, EventRemind(event=event.id, before=seconds),
                         event.starts_at - before, group_id=group_id)  # fmt: skip
    schedule_request(scope, moment_key(event.id, group_id, "round"), event.community_id,
                     EventRound(event=event.id), event.starts_at + d.ROUND_AFTER,
                     group_id=group_id)  # fmt: skip


def remind(scope: StoreBase, request: EventRemind, ctx: EffectContext) -> Sequence[Action]:
    """The reminder in the group, @-mentioning its members who hold a place."""
    repo = SqlActivities.on(scope)
    event = repo.event(request.event)
    if event is None or event.cancelled:
        return []
    if ctx.now > event.starts_at:  # the server was down through it: too late to remind
        return []
    from hearthkeeper.capabilities.activities.departures import kept_place_alert, out_of_group

    mine = [s for s in repo.signups(event.id) if s.group_id == ctx.group.id and s.holds_place]
    gone = out_of_group(scope, ctx.group.id, event.community_id, [s.member_id for s in mine])
    lang = language(ctx)
    when = when_text(event.starts_at, zone(ctx), lang)
    # a place kept by a member no longer here is not in this group's words: staff are told
    # of it instead (once per sign-up), so a banned member's paid place is not forgotten
    out = [kept_place_alert(scope, event, s, ctx.group, when)
           for s in mine if s.member_id in gone]  # fmt: skip
    mine = [s for s in mine if s.member_id not in gone]
    if not mine:
        return out
    text = TEXTS.say("reminder", lang, title=event.title, names=names(mine, lang), when=when,
                     place=place_text(event, lang))  # fmt: skip
    users = PointingQueries.on(scope).user_ids([s.member_id for s in mine], ctx.group.carrier)
    named = [(users.get(s.member_id), s.display_name or f"#{s.member_id}") for s in mine]
    return [_send(ctx, text, named,
                  f"reminder {timedelta(seconds=request.before)} before event {event.id}"),
            *out]  # fmt: skip


def round_up(scope: StoreBase, request: EventRound, ctx: EffectContext) -> Sequence[Action]:
    """After the event: thanks to who came from this group, and a call for photos and
    feedback (replies in the next `FEEDBACK_WINDOW` count as feedback)."""
    repo = SqlActivities.on(scope)
    event = repo.event(request.event)
    if event is None or event.cancelled:
        return []
    came = [s for s in repo.signups(event.id)
            if s.group_id == ctx.group.id and s.attended_at is not None]  # fmt: skip
    if not came:
        return []
    text = TEXTS.say("round", language(ctx), title=event.title, count=len(came))
    return [_send(ctx, text, [], f"photo and feedback round of event {event.id}")]


def tell(scope: StoreBase, signup: SignUp, text: str, key: str, now: datetime, *,
         in_group: str | None = None) -> bool:  # fmt: skip
    """Queue a message in the group the member signed up from, @-mentioning them (by the
    name their sign-up has, where the text names them), once per `key`; False when it was
    queued before (or the group is gone). A member no longer in the group (`out_of_group`)
    cannot read it there: it goes to the staff inbox instead. `in_group`: the text holds a
    secret (their door code), shown to them alone where the carrier can, and this said in
    the group where it cannot (`engine.actions.privately`)."""
    from hearthkeeper.capabilities.activities.departures import out_of_group, tell_staff_instead

    tx = Store.on(scope)
    group = tx.get_group(signup.group_id)
    if group is None:
        return False
    if out_of_group(tx, group.id, group.community_id, [signup.member_id]):
        return tell_staff_instead(tx, signup, group.community_id, text, key, now)
    user = tx.user_on(signup.member_id, group.carrier)
    action = Action(kind=ActionKind.SEND, carrier=group.carrier, group=group.carrier_group_id,
                    member=user, text=text, handler=HANDLER, reason=key,
                    extra=mentioning([(user, signup.display_name)]))  # fmt: skip
    if in_group is not None and user is not None:
        action = privately(action, in_group)
    _, created = tx.enqueue(key, group.carrier, action.to_json(), action.priority,
                            group_id=group.id, at=now)  # fmt: skip
    return created


def tell_group(scope: StoreBase, signups: Sequence[SignUp], text: str, key: str,
               now: datetime) -> bool:  # fmt: skip
    """Queue one message in the group `signups` signed up from (all the same), @-mentioning
    every one of them, once per `key`; False when it was queued before (or the group is gone,
    or none of them is in it any more to read it: `out_of_group`)."""
    from hearthkeeper.capabilities.activities.departures import out_of_group

    tx = Store.on(scope)
    group = tx.get_group(signups[0].group_id) if signups else None
    if group is None:
        return False
    gone = out_of_group(tx, group.id, group.community_id, [s.member_id for s in signups])
    signups = [s for s in signups if s.member_id not in gone]
    if not signups:
        return False
    users = [u for u in (tx.user_on(s.member_id, group.carrier) for s in signups) if u]
    action = Action(kind=ActionKind.SEND, carrier=group.carrier, group=group.carrier_group_id,
                    member=users[0] if users else None, text=text, handler=HANDLER, reason=key,
                    extra={"mentions": users} if users else {})  # fmt: skip
    _, created = tx.enqueue(key, group.carrier, action.to_json(), action.priority,
                            group_id=group.id, at=now)  # fmt: skip
    return created


def holders(signups: Sequence[SignUp]) -> list[SignUp]:
    return [s for s in signups if s.status is Status.CONFIRMED]


def _send(ctx: EffectContext, text: str, named: list[tuple[str | None, str]],
          reason: str) -> Action:  # fmt: skip
    """A message to the group mentioning `named` (user id, the name the text calls them)."""
    g = ctx.group
    return Action(kind=ActionKind.SEND, carrier=g.carrier, group=g.carrier_group_id, text=text,
                  handler=HANDLER, reason=reason, extra=mentioning(named))  # fmt: skip
