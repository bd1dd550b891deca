"""After-batch observers: they read what a batch did and write their own rows, in its
transaction, once it has decided everything (the live rollups, the audit log)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from hearthkeeper.engine.actions import ActionKind
from hearthkeeper.engine.batch import BatchRecord
from hearthkeeper.store import NewAudit, Store
from hearthkeeper.store.rollups import RollupTally, is_question


class Observer(Protocol):
    """Something that reads a batch's record at its end."""

    def __call__(self, tx: Store, record: BatchRecord) -> None:
        """Write what `record` means to this observer, in `tx`."""
        ...


def tally_rollups(tx: Store, record: BatchRecord) -> None:
    """Bump the live rollups: messages (not those the bot deletes), joins, leaves, staff
    messages and strikes per day."""
    tally = RollupTally()
    for group_id, day in record.joins:
        tally.join(group_id, day)
    for group_id, day in record.leaves:
        tally.leave(group_id, day)
    for m in record.messages:
        if (m.group_id, m.carrier_event_id) in record.deleted:
            continue  # the bot deletes it: counted by nothing
        tally.message(m.group_id, m.member_id, m.day, m.kind, question=is_question(m.text),
                      staff=m.staff)  # fmt: skip
    for applied in record.applied:
        if applied.action.kind is ActionKind.STRIKE:
            tally.violation(applied.group.id, applied.day)
    tx.bump_rollups(tally)


_AUDITED = (ActionKind.STRIKE, ActionKind.BLACKLIST)


def log_audit(tx: Store, record: BatchRecord) -> None:
    """An audit entry for each violation, strike and blacklisting decided. A decision's
    reason is said once, on its first entry (the strike); its warning, deletion, mute or
    removal of the same message refers to it (`see the strike entry for this event`): the
    full reason on every entry buried the Audit page under copies of one explanation."""
    entries: list[NewAudit] = []
    said: dict[tuple[str, str], str] = {}  # (event, reason) -> the kind of entry saying it
    for applied in record.applied:
        action, sender = applied.action, applied.event.sender
        if not (action.violation or action.kind in _AUDITED):
            continue
        event, reason = applied.event.key, action.explained
        if reason and (event, reason) in said:
            reason = f"see the {said[event, reason]} entry for this event"
        elif reason:
            said[event, reason] = action.kind.value
        entries.append(NewAudit(
            action.handler or "engine",
            action.kind.value,
            applied.group.community_id,
            f"member {applied.member_id} ({sender.display_name or sender.user_id})",
            {"reason": reason, "violation": action.violation,
             "event": event, "group": applied.group.name},
            applied.at,
        ))  # fmt: skip
    tx.audit_bulk(entries)


OBSERVERS: Sequence[Observer] = (tally_rollups, log_audit)
