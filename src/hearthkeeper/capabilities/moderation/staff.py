"""What staff do by hand: pardon a strike, lift a mute, a ban or a blacklisting, delete a
member's message, ban its sender.

Each runs in one transaction with its audit entry; what it does on the carrier (an unmute,
an unban, a deletion, a ban) goes through the outbox like every other action, so it is
performed once, by the running engine. A pardon, a deletion and a ban also keep the message
as an example (ham, spam, spam) that the community's learned scorer learns from.
"""

from __future__ import annotations

from datetime import datetime

from hearthkeeper.capabilities.moderation import staff_actions
from hearthkeeper.store import (
    ExampleSource,
    Group,
    Message,
    MessageDeletion,
    Sanction,
    SanctionKind,
    Store,
    StoreError,
    Strike,
)


def pardon(store: Store, strike_id: int, by: str, now: datetime) -> Strike:
    """Take a strike back; it stays on record but no longer counts."""
    with store.transaction() as tx:
        strike = tx.pardon_strike(strike_id, by, now)
        tx.audit(by, "pardon", strike.community_id, target=f"member {strike.member_id}",
                 detail={"strike": strike_id, "violation": strike.violation})  # fmt: skip
        message = tx.message_of_event(strike.event_id) if strike.event_id is not None else None
        if message is not None:  # the operator judged this message acceptable: ham
            tx.add_moderation_example(strike.community_id, message.text, ExampleSource.PARDON,
                                      f"message:{message.id}", by, now,
                                      member_id=strike.member_id)  # fmt: skip
    return strike


def delete_message(store: Store, message_id: int, by: str, now: datetime) -> Message:
    """Delete a member's message on its carrier (through the outbox) and keep it as an
    example of spam for the community's learned scorer; a retry deletes nothing twice."""
    with store.transaction() as tx:
        message, group = _message_and_group(tx, message_id)
        _delete(tx, message, group, by, now)
        _learn_spam(tx, message, group, ExampleSource.STAFF_DELETE, by, now)
        tx.audit(by, "delete message", group.community_id, target=f"member {message.member_id}",
                 detail={"message": message_id, "group": group.name})  # fmt: skip
    return message


def ban_for_message(store: Store, message_id: int, by: str, now: datetime) -> list[Sanction]:
    """Ban a message's sender from every group of the community they are in (and the
    message's group), delete the message, and keep it as an example of spam."""
    with store.transaction() as tx:
        message, group = _message_and_group(tx, message_id)
        member_id = message.member_id
        if member_id is None:
            raise StoreError(f"message {message_id} has no sender to ban")
        every = tx.list_groups(group.community_id)
        stays = tx.active_stays([(g.id, member_id) for g in every])  # one query for all
        groups = staff_actions.ban_reach(group, every, {gid for gid, _ in stays})
        reason = f"banned by {by} for message {message_id}"
        bans: list[Sanction] = []
        for where in groups:
            bans.append(
                tx.add_sanction(SanctionKind.BAN, member_id, reason, now, group_id=where.id)
            )
            user = tx.user_on(member_id, where.carrier)
            if user is None or where.imported:
                continue
            action = staff_actions.ban(where, user, reason)
            tx.enqueue(f"staff-ban:{message_id}:{where.id}", where.carrier, action.to_json(),
                       action.priority, group_id=where.id, at=now)  # fmt: skip
        _delete(tx, message, group, by, now)
        _learn_spam(tx, message, group, ExampleSource.STAFF_BAN, by, now)
        tx.audit(by, "ban", group.community_id, target=f"member {member_id}",
                 detail={"message": message_id, "groups": [g.name for g in groups]})  # fmt: skip
    return bans


def _message_and_group(tx: Store, message_id: int) -> tuple[Message, Group]:
    message = tx.get_message(message_id)
    group = tx.get_group(message.group_id) if message is not None else None
    if message is None or group is None:
        raise StoreError(f"there is no message with id {message_id}")
    return message, group


def _delete(tx: Store, message: Message, group: Group, by: str, now: datetime) -> None:
    """Queue the deletion on the carrier, keyed by the message: queued once however often
    staff click."""
    if not group.imported:  # an imported group's chat is elsewhere: nothing to delete there
        user = tx.user_on(message.member_id, group.carrier) if message.member_id else None
        action = staff_actions.deletion(message, group, user, by)
        tx.enqueue(f"staff-delete:{message.id}", group.carrier, action.to_json(),
                   action.priority, group_id=group.id, at=now)  # fmt: skip
    # No longer counted: levels, the rollups and vital signs leave it out from now on.
    tx.delete_messages([MessageDeletion(group.id, message.carrier_event_id, f"staff:{by}", now)])


def _learn_spam(tx: Store, message: Message, group: Group, source: ExampleSource, by: str,
                now: datetime) -> None:  # fmt: skip
    """Keep a member's message staff removed as spam (`staff_actions.teaches_spam`)."""
    member_id = message.member_id
    if member_id is None:
        return
    stay = tx.active_stays([(group.id, member_id)]).get((group.id, member_id))
    if not staff_actions.teaches_spam(member_id, stay.role if stay is not None else None):
        return
    tx.add_moderation_example(group.community_id, message.text, source,
                              f"message:{message.id}", by, now, member_id=member_id)  # fmt: skip


def lift(store: Store, sanction_id: int, by: str, now: datetime) -> tuple[Sanction, int]:
    """End a sanction now and undo it on the carriers; returns it and the undo actions queued."""
    with store.transaction() as tx:
        sanction = tx.lift_sanction(sanction_id, by, now, key=f"lift:{sanction_id}")
        bans = (
            tx.active_sanctions(member_id=sanction.member_id, kind=SanctionKind.BAN, now=now)
            if sanction.kind is SanctionKind.BLACKLIST
            else []
        )
        undone = [sanction] + [
            tx.lift_sanction(ban.id, by, now, key=f"lift:{sanction_id}")
            for ban in staff_actions.lifted_along(sanction, bans)
        ]
        queued = 0
        for item in undone:
            group = tx.get_group(item.group_id) if item.group_id is not None else None
            user = tx.user_on(item.member_id, group.carrier) if group is not None else None
            if group is None or user is None or group.imported or item.kind is SanctionKind.KICK:
                continue  # a kick has nothing to undo: lifting it only stops holding them
            action = staff_actions.undo(item, group, user, by)
            tx.enqueue(f"lift:{sanction_id}:{item.id}", group.carrier, action.to_json(),
                       action.priority, group_id=group.id, at=now)  # fmt: skip
            queued += 1
        tx.audit(by, f"lift {sanction.kind.value}", sanction.community_id,
                 target=f"member {sanction.member_id}",
                 detail={"sanction": sanction_id, "undo_actions": queued})  # fmt: skip
    return sanction, queued


__all__ = ["StoreError", "ban_for_message", "delete_message", "lift", "pardon"]
