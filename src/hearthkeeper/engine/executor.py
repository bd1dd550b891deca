"""The executor: record each event and its decided actions in one transaction (the outbox).

Per batch of events, in one transaction: events already seen are skipped; messages and
memberships are recorded; handlers decide; store effects (strikes, mutes, blacklists,
tags, points, audit) are written; outbound actions are enqueued with an idempotency key.
The outbound queue performs them after the commit. A crash before the commit loses
nothing the carrier will not redeliver; a crash after it leaves the actions in the outbox
for the next start.
"""

from __future__ import annotations

import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from hearthkeeper.clock import Clock
from hearthkeeper.engine.actions import Action, ActionKind
from hearthkeeper.engine.events import Event, Join, Leave, Message
from hearthkeeper.engine.handler import Context, GroupView, MemberView
from hearthkeeper.engine.registry import Registry
from hearthkeeper.engine.state import State
from hearthkeeper.playbook import Playbook
from hearthkeeper.playbook.rules import BlacklistScope
from hearthkeeper.store import MessageKind, Store


@dataclass(frozen=True)
class Runtime:
    """One community's playbook and the handlers built from it."""

    community_id: int
    slug: str
    playbook: Playbook
    registry: Registry


@dataclass(frozen=True)
class Processed:
    """What became of one event."""

    event: Event
    duplicate: bool
    actions: tuple[Action, ...] = ()
    handlers: tuple[str, ...] = ()
    ignored: str | None = None  # why the engine did not handle it (unknown group ...)
    decided_in: float = 0.0  # seconds the handlers took to decide (for benchmarks)


@dataclass
class _Seat:
    role: str | None
    level: int | None
    joined_at: datetime | None
    tags: set[str]


_KINDS = {k.value for k in MessageKind}


