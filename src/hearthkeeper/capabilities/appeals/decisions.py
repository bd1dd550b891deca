"""Staff decide an appeal: uphold it, or pardon (the strike taken back, which teaches the
community's learned scorer the message was acceptable, and the mute that came with it
lifted; for a ban, the ban lifted — with the bans and blacklisting of the same decision — and
the strike it came with taken back). Each in one transaction with its audit entry; the member
is told in the group they appealed in, through the outbox (a banned member, who is not in it,
reads the outcome on the web chat's banned page instead, or is told in their private chat with
the bot, `private.py`); the appeal's staff alert is marked
handled. `pardon` and `uphold` are the one way an appeal is decided: the console's inbox, `hearth
appeals` and the REST API call them."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from hearthkeeper.capabilities.appeals.decide import (
    BANS,
    SAME_DECISION,
    Appealable,
    Outcome,
    same_decision,
    what,
)
from hearthkeeper.capabilities.appeals.private import PRIVATE_APPEALS, place
from hearthkeeper.capabilities.appeals.repository import (
    Appeal,
    SqlAppeals,
    alert_key,
    appeal_of_alert,
)
from hearthkeeper.capabilities.appeals.texts import TEXTS
from hearthkeeper.capabilities.moderation import staff
from hearthkeeper.engine.actions import Action, ActionKind
from hearthkeeper.playbook.positioning import Language
from hearthkeeper.store import (
    Group,
    Sanction,
    SanctionKind,
    StaffAlert,
    Store,
    StoreError,
    Strike,
)
from hearthkeeper.text.controls import without_controls

HANDLER = "appeals"


@dataclass(frozen=True)
class Decided:
    """An appeal decided, and whether a mute was lifted with it."""

    appeal: Appeal
    lifted: bool


MAX_NOTE = 500  # characters of staff's note kept with a decision


def clean_note(note: str) -> str:
    """Staff's note as kept and said: without control or invisible characters, spaces folded;
    ValueError when longer than `MAX_NOTE`."""
    kept = " ".join(without_controls(note).split())
    if len(kept) > MAX_NOTE:
        raise ValueError(f"the note is {len(kept)} characters long; keep it to {MAX_NOTE} "
                         "(nothing was decided)")  # fmt: skip
    return kept


def pardon(store: Store, appeal_id: int, by: str, now: datetime, *,
           language: Language | None = None, note: str = "") -> Decided:  # fmt: skip
    """Take back the strike appealed against (and lift the mute it brought, or the mute or
    ban appealed against); StoreError if the appeal is unknown or decided already (a second
    decision, from another screen at the same moment too, is refused and sends nothing).
    `language`: what the member is told in (else the language of the playbook the community
    runs); `note`: staff's own words, said to the member and kept in the audit log."""
    return _decide(store, appeal_id, Outcome.PARDONED, by, now, language, clean_note(note))


def uphold(store: Store, appeal_id: int, by: str, now: datetime, *,
           language: Language | None = None, note: str = "") -> Decided:  # fmt: skip
    """Keep the decision; the member is told it stands."""
    return _decide(store, appeal_id, Outcome.UPHELD, by, now, language, clean_note(note))


