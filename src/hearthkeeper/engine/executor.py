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
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from hearthkeeper.clock import Clock
from hearthkeeper.engine.actions import Action, ActionKind
from hearthkeeper.engine.effects import EffectContext, EffectError
from hearthkeeper.engine.events import Event, Join, Leave, Message, Reaction
from hearthkeeper.engine.handler import Context, GroupView, MemberView, group_view
from hearthkeeper.engine.registry import Registry
from hearthkeeper.engine.state import State
from hearthkeeper.playbook import Playbook
from hearthkeeper.playbook.rules import BlacklistScope
from hearthkeeper.store import (
    Group,
    MessageKind,
    NewAudit,
    NewEvent,
    NewMessage,
    NewOutboxItem,
    NewReaction,
    NewStaffAlert,
    NewStrike,
    OutboxItem,
    Store,
)
from hearthkeeper.store.rollups import RollupTally, is_question, local_day


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
class _Pending:
    """Rows a batch writes in bulk at its end."""

    messages: list[NewMessage] = field(default_factory=list)
    outbox: dict[str, NewOutboxItem] = field(default_factory=dict)
    strikes: list[NewStrike] = field(default_factory=list)
    audits: list[NewAudit] = field(default_factory=list)
    alerts: dict[str, NewStaffAlert] = field(default_factory=dict)  # the staff inbox, by key
    rollups: RollupTally = field(default_factory=RollupTally)  # analytics, bumped live
    reactions: list[NewReaction] = field(default_factory=list)


@dataclass
class _Seat:
    role: str | None
    level: int | None
    joined_at: datetime | None
    tags: set[str]
    has_posted: bool = False
    loaded_at: datetime | None = None  # None: made here, not read from the store


_KINDS = {k.value for k in MessageKind}


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


