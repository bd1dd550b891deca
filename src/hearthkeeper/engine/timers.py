"""Time-driven work: lifting timed mutes when they end, even across restarts."""

from __future__ import annotations

from datetime import datetime

from hearthkeeper.engine.actions import Action, ActionKind
from hearthkeeper.store import Store


def lift_due_mutes(store: Store, now: datetime) -> int:
    """Lift every mute whose time is up and enqueue its unmute, once (one transaction each)."""
    lifted = 0
    for mute in store.due_mutes(now):
        with store.transaction() as tx:
            key = f"unmute:{mute.id}"
            group = tx.get_group(mute.group_id) if mute.group_id is not None else None
            if group is None:
                tx.lift_sanction(mute.id, "timer", now, key=key)
                continue
            user = tx.user_on(mute.member_id, group.carrier)
            tx.lift_sanction(mute.id, "timer", now, key=key)
            if user is None:
                continue
            action = Action(kind=ActionKind.UNMUTE, carrier=group.carrier,
                            group=group.carrier_group_id, member=user,
                            reason="mute ended", detail=f"mute ended ({mute.reason})",
                            handler="timer")  # fmt: skip
            tx.enqueue(key, group.carrier, action.to_json(), action.priority,
                       group_id=group.id, at=now)  # fmt: skip
            lifted += 1
    return lifted