def _decide(store: Store, appeal_id: int, outcome: Outcome, by: str, now: datetime,
            language: Language | None, note: str) -> Decided:  # fmt: skip
    with store.transaction() as tx:
        # the appeal's row is locked here: a second decision waits, then is refused
        appeal = SqlAppeals.on(tx).decide(appeal_id, outcome.value, by, now, note)
        sanction = tx.get_sanction(appeal.sanction_id) if appeal.sanction_id is not None else None
        banned = sanction is not None and sanction.kind in BANS
        strike: Strike | None = None
        if appeal.strike_id is not None:
            strike = tx.get_strike(appeal.strike_id)
        elif sanction is not None and banned:  # the strike the ladder or /warn banned for
            strike = _strike_of(tx, sanction)
        # what the pardon lifts: the ban, the mute appealed against, or the strike's mute
        if banned:
            mute = sanction
        else:
            mute = _mute_of(tx, appeal, strike.at if strike is not None else None)
        lifted = False
        if outcome is Outcome.PARDONED:
            if strike is not None and strike.pardoned_at is None:
                # the member reads the appeal's outcome below, once, not the pardon's notice too
                staff.pardon(tx, strike.id, by, now, tell=False)
            if banned and sanction is not None:
                lifted = _unban(tx, sanction, appeal.community_id, by, now)
            elif (
                mute is not None
                and mute.lifted_at is None
                and (mute.until is None or mute.until > now)
            ):
                staff.lift(tx, mute.id, by, now, tell=False)  # told below, once
                lifted = True
        tx.audit(by, f"appeal.{outcome.value}", appeal.community_id,
                 target=f"member {appeal.member_id}",
                 detail={"appeal": appeal.id, "strike": strike.id if strike else None,
                         "sanction": mute.id if mute is not None else None,
                         **({"note": note} if note else {})})  # fmt: skip
        alert = tx.staff_alert_by_key(alert_key(appeal.id))
        if alert is not None and alert.handled_at is None:
            tx.handle_alert(alert.id, by, now)
        _tell(tx, appeal, Appealable(strike, mute), outcome, lifted, language, note)
    return Decided(appeal, lifted)


def _strike_of(tx: Store, ban: Sanction) -> Strike | None:
    """The strike the ladder (or `/warn`) gave with a ban, if the ban came with one."""
    if ban.community_id is None:
        return None
    strikes = tx.community_strikes(ban.community_id, ban.at - SAME_DECISION,
                                   member_id=ban.member_id)  # fmt: skip
    along = [s for s in strikes if abs(s.at - ban.at) <= SAME_DECISION]
    return max(along, key=lambda s: (s.at, s.id), default=None)


def _unban(tx: Store, ban: Sanction, community_id: int, by: str, now: datetime) -> bool:
    """Lift a ban appealed against and what came with it in the same decision: the bans from
    the community's other groups and the blacklisting (which lifts them along). The carriers
    unban the member (the web chat lets them take a seat again). False if none was in force.
    `community_id`: the appeal's (a blacklisting across communities belongs to none)."""
    same = _kept_out(tx, ban, community_id, now)
    lifted = False
    for blacklist in [s for s in same if s.kind is SanctionKind.BLACKLIST]:
        staff.lift(tx, blacklist.id, by, now, tell=False)  # lifts the community's bans along
        lifted = True
    for other in [s for s in same if s.kind is SanctionKind.BAN]:
        found = tx.get_sanction(other.id)  # read again: the blacklisting's lift may have lifted it
        if found is not None and found.lifted_at is None:
            staff.lift(tx, other.id, by, now, tell=False)
            lifted = True
    return lifted


def _kept_out(tx: Store, ban: Sanction, community_id: int, now: datetime) -> list[Sanction]:
    """The bans and blacklistings of `ban`'s decision still in force at `now` (`ban` itself
    among them if it is): what keeps the member out of the community's groups."""
    decided = tx.community_sanctions(community_id, True, now, since=ban.at - SAME_DECISION,
                                     member_id=ban.member_id, limit=None)  # fmt: skip
    same = [s for s in decided if s.kind in BANS and abs(s.at - ban.at) <= SAME_DECISION]
    itself = tx.get_sanction(ban.id)  # a blacklisting across communities of someone in none
    in_force = itself is not None and itself.lifted_at is None and (
        itself.until is None or itself.until > now)  # fmt: skip
    if in_force and itself is not None and all(s.id != itself.id for s in same):
        same.append(itself)
    return same


def settle(tx: Store, by: str, now: datetime, *, strike: Strike | None = None,
           mute: Sanction | None = None, tell: bool) -> Appeal | None:  # fmt: skip
    """Staff took back by hand (in-chat `/pardon`, or the console's, API's or CLI's pardon or
    lift) the strike, or lifted the mute, an open appeal is against: the appeal is decided as
    pardoned with it (audited, its inbox alert handled), in the caller's transaction. With
    `tell` the member reads the appeal's outcome, and the caller tells them nothing more;
    without, the caller tells them itself. None if no appeal waited against it. A ban or a
    blacklisting lifted is `settle_bans`'."""
    appeals = SqlAppeals.on(tx)
    if strike is not None:
        waiting = appeals.open_against(strike_id=strike.id)
    elif mute is not None:
        waiting = appeals.open_against(sanction_id=mute.id)
    else:
        raise ValueError("settle an appeal against a strike or a mute")
    if waiting is None:
        return None
    appeal = _pardoned(tx, waiting, by, now, "pardon" if strike is not None else "lift")
    if tell:
        _tell(tx, appeal, Appealable(strike, mute if strike is None else None),
              Outcome.PARDONED, False, None, "")  # fmt: skip
    return appeal