class Executor:
    """Turns events into recorded decisions."""

    def __init__(
        self,
        store: Store,
        clock: Clock,
        runtimes: Mapping[int, Runtime],
        *,
        adopt_groups_into: int | None = None,
    ) -> None:
        self.store = store
        self.clock = clock
        self.runtimes = runtimes
        self.adopt_groups_into = adopt_groups_into
        self.state = State(store, refresh=timedelta(minutes=1))
        self._groups: dict[tuple[str, str], GroupView | None] = {}
        self._members: dict[tuple[str, str], int] = {}
        self._seats: dict[tuple[int, int], _Seat] = {}

    def process(self, events: Sequence[Event]) -> list[Processed]:
        """Handle a batch of events in one transaction; returns what became of each."""
        return self.process_claiming(events, claim=False)[0]

    def process_claiming(self, events: Sequence[Event], *,
                         claim: bool = True) -> tuple[list[Processed], list[OutboxItem]]:  # fmt: skip
        """`process`, and claim in the same transaction the actions it queued that are due
        now: the caller performs them straight after, without a round trip to claim them
        (a reply's latency). They are in the outbox as any claim, so nothing is lost if the
        caller dies first."""
        try:
            with self.store.transaction() as tx:
                pending = _Pending()
                results = self._batch(tx, events, pending)
                return results, self._write(tx, pending, claim)
        except Exception:
            self._forget()
            raise

    def _forget(self) -> None:
        self.state.reset()
        self._groups.clear()
        self._members.clear()
        self._seats.clear()

    def _batch(self, tx: Store, events: Sequence[Event], pending: _Pending) -> list[Processed]:
        groups = self._resolve_groups(tx, events)
        members = self._resolve_members(tx, events)
        known = [i for i, group in enumerate(groups) if group is not None]
        recorded = tx.record_events_bulk([
            NewEvent(groups[i].id, events[i].event_id, events[i].type.value,  # type: ignore[union-attr]
                     members[i], events[i].at)
            for i in known
        ])  # fmt: skip
        fresh = {
            i: event_id for i, (event_id, created) in zip(known, recorded, strict=True) if created
        }
        self._preload(tx, [(groups[i], members[i]) for i in fresh])  # type: ignore[misc]
        results: list[Processed] = []
        for i, event in enumerate(events):
            group = groups[i]
            if group is None:
                results.append(Processed(event, duplicate=False, ignored="unknown group"))
            elif i not in fresh:
                results.append(Processed(event, duplicate=True))
            else:
                results.append(self._one(tx, event, group, members[i], fresh[i], pending))
        return results

    def _write(self, tx: Store, pending: _Pending, claim: bool) -> list[OutboxItem]:
        """Write what the batch decided, in bulk; the outbox items claimed (with `claim`)."""
        if pending.messages:
            tx.store_messages(pending.messages)
        tx.add_strikes_bulk(pending.strikes)
        tx.bump_rollups(pending.rollups)
        tx.record_reactions(pending.reactions)
        tx.audit_bulk(pending.audits)
        claimed: list[OutboxItem] = []
        if pending.outbox:
            queued = list(pending.outbox.values())
            if claim:
                claimed = tx.enqueue_claiming(queued, self.clock.now())
            else:
                tx.enqueue_bulk(queued)
        # An alert cancelled within the batch never reaches the inbox; one whose outbox key
        # is already there (the same action decided again) is not written twice.
        tx.add_staff_alerts([a for k, a in pending.alerts.items() if k in pending.outbox])
        return claimed

    # --- one event -----------------------------------------------------------------------------

    def _one(self, tx: Store, event: Event, group: GroupView, member_id: int, event_id: int,
             pending: _Pending) -> Processed:  # fmt: skip
        runtime = self.runtimes[group.community_id]
        seat = self._seat(tx, group.id, member_id)
        day = local_day(event.at, ZoneInfo(runtime.playbook.community.timezone))
        if isinstance(event, Join):
            stay = tx.join(member_id, group.id, at=event.at)
            if stay.joined_at == event.at:  # a stay opened (not a member already in)
                pending.rollups.join(group.id, day)
            if event.sender.display_name:
                tx.member_for(event.carrier, event.sender.user_id, event.sender.display_name)
            self.state.joined(group.id, +1)
            seat = self._seats[(group.id, member_id)] = _Seat(
                seat.role, seat.level, event.at, seat.tags, loaded_at=self.clock.now()
            )
        elif isinstance(event, Leave):
            if tx.leave(member_id, group.id, at=event.at) is not None:
                pending.rollups.leave(group.id, day)
            self.state.joined(group.id, -1)
        elif isinstance(event, Message):
            kind = event.kind if event.kind in _KINDS else "other"
            pending.messages.append(NewMessage(group.id, event.event_id, member_id, kind,
                                               event.text, event.at, event.reply_to))  # fmt: skip
        elif isinstance(event, Reaction):
            pending.reactions.append(NewReaction(group.id, member_id, event.event_id, event.target,
                                                 event.emoji, event.at))  # fmt: skip
        roles = runtime.playbook.structure.roles
        role = roles.get(seat.role) if seat.role else None
        if isinstance(event, Message):
            pending.rollups.message(group.id, member_id, day, pending.messages[-1].kind,
                                    question=is_question(event.text), staff=role is not None)  # fmt: skip
        ctx = Context(
            playbook=runtime.playbook,
            group=group,
            member=MemberView(
                id=member_id, user_id=event.sender.user_id, display_name=event.sender.display_name,
                role=seat.role if role else None, level=seat.level, joined_at=seat.joined_at,
                permissions=frozenset(role.permissions) if role else frozenset(),
                tags=frozenset(seat.tags), has_posted=seat.has_posted,
            ),
            now=event.at,
            state=self.state,
        )  # fmt: skip
        started = time.perf_counter()
        decision = runtime.registry.decide(event, ctx)
        decided_in = time.perf_counter() - started
        done: list[Action] = []
        for index, action in enumerate(decision.actions):
            done.append(action)
            key = action.key or f"{event.key}:{index}"
            self._apply(tx, runtime, group, member_id, event, event_id, key, action, pending)
            if action.kind is ActionKind.EFFECT:
                done.extend(self._effect(tx, runtime, group, ctx, event, event_id, key, action,
                                         pending, depth=0))  # fmt: skip
        if isinstance(event, Message):
            seat.has_posted = True
        return Processed(event, False, tuple(done), decision.handlers, decided_in=decided_in)

    def _effect(self, tx: Store, runtime: Runtime, group: GroupView, ctx: Context, event: Event,
                event_id: int, key: str, action: Action, pending: _Pending,
                depth: int) -> list[Action]:  # fmt: skip
        """Run an effect and apply what it answers with; returns those actions, in order."""
        if depth > 3:
            raise EffectError(f"effects nested too deep at {action.effect!r}")
        follow = runtime.registry.perform(tx, action, EffectContext(
            playbook=runtime.playbook, group=group, member=ctx.member, now=ctx.now,
            event_id=event_id, trigger=action))  # fmt: skip
        done: list[Action] = []
        for index, next_action in enumerate(follow):
            next_key = next_action.key or f"{key}:{index}"
            done.append(next_action)
            self._apply(tx, runtime, group, ctx.member.id, event, event_id, next_key, next_action,
                        pending)  # fmt: skip
            if next_action.kind is ActionKind.EFFECT:
                done.extend(self._effect(tx, runtime, group, ctx, event, event_id, next_key,
                                         next_action, pending, depth + 1))  # fmt: skip
        return done

    # --- effects -------------------------------------------------------------------------------

    def _apply(self, tx: Store, runtime: Runtime, group: GroupView, member_id: int, event: Event,
               event_id: int, key: str, action: Action, pending: _Pending) -> None:  # fmt: skip
        now = event.at
        pb = runtime.playbook
        if action.kind is ActionKind.STRIKE:
            expiry = pb.rules.strike_expiry
            expires = now + expiry if expiry is not None else None
            pending.strikes.append(NewStrike(group.community_id, member_id,
                                             action.violation or "", action.explained, now,
                                             expires, group.id, event_id))  # fmt: skip
            zone = ZoneInfo(pb.community.timezone)
            pending.rollups.violation(group.id, local_day(now, zone))
            self.state.add_strike(group.community_id, member_id, expires, now)
        elif action.kind is ActionKind.BLACKLIST:
            everywhere = pb.rules.blacklist_scope is BlacklistScope.ALL
            tx.add_sanction("blacklist", member_id, action.explained, now,
                            community_id=None if everywhere else group.community_id)  # fmt: skip
            self.state.blacklist(group.community_id, member_id)
            self._ban_everywhere(tx, runtime, member_id, event, key, action, everywhere, pending)
        elif action.kind is ActionKind.TAG and action.tag:
            whom = self._subject(tx, action, event, member_id)
            tx.add_tag(whom, action.tag, set_by=action.handler or "engine")
            # Tags belong to the member, not the group: every cached seat of theirs learns it
            # (rare: a tag is set once, so the scan costs nothing that matters).
            for (_, seated), seat in self._seats.items():
                if seated == whom:
                    seat.tags.add(action.tag)
        elif action.kind is ActionKind.AWARD_POINTS and action.points:
            whom = self._subject(tx, action, event, member_id)
            tx.award_points(group.community_id, whom, action.points, action.reason, now,
                            event_id=event_id)  # fmt: skip
        elif action.kind is ActionKind.CANCEL and action.target:
            pending.outbox.pop(action.target, None)
            tx.cancel_pending(action.target, self.clock.now())
        if action.kind is ActionKind.MUTE and action.duration is not None:
            until = now + action.duration
            tx.add_sanction("mute", member_id, action.explained, now,
                            community_id=group.community_id, group_id=group.id, until=until)  # fmt: skip
            self.state.mute(group.community_id, group.id, member_id, until)
        if action.kind is ActionKind.BAN:
            tx.add_sanction("ban", member_id, action.explained, now,
                            community_id=group.community_id, group_id=group.id)  # fmt: skip
        if action.outbound:
            self._enqueue(pending, key, action, event_id, group.id)
        if action.kind is ActionKind.ALERT_STAFF and key not in pending.alerts:
            sender = member_id if action.member == event.sender.user_id else None
            pending.alerts[key] = inbox_entry(tx, action, key, group.community_id, group.id, now,
                                              member_id=sender)  # fmt: skip
        if action.violation or action.kind in (ActionKind.STRIKE, ActionKind.BLACKLIST):
            pending.audits.append(NewAudit(
                action.handler or "engine",
                action.kind.value,
                group.community_id,
                f"member {member_id} ({event.sender.display_name or event.sender.user_id})",
                {"reason": action.explained, "violation": action.violation, "event": event.key,
                 "group": group.name},
                self.clock.now(),
            ))  # fmt: skip

    def _subject(self, tx: Store, action: Action, event: Event, member_id: int) -> int:
        """Whom a TAG or AWARD_POINTS is for: `action.member` when set, else the sender."""
        if action.member is None or action.member == event.sender.user_id:
            return member_id
        key = (action.carrier, action.member)
        if key not in self._members:
            found = tx.find_member(action.carrier, action.member)
            if found is None:
                raise EffectError(f"{action.kind.value} for unknown member {action.member!r}")
            self._members[key] = found.id
        return self._members[key]

    def _enqueue(self, pending: _Pending, key: str, action: Action, event_id: int | None,
                 group_id: int | None) -> None:  # fmt: skip
        if key in pending.outbox:
            return
        pending.outbox[key] = NewOutboxItem(
            key, action.carrier, action.to_json(), action.priority, event_id=event_id,
            group_id=group_id, at=action.not_before or self.clock.now(),
        )  # fmt: skip

    def _ban_everywhere(self, tx: Store, runtime: Runtime, member_id: int, event: Event, key: str,
                        action: Action, everywhere: bool, pending: _Pending) -> None:  # fmt: skip
        communities = list(self.runtimes) if everywhere else [runtime.community_id]
        for community_id in communities:
            for group in tx.list_groups(community_id):
                if not any(m.member_id == member_id for m in tx.active_members(group.id)):
                    continue
                ban = Action(kind=ActionKind.BAN, carrier=group.carrier, group=group.carrier_group_id,
                             member=self._user_on(tx, member_id, group.carrier, event),
                             reason=action.reason, detail=action.detail, handler=action.handler,
                             violation=action.violation)  # fmt: skip
                self._enqueue(pending, f"{key}:ban:{group.id}", ban, None, group.id)
                tx.add_sanction("ban", member_id, action.explained, event.at,
                                community_id=community_id, group_id=group.id)  # fmt: skip

    def _user_on(self, tx: Store, member_id: int, carrier: str, event: Event) -> str:
        if carrier == event.carrier:
            return event.sender.user_id
        return tx.user_on(member_id, carrier) or event.sender.user_id

    # --- lookups (cached, resolved per batch) --------------------------------------------------

    def _resolve_groups(self, tx: Store, events: Sequence[Event]) -> list[GroupView | None]:
        missing = {(e.carrier, e.group) for e in events} - self._groups.keys()
        if missing:
            found = tx.group_ids(missing)
            for key in sorted(missing):
                group = tx.get_group(found[key]) if key in found else None
                if group is None and self.adopt_groups_into is not None:
                    group = tx.add_group(self.adopt_groups_into, key[1], key[0], key[1])
                self._groups[key] = self._view(group) if group is not None else None
        return [self._groups[(e.carrier, e.group)] for e in events]

    def _view(self, group: Group) -> GroupView | None:
        runtime = self.runtimes.get(group.community_id)
        if runtime is None:
            return None
        return group_view(group, runtime.slug)

    def _resolve_members(self, tx: Store, events: Sequence[Event]) -> list[int]:
        missing = {
            (e.carrier, e.sender.user_id): e.sender.display_name
            for e in events
            if (e.carrier, e.sender.user_id) not in self._members
        }
        if missing:
            self._members.update(tx.member_ids(missing))
        return [self._members[(e.carrier, e.sender.user_id)] for e in events]

    def _preload(self, tx: Store, pairs: list[tuple[GroupView, int]]) -> None:
        """Load, in a few queries, what the batch's unseen members need to be judged."""
        by_community: dict[int, set[int]] = {}
        for group, member_id in pairs:
            by_community.setdefault(group.community_id, set()).add(member_id)
        for community_id, member_ids in by_community.items():
            self.state.preload(community_id, member_ids, self.clock.now())
        # Roles and tags change from outside (staff tools): re-read what is a minute old.
        stale = self.clock.now() - timedelta(minutes=1)
        unseen = {
            (g.id, m)
            for g, m in pairs
            if (seat := self._seats.get((g.id, m))) is None
            or (seat.loaded_at is not None and seat.loaded_at < stale)
        }
        if not unseen:
            return
        stays = tx.active_stays(unseen)
        tags = tx.tags_of(m for _, m in unseen)
        for group_id, member_id in unseen:
            stay = stays.get((group_id, member_id))
            member_tags = set(tags.get(member_id, ()))
            now = self.clock.now()
            if stay is None:
                self._seats[(group_id, member_id)] = _Seat(None, None, None, member_tags,
                                                           loaded_at=now)  # fmt: skip
            else:
                self._seats[(group_id, member_id)] = _Seat(
                    stay.role, stay.level, stay.joined_at, member_tags,
                    has_posted=tx.has_posted(group_id, member_id), loaded_at=now,
                )  # fmt: skip

    def _seat(self, tx: Store, group_id: int, member_id: int) -> _Seat:
        seat = self._seats.get((group_id, member_id))
        if seat is None:
            self._preload_one(tx, group_id, member_id)
            seat = self._seats[(group_id, member_id)]
        return seat

    def _preload_one(self, tx: Store, group_id: int, member_id: int) -> None:
        stay = tx.active_stays([(group_id, member_id)]).get((group_id, member_id))
        tags = set(tx.tags_of([member_id]).get(member_id, ()))
        self._seats[(group_id, member_id)] = (
            _Seat(
                stay.role,
                stay.level,
                stay.joined_at,
                tags,
                tx.has_posted(group_id, member_id),
                loaded_at=self.clock.now(),
            )
            if stay is not None
            else _Seat(None, None, None, tags, loaded_at=self.clock.now())
        )
