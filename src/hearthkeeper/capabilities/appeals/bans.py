"""A banned member's appeal, from where they can still reach the community: the web chat's
banned page (a banned member posts nothing in the group, so `/appeal` cannot reach us there).
One appeal per ban decision (a ban from several groups, or a blacklisting's bans, is one),
within `rules.appeals.within` of the ban; it reaches the same inbox as `/appeal`, and staff's
Pardon lifts the ban (`decisions.py`)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

from hearthkeeper.capabilities.appeals.decide import (
    BANS,
    SAME_DECISION,
    Appealable,
    ban_appealable,
    what,
)
from hearthkeeper.capabilities.appeals.effects import MAX_WHY
from hearthkeeper.capabilities.appeals.repository import Appeal, SqlAppeals, alert_key
from hearthkeeper.capabilities.appeals.texts import TEXTS
from hearthkeeper.capabilities.format import excerpt
from hearthkeeper.engine.actions import Action, ActionKind
from hearthkeeper.playbook import Playbook
from hearthkeeper.playbook.positioning import Language
from hearthkeeper.playbook.rules import Appeals
from hearthkeeper.store import Group, NewStaffAlert, Sanction, SanctionKind, Store
from hearthkeeper.text.controls import without_controls

HANDLER = "appeals"


class BanAppeal(StrEnum):
    """Where a banned member stands with appealing the ban (what their page offers or says)."""

    OPEN = "open"  # they may appeal: the form
    FILED = "filed"  # their appeal is with staff
    UPHELD = "upheld"  # staff kept the ban
    PARDONED = "pardoned"  # staff lifted the ban
    LATE = "late"  # past `rules.appeals.within`
    CLOSED = "closed"  # the community takes no appeals (`rules.appeals.enabled: false`)
    NONE = "none"  # no ban on record to appeal (a ban kept by the carrier alone)


@dataclass(frozen=True)
class Standing:
    """A member's ban in a group and their appeal against it, if any."""

    state: BanAppeal
    ban: Sanction | None
    appeal: Appeal | None
    until: datetime | None  # the last moment to appeal (OPEN)
    within: timedelta


def standing(store: Store, group: Group, member_id: int, now: datetime, *,
             blacklisted: bool = False) -> Standing:  # fmt: skip
    """What the member's banned page offers: the form, their appeal's state, or why not.
    `blacklisted`: a blacklisting in force in the group's community counts as a ban from the
    group when none is on record (someone blacklisted while in none of its groups, appealing
    to the Telegram bot in private)."""
    ban = _ban_in(store, group, member_id, now, blacklisted=blacklisted)
    if ban is None:  # a member who left, come back to the page: no playbook read
        return _decided(store, group, member_id)
    rules = _rules(store, group.community_id)
    appeal = _appeal_of(store, ban, group.community_id)
    if appeal is not None:
        state = BanAppeal.FILED if appeal.outcome is None else BanAppeal(appeal.outcome)
        return Standing(state, ban, appeal, None, rules.within)
    if not rules.enabled:
        return Standing(BanAppeal.CLOSED, ban, None, None, rules.within)
    if not ban_appealable(ban, now, rules.within):
        return Standing(BanAppeal.LATE, ban, None, None, rules.within)
    return Standing(BanAppeal.OPEN, ban, None, ban.at + rules.within, rules.within)


def file_ban_appeal(store: Store, group: Group, member_id: int, why: str, now: datetime, *,
                    came: str = "banned page", blacklisted: bool = False) -> Standing:  # fmt: skip
    """Keep the member's appeal against their ban from `group` and alert staff, in one
    transaction; their standing after it (an appeal already kept, or why none can be, is
    only answered). ValueError when `why` says nothing. `came`: where they appealed from,
    as the audit log says it (the web chat's banned page, a private chat with the bot);
    `blacklisted`: as `standing`'s."""
    kept = " ".join(without_controls(why).split())[:MAX_WHY]
    if not kept:
        raise ValueError("say why the ban should be lifted")
    with store.transaction() as tx:
        SqlAppeals.on(tx).lock_member(member_id)  # two submissions at once keep one appeal
        found = standing(tx, group, member_id, now, blacklisted=blacklisted)
        if found.state is not BanAppeal.OPEN or found.ban is None:
            return found
        ban = found.ban
        appeal, _ = SqlAppeals.on(tx).file(group.community_id, member_id, group.id,
                                           strike_id=None, sanction_id=ban.id, text=kept,
                                           at=now)  # fmt: skip
        tx.audit(f"member:{member_id}", "appeal", group.community_id,
                 target=f"member {member_id}",
                 detail={"appeal": appeal.id, "strike": None, "sanction": ban.id,
                         "group": group.name, "from": came})  # fmt: skip
        _alert(tx, group, member_id, ban, appeal)
        return Standing(BanAppeal.FILED, ban, appeal, None, found.within)