def settle_bans(tx: Store, by: str, now: datetime, lifted: Sequence[Sanction]) -> list[Appeal]:
    """Staff lifted by hand (the console's, API's or CLI's lift, in-chat `/pardon`) a ban or a
    blacklisting, `lifted` with the bans it lifted along: an open appeal against a ban
    decision of which nothing keeps the member out any more (its bans from every group and
    its blacklisting all lifted) is decided as pardoned, in the caller's transaction —
    audited, its inbox alert handled. The member reads it where they appealed (told in their
    private chat with the bot, or on the web chat's banned page), whoever lifted it: nothing
    said in a group reaches someone banned from it. An appeal against a decision part of
    which still stands (one group's ban lifted, the blacklisting kept) waits for staff."""
    appeals = SqlAppeals.on(tx)
    waiting: dict[int, Appeal] = {}
    for item in lifted:
        found = appeals.open_against(sanction_id=item.id)
        if found is not None:
            waiting[found.id] = found
    for community_id in {s.community_id for s in lifted if s.community_id is not None}:
        for member_id in {s.member_id for s in lifted}:
            for found in appeals.member_appeals(community_id, member_id):
                if found.decided_at is None and found.sanction_id is not None:
                    waiting.setdefault(found.id, found)
    settled: list[Appeal] = []
    for found in sorted(waiting.values(), key=lambda a: a.id):
        ban = tx.get_sanction(found.sanction_id) if found.sanction_id is not None else None
        if ban is None or ban.kind not in BANS:
            continue  # a mute's appeal: lifting a ban is not what it asks
        if not any(s.member_id == ban.member_id and abs(s.at - ban.at) <= SAME_DECISION
                   for s in lifted):  # fmt: skip
            continue  # another decision's
        if _kept_out(tx, ban, found.community_id, now):
            continue  # part of the decision still keeps them out: staff decide the appeal
        appeal = _pardoned(tx, found, by, now, "lift")
        _tell(tx, appeal, Appealable(None, ban), Outcome.PARDONED, True, None, "")
        settled.append(appeal)
    return settled


def _pardoned(tx: Store, waiting: Appeal, by: str, now: datetime, along: str) -> Appeal:
    """`waiting` decided as pardoned along with staff's own pardon or lift (`along`): audited,
    its inbox alert handled."""
    appeal = SqlAppeals.on(tx).decide(waiting.id, Outcome.PARDONED.value, by, now)
    tx.audit(by, f"appeal.{Outcome.PARDONED.value}", appeal.community_id,
             target=f"member {appeal.member_id}",
             detail={"appeal": appeal.id, "strike": appeal.strike_id,
                     "sanction": appeal.sanction_id, "with": along})  # fmt: skip
    alert = tx.staff_alert_by_key(alert_key(appeal.id))
    if alert is not None and alert.handled_at is None:
        tx.handle_alert(alert.id, by, now)
    return appeal


def not_handled_alone(tx: Store, alert: StaffAlert) -> None:
    """Refuse (StoreError) to mark an appeal's alert handled while the appeal waits: it would
    leave the inbox with the appeal undecided — the member told "already with staff" ever
    after, their member page saying it waits in the inbox, where nothing shows it. Staff
    pardon or uphold it, which handles the alert."""
    appeal_id = appeal_of_alert(alert.key)
    appeal = SqlAppeals.on(tx).get(appeal_id) if appeal_id is not None else None
    if appeal is not None and appeal.decided_at is None:
        raise StoreError(f"alert {alert.id} is a member's appeal (appeal {appeal.id}): pardon or "
                         "uphold it in the console's inbox; marked handled, it would leave the "
                         "inbox undecided")  # fmt: skip


