"""The executor: record each event and its decided actions in one transaction (the outbox).

Per batch of events, in one transaction: events already seen are skipped; messages and
memberships are recorded; handlers decide; each action is applied by its kind's applier
(`appliers.APPLIERS`: strikes, sanctions, tags, points, effects; outbound actions enqueued
with an idempotency key); at the end the rows are written in bulk and the observers read
what the batch did (`observers`: live rollups, audit log). The outbound queue performs the
actions after the commit. A crash before the commit loses
nothing the carrier will not redeliver; a crash after it leaves the actions in the outbox
for the next start.
"""

from __future__ import annotations

import hashlib
import logging
import time
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from hearthkeeper.clock import Clock
from hearthkeeper.engine.actions import Action
from hearthkeeper.engine.appliers import APPLIERS, Step
from hearthkeeper.engine.batch import Batch, Posted
from hearthkeeper.engine.effects import EffectContext
from hearthkeeper.engine.events import Edit, Event, Join, Leave, Message, Reaction, Rename
from hearthkeeper.engine.handler import Context, GroupView, MemberView, group_view
from hearthkeeper.engine.observers import OBSERVERS, Observer
from hearthkeeper.engine.registry import Registry, Stage
from hearthkeeper.engine.state import State
from hearthkeeper.playbook import Playbook
from hearthkeeper.playbook.groups import group_playbook, is_staff_channel
from hearthkeeper.playbook.structure import Permission
from hearthkeeper.store import (
    Group,
    MessageEdit,
    MessageKind,
    NewEvent,
    NewMessage,
    NewReaction,
    NewStaffAlert,
    OutboxItem,
    Store,
)
from hearthkeeper.store.errors import unavailable
from hearthkeeper.store.rollups import local_day
from hearthkeeper.store.waiting_admissions import SqlWaitingAdmissions

log = logging.getLogger(__name__)

SET_ASIDE_TEXT = 2000  # characters of a set-aside message (and of why) the staff inbox shows
# Members (a seat: a member in a group) the executor keeps in memory before it starts afresh:
# the caches only mirror the store, so one that outgrows this is dropped between two batches
# and read again as members speak (a long-running engine's memory stays bounded).
CACHED_MAX = 200_000


@dataclass(frozen=True)
class Runtime:
    """One community's playbook and the handlers built from it."""

    community_id: int
    slug: str
    playbook: Playbook
    registry: Registry
    _by_group: dict[str, Playbook] = field(default_factory=dict, compare=False, repr=False)

    def playbook_for(self, group: GroupView) -> Playbook:
        """The playbook `group` runs: the community's, with the group's override (the
        playbook's `groups:` section, by carrier id or name) applied; made once per group."""
        if not self.playbook.groups and not self.playbook.alerts.staff_group:
            return self.playbook
        key = f"{group.carrier}\x00{group.carrier_group_id}\x00{group.name}"
        found = self._by_group.get(key)
        if found is None:
            found = group_playbook(self.playbook, group.name, group.carrier_group_id)
            self._by_group[key] = found
        return found


@dataclass(frozen=True)
class Processed:
    """What became of one event."""

    event: Event
    duplicate: bool
    actions: tuple[Action, ...] = ()
    handlers: tuple[str, ...] = ()
    ignored: str | None = None  # why the engine did not handle it (unknown group ...)
    decided_in: float = 0.0  # seconds the handlers took to decide (for benchmarks)


@dataclass(slots=True)
class _Seat:
    role: str | None
    level: int | None
    joined_at: datetime | None
    tags: frozenset[str]  # shared by every member without tags (`_NO_TAGS`), handed on as is
    has_posted: bool = False
    loaded_at: datetime | None = None  # None: made here, not read from the store


_KINDS = {k.value for k in MessageKind}
# No tags, no permissions: one object each, not one a message (nor one a member kept)
_NO_TAGS: frozenset[str] = frozenset()
_NO_PERMISSIONS: frozenset[Permission] = frozenset()


