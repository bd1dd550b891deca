"""What staff do by hand: pardon a strike, lift a mute, a ban or a blacklisting.

Each runs in one transaction with its audit entry; undoing a sanction on the carrier (an
unmute, an unban) goes through the outbox like every other action, so it is performed
once, by the running engine.
"""

from __future__ import annotations

from datetime import datetime

from hearthkeeper.engine.actions import Action, ActionKind
from hearthkeeper.store import Sanction, SanctionKind, Store, StoreError, Strike


def pardon(store: Store, strike_id: int, by: str, now: datetime) -> Strike:
    """Take a strike back; it stays on record but no longer counts."""
    with store.transaction() as tx:
        strike = tx.pardon_strike(strike_id, by, now)
        tx.audit(by, "pardon", strike.community_id, target=f"member {strike.member_id}",
                 detail={"strike": strike_id, "violation": strike.violation})  # fmt: skip
    return strike


def lift(store: Store, sanction_id: int, by: str, now: datetime) -> tuple[Sanction, int]:
    """End a sanction now and undo it on the carriers; returns it and the undo actions queued."""
    with store.transaction() as tx:
        sanction = tx.lift_sanction(sanction_id, by, now, key=f"lift:{sanction_id}")
        undone = [sanction]
        if sanction.kind is SanctionKind.BLACKLIST:
            for ban in tx.active_sanctions(
                member_id=sanction.member_id, kind=SanctionKind.BAN, now=now
            ):
                if sanction.community_id is None or ban.community_id == sanction.community_id:
                    undone.append(tx.lift_sanction(ban.id, by, now, key=f"lift:{sanction_id}"))
        queued = 0
        for item in undone:
            if item.group_id is None:
                continue
            group = tx.get_group(item.group_id)
            if group is None:
                continue
            user = tx.user_on(item.member_id, group.carrier)
            if user is None:
                continue
            kind = ActionKind.UNMUTE if item.kind is SanctionKind.MUTE else ActionKind.UNBAN
            action = Action(kind=kind, carrier=group.carrier, group=group.carrier_group_id,
                            member=user, reason=f"lifted by {by}", handler="staff")  # fmt: skip
            tx.enqueue(f"lift:{sanction_id}:{item.id}", group.carrier, action.to_json(),
                       action.priority, group_id=group.id, at=now)  # fmt: skip
            queued += 1
        tx.audit(by, f"lift {sanction.kind.value}", sanction.community_id,
                 target=f"member {sanction.member_id}",
                 detail={"sanction": sanction_id, "undo_actions": queued})  # fmt: skip
    return sanction, queued


__all__ = ["StoreError", "lift", "pardon"]