def _mute_of(tx: Store, appeal: Appeal, struck_at: datetime | None) -> Sanction | None:
    """The mute appealed against, or the one the ladder gave with the strike."""
    if appeal.sanction_id is not None:
        return tx.get_sanction(appeal.sanction_id)
    if struck_at is None:
        return None
    mutes = tx.community_sanctions(appeal.community_id, False, since=struck_at - SAME_DECISION,
                                   member_id=appeal.member_id)  # fmt: skip
    along = [m for m in mutes if m.kind is SanctionKind.MUTE and same_decision(m, struck_at)]
    return max(along, key=lambda m: (m.at, m.id), default=None)


def _tell(tx: Store, appeal: Appeal, appealable: Appealable, outcome: Outcome, lifted: bool,
          language: Language | None, note: str) -> None:  # fmt: skip
    """The member reads staff's decision in the group they appealed in, unless they left it
    (a member the carrier never reported joining is taken to be there). A banned member is
    not in it: they read the outcome where they appealed, on the web chat's banned page, or
    in their private chat with the bot (`private.py`), told there."""
    group = tx.get_group(appeal.group_id)
    if appealable.mute is not None and appealable.mute.kind in BANS:
        if group is not None and not group.imported and group.carrier in PRIVATE_APPEALS:
            _tell_privately(tx, appeal, group, appealable.mute, outcome, language, note)
        return
    if group is None or group.imported:
        return
    stay = (group.id, appeal.member_id)
    if not tx.active_stays([stay]) and tx.membership_history(appeal.member_id, group.id):
        return  # every stay they had there ended: nothing said in the group names them
    user = tx.user_on(appeal.member_id, group.carrier)
    if user is None:
        return
    lang = language if language is not None else _language(tx, appeal.community_id)
    names = tx.member_names([appeal.member_id])
    name = names.get(appeal.member_id, user)
    said = what(appealable, lang)
    if outcome is Outcome.PARDONED:
        lift = TEXTS.say("lifted", lang) if lifted and appealable.strike is not None else ""
        text = TEXTS.say("told_pardoned", lang, name=name, what=said, lifted=lift)
    else:
        text = TEXTS.say("told_upheld", lang, name=name, what=said)
    text += TEXTS.say("note", lang, note=note) if note else ""
    action = Action(kind=ActionKind.SEND, carrier=group.carrier, group=group.carrier_group_id,
                    member=user, text=text, reason=f"appeal {appeal.id} {outcome.value}",
                    handler=HANDLER, extra={"mention_names": {user: name}})  # fmt: skip
    tx.enqueue(f"appeal:{appeal.id}:told", group.carrier, action.to_json(), action.priority,
               group_id=group.id)  # fmt: skip


def _tell_privately(tx: Store, appeal: Appeal, group: Group, ban: Sanction, outcome: Outcome,
                    language: Language | None, note: str) -> None:  # fmt: skip
    """A banned member who appealed to the bot in private reads staff's decision there (they
    opened that chat, so the bot may write to them), about the group they were banned from,
    or the community a blacklisting kept them out of."""
    user = tx.user_on(appeal.member_id, group.carrier)
    if user is None:
        return
    lang = language if language is not None else _language(tx, appeal.community_id)
    names = {c.id: c.name for c in tx.list_communities()}
    community = names.get(group.community_id, group.name)
    where = place(group, community) if ban.group_id is not None else community
    text = TEXTS.say(f"private_{outcome.value}", lang, group=where)
    text += TEXTS.say("note", lang, note=note) if note else ""
    action = Action(kind=ActionKind.DIRECT, carrier=group.carrier, member=user, text=text,
                    reason=f"appeal {appeal.id} {outcome.value}", handler=HANDLER)  # fmt: skip
    tx.enqueue(f"appeal:{appeal.id}:told", group.carrier, action.to_json(), action.priority)


def _language(tx: Store, community_id: int) -> Language:
    """The language of the playbook the community runs (English before any is applied)."""
    from hearthkeeper.apply import community_playbook  # apply builds on the capabilities

    playbook = community_playbook(tx, community_id)
    return Language.EN if playbook is None else playbook.community.language


__all__ = [
    "MAX_NOTE",
    "Decided",
    "StoreError",
    "clean_note",
    "not_handled_alone",
    "pardon",
    "settle",
    "settle_bans",
    "uphold",
]
