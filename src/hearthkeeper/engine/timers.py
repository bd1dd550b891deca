"""Time-driven work: lifting timed mutes when they end, even across restarts.

Beside other engine workers (step 14) a mute is lifted where its group's events are decided
(`may_lift`, from the `Engine`, as scheduled work is run): by the holder of the group's lease
(taken for the lift if free, kept while it runs) or the worker running the group's carrier.
So the unmute is queued in order with a new mute that worker decides for the same member —
never beside it in another worker, where the unmute could reach the carrier after the new
mute and leave the member free to post while muted in the store. A mute lifted meanwhile
(staff, another worker, a new mute replacing it) is passed over, not lifted again.
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager, nullcontext
from datetime import datetime

from hearthkeeper.engine.actions import Action, ActionKind
from hearthkeeper.store import Sanction, Store

# Whether this worker lifts a mute of the group (None: of no group), held so while it does.
MayLift = Callable[[Store, int | None], AbstractContextManager[bool]]


def lift_due_mutes(store: Store, now: datetime, *, may_lift: MayLift | None = None) -> int:
    """Lift every mute whose time is up and enqueue its unmute, once (one transaction each);
    beside other workers, only those `may_lift` says are this worker's. How many unmutes."""
    lifted = 0
    elsewhere: set[int] = set()  # groups whose mutes another worker lifts
    for mute in store.due_mutes(now):
        if mute.group_id in elsewhere:
            continue
        with store.transaction() as tx:
            deciding = may_lift(tx, mute.group_id) if may_lift is not None else nullcontext(True)
            with deciding as here:
                if not here:
                    assert mute.group_id is not None
                    elsewhere.add(mute.group_id)
                    continue
                lifted += _lift(tx, mute, now)
    return lifted


def _lift(tx: Store, mute: Sanction, now: datetime) -> int:
    """Lift `mute` (unless it was lifted meanwhile) and queue its unmute; 1 if queued."""
    key = f"unmute:{mute.id}"
    if tx.lift_if_in_force(mute.id, "timer", now, key=key) is None:
        return 0  # lifted meanwhile: by staff, another worker, or a new mute replacing it
    group = tx.get_group(mute.group_id) if mute.group_id is not None else None
    user = tx.user_on(mute.member_id, group.carrier) if group is not None else None
    if group is None or user is None:
        return 0
    action = Action(kind=ActionKind.UNMUTE, carrier=group.carrier,
                    group=group.carrier_group_id, member=user,
                    reason="mute ended", detail=f"mute ended ({mute.reason})",
                    handler="timer")  # fmt: skip
    tx.enqueue(key, group.carrier, action.to_json(), action.priority,
               group_id=group.id, at=now)  # fmt: skip
    return 1
