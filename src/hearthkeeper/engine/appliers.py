"""Appliers: what recording each kind of action means, one function per `ActionKind`.

The executor (an event's actions) and scheduled work (an effect falling due) share the one
table `APPLIERS`. An applier writes through `Writes`: the executor's batch gathers rows and
writes them in bulk at its end (`batch.Batch`), scheduled work writes at once
(`batch.Direct`). Store work about a member (strikes, sanctions, tags, points) needs the
member an event is about and the executor's `Memory`; scheduled work has neither and may
only ask for the kinds the table marks `scheduled` (send, reply, alert, cancel, further
effects).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Protocol

from hearthkeeper.engine.actions import INBOX_ONLY, Action, ActionKind
from hearthkeeper.engine.batch import Applied, BatchRecord
from hearthkeeper.engine.effects import EffectContext, EffectError
from hearthkeeper.engine.events import Event
from hearthkeeper.engine.handler import GroupView
from hearthkeeper.engine.registry import Registry
from hearthkeeper.playbook import Playbook
from hearthkeeper.playbook.rules import BlacklistScope
from hearthkeeper.store import MessageDeletion, NewStaffAlert, NewStrike, Store
from hearthkeeper.store.records import IMPORTED


class Writes(Protocol):
    """Where appliers put the rows they decide."""

    def enqueue(self, key: str, action: Action, event_id: int | None,
                group_id: int | None) -> None:  # fmt: skip
        """Queue `action` for the carrier under the idempotency `key` (once per key)."""
        ...

    def alert(self, key: str, entry: Callable[[], NewStaffAlert]) -> None:
        """Put the staff inbox's copy of the alert queued under `key` (built by `entry`)."""
        ...

    def cancel(self, target: str) -> None:
        """Call off the pending action queued under `target`."""
        ...

    def strike(self, strike: NewStrike) -> None:
        """Record a strike."""
        ...

    def settle_strikes(self) -> None:
        """Write the strikes recorded so far, for an effect about to read them."""
        ...

    def settle_messages(self) -> None:
        """Write the messages recorded so far, for an effect about to read them."""
        ...

    def delete(self, deletion: MessageDeletion) -> None:
        """Mark a stored message deleted (no longer counted as activity)."""
        ...


class Memory(Protocol):
    """What the executor keeps between events that an applied action changes."""

    def struck(self, community_id: int, member_id: int, expires: datetime | None,
               now: datetime) -> None:  # fmt: skip
        """A strike was written."""
        ...

    def blacklisted(self, community_id: int, member_id: int) -> None:
        """The member is refused in the community."""
        ...

    def muted(self, community_id: int, group_id: int, member_id: int, until: datetime) -> None:
        """The member is muted in the group until `until`."""
        ...

    def removed(self, community_id: int, group_id: int, member_id: int, at: datetime,
                until: datetime | None = None) -> None:  # fmt: skip
        """The member was banned (or kicked: held back `until`) from the group at `at`."""
        ...

    def tagged(self, member_id: int, tag: str) -> None:
        """The member holds `tag` from now on."""
        ...

    def member(self, tx: Store, carrier: str, user_id: str) -> int | None:
        """The member known on `carrier` as `user_id` (None if unknown)."""
        ...

    def communities(self) -> Iterable[int]:
        """Every community this engine serves."""
        ...


@dataclass(kw_only=True, slots=True)
class Step:
    """Where actions are applied: one event (or one item of scheduled work) in `tx`."""

    tx: Store
    playbook: Playbook
    registry: Registry
    group: GroupView
    writes: Writes
    effects: EffectContext  # what effects run with (their `trigger` is set per action)
    now: datetime  # the event's time, or when scheduled work ran
    appliers: Mapping[ActionKind, Applier]
    refused: str = "{kind} cannot be applied here"  # a kind missing from `appliers`
    event: Event | None = None
    event_id: int | None = None
    member_id: int | None = None  # the event's sender
    memory: Memory | None = None
    record: BatchRecord | None = None
    day: date | None = None
    clock: Callable[[], datetime] | None = None  # when actions are recorded applied

    def apply(self, actions: Sequence[Action], prefix: str, depth: int = 0) -> list[Action]:
        """Apply `actions` in order, each under its key (or `prefix:index`), and what the
        effects among them answer with; returns every action applied, in order."""
        done: list[Action] = []
        for index, action in enumerate(actions):
            key = action.key or f"{prefix}:{index}"
            applier = self.appliers.get(action.kind)
            if applier is None:
                raise EffectError(self.refused.format(kind=action.kind.value))
            if action.kind is ActionKind.EFFECT and depth > 3:
                raise EffectError(f"effects nested too deep at {action.effect!r}")
            done.append(action)
            self._note(action)
            follow = applier.apply(self, action, key)
            if follow:
                done.extend(self.apply(follow, key, depth + 1))
        return done

    def _note(self, action: Action) -> None:
        if self.record is None or self.event is None or self.member_id is None:
            return
        assert self.day is not None and self.clock is not None
        self.record.applied.append(
            Applied(action, self.group, self.member_id, self.event, self.day, self.clock())
        )

    def sender(self) -> int:
        """The member whose event this is (only events have one)."""
        if self.member_id is None:
            raise EffectError("only an event's actions can be about its sender")
        return self.member_id

    def remembered(self) -> Memory:
        """The executor's memory (only events have it)."""
        if self.memory is None:
            raise EffectError("only an event's actions can change what the engine remembers")
        return self.memory


