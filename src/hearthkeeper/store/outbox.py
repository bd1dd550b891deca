"""The outbox: actions decided in the same transaction as their event, performed once.

An item goes pending → sending (claimed by a worker) → done, or back to pending to be
retried later, or to failed for good. A worker that dies between claiming and marking
leaves its items "sending"; after `stale_after` another worker claims them again. So an
action is performed twice only if a worker dies after the carrier accepted it and before
`mark_done` was recorded (or if it takes longer than `stale_after`); carriers that take an
idempotency key (the item's `key`) close even that window.

Several workers on one PostgreSQL database (`Store.worker` set, see `store/cluster.py`):
claims select `FOR UPDATE SKIP LOCKED`, so two workers never take the same item, and each
claim records its worker in `claimed_by`. A worker's claims are its own while it lives,
however long it takes; once its presence lock is gone (the process died, its session
ended) the next `claim` of any worker takes them at once, counted as a lost attempt. Items
claimed with no worker (a process on its own, or SQLite) keep the `stale_after` rule. A
worker claims nothing while its own presence is lost: its claims would be free to the others
at once.

A claim taken over is no longer the first claimant's: `mark_done`, `mark_failed` and
`release` given the item as it was claimed (not only its id) change it only while that claim
holds (still "sending", by the same worker, at the same claim time and attempt), and `holds`
tells a worker, just before it performs an item, whether the item is still its own: a worker
whose presence lock was lost (its connection broke, the server restarted) or whose claim
with no worker went stale leaves the item to whoever takes it.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Integer,
    Row,
    and_,
    bindparam,
    case,
    func,
    literal,
    or_,
    select,
    update,
)
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from hearthkeeper.store.claims import claim_due
from hearthkeeper.store.cluster import live_workers
from hearthkeeper.store.columns import UTCDateTime, require_aware, utc
from hearthkeeper.store.errors import StoreError
from hearthkeeper.store.inserts import insert_many, insert_one, table_of
from hearthkeeper.store.models import KEY, OUTBOX_KEY, OutboxRow
from hearthkeeper.store.records import IMPORTED, Done, NewOutboxItem, OutboxItem, OutboxStatus
from hearthkeeper.store.scope import StoreBase

# Core statements on the table, never ORM objects: a claim or mark made earlier in the
# same transaction can then never be hidden by a stale object in the session.
OUTBOX = table_of(OutboxRow)
_PENDING, _SENDING = OutboxStatus.PENDING.value, OutboxStatus.SENDING.value
# Not yet done: what marking done changes. Not IN (…): an expanding list cannot run as one
# statement over many rows (`mark_done_many`).
_UNDONE = or_(*(OUTBOX.c.status == s for s in (_PENDING, _SENDING, OutboxStatus.FAILED.value)))
_MARK_DONE = (
    update(OUTBOX)
    .where(OUTBOX.c.id == bindparam("item"), _UNDONE)
    .values(status=OutboxStatus.DONE.value, receipt=bindparam("receipt"), done_at=bindparam("at"))
)
_MARK_CLAIMED = (
    update(OUTBOX)
    .where(
        OUTBOX.c.id == bindparam("item"),
        OUTBOX.c.status == _SENDING,
        OUTBOX.c.claimed_by.is_not_distinct_from(bindparam("by", type_=Integer)),
        OUTBOX.c.claimed_at == bindparam("claim_at", type_=UTCDateTime),
        OUTBOX.c.attempts == bindparam("tries"),
    )
    .values(status=OutboxStatus.DONE.value, receipt=bindparam("receipt"), done_at=bindparam("at"))
)
_TO_PERFORM = (_PENDING, _SENDING)
# A claim with no worker is the claimant's for this long; then any process may take it.
STALE_AFTER = timedelta(minutes=5)


class OutboxQueries(StoreBase):
    def enqueue(
        self,
        key: str,
        carrier: str,
        action: Mapping[str, Any],
        priority: int,
        *,
        event_id: int | None = None,
        group_id: int | None = None,
        at: datetime | None = None,
        status: OutboxStatus | str = OutboxStatus.PENDING,
    ) -> tuple[int, bool]:
        """Queue an action to perform at `at` (default now) under the idempotency `key`:
        (its id, True), or (the id already queued under `key`, False) and nothing changes.
        A dry run records what it did not perform with status "skipped"."""
        item = NewOutboxItem(key, carrier, action, priority, event_id, group_id, at, status)
        with self._unit(write=True) as session:
            try:
                return insert_one(session, OutboxRow, ("key",), self._values(item))
            except IntegrityError as exc:
                raise StoreError(
                    f"cannot queue {key!r}: event {event_id} or group {group_id} does not exist"
                ) from exc

    def enqueue_bulk(self, rows: Sequence[NewOutboxItem]) -> list[tuple[int, bool]]:
        """`enqueue` for many actions in one statement: (id, created) for each, in order."""
        return self._enqueue_many(rows, None)[0]

    def enqueue_claiming(self, rows: Sequence[NewOutboxItem], now: datetime) -> list[OutboxItem]:
        """`enqueue_bulk`, and claim at once, as `claim` would, the rows this call creates
        that are pending and due by `now`: they are returned ("sending", in priority order)
        for the caller to perform straight after its commit. Rows already queued under their
        key, rows due later and skipped (dry-run) rows are left for `claim`. If the caller
        dies before performing them, `recover` (or `claim`, once they are stale) hands them
        out again, as for any claim."""
        return self._enqueue_many(rows, require_aware(now, "now"))[1]

    def _enqueue_many(self, rows: Sequence[NewOutboxItem],
                      claim_at: datetime | None) -> tuple[list[tuple[int, bool]], list[OutboxItem]]:  # fmt: skip
        values = [self._values(row) for row in rows]
        if claim_at is not None:
            for value in values:
                if value["status"] == _PENDING and value["next_attempt_at"] <= claim_at:
                    value |= {"status": _SENDING, "claimed_at": claim_at,
                              "claimed_by": self.worker}  # fmt: skip
        with self._unit(write=True) as session:
            try:
                outcome = insert_many(session, OutboxRow, ("key",), values)
            except IntegrityError as exc:
                raise StoreError(
                    f"cannot queue {len(rows)} actions: an event or group among them does not exist"
                ) from exc
        claimed = [
            _new_item(item_id, value)
            for (item_id, created), value in zip(outcome, values, strict=True)
            if created and value["status"] == _SENDING
        ]
        return outcome, sorted(claimed, key=lambda item: (item.priority, item.id))

    def claim(
        self,
        limit: int,
        now: datetime,
        *,
        carrier: str | None = None,
        carriers: Collection[str] | None = None,
        stale_after: timedelta = STALE_AFTER,
    ) -> list[OutboxItem]:
        """Take up to `limit` items (of `carrier`, or of `carriers`: those this process can
        perform, and those of groups an import registered, which no process performs but
        any ends: `outbound.py`) to perform, most urgent (lowest priority) first: those
        pending and due, and those a worker claimed and never marked because it is gone
        (counted as a lost attempt). They become "sending", claimed by `self.worker`; no
        other worker gets them while it lives.

        A worker is gone when its claim is more than `stale_after` old, or, on PostgreSQL
        for claims made by a worker of a cluster, at once when its presence lock is gone."""
        require_aware(now, "now")
        if limit < 1:
            return []
        worker = self.worker
        values = {
            "status": _SENDING,
            "claimed_at": now,
            "claimed_by": worker,
            # An action that kills its worker every time must still run out of tries.
            "attempts": case(
                (OUTBOX.c.status == _SENDING, OUTBOX.c.attempts + 1), else_=OUTBOX.c.attempts
            ),
        }
        with self._unit(write=True) as session:
            postgres = session.get_bind().dialect.name == "postgresql"
            due = _claimable(now, stale_after, postgres=postgres, worker=worker)
            if carrier is not None:
                due = and_(due, OUTBOX.c.carrier == carrier)
            if carriers is not None:
                due = and_(
                    due,
                    or_(
                        OUTBOX.c.carrier.in_(sorted(carriers)),
                        OUTBOX.c.carrier.startswith(IMPORTED, autoescape=True),
                    ),
                )
            rows = claim_due(session, OUTBOX, due, (OUTBOX.c.priority, OUTBOX.c.id), limit, values)
            items = [_item(row) for row in rows]
        return sorted(items, key=lambda item: (item.priority, item.id))

    def release_orphans(self, now: datetime) -> int:
        """Hand the items claimed by workers that are gone (PostgreSQL: their presence lock
        is free) back to pending, due at `now`, each counted as a lost attempt; how many.
        Items claimed by live workers, or with no worker, are left alone. SQLite: 0."""
        require_aware(now, "now")
        with self._unit(write=True) as session:
            if session.get_bind().dialect.name != "postgresql":
                return 0
            values = {"status": _PENDING, "claimed_at": None, "claimed_by": None,
                      "next_attempt_at": now, "attempts": OUTBOX.c.attempts + 1}  # fmt: skip
            released = session.connection().execute(
                update(OUTBOX).where(_orphaned()).values(values)
            )
            return int(released.rowcount)

    def outbox_statuses(self, keys: Sequence[str]) -> dict[str, str]:
        """The status of each queued action among `keys` (keys never queued are left out)."""
        found: dict[str, str] = {}
        with self._unit(write=False) as session:
            for start in range(0, len(keys), 500):
                chunk = list(keys[start : start + 500])
                query = select(OUTBOX.c.key, OUTBOX.c.status).where(OUTBOX.c.key.in_(chunk))
                found.update({key: status for key, status in session.connection().execute(query)})
        return found

    def release(self, item: int | OutboxItem, at: datetime) -> OutboxItem:
        """Hand a claimed item back, to be claimed again from `at` (a carrier's rate limit
        says not yet); unlike a failure, this is not counted as an attempt. Given the item
        as claimed, only while that claim holds."""
        values = {"status": _PENDING, "claimed_at": None, "claimed_by": None,
                  "next_attempt_at": utc(at, "at")}  # fmt: skip
        item_id, condition = _target(item, OUTBOX.c.status == _SENDING)
        with self._unit(write=True) as session:
            return _update_or_current(session, item_id, condition, values)

    def hasten(self, items: Collection[int], at: datetime) -> int:
        """Make the pending `items` due at `at` if they were due later (held back for their
        group's slow action, which is done: `engine/aside.py`); how many. Items claimed,
        done or already due by then are left as they are; not counted as an attempt."""
        return self._make_due(items, at, sooner_only=True)

    def reschedule(self, items: Collection[int], at: datetime) -> int:
        """Make the pending `items` due at `at`, sooner or later than they were (held back
        behind their group's action a rate limit answered, which is due then, `engine/aside.py`:
        a process killed meanwhile leaves them due with it, not before); how many. Items
        claimed or done are left as they are; not counted as an attempt."""
        return self._make_due(items, at, sooner_only=False)

    def _make_due(self, items: Collection[int], at: datetime, *, sooner_only: bool) -> int:
        """`hasten` (`sooner_only`) or `reschedule`: the pending `items` due at `at`, 500 ids
        a statement; how many moved."""
        if not items:
            return 0
        at = utc(at, "at")
        moved = 0
        with self._unit(write=True) as session:
            ids = sorted(set(items))
            for start in range(0, len(ids), 500):
                chunk = ids[start : start + 500]
                pending = and_(OUTBOX.c.id.in_(chunk), OUTBOX.c.status == _PENDING)
                if sooner_only:
                    pending = and_(pending, OUTBOX.c.next_attempt_at > at)
                done = session.connection().execute(
                    update(OUTBOX).where(pending).values(next_attempt_at=at)
                )
                moved += int(done.rowcount)
        return moved

    def holds(self, item: OutboxItem, now: datetime, *,
              stale_after: timedelta = STALE_AFTER) -> bool:  # fmt: skip
        """Whether `item`, as claimed, is still its claimant's to perform now: the claim was
        not taken over, and no other process may take it (its worker's presence lock is held;
        a claim with no worker is not yet `stale_after` old). Asked just before performing
        an action a carrier would perform twice."""
        require_aware(now, "now")
        held = and_(OUTBOX.c.id == item.id, _claimed_as(item))
        with self._unit(write=False) as session:
            if item.claimed_by is None:
                held = and_(held, OUTBOX.c.claimed_at > now - stale_after)
            elif session.get_bind().dialect.name == "postgresql":
                held = and_(held, literal(item.claimed_by).in_(live_workers()))
            return session.connection().scalar(select(OUTBOX.c.id).where(held)) is not None

    def cancel_pending(self, key: str, now: datetime) -> bool:
        """Call off the pending action queued under `key` (a reminder no longer needed);
        False if there is none, or it is already being performed or done."""
        with self._unit(write=True) as session:
            cancelled = session.connection().execute(
                update(OUTBOX)
                .where(OUTBOX.c.key == key, OUTBOX.c.status == _PENDING)
                .values(status=OutboxStatus.CANCELLED.value, done_at=utc(now, "now"))
            )
            return cancelled.rowcount > 0

    def mark_done(self, item: int | OutboxItem, receipt: str | None, now: datetime) -> OutboxItem:
        """Record that the carrier performed the item; `receipt` is its id for what it made.
        An item already done, skipped or cancelled is left as it is; given the item as
        claimed, so is one whose claim was taken over."""
        require_aware(now, "now")
        values = {"status": OutboxStatus.DONE.value, "receipt": _cut(receipt), "done_at": now}
        item_id, condition = _target(item, _UNDONE)
        with self._unit(write=True) as session:
            return _update_or_current(session, item_id, condition, values)

    def mark_done_many(self, marks: Sequence[Done]) -> None:
        """`mark_done` for each of `marks`, in one statement run over them (one round trip
        on PostgreSQL); ids of no item are passed over, as are marks whose `claim` was taken
        over."""
        if not marks:
            return
        rows = [
            {
                "item": mark.item_id,
                "receipt": _cut(mark.receipt),
                "at": require_aware(mark.at, "now"),
            }
            for mark in marks
            if mark.claim is None
        ]
        claimed = [
            {
                "item": mark.item_id,
                "receipt": _cut(mark.receipt),
                "at": require_aware(mark.at, "now"),
                "by": mark.claim.claimed_by,
                "claim_at": mark.claim.claimed_at,
                "tries": mark.claim.attempts,
            }
            for mark in marks
            if mark.claim is not None
        ]
        with self._unit(write=True) as session:
            if rows:
                session.connection().execute(_MARK_DONE, rows)
            if claimed:
                session.connection().execute(_MARK_CLAIMED, claimed)

    def mark_failed(
        self, item: int | OutboxItem, error: str, now: datetime, retry_at: datetime | None
    ) -> OutboxItem:
        """Record a failed attempt: the item is pending again from `retry_at`, or, with no
        `retry_at`, failed for good. Only a pending or sending item changes; given the item
        as claimed, only while that claim holds."""
        require_aware(now, "now")
        values: dict[str, Any] = {
            "attempts": OUTBOX.c.attempts + 1,
            "last_error": error,
            "claimed_at": None,
            "claimed_by": None,
        }
        if retry_at is None:
            values |= {"status": OutboxStatus.FAILED.value, "done_at": now}
        else:
            values |= {"status": _PENDING, "next_attempt_at": require_aware(retry_at, "retry_at")}
        item_id, condition = _target(item, OUTBOX.c.status.in_(_TO_PERFORM))
        with self._unit(write=True) as session:
            return _update_or_current(session, item_id, condition, values)

    def mark_rate_limited(self, item: OutboxItem, error: str, now: datetime,
                          retry_at: datetime) -> OutboxItem:  # fmt: skip
        """Record that the platform's rate limit answered (`error`): the item is pending again
        from `retry_at`, the time it asked for, counted in `rate_waits`, not as an attempt.
        Only while the claim `item` holds."""
        require_aware(now, "now")
        values: dict[str, Any] = {
            "rate_waits": OUTBOX.c.rate_waits + 1, "last_error": error, "claimed_at": None,
            "claimed_by": None, "status": _PENDING,
            "next_attempt_at": require_aware(retry_at, "retry_at"),
        }  # fmt: skip
        item_id, condition = _target(item, OUTBOX.c.status.in_(_TO_PERFORM))
        with self._unit(write=True) as session:
            return _update_or_current(session, item_id, condition, values)

    def mark_skipped(self, item: int | OutboxItem, reason: str, now: datetime) -> OutboxItem:
        """End the item without performing it, for good (no carrier will ever serve its
        group): skipped, `reason` kept as its last error. Only a pending or sending item
        changes; given the item as claimed, only while that claim holds."""
        values: dict[str, Any] = {
            "status": OutboxStatus.SKIPPED.value, "last_error": reason,
            "done_at": require_aware(now, "now"), "claimed_at": None, "claimed_by": None,
        }  # fmt: skip
        item_id, condition = _target(item, OUTBOX.c.status.in_(_TO_PERFORM))
        with self._unit(write=True) as session:
            return _update_or_current(session, item_id, condition, values)

    def outbox_progress(self, key: str) -> list[str]:
        """What the carrier recorded having performed of the item `key` so far (`record_
        progress`), in order; [] when nothing was, or there is no such item."""
        with self._unit(write=False) as session:
            found = session.scalar(select(OUTBOX.c.progress).where(OUTBOX.c.key == key))
        return [str(part) for part in found] if isinstance(found, list) else []

    def record_progress(self, key: str, performed: Sequence[str]) -> bool:
        """Remember what the carrier performed of the item `key` so far (a long text's parts
        sent: their message ids, in order), across a restart, while the item is still to
        perform; False when there is no such item or it was done, failed or cancelled."""
        with self._unit(write=True) as session:
            changed = session.connection().execute(
                update(OUTBOX)
                .where(OUTBOX.c.key == key, OUTBOX.c.status.in_(_TO_PERFORM))
                .values(progress=[str(part) for part in performed])
            )
            return changed.rowcount > 0

    def outbox_waited_behind(self, carriers: Collection[str] | None = None) -> list[OutboxItem]:
        """The pending items their group's later actions wait behind (`engine/aside.py`): each
        answered by a platform's rate limit before (`rate_waits`), or with part of it performed
        (`progress`: a long text's first parts, a post's file); of `carriers` only, if given;
        in the order they are claimed. What a process that died knew of its groups' holds,
        read back by the next (`engine/outbound.py`)."""
        waits = and_(OUTBOX.c.status == _PENDING,
                     or_(OUTBOX.c.rate_waits > 0, OUTBOX.c.progress.is_not(None)))  # fmt: skip
        if carriers is not None:
            waits = and_(waits, OUTBOX.c.carrier.in_(sorted(carriers)))
        query = select(OUTBOX).where(waits).order_by(OUTBOX.c.priority, OUTBOX.c.id)
        with self._unit(write=False) as session:
            rows = session.connection().execute(query).all()
        return [_item(row) for row in rows if row.rate_waits > 0 or row.progress]

    def outbox_item(self, item_id: int) -> OutboxItem | None:
        """The outbox item with this id, if there is one."""
        with self._unit(write=False) as session:
            return _find(session, item_id)

    def outbox_items(
        self, status: OutboxStatus | str | None = None, limit: int = 100
    ) -> list[OutboxItem]:
        """Items in the order they were queued, all or those with `status`, at most `limit`."""
        query = select(OUTBOX)
        if status is not None:
            query = query.where(OUTBOX.c.status == _status(status).value)
        query = query.order_by(OUTBOX.c.id).limit(limit)
        with self._unit(write=False) as session:
            return [_item(row) for row in session.connection().execute(query)]

    def outbox_after(self, item_id: int, prefix: str) -> list[OutboxItem]:
        """Items queued after the item `item_id` whose keys start with `prefix`, in order."""
        query = (select(OUTBOX).where(OUTBOX.c.id > item_id,
                                      OUTBOX.c.key.startswith(prefix, autoescape=True))
                 .order_by(OUTBOX.c.id))  # fmt: skip
        with self._unit(write=False) as session:
            return [_item(row) for row in session.connection().execute(query)]

    def last_outbox_id(self) -> int:
        """The id of the item queued last (0: none yet)."""
        with self._unit(write=False) as session:
            return int(session.connection().scalar(select(func.max(OUTBOX.c.id))) or 0)

    def outbox_counts(self) -> dict[str, int]:
        """How many items have each status (every status, zero included)."""
        counts = dict.fromkeys((s.value for s in OutboxStatus), 0)
        query = select(OUTBOX.c.status, func.count()).group_by(OUTBOX.c.status)
        with self._unit(write=False) as session:
            for status, count in session.connection().execute(query):
                counts[status] = int(count)
        return counts

    def pending_outbox_count(self) -> int:
        """Items still to perform: pending, or claimed by a worker and not yet marked."""
        query = select(func.count()).where(OUTBOX.c.status.in_(_TO_PERFORM))
        with self._unit(write=False) as session:
            return int(session.connection().scalar(query) or 0)

    def _values(self, item: NewOutboxItem) -> dict[str, Any]:
        if not item.key or len(item.key) > OUTBOX_KEY:
            raise ValueError(f"an outbox key is 1 to {OUTBOX_KEY} characters: {item.key!r}")
        status = _status(item.status)
        if status not in (OutboxStatus.PENDING, OutboxStatus.SKIPPED):
            raise ValueError(f"an action is queued pending or skipped, not {status.value}")
        now = self._clock.now()
        return {
            "key": item.key,
            "carrier": item.carrier,
            "event_id": item.event_id,
            "group_id": item.group_id,
            "priority": item.priority,
            "action": dict(item.action),
            "status": status.value,
            "attempts": 0,
            "rate_waits": 0,
            "next_attempt_at": now if item.at is None else require_aware(item.at, "at"),
            "created_at": now,
            "claimed_at": None,
            "claimed_by": None,
            "done_at": now if status is OutboxStatus.SKIPPED else None,
        }


def _claimable(now: datetime, stale_after: timedelta, *, postgres: bool,
               worker: int | None) -> ColumnElement[bool]:  # fmt: skip
    """The items `claim` may take."""
    pending = and_(OUTBOX.c.status == _PENDING, OUTBOX.c.next_attempt_at <= now)
    stale = and_(OUTBOX.c.status == _SENDING, OUTBOX.c.claimed_at <= now - stale_after)
    if not postgres:
        return or_(pending, stale)
    due = or_(pending, and_(stale, OUTBOX.c.claimed_by.is_(None)), _orphaned())
    if worker is not None:
        # Claims made under a worker id whose lock is gone would be taken by the others at
        # once while this process performs them: claim nothing until it is back.
        due = and_(due, literal(worker).in_(live_workers()))
    return due


def _claimed_as(item: OutboxItem) -> ColumnElement[bool]:
    """The row is still the claim `item` was: a claim taken over (by another worker, or
    stale and taken again) changes its worker, its claim time or its attempts."""
    return and_(
        OUTBOX.c.status == _SENDING,
        OUTBOX.c.claimed_by.is_not_distinct_from(literal(item.claimed_by, Integer)),
        OUTBOX.c.claimed_at.is_not_distinct_from(literal(item.claimed_at, UTCDateTime)),
        OUTBOX.c.attempts == item.attempts,
    )


def _target(item: int | OutboxItem, otherwise: ColumnElement[bool]) -> tuple[int, ColumnElement[bool]]:  # fmt: skip
    """The id a mark changes, and when: an id alone under `otherwise`; an item as claimed
    only while that claim holds."""
    if isinstance(item, int):
        return item, otherwise
    return item.id, _claimed_as(item)


def _orphaned() -> ColumnElement[bool]:
    """Items claimed by a worker that is gone (PostgreSQL only)."""
    return and_(
        OUTBOX.c.status == _SENDING,
        OUTBOX.c.claimed_by.is_not(None),
        OUTBOX.c.claimed_by.not_in(live_workers()),
    )


def _cut(receipt: str | None) -> str | None:
    """A receipt as stored: a cut receipt beats performing the action again."""
    return None if receipt is None else receipt[:KEY]


def _update_or_current(
    session: Session, item_id: int, condition: Any, values: Mapping[str, Any]
) -> OutboxItem:
    """Apply `values` to the item if it meets `condition`; the item as it is now."""
    connection = session.connection()
    changed = connection.execute(
        update(OUTBOX)
        .where(OUTBOX.c.id == item_id, condition)
        .values(dict(values))
        .returning(*OUTBOX.c)
    ).first()
    if changed is not None:
        return _item(changed)
    current = _find(session, item_id)
    if current is None:
        raise StoreError(f"there is no outbox item with id {item_id}")
    return current


def _find(session: Session, item_id: int) -> OutboxItem | None:
    row = session.connection().execute(select(OUTBOX).where(OUTBOX.c.id == item_id)).first()
    return None if row is None else _item(row)


def _status(status: OutboxStatus | str) -> OutboxStatus:
    try:
        return OutboxStatus(status)
    except ValueError:
        known = ", ".join(s.value for s in OutboxStatus)
        raise ValueError(f"unknown outbox status {status!r}; the statuses are {known}") from None


def _new_item(item_id: int, values: Mapping[str, Any]) -> OutboxItem:
    """The item just inserted with `values` under `item_id`, as `claim` would return it."""
    return OutboxItem(
        id=item_id, key=values["key"], carrier=values["carrier"], event_id=values["event_id"],
        group_id=values["group_id"], priority=values["priority"], action=dict(values["action"]),
        status=OutboxStatus(values["status"]), attempts=values["attempts"],
        next_attempt_at=values["next_attempt_at"], created_at=values["created_at"],
        claimed_at=values["claimed_at"], done_at=values["done_at"], receipt=None,
        last_error=None, claimed_by=values["claimed_by"], rate_waits=values["rate_waits"],
    )  # fmt: skip


def _item(row: Row[Any]) -> OutboxItem:
    return OutboxItem(
        id=row.id,
        key=row.key,
        carrier=row.carrier,
        event_id=row.event_id,
        group_id=row.group_id,
        priority=row.priority,
        action=dict(row.action),
        status=OutboxStatus(row.status),
        attempts=row.attempts,
        next_attempt_at=row.next_attempt_at,
        created_at=row.created_at,
        claimed_at=row.claimed_at,
        done_at=row.done_at,
        receipt=row.receipt,
        last_error=row.last_error,
        claimed_by=row.claimed_by,
        rate_waits=row.rate_waits,
    )
