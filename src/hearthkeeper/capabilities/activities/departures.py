"""A member who is no longer in the community (paid membership refunded or expired: billing
removed them from every group; moderation banned them from every group they were in, or
blacklisted them) and their event sign-ups.

What they had without paying for it separately — a free place, a place held unpaid, a spot
on a waitlist — is let go at once, for events not yet begun, and the first waiting move up
(told in their groups as after any cancellation); they themselves are not told in a group
they are being removed from. A place whose fee was recorded is theirs: they paid for the
event apart from the membership, so it is kept (their door code still opens the door) until
staff refund the fee (`hearth events refund`), which frees it. Staff are told in the inbox
which paid places such a member keeps.

Event messages to a member no longer in the group they signed up from (their fee refunded,
say) are not said in a group they cannot read: they go to the staff inbox, to be passed on
(`moments.tell`); an event's reminder there neither names nor mentions them
(`out_of_group`: paid membership removed them, moderation banned or blacklisted them, or
they left); staff are alerted instead of the place they still hold when it first goes out
(`kept_place_alert`).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from hearthkeeper.capabilities.activities.holds import move_up
from hearthkeeper.capabilities.activities.records import Event, EventStatus, SignUp, Status
from hearthkeeper.capabilities.activities.repository import SqlActivities
from hearthkeeper.capabilities.billing.repository import SqlBilling
from hearthkeeper.engine.actions import Action, ActionKind
from hearthkeeper.engine.effects import EffectContext
from hearthkeeper.engine.handler import GroupView, group_view
from hearthkeeper.playbook import Playbook
from hearthkeeper.store import NewStaffAlert, SanctionKind, Store
from hearthkeeper.store.scope import StoreBase

ACTOR = "activities"
_WHY = {"refunded": "membership refunded", "expired": "membership expired",
        "trial": "membership trial ended unpaid", "banned": "banned from its groups",
        "blacklisted": "blacklisted"}  # fmt: skip


@dataclass(frozen=True)
class Departure:
    """What became of a departed member's sign-ups: let go, and kept (paid for)."""

    released: tuple[tuple[Event, SignUp], ...] = ()
    kept: tuple[tuple[Event, SignUp], ...] = ()


def departed(scope: StoreBase, community_id: int, member_id: int) -> bool:
    """Whether paid membership removed the member from the community: they had a
    subscription here and none is live now (none in its period, trial or grace)."""
    subs = SqlBilling.on(scope).subscriptions(community_id, member_id=member_id)
    return bool(subs) and not any(s.live for s in subs)


def out_of_group(scope: StoreBase, group_id: int, community_id: int,
                 member_ids: Iterable[int]) -> set[int]:  # fmt: skip
    """Which of `member_ids` are no longer in the group, so that nothing said there names
    them: paid membership removed them (`departed`), moderation put them out (blacklisted in
    the community, banned in the group), or every stay they had in it ended (they left, or
    were removed). A member never seen joining it (the carrier told of no join) is in it."""
    tx = Store.on(scope)
    ids = sorted(set(member_ids))
    out = tx.blacklisted_among(community_id, ids)
    stays = tx.active_stays([(group_id, m) for m in ids])
    for member_id in ids:
        if member_id in out:
            continue
        banned = any(b.group_id == group_id for b in
                     tx.active_sanctions(member_id=member_id, kind=SanctionKind.BAN))  # fmt: skip
        left = (group_id, member_id) not in stays and bool(
            tx.membership_history(member_id, group_id)
        )
        if banned or left or departed(scope, community_id, member_id):
            out.add(member_id)
    return out


def member_left(scope: StoreBase, community_id: int, member_id: int,
                playbook: Playbook | None, why: str, key: str,
                now: datetime) -> Departure:  # fmt: skip
    """Let the member's unpaid sign-ups to events still ahead go (moving the first waiting
    up) and keep their paid places, telling staff which, once per `key`."""
    if not departed(scope, community_id, member_id):  # another plan still lets them in
        return Departure()
    return release(scope, community_id, member_id, playbook, why, key, now)


def member_removed(scope: StoreBase, community_id: int, member_id: int,
                   playbook: Playbook | None, key: str, now: datetime, *,
                   why: str = "blacklisted") -> Departure:  # fmt: skip
    """Moderation put the member out of the community (the ladder's or staff's blacklisting,
    staff's ban from every group they were in): their event places go as for a member paid
    membership removed (`member_left`), once per `key`. A spammer banned kept a free place
    at the meetup, their door code still valid, while the member behind them waited."""
    return release(scope, community_id, member_id, playbook, why, f"{why}:{key}", now)