ApplyFn = Callable[[Step, Action, str], Sequence[Action]]


@dataclass(frozen=True)
class Applier:
    """How one kind of action is applied; `scheduled`: scheduled work may ask for it."""

    apply: ApplyFn
    scheduled: bool = False


_NOTHING: Sequence[Action] = ()


def _strike(step: Step, action: Action, key: str) -> Sequence[Action]:
    member_id = step.sender()
    expiry = step.playbook.rules.strike_expiry
    expires = step.now + expiry if expiry is not None else None
    community_id = step.group.community_id
    step.writes.strike(NewStrike(community_id, member_id, action.violation or "",
                                 action.explained, step.now, expires, step.group.id,
                                 step.event_id))  # fmt: skip
    step.remembered().struck(community_id, member_id, expires, step.now)
    return _NOTHING


def _blacklist(step: Step, action: Action, key: str) -> Sequence[Action]:
    member_id = step.sender()
    memory = step.remembered()
    everywhere = step.playbook.rules.blacklist_scope is BlacklistScope.ALL
    community_id = step.group.community_id
    step.tx.add_sanction("blacklist", member_id, action.explained, step.now,
                         community_id=None if everywhere else community_id)  # fmt: skip
    memory.blacklisted(community_id, member_id)
    _ban_everywhere(step, action, key, memory.communities() if everywhere else [community_id])
    for removed in step.registry.removed():  # out of this community: their event places go
        removed(step.tx, community_id, member_id, step.playbook, key, step.now)
    return _NOTHING


def _ban_everywhere(step: Step, action: Action, key: str, communities: Iterable[int]) -> None:
    """A ban in every group of `communities` the blacklisted member is in."""
    tx, member_id = step.tx, step.sender()
    # The groups the member is in, oldest first: usually one or two, where a community has
    # hundreds.
    found = (tx.get_group(group_id) for group_id in sorted(tx.open_groups(member_id)))
    present = [group for group in found if group is not None]
    for community_id in list(communities):
        for group in present:
            if group.community_id != community_id:
                continue
            ban = Action(kind=ActionKind.BAN, carrier=group.carrier, group=group.carrier_group_id,
                         member=_user_on(step, member_id, group.carrier), reason=action.reason,
                         detail=action.detail, handler=action.handler,
                         violation=action.violation)  # fmt: skip
            step.writes.enqueue(f"{key}:ban:{group.id}", ban, None, group.id)
            tx.add_sanction("ban", member_id, action.explained, step.now,
                            community_id=community_id, group_id=group.id)  # fmt: skip
            step.remembered().removed(community_id, group.id, member_id, step.now)


def _user_on(step: Step, member_id: int, carrier: str) -> str:
    assert step.event is not None
    if carrier == step.event.carrier:
        return step.event.sender.user_id
    return step.tx.user_on(member_id, carrier) or step.event.sender.user_id


def _subject(step: Step, action: Action) -> int:
    """Whom a TAG or AWARD_POINTS is for: `action.member` when set, else the sender."""
    member_id = step.sender()
    assert step.event is not None
    if action.member is None or action.member == step.event.sender.user_id:
        return member_id
    found = step.remembered().member(step.tx, action.carrier, action.member)
    if found is None:
        raise EffectError(f"{action.kind.value} for unknown member {action.member!r}")
    return found


def _tag(step: Step, action: Action, key: str) -> Sequence[Action]:
    if action.tag:
        whom = _subject(step, action)
        step.tx.add_tag(whom, action.tag, set_by=action.handler or "engine")
        step.remembered().tagged(whom, action.tag)
    return _NOTHING


