"""An approved applicant for whom no group of the community has room, the same on every
carrier.

Staff's approval asks the applicant's carrier to let them in (an outbox ADMIT item keyed
`admission:approved:<id>`). The web chat seats them itself, checking room with the seat
(`carriers/webchat/perform.py`, its `Capabilities.seats_applicants`); for every other carrier
(Matrix, Telegram, QQ) the outbound queue asks `waits_for_room` before performing the item:
when every group of the community on that carrier is full (`store/rooms.py`; there someone
counts once their join arrives, and until then as an approval let in ahead of this one, so
one seat freed lets in one applicant of those waiting), the item fails without reaching the platform, and staff get one inbox alert naming the applicant and
the community, saying to open a group or raise a capacity. The failed item and its open
alert are what `store/waiting_admissions.py` puts back in the queue once there is room; the
item performed then, `let_in_after_waiting` marks the alert handled and tells staff where
the applicant was let in. The alerts' texts are the same for every carrier (`no_room_alert`,
`room_found_alert`)."""

from __future__ import annotations

from datetime import datetime

from hearthkeeper.engine.actions import Action, ActionKind
from hearthkeeper.playbook.positioning import Language
from hearthkeeper.store import Group, NewStaffAlert, OutboxItem, Store
from hearthkeeper.store.join_sources import SqlJoinSources
from hearthkeeper.store.rooms import SqlRooms, room_for_one_more
from hearthkeeper.store.waiting_admissions import APPROVED, NO_ROOM

HANDLED_BY = "hearthkeeper"  # who handled a no-room alert: the applicant got in

_SAID: dict[str, dict[Language, str]] = {
    "no_room": {
        Language.EN: "{name} was approved to join {community}, but every group is full "
                     "({group} filled while they waited), so they are in no group yet. Open a "
                     "group (hearth groups open) or raise a group's capacity: they are let in "
                     "as soon as there is room, in the order they were approved (their "
                     "application stays approved){credit}.",
        Language.ZH_CN: "已同意 {name} 加入「{community}」，但所有群都已满员（「{group}」在其等待"
                        "期间满员），对方目前不在任何群里。请开一个新群（hearth groups open）或"
                        "调高某个群的人数上限：一有空位即按批准先后自动让对方进群（申请仍为已通过）"
                        "{credit}。",
    },
    "seated": {
        Language.EN: "{name}, approved while every group was full, was let into {group} now "
                     "that there is room.",
        Language.ZH_CN: "{name} 在所有群满员时获批，现已有空位，已进入「{group}」。",
    },
    "invited": {
        Language.EN: "{name}, approved while every group was full, was invited to {group} now "
                     "that there is room: they are in once they accept the invitation.",
        Language.ZH_CN: "{name} 在所有群满员时获批，现已有空位，已邀请其加入「{group}」，对方接受"
                        "邀请后即入群。",
    },
    "credit": {
        Language.EN: ", and the link they came by still credits their join",
        Language.ZH_CN: "，并仍计入其来源链接",
    },
}  # fmt: skip


def _say(key: str, language: Language, **values: object) -> str:
    return _SAID[key][language].format(**values)


def no_room_alert(key: str, group: Group, community: str, name: str, language: Language,
                  at: datetime, *, credited: bool) -> NewStaffAlert:  # fmt: skip
    """Staff's alert (once per approval: keyed by its outbox item `key`) that `name`, approved,
    waits outside: every group of `community` is full, `group` the one they asked for;
    `credited`: they came by a link, whose credit waits for their join."""
    credit = _say("credit", language) if credited else ""
    text = _say("no_room", language, name=name, group=group.name, community=community,
                credit=credit)  # fmt: skip
    return NewStaffAlert(f"{key}{NO_ROOM}", group.community_id, group.id, None, None,
                         "admission", text, "approved: no group has room", at)  # fmt: skip


def room_found_alert(key: str, group: Group, name: str, language: Language, at: datetime, *,
                     invited: bool = False) -> NewStaffAlert:  # fmt: skip
    """Staff's note that `name`, who waited outside, was let into `group` now there is room
    (`invited`: invited to it, to join once they accept: `Capabilities.admits_by_invitation`)."""
    text = _say("invited" if invited else "seated", language, name=name, group=group.name)
    return NewStaffAlert(f"{key}:seated", group.community_id, group.id, None, None,
                         "admission", text, "approved: seated once there was room", at)  # fmt: skip


def approval(action: Action, key: str) -> bool:
    """Whether the outbox item is staff's approval letting an applicant in."""
    return action.kind is ActionKind.ADMIT and key.startswith(APPROVED)


def waits_for_room(store: Store, item: OutboxItem, action: Action, now: datetime) -> str | None:
    """Before an approval (`approval`) is performed on a carrier that does not seat
    applicants itself: None when the community on that carrier has room for them, the
    approvals let in before and not in yet counted (`room_for_one_more`; the carrier lets
    them into the group they asked for); else why not, the item marked failed
    for good and staff told once, in one transaction (`store/waiting_admissions.py` puts it
    back in the queue when there is room)."""
    with store.transaction() as tx:
        group = tx.group_for_carrier(action.carrier, action.group or "")
        if group is None:
            return None  # the carrier says what is wrong
        # the approvals let in ahead of this one count until their applicant joins: several
        # woken by one seat freed let in one
        loads = SqlRooms.on(tx).loads(group.community_id, group.carrier, now, approval=item.id)
        if room_for_one_more(loads):
            return None
        member = action.member or ""
        community = next((c.name for c in tx.list_communities()
                          if c.id == group.community_id), "")  # fmt: skip
        credited = SqlJoinSources.on(tx).waiting(group.carrier, group.carrier_group_id, member,
                                                 now) is not None  # fmt: skip
        tx.add_staff_alerts([no_room_alert(item.key, group, community, applicant(action),
                                           language_of(action), now, credited=credited)])  # fmt: skip
        reason = (f"{action.carrier}: cannot let {member!r} into {group.name!r} (full, as is "
                  f"every group of the community)")  # fmt: skip
        tx.mark_failed(item, reason, now, retry_at=None)
        return reason


def let_in_after_waiting(store: Store, action: Action, key: str, now: datetime, *,
                         invited: bool = False) -> None:  # fmt: skip
    """An approval performed: if it had waited for room (its no-room alert still open),
    the alert is handled and staff are told where the applicant was let in (`invited`:
    invited to, on a carrier where they join once they accept)."""
    with store.transaction() as tx:
        waited = tx.staff_alert_by_key(f"{key}{NO_ROOM}")
        if waited is None or waited.handled_at is not None:
            return
        tx.handle_alert(waited.id, HANDLED_BY, now)
        group = tx.group_for_carrier(action.carrier, action.group or "")
        if group is not None:
            tx.add_staff_alerts([room_found_alert(key, group, applicant(action),
                                                  language_of(action), now, invited=invited)])  # fmt: skip


def applicant(action: Action) -> str:
    """The applicant's name as staff read it in the application."""
    return str(action.extra.get("applicant") or action.member or "")


def language_of(action: Action) -> Language:
    """The community's language the approval was written in (`review.carrier_action`)."""
    try:
        return Language(str(action.extra.get("language") or Language.ZH_CN.value))
    except ValueError:
        return Language.ZH_CN
