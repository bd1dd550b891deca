"""What staff do by hand: pardon a strike, lift a mute, a ban or a blacklisting, delete a
member's message, ban its sender, mute or ban a member (the in-chat `/mute` and `/ban`).

Each runs in one transaction with its audit entry; what it does on the carrier (an unmute,
an unban, a deletion, a ban) goes through the outbox like every other action, so it is
performed once, by the running engine, at once (queued at the store's time: `now` is when
staff decided, for an in-chat command the time its carrier stamped, maybe a little ahead). A pardon, a deletion and a ban also keep the message
as an example (ham, spam, spam) that the community's learned scorer learns from; so does
saying an advertising alert's message was not an ad (ham), which also marks the alert handled.
"""

from __future__ import annotations

from datetime import datetime

from hearthkeeper.capabilities.moderation import staff_actions
from hearthkeeper.capabilities.texts import violation_name
from hearthkeeper.engine.appliers import KICK_HOLDS
from hearthkeeper.playbook import Playbook
from hearthkeeper.playbook.positioning import Language
from hearthkeeper.store import (
    ExampleSource,
    Group,
    Message,
    MessageDeletion,
    Sanction,
    SanctionKind,
    StaffAlert,
    Store,
    StoreError,
    Strike,
)


def pardon(store: Store, strike_id: int, by: str, now: datetime, *, tell: bool = True) -> Strike:
    """Take a strike back; it stays on record but no longer counts. With `tell`, the member
    still in the group where it was given is told there, @-mentioned, once (`/pardon` in the
    chat answers there itself and tells nobody twice). A member's appeal waiting against the
    strike is decided as pardoned with it; then what they are told is the appeal's outcome,
    in place of the pardon's notice."""
    from hearthkeeper.capabilities.appeals import decisions  # appeals build on moderation

    with store.transaction() as tx:
        strike = tx.pardon_strike(strike_id, by, now)
        tx.audit(by, "pardon", strike.community_id, target=f"member {strike.member_id}",
                 detail={"strike": strike_id, "violation": strike.violation})  # fmt: skip
        settled = decisions.settle(tx, by, now, strike=strike, tell=tell)
        if tell and settled is None:
            _tell_pardoned(tx, strike)
        message = tx.message_of_event(strike.event_id) if strike.event_id is not None else None
        if message is not None:  # the operator judged this message acceptable: ham
            tx.add_moderation_example(strike.community_id, message.text, ExampleSource.PARDON,
                                      f"message:{message.id}", by, now,
                                      member_id=strike.member_id)  # fmt: skip
    return strike


def not_an_ad(store: Store, alert_id: int, by: str, now: datetime) -> StaffAlert:
    """Say the message an advertising alert is about was fine: it is kept as an example of
    ordinary chat (ham) for the community's learned scorer, once however often staff click,
    and the alert is marked handled. An alert already handled whose message is already kept
    is refused (a second click); one marked handled before anyone said so is not. A member's
    appeal (its alert names the strike's violation) is pardoned or upheld instead."""
    from hearthkeeper.capabilities.appeals import decisions  # appeals build on moderation

    with store.transaction() as tx:
        alert = tx.get_staff_alert(alert_id)
        if alert is None:
            raise StoreError(f"there is no staff alert with id {alert_id}")
        decisions.not_handled_alone(tx, alert)
        message = _alerted_message(tx, alert)
        was_open = alert.handled_at is None
        if was_open:  # a second click waits for the first's lock here, then finds it handled
            alert = tx.handle_alert(alert_id, by, now)
        learned = tx.add_moderation_example(alert.community_id, message.text,
                                            ExampleSource.NOT_AD, f"message:{message.id}", by,
                                            now, member_id=message.member_id)  # fmt: skip
        if not was_open and not learned:
            raise StoreError(f"alert {alert_id} was already handled by {alert.handled_by}, and "
                             f"its message {message.id} already taken as not an ad")  # fmt: skip
        tx.audit(by, "alert.not_an_ad", alert.community_id, target=f"member {message.member_id}",
                 detail={"alert": alert_id, "message": message.id,
                         "violation": alert.violation})  # fmt: skip
    return alert


def _alerted_message(tx: Store, alert: StaffAlert) -> Message:
    """The member's message an advertising alert is about (`staff_actions.alerted_event`)."""
    if not staff_actions.not_an_ad(alert.violation):
        raise StoreError(f"alert {alert.id} is not about an ad ({alert.violation or alert.handler}"
                         "): only an advertising alert can be marked not an ad")  # fmt: skip
    group = tx.get_group(alert.group_id) if alert.group_id is not None else None
    event_id = staff_actions.alerted_event(alert.key, group) if group is not None else None
    found = tx.message_replied_to(group.id, event_id) if group and event_id else None
    message = tx.get_message(found) if found is not None else None
    if message is None or message.member_id is None or message.member_id != alert.member_id:
        raise StoreError(f"alert {alert.id} names no message of the member it is about")
    return message