def _award_points(step: Step, action: Action, key: str) -> Sequence[Action]:
    if action.points:
        whom = _subject(step, action)
        step.tx.award_points(step.group.community_id, whom, action.points, action.reason,
                             step.now, event_id=step.event_id)  # fmt: skip
    return _NOTHING


def _cancel(step: Step, action: Action, key: str) -> Sequence[Action]:
    if action.target:
        step.writes.cancel(action.target)
    return _NOTHING


def _effect(step: Step, action: Action, key: str) -> Sequence[Action]:
    if action.request is not None and action.request.settles_strikes:
        step.writes.settle_strikes()  # the batch's own strikes count (an ad just before /warn)
    if action.request is not None and action.request.settles_messages:
        step.writes.settle_messages()  # a reply finds the batch's own messages (the ad too)
    return step.registry.perform(step.tx, action, step.effects.triggered_by(action))


def _send(step: Step, action: Action, key: str) -> Sequence[Action]:
    step.writes.enqueue(key, action, step.event_id, step.group.id)
    return _NOTHING


def _delete(step: Step, action: Action, key: str) -> Sequence[Action]:
    """A message deleted on the carrier, and marked deleted in the store: levels, rollups and
    vital signs count it no more."""
    if action.target:
        step.writes.delete(MessageDeletion(step.group.id, action.target,
                                           action.handler or "engine", step.now))  # fmt: skip
    return _send(step, action, key)


def _mute(step: Step, action: Action, key: str) -> Sequence[Action]:
    if action.duration is not None:
        member_id, group = step.sender(), step.group
        until = step.now + action.duration
        step.tx.add_sanction("mute", member_id, action.explained, step.now,
                             community_id=group.community_id, group_id=group.id, until=until)  # fmt: skip
        step.remembered().muted(group.community_id, group.id, member_id, until)
    return _send(step, action, key)


def _ban(step: Step, action: Action, key: str) -> Sequence[Action]:
    group, member_id = step.group, step.sender()
    step.tx.add_sanction("ban", member_id, action.explained, step.now,
                         community_id=group.community_id, group_id=group.id)  # fmt: skip
    step.remembered().removed(group.community_id, group.id, member_id, step.now)
    return _send(step, action, key)


# How long a kick holds the member back (what they post is only deleted: the gate's
# `Sanctioned`): the moments the carrier takes to remove them, retries included. Their
# rejoining ends it sooner.
KICK_HOLDS = timedelta(minutes=10)


def _kick(step: Step, action: Action, key: str) -> Sequence[Action]:
    group, member_id, until = step.group, step.sender(), step.now + KICK_HOLDS
    step.tx.add_sanction("kick", member_id, action.explained, step.now,
                         community_id=group.community_id, group_id=group.id, until=until)  # fmt: skip
    step.remembered().removed(group.community_id, group.id, member_id, step.now, until)
    return _send(step, action, key)


def _alert_staff(step: Step, action: Action, key: str) -> Sequence[Action]:
    _send(step, action, key)
    group = step.group
    # The member alerted about is the sender when the alert names them (no lookup needed).
    sender = step.member_id
    if step.event is None or action.member != step.event.sender.user_id:
        sender = None
    listed_in = _named_group(step, action)
    step.writes.alert(key, lambda: inbox_entry(step.tx, action, key, group.community_id,
                                                listed_in, step.now, member_id=sender))  # fmt: skip
    router = step.registry.alert_router
    # the staff channel, direct messages (or held for quiet hours); an inbox-only alert
    # stays in the inbox
    if router is not None and not action.extra.get(INBOX_ONLY):
        for delivery in router(step.tx, action, key, step.effects.triggered_by(action)):
            step.writes.enqueue(delivery.key, delivery.action, step.event_id, delivery.group_id)
    return _NOTHING


def _named_group(step: Step, action: Action) -> int:
    """The group the staff inbox lists an alert under: the one the alert names (scheduled
    work runs in one group of the community, e.g. the key-member watch naming the group a
    member was last active in) when it is another served group of the same community; else
    the group it happened in."""
    group = step.group
    if action.group is None or (action.carrier, action.group) == (
        group.carrier,
        group.carrier_group_id,
    ):
        return group.id
    named = step.tx.group_for_carrier(action.carrier, action.group)
    if (
        named is None
        or named.community_id != group.community_id
        or named.carrier.startswith(IMPORTED)
    ):  # history only: nobody acts there
        return group.id
    return named.id