class Executor:
    """Turns events into recorded decisions."""

    def __init__(
        self,
        store: Store,
        clock: Clock,
        runtimes: Mapping[int, Runtime],
        *,
        adopt_groups_into: int | None = None,
        observers: Sequence[Observer] = OBSERVERS,
    ) -> None:
        self.store = store
        self.clock = clock
        self.runtimes = runtimes
        self.adopt_groups_into = adopt_groups_into
        self.observers = observers
        self.state = State(store, refresh=timedelta(minutes=1))
        self._groups: dict[tuple[str, str], GroupView | None] = {}
        self._members: dict[tuple[str, str], int] = {}
        # The name each sender's carrier last gave on an event followed (as it gave it): the
        # stored name is looked at again only when the carrier says another (`_follow_names`).
        self._names: dict[tuple[str, str], str] = {}
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
        if len(self._seats) > CACHED_MAX or self.state.cached > CACHED_MAX:
            self._start_afresh()
        try:
            return self._transaction(events, claim)
        except Exception as error:
            self._forget()
            if unavailable(error) or not events:
                raise  # the store, not an event: the carriers deliver the batch again
            log.warning("a batch of %d events failed (%s: %s); handling its parts apart",
                        len(events), type(error).__name__, error)  # fmt: skip
        return self._apart(events, claim)

    def _transaction(self, events: Sequence[Event],
                     claim: bool) -> tuple[list[Processed], list[OutboxItem]]:  # fmt: skip
        with self.store.transaction() as tx:
            batch = Batch(tx, self.clock.now)
            self.state.begin(tx)
            try:
                results = self._batch(tx, events, batch)
            finally:
                self.state.end()
            return results, self._write(tx, batch, claim)

    def _apart(self, events: Sequence[Event],
               claim: bool) -> tuple[list[Processed], list[OutboxItem]]:  # fmt: skip
        """A failed batch again, in halves (in order, each in its own transaction) down to
        the one event that fails: tried once more on its own, then set aside. The others
        are handled once, as if the batch had been theirs alone; nothing was kept of the
        failed attempts (each rolled back, and memory forgotten)."""
        if len(events) > 1:
            middle = len(events) // 2
            halves = (events[:middle], events[middle:])
        else:
            halves = (events, events)  # an event that failed alone: once more, then aside
        processed: list[Processed] = []
        claimed: list[OutboxItem] = []
        for i, half in enumerate(halves):
            try:
                done, taken = self._transaction(half, claim)
            except Exception as error:
                self._forget()
                if unavailable(error):
                    raise  # what was committed is recorded: delivered again, it is a duplicate
                if len(events) > 1:
                    done, taken = self._apart(half, claim)
                elif i == 0:
                    continue  # the second try
                else:
                    return [self._set_aside(events[0], error)], []
            processed += done
            claimed += taken
            if len(events) == 1:
                break  # the second try succeeded (a conflict with another writer, gone now)
        return processed, claimed

    def _set_aside(self, event: Event, error: Exception) -> Processed:
        """An event the engine cannot handle (a bug its content or moment sets off): recorded
        as seen, so that nothing delivers it again, and put in the staff inbox with why;
        the rest of its batch goes on. Logged with the traceback for the developers."""
        why = f"{type(error).__name__}: {error}"
        log.error("set aside %s: the engine failed on it (%s)", event.key[:300], why[:300],
                  exc_info=error)  # fmt: skip
        text = event.text if isinstance(event, Message) else ""
        try:
            with self.store.transaction() as tx:
                [group] = self._resolve_groups(tx, [event])
                if group is None:
                    return Processed(event, duplicate=False, ignored="unknown group")
                member = self.member(tx, event.carrier, event.sender.user_id)
                [(_, created)] = tx.record_events_bulk([NewEvent(
                    group.id, event.event_id, event.type.value, member, event.at)])  # fmt: skip
                if not created:  # handled meanwhile (another worker took the group)
                    return Processed(event, duplicate=True)
                digest = hashlib.sha256(event.key.encode("utf-8", "surrogatepass")).hexdigest()
                tx.add_staff_alerts([NewStaffAlert(
                    f"engine:set-aside:{digest[:40]}", group.community_id, group.id, member,
                    None, "engine", text[:SET_ASIDE_TEXT],
                    f"The engine could not handle this {event.type.value} from "
                    f"{event.sender.display_name or event.sender.user_id} and set it aside "
                    f"(nothing it asked for was done): {why[:SET_ASIDE_TEXT]}",
                    self.clock.now())])  # fmt: skip
        except Exception as failed:
            self._forget()
            if unavailable(failed):
                raise
            log.error("could not record the set-aside event %s either (%s)", event.key[:300],
                      failed, exc_info=failed)  # fmt: skip
        return Processed(event, duplicate=False, ignored=f"set aside: {why[:SET_ASIDE_TEXT]}")

    def _start_afresh(self) -> None:
        """Drop the caches of members, seats and groups (between two batches: everything in
        them is in the store); the handlers' own state is kept."""
        log.info("engine: %d seats and %d members cached; starting the caches afresh",
                 len(self._seats), self.state.cached)  # fmt: skip
        self.state.reset()
        self._groups.clear()
        self._members.clear()
        self._names.clear()
        self._seats.clear()

    def _forget(self) -> None:
        """Drop what a rolled-back batch may have left wrong in memory: the caches, and the
        state of every handler that keeps some (`Stateful`)."""
        self.state.reset()
        self._groups.clear()
        self._members.clear()
        self._names.clear()
        self._seats.clear()
        for runtime in self.runtimes.values():
            runtime.registry.forget()

    def _batch(self, tx: Store, events: Sequence[Event], batch: Batch) -> list[Processed]:
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
        self._follow_names(tx, [events[i] for i in fresh], [members[i] for i in fresh])
        # a rename is a name followed (above) and judged by moderation alone: nothing to lock,
        # count or answer
        acts = [i for i in fresh if not isinstance(events[i], Rename)]
        self._preload(tx, [(groups[i], members[i]) for i in acts])  # type: ignore[misc]
        joins = [(groups[i], members[i]) for i in acts if isinstance(events[i], Join)]
        self._returning(tx, batch, joins)  # type: ignore[arg-type]
        self._lock_ahead(tx, [(events[i], groups[i], members[i]) for i in acts])  # type: ignore[misc]
        results: list[Processed] = []
        for i, event in enumerate(events):
            group = groups[i]
            if group is None:
                results.append(Processed(event, duplicate=False, ignored="unknown group"))
            elif i not in fresh:
                results.append(Processed(event, duplicate=True))
            else:
                results.append(self._one(tx, event, group, members[i], fresh[i], batch))
        return results

    def _write(self, tx: Store, batch: Batch, claim: bool) -> list[OutboxItem]:
        """Write what the batch decided, in bulk, then let the observers read its record;
        the outbox items claimed (with `claim`)."""
        for community_id in sorted(batch.freed):
            # room: approvals waiting for it go again (whatever capacity the groups have
            # now: a group record held here may be older than a capacity set since), once
            # for all the members who left
            SqlWaitingAdmissions.on(tx).requeue(community_id)
        if batch.messages:
            tx.store_messages(batch.messages)
        if batch.edits:  # before the deletions: a message deleted for its edit reads as edited
            tx.edit_messages(batch.edits)
        if batch.deletions:  # the batch's own messages are not tallied yet: nothing to undo
            tx.delete_messages(batch.deletions, {(m.group_id, m.carrier_event_id)
                                                 for m in batch.messages})  # fmt: skip
        tx.add_strikes_bulk(batch.strikes)
        tx.record_reactions(batch.reactions)
        for observe in self.observers:
            observe(tx, batch.record)
        claimed: list[OutboxItem] = []
        if batch.outbox:
            queued = list(batch.outbox.values())
            if claim:
                claimed = tx.enqueue_claiming(queued, self.clock.now())
            else:
                tx.enqueue_bulk(queued)
        # An alert cancelled within the batch never reaches the inbox; one whose outbox key
        # is already there (the same action decided again) is not written twice.
        tx.add_staff_alerts([a for k, a in batch.alerts.items() if k in batch.outbox])
        return claimed

    # --- one event -----------------------------------------------------------------------------

    def _one(self, tx: Store, event: Event, group: GroupView, member_id: int, event_id: int,
             batch: Batch) -> Processed:  # fmt: skip
        runtime = self.runtimes[group.community_id]
        playbook = runtime.playbook_for(group)
        record = batch.record
        seat = self._seat(tx, group.id, member_id)
        day = local_day(event.at, ZoneInfo(playbook.community.timezone))
        returning = False
        if isinstance(event, Join):
            returning = (group.community_id, member_id) in batch.returning
            # staff joining one more group of the community hold their role there too
            held = None if seat.joined_at else tx.role_elsewhere(member_id,
                                                                      group.community_id,
                                                                      group.id)  # fmt: skip
            stay = tx.join(member_id, group.id, held, at=event.at)
            if stay.joined_at == event.at:  # a stay opened (not a member already in)
                record.joins.append((group.id, day))
            self.state.joined(group.id, +1)
            seat = self._seats[(group.id, member_id)] = _Seat(
                stay.role, seat.level, event.at, seat.tags, loaded_at=self.clock.now()
            )
        elif isinstance(event, Leave):
            if tx.leave(member_id, group.id, at=event.at) is not None:
                record.leaves.append((group.id, day))
                batch.freed.add(group.community_id)  # approvals waiting for room go again
                batch.returning.add((group.community_id, member_id))
            self.state.joined(group.id, -1)
        elif isinstance(event, Message):
            kind = event.kind if event.kind in _KINDS else "other"
            batch.messages.append(NewMessage(group.id, event.event_id, member_id, kind,
                                             event.text, event.at, event.reply_to))  # fmt: skip
        elif isinstance(event, Edit):
            batch.edits.append(MessageEdit(group.id, event.target, member_id, event.text))
        elif isinstance(event, Reaction):
            batch.reactions.append(NewReaction(group.id, member_id, event.event_id, event.target,
                                               event.emoji, event.at))  # fmt: skip
        roles = playbook.structure.roles
        role = roles.get(seat.role) if seat.role else None
        if isinstance(event, Message):
            record.messages.append(Posted(group.id, member_id, day, batch.messages[-1].kind,
                                          event.text, staff=role is not None,
                                          carrier_event_id=event.event_id))  # fmt: skip
        member = MemberView(
            id=member_id, user_id=event.sender.user_id, display_name=event.sender.display_name,
            role=seat.role if role else None, level=seat.level, joined_at=seat.joined_at,
            permissions=frozenset(role.permissions) if role else _NO_PERMISSIONS,
            tags=seat.tags, has_posted=seat.has_posted, returning=returning,
        )  # fmt: skip
        ctx = Context(playbook=playbook, group=group, member=member, now=event.at,
                      state=self.state, reads=tx)  # fmt: skip
        started = time.perf_counter()
        # The staff channel is staff's own: only the gate (a blacklisted member is kept out)
        # runs there, no moderation, ceremony or mechanism (alerts.staff_group_as_members). A
        # rename is no activity: moderation reads the new name (an ad, a staff title), nothing
        # after it answers (no welcome again).
        staff = is_staff_channel(playbook, group.name, group.carrier_group_id)
        through = Stage.GATE if staff else Stage.MODERATION if isinstance(event, Rename) else None
        decision = runtime.registry.decide(event, ctx, through=through)
        decided_in = time.perf_counter() - started
        done: list[Action] = []
        if decision.actions and isinstance(event, Edit):
            # what is done about an edit is done about the member's message edited: its strike
            # names that message's event (a pardon teaches the scorer its text, kept as edited;
            # an edit of it again costs no strike after a restart either)
            event_id = tx.event_id_of(group.id, event.target, member_id) or event_id
        if decision.actions:
            step = Step(
                tx=tx, playbook=playbook, registry=runtime.registry, group=group,
                writes=batch, now=event.at, appliers=APPLIERS, event=event, event_id=event_id,
                member_id=member_id, memory=self, record=record, day=day, clock=self.clock.now,
                effects=EffectContext(playbook=playbook, group=group, member=member,
                                      now=event.at, event_id=event_id, memory=self),
            )  # fmt: skip
            done = step.apply(decision.actions, event.key)
        if isinstance(event, Message) and (group.id, event.event_id) not in record.deleted:
            seat.has_posted = True  # a post deleted as it came is not speaking
        return Processed(event, False, tuple(done), decision.handlers, decided_in=decided_in)

    # --- what applied actions change in memory (`appliers.Memory`) -----------------------------

    def struck(self, community_id: int, member_id: int, expires: datetime | None,
               now: datetime) -> None:  # fmt: skip
        """A strike was written."""
        self.state.add_strike(community_id, member_id, expires, now)

    def strikes_changed(self, community_id: int, member_id: int) -> None:
        """An effect gave or took back a strike of the member (staff's /warn, /pardon)."""
        self.state.strikes_changed(community_id, member_id)

    def blacklisted(self, community_id: int, member_id: int) -> None:
        """The member is refused in the community."""
        self.state.blacklist(community_id, member_id)

    def muted(self, community_id: int, group_id: int, member_id: int, until: datetime) -> None:
        """The member is muted in the group until `until`."""
        self.state.mute(community_id, group_id, member_id, until)

    def removed(self, community_id: int, group_id: int, member_id: int, at: datetime,
                until: datetime | None = None) -> None:  # fmt: skip
        """The member was banned (or kicked: held back `until`) from the group at `at`."""
        self.state.remove(community_id, group_id, member_id, at, until)

    def tagged(self, member_id: int, tag: str) -> None:
        """Tags belong to the member, not the group: every cached seat of theirs learns it
        (rare: a tag is set once, so the scan costs nothing that matters)."""
        for (_, seated), seat in self._seats.items():
            if seated == member_id:
                seat.tags = seat.tags | {tag}

    def member(self, tx: Store, carrier: str, user_id: str) -> int | None:
        """The member known on `carrier` as `user_id`, cached (None if unknown)."""
        key = (carrier, user_id)
        if key not in self._members:
            found = tx.find_member(carrier, user_id)
            if found is None:
                return None
            self._members[key] = found.id
        return self._members[key]

    def communities(self) -> Iterable[int]:
        """Every community this executor serves."""
        return list(self.runtimes)

    # --- lookups (cached, resolved per batch) --------------------------------------------------

    def _resolve_groups(self, tx: Store, events: Sequence[Event]) -> list[GroupView | None]:
        missing = {(e.carrier, e.group) for e in events} - self._groups.keys()
        if missing:
            found = tx.group_ids(missing)
            groups = {key: tx.get_group(found[key]) for key in sorted(missing) if key in found}
            if self.adopt_groups_into is not None:  # the unknown ones, in one statement
                new = [key for key in sorted(missing) if groups.get(key) is None]
                adopted = tx.adopt_groups(self.adopt_groups_into, new)
                groups.update(zip(new, adopted, strict=True))
            for key in sorted(missing):
                group = groups.get(key)
                self._groups[key] = self._view(group) if group is not None else None
        return [self._groups[(e.carrier, e.group)] for e in events]

    def _view(self, group: Group) -> GroupView | None:
        runtime = self.runtimes.get(group.community_id)
        if runtime is None:
            return None
        return group_view(group, runtime.slug)

    def _resolve_members(self, tx: Store, events: Sequence[Event]) -> list[int]:
        known = self._members
        keys = [(e.carrier, e.sender.user_id) for e in events]  # each built once
        missing = {
            key: e.sender.display_name for key, e in zip(keys, events, strict=True)
            if key not in known
        }  # fmt: skip
        if missing:
            created: set[tuple[str, str]] = set()
            known.update(tx.member_ids(missing, created))
            for key in created:  # named as their carrier says: nothing to follow yet
                if missing[key]:
                    self._names[key] = missing[key]
        return [known[key] for key in keys]

    def _follow_names(self, tx: Store, events: Sequence[Event], members: Sequence[int]) -> None:
        """Members' stored names follow the names their carriers give on the batch's new
        events (a rename in Telegram, a group card changed on QQ, a Matrix display name; a
        carrier that reports the rename itself sends a `Rename`, followed here alone): the
        store is asked only about a sender whose carrier now says another name than on the
        last event followed (once per sender after the caches start afresh), and writes only
        a name that changed. An event without a name keeps the known one."""
        names = self._names
        renamed: dict[int, str] = {}
        for event, member_id in zip(events, members, strict=True):
            said = event.sender.display_name
            if said:
                key = (event.carrier, event.sender.user_id)
                if names.get(key) != said:
                    names[key] = said
                    renamed[member_id] = said  # the batch's last name of theirs stands
        if renamed:
            tx.follow_names(renamed)

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
        self._read_seats(tx, unseen)

    @staticmethod
    def _returning(tx: Store, batch: Batch, joins: list[tuple[GroupView, int]]) -> None:
        """Learn, in one query per community, which of the members joining in the batch
        were in the community before (left or were removed): welcomed back, not anew."""
        by_community: dict[int, set[int]] = {}
        for group, member_id in joins:
            by_community.setdefault(group.community_id, set()).add(member_id)
        for community_id, member_ids in sorted(by_community.items()):
            batch.returning.update(
                (community_id, m) for m in tx.left_community_among(community_id, member_ids)
            )

    def _lock_ahead(self, tx: Store, pairs: list[tuple[Event, GroupView, int]]) -> None:
        """Before any event is decided, let the capabilities lock the rows the batch's
        events will lock until the commit (check-ins: each community day's counter), by
        community, then as each capability sorts them: one order on every worker, so two
        batches checking in members of the same communities in opposite orders wait for each
        other instead of deadlocking. The staff channel decides nothing that locks them."""
        by_community: dict[int, list[tuple[Event, Playbook, int, int]]] = {}
        for event, group, member_id in pairs:
            playbook = self.runtimes[group.community_id].playbook_for(group)
            if not is_staff_channel(playbook, group.name, group.carrier_group_id):
                by_community.setdefault(group.community_id, []).append(
                    (event, playbook, member_id, group.id)
                )
        for community_id, events in sorted(by_community.items(), key=lambda item: item[0]):
            self.runtimes[community_id].registry.lock_ahead(tx, community_id, events)

    def _seat(self, tx: Store, group_id: int, member_id: int) -> _Seat:
        seat = self._seats.get((group_id, member_id))
        if seat is None:
            self._read_seats(tx, {(group_id, member_id)})
            seat = self._seats[(group_id, member_id)]
        return seat

    def _read_seats(self, tx: Store, pairs: set[tuple[int, int]]) -> None:
        """Read the members' seats in the groups (stay and role, tags, whether they posted
        there) in two queries, however many there are."""
        seats = tx.seats(pairs)
        tags = tx.tags_of({m for _, m in pairs})
        now = self.clock.now()
        for group_id, member_id in pairs:
            seat = seats.get((group_id, member_id))
            member_tags = frozenset(tags[member_id]) if member_id in tags else _NO_TAGS
            if seat is None:
                self._seats[(group_id, member_id)] = _Seat(None, None, None, member_tags,
                                                           loaded_at=now)  # fmt: skip
            else:
                stay, has_posted = seat
                self._seats[(group_id, member_id)] = _Seat(
                    stay.role, stay.level, stay.joined_at, member_tags,
                    has_posted=has_posted, loaded_at=now,
                )  # fmt: skip