class Executor:
    """Turns events into recorded decisions."""

    def __init__(
        self,
        store: Store,
        clock: Clock,
        runtimes: Mapping[int, Runtime],
        *,
        dry_run: bool = False,
        adopt_groups_into: int | None = None,
    ) -> None:
        self.store = store
        self.clock = clock
        self.runtimes = runtimes
        self.dry_run = dry_run
        self.adopt_groups_into = adopt_groups_into
        self.state = State(store)
        self._groups: dict[tuple[str, str], GroupView | None] = {}
        self._members: dict[tuple[str, str], int] = {}
        self._seats: dict[tuple[int, int], _Seat] = {}

    def process(self, events: Sequence[Event]) -> list[Processed]:
        """Handle a batch of events in one transaction; returns what became of each."""
        try:
            with self.store.transaction() as tx:
                return [self._one(tx, event) for event in events]
        except Exception:
            self._forget()
            raise

    def _forget(self) -> None:
        self.state.reset()
        self._groups.clear()
        self._members.clear()
        self._seats.clear()

    # --- one event -----------------------------------------------------------------------------

    def _one(self, tx: Store, event: Event) -> Processed:
        group = self._group(tx, event)
        if group is None:
            return Processed(event, duplicate=False, ignored="unknown group")
        runtime = self.runtimes[group.community_id]
        member_id = self._member(tx, event)
        event_id, created = tx.record_event(group.id, event.event_id, event.type.value,
                                            member_id, event.at)  # fmt: skip
        if not created:
            return Processed(event, duplicate=True)
        seat = self._seat(tx, group.id, member_id)
        if isinstance(event, Join):
            tx.join(member_id, group.id, at=event.at)
            self.state.joined(group.id, +1)
            seat = self._seats[(group.id, member_id)] = _Seat(seat.role, seat.level, event.at, seat.tags)
        elif isinstance(event, Leave):
            tx.leave(member_id, group.id, at=event.at)
            self.state.joined(group.id, -1)
        elif isinstance(event, Message):
            kind = event.kind if event.kind in _KINDS else "other"
            tx.record_message(group.id, event.event_id, member_id, kind, event.text, event.at,
                              reply_to_event_id=event.reply_to)  # fmt: skip
        roles = runtime.playbook.structure.roles
        role = roles.get(seat.role) if seat.role else None
        ctx = Context(
            playbook=runtime.playbook,
            group=group,
            member=MemberView(
                id=member_id, user_id=event.sender.user_id, display_name=event.sender.display_name,
                role=seat.role if role else None, level=seat.level, joined_at=seat.joined_at,
                permissions=frozenset(role.permissions) if role else frozenset(),
                tags=frozenset(seat.tags),
            ),
            now=event.at,
            state=self.state,
            dry_run=self.dry_run,
        )  # fmt: skip
        started = time.perf_counter()
        decision = runtime.registry.decide(event, ctx)
        decided_in = time.perf_counter() - started
        for index, action in enumerate(decision.actions):
            self._apply(tx, runtime, group, member_id, event, event_id, index, action)
        return Processed(event, False, decision.actions, decision.handlers, decided_in=decided_in)

    # --- effects -------------------------------------------------------------------------------

    def _apply(self, tx: Store, runtime: Runtime, group: GroupView, member_id: int, event: Event,
               event_id: int, index: int, action: Action) -> None:  # fmt: skip
        now = event.at
        pb = runtime.playbook
        key = action.key or f"{event.key}:{index}"
        if action.kind is ActionKind.STRIKE:
            expiry = pb.rules.strike_expiry
            expires = now + expiry if expiry is not None else None
            if not self.dry_run:
                tx.add_strike(group.community_id, member_id, action.violation or "", action.reason,
                              now, expires, group_id=group.id, event_id=event_id)  # fmt: skip
            self.state.add_strike(group.community_id, member_id, expires, now)
        elif action.kind is ActionKind.BLACKLIST:
            everywhere = pb.rules.blacklist_scope is BlacklistScope.ALL
            if not self.dry_run:
                tx.add_sanction("blacklist", member_id, action.reason, now,
                                community_id=None if everywhere else group.community_id)  # fmt: skip
            self.state.blacklist(group.community_id, member_id)
            self._ban_everywhere(tx, runtime, member_id, event, key, action, everywhere)
        elif action.kind is ActionKind.TAG and action.tag:
            if not self.dry_run:
                tx.add_tag(member_id, action.tag, set_by=action.handler or "engine")
            self._seats[(group.id, member_id)].tags.add(action.tag)
        elif action.kind is ActionKind.AWARD_POINTS and action.points:
            if not self.dry_run:
                tx.award_points(group.community_id, member_id, action.points, action.reason, now,
                                event_id=event_id)  # fmt: skip
        elif action.kind is ActionKind.CANCEL and action.target:
            if not self.dry_run:
                tx.cancel_pending(action.target, now)
        if action.kind is ActionKind.MUTE and action.duration is not None:
            until = now + action.duration
            if not self.dry_run:
                tx.add_sanction("mute", member_id, action.reason, now,
                                community_id=group.community_id, group_id=group.id, until=until)  # fmt: skip
            self.state.mute(group.community_id, group.id, member_id, until)
        if action.kind is ActionKind.BAN and not self.dry_run:
            tx.add_sanction("ban", member_id, action.reason, now,
                            community_id=group.community_id, group_id=group.id)  # fmt: skip
        if action.outbound:
            self._enqueue(tx, key, action, event_id, group.id, now)
        if action.violation or action.kind in (ActionKind.STRIKE, ActionKind.BLACKLIST):
            tx.audit(
                action.handler or "engine",
                f"{'dry-run ' if self.dry_run else ''}{action.kind.value}",
                community_id=group.community_id,
                target=f"member {member_id} ({event.sender.display_name or event.sender.user_id})",
                detail={"reason": action.reason, "violation": action.violation,
                        "event": event.key, "group": group.name, "dry_run": self.dry_run},
            )  # fmt: skip

    def _enqueue(self, tx: Store, key: str, action: Action, event_id: int | None,
                 group_id: int | None, now: datetime) -> None:  # fmt: skip
        tx.enqueue(key, action.carrier, action.to_json(), action.priority, event_id=event_id,
                   group_id=group_id, at=action.not_before or now,
                   status="skipped" if self.dry_run else "pending")  # fmt: skip

    def _ban_everywhere(self, tx: Store, runtime: Runtime, member_id: int, event: Event, key: str,
                        action: Action, everywhere: bool) -> None:  # fmt: skip
        communities = list(self.runtimes) if everywhere else [runtime.community_id]
        for community_id in communities:
            for group in tx.list_groups(community_id):
                if not any(m.member_id == member_id for m in tx.active_members(group.id)):
                    continue
                ban = Action(kind=ActionKind.BAN, carrier=group.carrier, group=group.carrier_group_id,
                             member=self._user_on(tx, member_id, group.carrier, event),
                             reason=action.reason, handler=action.handler, violation=action.violation)  # fmt: skip
                self._enqueue(tx, f"{key}:ban:{group.id}", ban, None, group.id, event.at)
                if not self.dry_run:
                    tx.add_sanction("ban", member_id, action.reason, event.at,
                                    community_id=community_id, group_id=group.id)  # fmt: skip

    def _user_on(self, tx: Store, member_id: int, carrier: str, event: Event) -> str:
        if carrier == event.carrier:
            return event.sender.user_id
        for identity in tx.identities(member_id):
            if identity.carrier == carrier:
                return identity.carrier_user_id
        return event.sender.user_id

    # --- lookups (cached) ----------------------------------------------------------------------

    def _group(self, tx: Store, event: Event) -> GroupView | None:
        key = (event.carrier, event.group)
        if key in self._groups:
            return self._groups[key]
        found = tx.group_for_carrier(event.carrier, event.group)
        if found is None and self.adopt_groups_into is not None:
            found = tx.add_group(self.adopt_groups_into, event.group, event.carrier, event.group)
        view = None
        if found is not None and found.community_id in self.runtimes:
            runtime = self.runtimes[found.community_id]
            view = GroupView(id=found.id, name=found.name, carrier=found.carrier,
                             carrier_group_id=found.carrier_group_id, capacity=found.capacity,
                             community_id=found.community_id, community_slug=runtime.slug)  # fmt: skip
        self._groups[key] = view
        return view

    def _member(self, tx: Store, event: Event) -> int:
        key = (event.carrier, event.sender.user_id)
        member_id = self._members.get(key)
        if member_id is None:
            member_id = tx.member_for(event.carrier, event.sender.user_id, event.sender.display_name).id
            self._members[key] = member_id
        return member_id

    def _seat(self, tx: Store, group_id: int, member_id: int) -> _Seat:
        key = (group_id, member_id)
        seat = self._seats.get(key)
        if seat is None:
            active = [m for m in tx.membership_history(member_id, group_id) if m.left_at is None]
            tags = {t.tag for t in tx.member_tags(member_id)}
            if active:
                stay = active[-1]
                seat = _Seat(stay.role, stay.level, stay.joined_at, tags)
            else:
                seat = _Seat(None, None, None, tags)
            self._seats[key] = seat
        return seat