def _tell_pardoned(tx: Store, strike: Strike) -> None:
    group = tx.get_group(strike.group_id) if strike.group_id is not None else None
    if group is None or group.imported or not tx.active_stays([(group.id, strike.member_id)]):
        return  # nowhere they can read it: an imported group's, or one they left
    user, member = tx.user_on(strike.member_id, group.carrier), tx.get_member(strike.member_id)
    if user is None or member is None:
        return
    language = _language(tx, group, None)
    action = staff_actions.pardoned(group, user, member.display_name,
                                    violation_name(strike.violation, language), language)  # fmt: skip
    tx.enqueue(f"staff-pardon:{strike.id}", group.carrier, action.to_json(), action.priority,
               group_id=group.id)  # fmt: skip


def delete_message(store: Store, message_id: int, by: str, now: datetime, *,
                   language: Language | None = None) -> Message:  # fmt: skip
    """Delete a member's message on its carrier (through the outbox) and keep it as an
    example of spam for the community's learned scorer; a retry deletes nothing twice."""
    with store.transaction() as tx:
        message, group = _message_and_group(tx, message_id)
        _delete(tx, message, group, by, now, language)
        _learn_spam(tx, message, group, ExampleSource.STAFF_DELETE, by, now)
        tx.audit(by, "delete message", group.community_id, target=f"member {message.member_id}",
                 detail={"message": message_id, "group": group.name})  # fmt: skip
    return message


def ban_for_message(store: Store, message_id: int, by: str, now: datetime, *,
                    reason: str = "", language: Language | None = None,
                    playbook: Playbook | None = None) -> list[Sanction]:  # fmt: skip
    """Ban a message's sender from every group of the community they are in (and the
    message's group), delete the message, and keep it as an example of spam; `reason`:
    staff's own words, if they gave some."""
    with store.transaction() as tx:
        message, group = _message_and_group(tx, message_id)
        member_id = message.member_id
        if member_id is None:
            raise StoreError(f"message {message_id} has no sender to ban")
        why = f"banned by {by} for message {message_id}" + (f": {reason}" if reason else "")
        bans, groups = _ban(tx, member_id, group, f"staff-ban:{message_id}",
                            staff_actions.notice("banned", _language(tx, group, language), reason),
                            why, now, out="banned", playbook=playbook,
                            reason=reason)  # fmt: skip
        _delete(tx, message, group, by, now, language)
        _learn_spam(tx, message, group, ExampleSource.STAFF_BAN, by, now)
        tx.audit(by, "ban", group.community_id, target=f"member {member_id}",
                 detail={"message": message_id, "groups": [g.name for g in groups],
                         **({"reason": reason} if reason else {})})  # fmt: skip
    return bans


def ban_member(store: Store, member_id: int, group: Group, by: str, now: datetime, *,
               key: str, reason: str = "", language: Language | None = None,
               playbook: Playbook | None = None) -> list[Sanction]:  # fmt: skip
    """Ban a member (pointed at in `group`) from `group` and every other group of its
    community they are in, as `ban_for_message` does without a message; `key` names the
    decision (its carrier actions are queued once per key), `reason` is staff's own words."""
    with store.transaction() as tx:
        why = f"banned by {by}" + (f": {reason}" if reason else "")
        shown = staff_actions.notice("banned", _language(tx, group, language), reason)
        bans, groups = _ban(tx, member_id, group, key, shown, why, now, out="banned",
                             playbook=playbook, reason=reason)  # fmt: skip
        tx.audit(by, "ban", group.community_id, target=f"member {member_id}",
                 detail={"reason": reason, "groups": [g.name for g in groups]})  # fmt: skip
    return bans


def blacklist_member(store: Store, member_id: int, group: Group, by: str, now: datetime, *,
                     everywhere: bool, key: str, reason: str = "",
                     language: Language | None = None,
                     playbook: Playbook | None = None) -> list[Sanction]:  # fmt: skip
    """Blacklist a member in `group`'s community (in every community with `everywhere`) and
    ban them from the community's groups they are in, as the ladder's blacklist step does."""
    with store.transaction() as tx:
        why = f"blacklisted by {by}" + (f": {reason}" if reason else "")
        tx.add_sanction(SanctionKind.BLACKLIST, member_id, why, now,
                        community_id=None if everywhere else group.community_id)  # fmt: skip
        shown = staff_actions.notice("banned", _language(tx, group, language), reason)
        bans, groups = _ban(tx, member_id, group, key, shown, why, now, out="blacklisted",
                             playbook=playbook, reason=reason)  # fmt: skip
        tx.audit(by, "blacklist", group.community_id, target=f"member {member_id}",
                 detail={"reason": reason, "everywhere": everywhere,
                         "groups": [g.name for g in groups]})  # fmt: skip
    return bans