def _alert(tx: Store, group: Group, member_id: int, ban: Sanction, appeal: Appeal) -> None:
    """The staff inbox gets the appeal (Pardon / Uphold), and the staff channel and direct
    messages as for every alert."""
    from hearthkeeper.apply import community_playbook  # apply builds on the capabilities
    from hearthkeeper.capabilities.alerts.route import route_alert

    playbook = community_playbook(tx, group.community_id)
    lang = playbook.community.language if playbook is not None else Language.EN
    zone = ZoneInfo(playbook.community.timezone) if playbook is not None else ZoneInfo("UTC")
    names = tx.member_names([member_id])
    text = TEXTS.say("alert", lang, group=group.name, name=names.get(member_id, str(member_id)),
                     what=what(Appealable(None, ban), lang),
                     when=f"{ban.at.astimezone(zone):%Y-%m-%d %H:%M}",
                     why=excerpt(appeal.text, 200), explanation=ban.reason)  # fmt: skip
    key = alert_key(appeal.id)
    tx.add_staff_alerts([NewStaffAlert(key, group.community_id, group.id, member_id, "ban",
                                       HANDLER, text, ban.reason, appeal.at)])  # fmt: skip
    if playbook is None or group.imported:
        return
    action = Action(kind=ActionKind.ALERT_STAFF, carrier=group.carrier,
                    group=group.carrier_group_id, text=text, reason=ban.reason,
                    violation="ban", handler=HANDLER, key=key)  # fmt: skip
    for d in route_alert(tx, playbook, action, key, group.community_id, group.id, appeal.at):
        tx.enqueue(d.key, d.action.carrier, d.action.to_json(), d.action.priority,
                   group_id=d.group_id, at=appeal.at)  # fmt: skip


def _rules(store: Store, community_id: int) -> Appeals:
    from hearthkeeper.apply import community_playbook  # apply builds on the capabilities

    playbook: Playbook | None = community_playbook(store, community_id)
    return Appeals() if playbook is None else playbook.rules.appeals


def _ban_in(store: Store, group: Group, member_id: int, now: datetime, *,
            blacklisted: bool = False) -> Sanction | None:  # fmt: skip
    """The member's ban from `group` in force (the latest), if the store holds one; with
    `blacklisted`, else the blacklisting in force that keeps them out of its community."""
    found = store.community_sanctions(group.community_id, True, now, member_id=member_id,
                                      limit=None)  # fmt: skip
    bans = [s for s in found if s.kind in BANS and s.group_id == group.id]
    if not bans and blacklisted:
        # one across communities on someone in none of this one's groups is not listed there
        every = store.active_sanctions(member_id=member_id, kind=SanctionKind.BLACKLIST, now=now)
        bans = [s for s in every if s.community_id in (None, group.community_id)]
    return max(bans, key=lambda s: (s.at, s.id), default=None)


def _appeal_of(store: Store, ban: Sanction, community_id: int) -> Appeal | None:
    """The member's appeal in the community against this ban decision: against this ban, or
    another ban given with it (from another group, or by the same blacklisting)."""
    appeals = SqlAppeals.on(store)
    for appeal in appeals.member_appeals(community_id, ban.member_id):
        if appeal.sanction_id is None:
            continue
        if appeal.sanction_id == ban.id:
            return appeal
        other = store.get_sanction(appeal.sanction_id)
        if other is not None and other.kind in BANS and abs(other.at - ban.at) <= SAME_DECISION:
            return appeal
    return None


def _decided(store: Store, group: Group, member_id: int) -> Standing:
    """No ban in force: their latest appeal against a ban from this group, if staff lifted it
    by pardoning it (the page says so above the form)."""
    for appeal in SqlAppeals.on(store).member_appeals(group.community_id, member_id, 5):
        if appeal.group_id != group.id or appeal.sanction_id is None:
            continue
        ban = store.get_sanction(appeal.sanction_id)
        if ban is not None and ban.kind in BANS and appeal.outcome == BanAppeal.PARDONED.value:
            return Standing(BanAppeal.PARDONED, ban, appeal, None, Appeals().within)
        break
    return Standing(BanAppeal.NONE, None, None, None, Appeals().within)