def inbox_entry(tx: Store, action: Action, key: str, community_id: int, group_id: int | None,
                at: datetime, *, member_id: int | None = None) -> NewStaffAlert:  # fmt: skip
    """The staff inbox's copy of an ALERT_STAFF action enqueued under `key`; the member it
    is about is `member_id`, else looked up from `action.member` (None if unknown)."""
    if member_id is None and action.member is not None:
        found = tx.find_member(action.carrier, action.member)
        member_id = found.id if found is not None else None
    handler = action.handler or "engine"
    return NewStaffAlert(key, community_id, group_id, member_id, action.violation, handler,
                         action.text or "", action.explained, at)  # fmt: skip


APPLIERS: Mapping[ActionKind, Applier] = {
    ActionKind.REPLY: Applier(_send, scheduled=True),
    ActionKind.SEND: Applier(_send, scheduled=True),
    ActionKind.DELETE: Applier(_delete),
    ActionKind.RESTORE: Applier(_send),
    ActionKind.WARN: Applier(_send),
    ActionKind.MUTE: Applier(_mute),
    ActionKind.UNMUTE: Applier(_send),
    ActionKind.KICK: Applier(_kick),
    ActionKind.BAN: Applier(_ban),
    ActionKind.UNBAN: Applier(_send),
    ActionKind.ALERT_STAFF: Applier(_alert_staff, scheduled=True),
    ActionKind.ADMIT: Applier(_send),
    ActionKind.DECLINE: Applier(_send),
    ActionKind.DIRECT: Applier(_send, scheduled=True),
    ActionKind.CLOSE: Applier(_send),
    ActionKind.REOPEN: Applier(_send),
    ActionKind.STRIKE: Applier(_strike),
    ActionKind.BLACKLIST: Applier(_blacklist),
    ActionKind.TAG: Applier(_tag),
    ActionKind.AWARD_POINTS: Applier(_award_points),
    ActionKind.CANCEL: Applier(_cancel, scheduled=True),
    ActionKind.EFFECT: Applier(_effect, scheduled=True),
}

SCHEDULED_APPLIERS: Mapping[ActionKind, Applier] = {
    kind: applier for kind, applier in APPLIERS.items() if applier.scheduled
}


UNSAID = "group.closed.unsaid"  # the audit action of a message a closed group did not hear


def _not_in_closed(step: Step, action: Action, key: str) -> Sequence[Action]:
    """Scheduled work of a closed group (`hearth groups close`) says nothing there: its
    messages to the group are left unsaid, the first of each kind (its handler and reason:
    the daily check-in summary …) written in the audit log (what, and why) for the operator
    to see, once per closing: a group closed for a year would otherwise write one entry a
    day per kind, burying the log's decisions under what the operator knows already. The
    work itself still runs (a post's next firing is planned), so it speaks again once the
    group is reopened. What ends something members took part in
    (`Request.answers_members`: a poll's results …) does not come here: it is said."""
    group = step.group
    if action.carrier == group.carrier and action.group == group.carrier_group_id:
        handler = action.handler or "scheduled"
        if _unsaid_before(step.tx, group, handler, action.reason):
            return []
        text = " ".join((action.text or "").split())
        step.tx.audit("engine", UNSAID, group.community_id, target=f"group {group.id}",
                      detail={"group": group.name, "handler": handler,
                              "why": "the group is closed", "reason": action.reason,
                              "text": text[:200], "again": UNSAID_AGAIN})  # fmt: skip
        return []
    return _send(step, action, key)


UNSAID_AGAIN = "later ones of this kind are not written while the group stays closed"


def _unsaid_before(tx: Store, group: GroupView, handler: str, reason: str) -> bool:
    """Whether a message of this kind was left unsaid in `group` since it was closed (a
    reopened group hears it again). One read of that very entry, however many others the
    group has."""
    stored = tx.get_group(group.id)
    closed_at = None if stored is None else stored.closed_at
    return tx.last_audit(group.community_id, f"group {group.id}", {UNSAID},
                         detail={"handler": handler, "reason": reason},
                         since=closed_at) is not None  # fmt: skip


# What scheduled work of a closed group may ask for: messages to the group say nothing.
CLOSED_GROUP_APPLIERS: Mapping[ActionKind, Applier] = {
    **SCHEDULED_APPLIERS,
    ActionKind.REPLY: Applier(_not_in_closed, scheduled=True),
    ActionKind.SEND: Applier(_not_in_closed, scheduled=True),
}