def kick_member(store: Store, member_id: int, group: Group, by: str, now: datetime, *,
                key: str, reason: str = "", language: Language | None = None) -> Sanction:  # fmt: skip
    """Remove a member from `group` (they may come back), held back for the moments the
    carrier takes, as the ladder's kick step does."""
    with store.transaction() as tx:
        why = f"removed by {by}" + (f": {reason}" if reason else "")
        kick = tx.add_sanction(SanctionKind.KICK, member_id, why, now, group_id=group.id,
                               until=now + KICK_HOLDS)  # fmt: skip
        user = tx.user_on(member_id, group.carrier)
        if user is not None and not group.imported:
            shown = staff_actions.notice("removed", _language(tx, group, language), reason)
            action = staff_actions.kick(group, user, why, shown)
            tx.enqueue(key, group.carrier, action.to_json(), action.priority,
                       group_id=group.id)  # fmt: skip
        tx.audit(by, "kick", group.community_id, target=f"member {member_id}",
                 detail={"reason": reason, "group": group.name})  # fmt: skip
    return kick


def _language(tx: Store, group: Group, given: Language | None) -> Language:
    """The language of the playbook the community runs: what its members are shown of
    staff's decisions is in it (English before any playbook is applied). `given`: the
    language of the playbook the caller runs (an in-chat command: the engine's), so that a
    batch of commands reads no playbook; the console and CLI read the store's."""
    if given is not None:
        return given
    from hearthkeeper.apply import community_playbook  # apply builds on the capabilities

    playbook = community_playbook(tx, group.community_id)
    return Language.EN if playbook is None else playbook.community.language


def _ban(tx: Store, member_id: int, group: Group, key: str, shown: str, why: str,
         now: datetime, *, out: str, playbook: Playbook | None,
         reason: str = "") -> tuple[list[Sanction], list[Group]]:  # fmt: skip
    """The bans (and their carrier actions, queued under `key:<group id>`) in `group` and
    every other group of its community the member is in; `shown` is what the member may be
    shown (whom to ask to review it added, when the playbook names someone), `why` what staff
    read; `reason`, staff's own words, goes with the notice the member is sent privately where
    the bot may write to them (`_tell_banned`). Out of every group, the member's event places
    and their lines on open sign-up lists go to those waiting (`out`, banned or blacklisted,
    says why; a place they paid a fee for stays), by `playbook` (the engine's, for a command
    in the chat; else the one the store holds)."""
    from hearthkeeper.apply import community_playbook  # apply builds on the capabilities
    from hearthkeeper.capabilities.activities.departures import member_removed
    from hearthkeeper.capabilities.appeals.decide import then_ask
    from hearthkeeper.capabilities.signups import departures as lists

    if playbook is None:
        playbook = community_playbook(tx, group.community_id)
    if playbook is not None:  # whom a banned member can ask to review it (`rules.appeals`)
        shown = then_ask(shown, playbook.community.language, playbook.rules.appeals.contact)
    every = tx.list_groups(group.community_id)
    stays = tx.active_stays([(g.id, member_id) for g in every])  # one query for all
    groups = staff_actions.ban_reach(group, every, {gid for gid, _ in stays})
    bans: list[Sanction] = []
    for where in groups:
        bans.append(tx.add_sanction(SanctionKind.BAN, member_id, why, now, group_id=where.id))
        user = tx.user_on(member_id, where.carrier)
        if user is None or where.imported:
            continue
        action = staff_actions.ban(where, user, why, shown)
        tx.enqueue(f"{key}:{where.id}", where.carrier, action.to_json(), action.priority,
                   group_id=where.id)  # fmt: skip
    _tell_banned(tx, member_id, group, groups, key, reason, playbook)
    member_removed(tx, group.community_id, member_id, playbook, key, now, why=out)
    lists.member_removed(tx, group.community_id, member_id, playbook, key, now)
    return bans, groups


