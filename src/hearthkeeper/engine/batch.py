"""The rows an executor batch writes, and the record of what it did.

`Batch` gathers rows in memory for the executor's bulk writes at the end of a batch;
`Direct` writes each row at once (scheduled work, one item per transaction). Both are the
`Writes` appliers put their rows through. `BatchRecord` is what the after-batch observers
read (`observers`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime

from hearthkeeper.engine.actions import Action
from hearthkeeper.engine.events import Event
from hearthkeeper.engine.handler import GroupView
from hearthkeeper.store import (
    MessageDeletion,
    MessageEdit,
    NewMessage,
    NewOutboxItem,
    NewReaction,
    NewStaffAlert,
    NewStrike,
    Store,
)


@dataclass(frozen=True, slots=True)
class Applied:
    """An action applied for an event, as the batch's observers read it."""

    action: Action
    group: GroupView
    member_id: int
    event: Event
    day: date  # the event's local day in the community
    at: datetime  # when it was applied


@dataclass(frozen=True, slots=True)
class Posted:
    """A message recorded for an event."""

    group_id: int
    member_id: int
    day: date
    kind: str
    text: str
    staff: bool
    carrier_event_id: str = ""


@dataclass
class BatchRecord:
    """What a batch did, read by the after-batch observers (rollups, audit log)."""

    joins: list[tuple[int, date]] = field(default_factory=list)  # (group id, local day)
    leaves: list[tuple[int, date]] = field(default_factory=list)
    messages: list[Posted] = field(default_factory=list)
    applied: list[Applied] = field(default_factory=list)
    # (group id, carrier event id) of the messages the bot deletes: not counted.
    deleted: set[tuple[int, str]] = field(default_factory=set)


@dataclass
class Batch:
    """`Writes` of an executor batch: rows gathered in memory, written in bulk at its end,
    and the record of what happened that the observers read then."""

    tx: Store
    clock: Callable[[], datetime]
    messages: list[NewMessage] = field(default_factory=list)
    reactions: list[NewReaction] = field(default_factory=list)
    outbox: dict[str, NewOutboxItem] = field(default_factory=dict)
    strikes: list[NewStrike] = field(default_factory=list)
    alerts: dict[str, NewStaffAlert] = field(default_factory=dict)  # the staff inbox, by key
    deletions: list[MessageDeletion] = field(default_factory=list)
    edits: list[MessageEdit] = field(default_factory=list)  # messages edited by their authors
    record: BatchRecord = field(default_factory=BatchRecord)
    # (community id, member id) of the members who were in the community before: read once
    # for the batch's joins, and added to as members leave in it (returning if they rejoin)
    returning: set[tuple[int, int]] = field(default_factory=set)
    freed: set[int] = field(default_factory=set)  # communities a member left: a seat is free
    settled: int = 0  # how many of `messages` are written already (`settle_messages`)

    def enqueue(self, key: str, action: Action, event_id: int | None,
                group_id: int | None) -> None:  # fmt: skip
        if key in self.outbox:
            return
        self.outbox[key] = NewOutboxItem(
            key, action.carrier, action.to_json(), action.priority, event_id=event_id,
            group_id=group_id, at=action.not_before or self.clock(),
        )  # fmt: skip

    def alert(self, key: str, entry: Callable[[], NewStaffAlert]) -> None:
        if key not in self.alerts:
            self.alerts[key] = entry()

    def cancel(self, target: str) -> None:
        self.outbox.pop(target, None)
        self.tx.cancel_pending(target, self.clock())

    def strike(self, strike: NewStrike) -> None:
        self.strikes.append(strike)

    def settle_strikes(self) -> None:
        if self.strikes:
            self.tx.add_strikes_bulk(self.strikes)
            self.strikes.clear()

    def settle_messages(self) -> None:
        # written now and kept in `messages`: the end of the batch writes them again, which
        # skips what is stored, and still knows them as its own (not tallied yet)
        if len(self.messages) > self.settled:
            self.tx.store_messages(self.messages[self.settled :])
            self.settled = len(self.messages)

    def delete(self, deletion: MessageDeletion) -> None:
        self.deletions.append(deletion)
        self.record.deleted.add((deletion.group_id, deletion.carrier_event_id))


@dataclass
class Direct:
    """`Writes` of scheduled work: each row written at once, at `now`."""

    tx: Store
    now: datetime

    def enqueue(self, key: str, action: Action, event_id: int | None,
                group_id: int | None) -> None:  # fmt: skip
        self.tx.enqueue(key, action.carrier, action.to_json(), action.priority,
                        event_id=event_id, group_id=group_id,
                        at=action.not_before or self.now)  # fmt: skip

    def alert(self, key: str, entry: Callable[[], NewStaffAlert]) -> None:
        self.tx.add_staff_alerts([entry()])

    def cancel(self, target: str) -> None:
        self.tx.cancel_pending(target, self.now)

    def strike(self, strike: NewStrike) -> None:
        self.tx.add_strikes_bulk([strike])

    def settle_strikes(self) -> None:
        pass  # written at once

    def settle_messages(self) -> None:
        pass  # scheduled work records no messages

    def delete(self, deletion: MessageDeletion) -> None:
        self.tx.delete_messages([deletion])
