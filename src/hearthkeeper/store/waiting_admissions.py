"""Approved applicants waiting outside a full community, let in when there is room.

An approval's carrier action (an outbox ADMIT item, keyed `admission:approved:<id>`) that
found every group of the community full fails, and the carrier writes one open staff alert
under the item's key + `NO_ROOM` saying so (`carriers/webchat/perform.py`). When room
appears in that community (a group opened, a group's capacity changed, a web chat seat
freed), `requeue` puts those items back in the queue, due at once: the carrier seats them in
the order they were approved (the items' order), as many as there is room for, each credited
to the link they came by as their join would be; the others fail again, their alert already
written.

The store, not a watch, does it, in the transaction that made the room: a group opened by
`hearth groups open`, the console or a live code, or a capacity written by `hearth apply`
or the hourly watch, a member leaving or removed, wakes the waiting applicants whatever
process did it, and nothing is polled meanwhile.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from hearthkeeper.store.columns import utc
from hearthkeeper.store.inserts import table_of
from hearthkeeper.store.models import ApplicationRow, GroupRow, OutboxRow, StaffAlertRow
from hearthkeeper.store.records import ApplicationStatus, OutboxStatus
from hearthkeeper.store.scope import StoreBase

APPROVED = "admission:approved:"  # the outbox key of an approval's carrier action
NO_ROOM = ":no-room"  # the staff alert's key after the item's: no group had room

_OUTBOX = table_of(OutboxRow)


class SqlWaitingAdmissions(StoreBase):
    """`SqlWaitingAdmissions.on(store)`: approvals that found no room, and their retry."""

    def requeue(self, community_id: int, at: datetime | None = None) -> int:
        """Put the community's approvals that failed for want of room (their no-room alert
        still open) back in the queue, due at `at` (default now), a fresh set of tries; how
        many."""
        with self._unit(write=True) as session:
            return requeue_waiting(session, community_id, at or self._clock.now())

    def approved(self, community_id: int, carrier: str, user_id: str) -> bool:
        """Whether staff approved the person's application to the community (on `carrier`):
        a join page that finds no room tells them they are let in once there is."""
        a = ApplicationRow
        query = select(a.id).where(
            a.community_id == community_id, a.carrier == carrier, a.user_id == user_id,
            a.status == ApplicationStatus.APPROVED.value)  # fmt: skip
        with self._unit(write=False) as session:
            return session.scalar(query) is not None


def requeue_waiting(session: Session, community_id: int, at: datetime) -> int:
    """`SqlWaitingAdmissions.requeue` in `session` (the transaction that made the room)."""
    now = utc(at, "requeued at")
    waiting = (
        select(_OUTBOX.c.id)
        .join(GroupRow, GroupRow.id == _OUTBOX.c.group_id)
        .join(StaffAlertRow, StaffAlertRow.key == _OUTBOX.c.key + NO_ROOM)
        .where(
            GroupRow.community_id == community_id,
            _OUTBOX.c.status == OutboxStatus.FAILED.value,
            _OUTBOX.c.key.startswith(APPROVED, autoescape=True),
            StaffAlertRow.handled_at.is_(None),
        )
    )
    ids = sorted(session.scalars(waiting))
    if ids:
        again = {"status": OutboxStatus.PENDING.value, "attempts": 0, "next_attempt_at": now,
                 "done_at": None, "claimed_at": None, "claimed_by": None}  # fmt: skip
        failed = _OUTBOX.c.status == OutboxStatus.FAILED.value
        session.execute(update(_OUTBOX).where(_OUTBOX.c.id.in_(ids), failed).values(again))
    return len(ids)