def _tell_banned(tx: Store, member_id: int, group: Group, groups: list[Group], key: str,
                 reason: str, playbook: Playbook | None) -> None:  # fmt: skip
    """The member banned from `groups` told so in their private chat with the bot, on the
    carriers where a banned member appeals there (`appeals.private.PRIVATE_APPEALS`): the
    group's notice is posted once they are gone. Once per carrier, naming the group (the
    community, when banned from several), staff's reason, and how to appeal; dropped by the
    carrier when the member never opened that chat."""
    from hearthkeeper.capabilities.appeals.private import PRIVATE_APPEALS, ban_notice, place
    from hearthkeeper.playbook.rules import Appeals

    lang = playbook.community.language if playbook is not None else Language.EN
    rules = playbook.rules.appeals if playbook is not None else Appeals()
    names = {c.id: c.name for c in tx.list_communities()}
    name = names.get(group.community_id, group.name)
    for carrier in sorted({g.carrier for g in groups if g.carrier in PRIVATE_APPEALS}):
        on = [g for g in groups if g.carrier == carrier and not g.imported]
        user = tx.user_on(member_id, carrier) if on else None
        if user is None:
            continue
        where = place(on[0], name) if len(on) == 1 else name
        action = staff_actions.told_banned(carrier, user, ban_notice(lang, where, rules,
                                                                     reason=reason))  # fmt: skip
        tx.enqueue(f"{key}:told:{carrier}", carrier, action.to_json(), action.priority)


def mute_member(store: Store, member_id: int, group: Group, until: datetime, by: str,
                now: datetime, *, key: str, reason: str = "",
                language: Language | None = None) -> Sanction:  # fmt: skip
    """Mute a member in `group` until `until` (lifted on time by the engine, like the
    ladder's mutes); the mute is queued for the carrier once per `key`."""
    with store.transaction() as tx:
        why = f"muted by {by}" + (f": {reason}" if reason else "")
        mute = tx.add_sanction(SanctionKind.MUTE, member_id, why, now, group_id=group.id,
                               until=until)  # fmt: skip
        user = tx.user_on(member_id, group.carrier)
        if user is not None and not group.imported:
            shown = staff_actions.notice("muted", _language(tx, group, language), reason)
            action = staff_actions.mute(group, user, until - now, why, shown)
            tx.enqueue(key, group.carrier, action.to_json(), action.priority,
                       group_id=group.id)  # fmt: skip
        tx.audit(by, "mute", group.community_id, target=f"member {member_id}",
                 detail={"reason": reason, "group": group.name, "until": until.isoformat()})  # fmt: skip
    return mute


def _message_and_group(tx: Store, message_id: int) -> tuple[Message, Group]:
    message = tx.get_message(message_id)
    group = tx.get_group(message.group_id) if message is not None else None
    if message is None or group is None:
        raise StoreError(f"there is no message with id {message_id}")
    return message, group


def _delete(tx: Store, message: Message, group: Group, by: str, now: datetime,
            language: Language | None = None) -> None:  # fmt: skip
    """Queue the deletion on the carrier, keyed by the message: queued once however often
    staff click."""
    if not group.imported:  # an imported group's chat is elsewhere: nothing to delete there
        user = tx.user_on(message.member_id, group.carrier) if message.member_id else None
        action = staff_actions.deletion(message, group, user, by, _language(tx, group, language))
        tx.enqueue(f"staff-delete:{message.id}", group.carrier, action.to_json(),
                   action.priority, group_id=group.id)  # fmt: skip
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


def lift(store: Store, sanction_id: int, by: str, now: datetime, *,
         tell: bool = True) -> tuple[Sanction, int]:  # fmt: skip
    """End a sanction now and undo it on the carriers; returns it and the undo actions queued.
    A member's appeal waiting against the mute is decided as pardoned with it; with `tell`
    they read that outcome in the group (`/pardon` in the chat answers there itself). So is
    one against a ban decision nothing of which keeps them out any more (its bans and its
    blacklisting lifted, this one last): told where they appealed (`decisions.settle_bans`)."""
    from hearthkeeper.capabilities.appeals import decisions  # appeals build on moderation

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
                       action.priority, group_id=group.id)  # fmt: skip
            queued += 1
        tx.audit(by, f"lift {sanction.kind.value}", sanction.community_id,
                 target=f"member {sanction.member_id}",
                 detail={"sanction": sanction_id, "undo_actions": queued})  # fmt: skip
        if sanction.kind in (SanctionKind.BAN, SanctionKind.BLACKLIST):
            # an appeal against the ban decision, once nothing of it keeps the member out;
            # they are told where they appealed (`tell` is about the group, which they are
            # not in)
            decisions.settle_bans(tx, by, now, undone)
        else:
            decisions.settle(tx, by, now, mute=sanction, tell=tell)
    return sanction, queued


__all__ = [
    "StoreError",
    "ban_for_message",
    "ban_member",
    "blacklist_member",
    "delete_message",
    "kick_member",
    "lift",
    "mute_member",
    "not_an_ad",
    "pardon",
]
