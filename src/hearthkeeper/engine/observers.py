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
    reason (one message's explanation) is said once, on its first strike entry, or on its
    first entry when it gives no strike (a newcomer's link deleted); its other entries (the
    warning, deletion, mute or removal of the same message, a second strike of a violation
    worth two) point to that one (`see the strike entry for this event`, `see the first
    strike entry for this event`): the full reason on every entry buried the Audit page
    under copies of one explanation."""
    audited = [a for a in record.applied if a.action.violation or a.action.kind in _AUDITED]
    tellers: dict[tuple[str, str], int] = {}  # (event, reason) -> the entry that says it
    for n, applied in enumerate(audited):
        key = (applied.event.key, applied.action.explained)
        if not key[1]:
            continue
        first = tellers.get(key)
        if first is None or (applied.action.kind is ActionKind.STRIKE
                             and audited[first].action.kind is not ActionKind.STRIKE):  # fmt: skip
            tellers[key] = n
    entries: list[NewAudit] = []
    for n, applied in enumerate(audited):
        action, sender = applied.action, applied.event.sender
        event, reason = applied.event.key, action.explained
        teller = tellers.get((event, reason), n)
        if teller != n:
            kind = audited[teller].action.kind.value
            which = "first " if kind == action.kind.value else ""
            reason = f"see the {which}{kind} entry for this event"
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