def release(scope: StoreBase, community_id: int, member_id: int, playbook: Playbook | None,
            why: str, key: str, now: datetime) -> Departure:  # fmt: skip
    """Let the member's unpaid sign-ups to events still ahead go (moving the first waiting
    up) and keep their paid places, telling staff which, once per `key`."""
    repo = SqlActivities.on(scope)
    tx = Store.on(scope)
    released: list[tuple[Event, SignUp]] = []
    kept: list[tuple[Event, SignUp]] = []
    for event in repo.events(community_id, after=now):
        if event.status is not EventStatus.SCHEDULED:
            continue
        repo.lock_event(event.id)
        mine = next((s for s in repo.signups(event.id) if s.member_id == member_id), None)
        if mine is None or not mine.live:
            continue
        if mine.order_id is not None and mine.holds_place:
            kept.append((event, mine))
            continue
        gone = repo.set_status(mine.id, Status.CANCELLED, now)  # a fee kept stays recorded
        moved: list[SignUp] = []
        group = tx.get_group(mine.group_id)
        if playbook is not None and group is not None and mine.holds_place:
            ctx = EffectContext(playbook=playbook,
                                group=group_view(group, playbook.community.slug), member=None,
                                now=now)  # fmt: skip
            moved = move_up(scope, event, ctx)
        released.append((event, gone))
        tx.audit(ACTOR, "event place released", community_id, target=f"member {member_id}",
                 detail={"event": event.id, "signup": mine.id, "was": mine.status.value,
                         "why": why, "moved_up": [m.member_id for m in moved]})  # fmt: skip
    if kept:
        _alert_kept(tx, community_id, member_id, kept, why, key, now)
    return Departure(tuple(released), tuple(kept))


def _alert_kept(tx: Store, community_id: int, member_id: int,
                kept: list[tuple[Event, SignUp]], why: str, key: str,
                now: datetime) -> None:  # fmt: skip
    name = kept[0][1].display_name or f"member {member_id}"
    places = "; ".join(f"event {e.id} '{e.title}' (fee order {s.order_id})" for e, s in kept)
    text = (f"{name} is no longer in the community ({_WHY.get(why, why)}) and keeps the paid "
            f"place they hold: {places}. Their door code still lets them in; to free the "
            f"place, refund the fee: hearth events refund EVENT member:{member_id} (or the "
            f"Events page's Refund a fee).")  # fmt: skip
    tx.add_staff_alerts([NewStaffAlert(f"activities:departed:{key}", community_id,
                                       kept[0][1].group_id, member_id, None, ACTOR, text,
                                       "a member who left keeps a paid event place", now)])  # fmt: skip


def tell_staff_instead(tx: Store, signup: SignUp, community_id: int, text: str, key: str,
                       now: datetime) -> bool:  # fmt: skip
    """A message for a member no longer in the community, in the staff inbox (once per
    `key`) to pass on; False when it was there already."""
    name = signup.display_name or f"member {signup.member_id}"
    said = f"For {name} (member:{signup.member_id}), no longer in the group they signed up from: {text}"
    return bool(tx.add_staff_alerts([NewStaffAlert(key, community_id, signup.group_id,
                                                   signup.member_id, None, ACTOR, said,
                                                   "a message for a member who left", now)]))  # fmt: skip


def why_out(scope: StoreBase, group_id: int, community_id: int, member_id: int) -> str:
    """Why a member `out_of_group` is out of the group, in staff's words."""
    tx = Store.on(scope)
    if member_id in tx.blacklisted_among(community_id, [member_id]):
        return "blacklisted"
    if any(b.group_id == group_id
           for b in tx.active_sanctions(member_id=member_id, kind=SanctionKind.BAN)):  # fmt: skip
        return "banned from the group"
    if departed(scope, community_id, member_id):
        return "their paid membership ended"
    return "left the group"


def kept_place_alert(scope: StoreBase, event: Event, signup: SignUp, group: GroupView,
                     when: str) -> Action:  # fmt: skip
    """The staff alert, when the event's first reminder goes out in `group`, for a member
    who still holds a place there but is no longer in the group to read it (banned,
    blacklisted, removed, gone): the reminder leaves them out, so staff hear of the place
    instead, once per sign-up (`activities:kept:<event>:<sign-up>`)."""
    member_id = signup.member_id
    name = signup.display_name or f"member {member_id}"
    why = why_out(scope, group.id, event.community_id, member_id)
    paid = signup.order_id is not None
    text = (f"Event {event.id} '{event.title}' ({when}) is being reminded in {group.name}, "
            f"but {name} (member:{member_id}) holds a {'paid ' if paid else ''}place and is no "
            f"longer in the group ({why}): the reminder does not reach them, and their door "
            "code still lets them in. ")  # fmt: skip
    text += (f"To free the place for the waitlist, refund the fee: hearth events refund "
             f"{event.id} member:{member_id} (or the Events page's Refund a fee); else reach "
             "them another way." if paid else "Reach them another way if they are to come.")  # fmt: skip
    user = Store.on(scope).user_on(member_id, group.carrier)
    return Action(kind=ActionKind.ALERT_STAFF, carrier=group.carrier,
                  group=group.carrier_group_id, member=user, text=text, handler=ACTOR,
                  key=f"activities:kept:{event.id}:{signup.id}",
                  reason=f"an event place kept by a member out of the group ({why})")  # fmt: skip
