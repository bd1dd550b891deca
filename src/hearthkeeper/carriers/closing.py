"""Closing a group, and opening it again (`hearth groups close`, `hearth groups reopen`).

A closed group keeps its history (its messages, the report, the matrix line, shown as
closed) and its members, but takes no newcomers (invite links, live codes and the web
chat's overflow skip it: `store/rooms.py`), hears no scheduled posts (`engine/scheduled.py`)
and is warned of no more. Closed into another group, its members are told where to go: a
last post in it naming that group and its link, since no carrier lets the bot move people.
Refused: the community's last open group, a group closed already, and closing into a group
that is closed, has no room or was imported (no carrier serves it). Closing again a group whose
platform refused the last close (the bot lacked the rights: `group.close.failed`,
`engine/not_closed.py`) is no refusal: the platform is asked again to stop members posting."""

from __future__ import annotations

import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from hearthkeeper.capabilities.texts import Phrasebook
from hearthkeeper.carriers.webchat.groups import WEBCHAT
from hearthkeeper.engine.actions import OPTIONAL, Action, ActionKind
from hearthkeeper.engine.not_closed import FAILED, PLATFORMS
from hearthkeeper.playbook.positioning import Language
from hearthkeeper.store.errors import StoreError
from hearthkeeper.store.rooms import SqlRooms

if TYPE_CHECKING:
    from hearthkeeper.store import AuditEntry, Group, Store

CLOSED = "group.close"  # the audit actions
REOPENED = "group.reopen"
AGAIN = "group.close.again"  # the platform asked again, after its close failed
# a group's audit entries saying how its last closing went: the latest of them (by id)
_CLOSING = {CLOSED, REOPENED, AGAIN, FAILED[ActionKind.CLOSE]}

# closed into a group with room for some of its members only (a full one is refused)
SHORT = "once it is full, its join page offers the rest another group with room"

TEXTS = Phrasebook({
    "moved": {
        Language.EN: "This group is closed. Please carry on in {other}: {link}",
        Language.ZH_CN: "本群已关闭，请移步「{other}」继续交流：{link}",
    },
    "moved-nolink": {
        Language.EN: "This group is closed. Please carry on in {other}.",
        Language.ZH_CN: "本群已关闭，请移步「{other}」继续交流。",
    },
})  # fmt: skip


@dataclass(frozen=True)
class Closed:
    """A group closed, and the last post queued in it (None: none, no `into`); `again`:
    it was closed already, its platform asked again to stop members posting."""

    group: Group
    post: str | None
    again: bool = False
    short: int = 0  # its members beyond the room the group they were sent to has left


def join_link(store: Store, group: Group, site: str) -> str | None:
    """Where someone joins `group`: the web chat's invite link (its code made on first use),
    a Matrix room's matrix.to link; None where the carrier has no link to give."""
    if group.carrier == WEBCHAT:
        from hearthkeeper.carriers.webchat.repository import SqlWebChat

        code = SqlWebChat.on(store).invite_code(group.id, secrets.token_urlsafe(9))
        return f"{site.rstrip('/')}/join/{code}"
    if group.carrier == "matrix":
        return f"https://matrix.to/#/{group.carrier_group_id}"
    return None


def close_group(store: Store, group: Group, by: str, now: datetime, *, into: Group | None,
                site: str, language: Language) -> Closed:  # fmt: skip
    """Close `group` in one transaction, written in the audit log as closed by `by`; with
    `into`, a last post in it names that group and its link. `StoreError` when refused.
    Closed already, but its platform refused the last close: the carrier is asked again."""
    with store.transaction() as tx:
        tx.lock_community(group.community_id)  # one closing at a time: asked again once
        current = tx.get_group(group.id)
        if current is not None and current.closed and not group.imported:
            failed = _close_failed(tx, current)
            if failed is not None:
                return _close_again(tx, current, failed, by, into, language)
        short = 0
        if into is not None and not into.closed:
            loads = SqlRooms.on(tx).loads(into.community_id, into.carrier, now)
            load = next((x for x in loads if x.group_id == into.id), None)
            if load is not None and not load.has_room:
                raise StoreError(f"{into.name} is full ({load.taken} of {load.capacity} members, "
                                 "with seats held and applications waiting): send the members "
                                 f"of {group.name} to a group with room")  # fmt: skip
            if load is not None and load.capacity is not None:
                short = max(0, len(tx.active_members(group.id)) - load.free)
        closed = tx.close_group(group.id, by, None if into is None else into.id)
        stamp = f"{closed.closed_at:%Y%m%dT%H%M%S%f}"
        if _locks(group):  # members can no longer post, where the carrier itself stops them
            _lock(tx, group, ActionKind.CLOSE, f"{CLOSED}:{group.id}:{stamp}:lock",
                  f"{group.name} closed by {by}", language)  # fmt: skip
        post = None
        if into is not None and not group.imported:
            link = join_link(tx, into, site)
            post = (TEXTS.say("moved", language, other=into.name, link=link) if link
                    else TEXTS.say("moved-nolink", language, other=into.name))  # fmt: skip
            action = Action(kind=ActionKind.SEND, carrier=group.carrier,
                            group=group.carrier_group_id, text=post, handler="groups",
                            reason=f"{group.name} closed into {into.name}")  # fmt: skip
            key = f"{CLOSED}:{group.id}:{stamp}"
            tx.enqueue(key, group.carrier, action.to_json(), action.priority, group_id=group.id)
        tx.audit(by, CLOSED, group.community_id, target=f"group {group.id}",
                 detail={"name": group.name, "into": None if into is None else into.name})  # fmt: skip
    return Closed(closed, post, short=short if post is not None else 0)


def reopen_group(store: Store, group: Group, by: str,
                 language: Language = Language.EN) -> Group:  # fmt: skip
    """Open a closed group again, written in the audit log; `StoreError` when not closed.
    `language`: the community's, what staff read if the carrier cannot (`not_closed.py`)."""
    with store.transaction() as tx:
        current = tx.get_group(group.id)  # when it was closed names this reopening
        closed_at = None if current is None else current.closed_at
        opened = tx.reopen_group(group.id)
        if _locks(group) and closed_at is not None:
            stamp = f"{closed_at:%Y%m%dT%H%M%S%f}"
            _lock(tx, group, ActionKind.REOPEN, f"{REOPENED}:{group.id}:{stamp}:unlock",
                  f"{group.name} reopened by {by}", language)  # fmt: skip
        tx.audit(by, REOPENED, group.community_id, target=f"group {group.id}",
                 detail={"name": group.name})  # fmt: skip
    return opened


def refused_closes(store: Store, community_id: int,
                   closed: Iterable[tuple[int, str]]) -> dict[int, str]:  # fmt: skip
    """Of these closed groups (id, carrier), those whose platform refused the last close
    (members can still post there; closing again asks it again), each with the platform's
    name. One read for them all."""
    carriers = {f"group {group_id}": (group_id, carrier) for group_id, carrier in closed}
    if not carriers:
        return {}
    last = store.last_audits(community_id, carriers, _CLOSING)
    return {group_id: PLATFORMS.get(carrier, carrier)
            for target, (group_id, carrier) in carriers.items()
            if target in last and last[target].action == FAILED[ActionKind.CLOSE]}  # fmt: skip


def _close_failed(tx: Store, group: Group) -> AuditEntry | None:
    """The audit entry saying the platform refused `group`'s last close, if it did (nothing
    since: no closing again, no reopening). Last by when it was written (the id), not by its
    time: the failure's time is the server's clock, a closing's the command's. One read."""
    last = tx.last_audit(group.community_id, f"group {group.id}", _CLOSING)
    return last if last is not None and last.action == FAILED[ActionKind.CLOSE] else None


def _close_again(tx: Store, group: Group, failed: AuditEntry, by: str, into: Group | None,
                 language: Language) -> Closed:  # fmt: skip
    """Ask `group`'s platform again to stop members posting (its last close failed)."""
    platform = PLATFORMS.get(group.carrier, group.carrier)
    if into is not None:
        raise StoreError(f"{group.name} is closed already: to ask {platform} again to stop "
                         "members posting, close it again without --into (to send its members "
                         "elsewhere, reopen it first)")  # fmt: skip
    _lock(tx, group, ActionKind.CLOSE, f"{CLOSED}:{group.id}:again:{failed.id}:lock",
          f"{group.name} closed again by {by}", language)  # fmt: skip
    tx.audit(by, AGAIN, group.community_id, target=f"group {group.id}",
             detail={"name": group.name, "failed": failed.id})  # fmt: skip
    return Closed(group, None, again=True)


def _locks(group: Group) -> bool:
    """Whether closing `group` asks its carrier to stop members posting (the web chat, which
    reads the closed state at each post, `webchat/closed.py`, tells the pages open now): not
    an imported group, which no carrier serves."""
    return not group.imported


def _lock(tx: Store, group: Group, kind: ActionKind, key: str, reason: str,
          language: Language) -> None:  # fmt: skip
    """Queue CLOSE (members can no longer post: Matrix power levels, Telegram's chat
    permissions, QQ's whole-group mute) or REOPEN (what CLOSE changed, given back). Optional:
    a carrier that cannot stop members posting passes over it. One the bot lacks the rights
    for is told to staff in `language` (`engine/not_closed.py`)."""
    action = Action(kind=kind, carrier=group.carrier, group=group.carrier_group_id,
                    handler="groups", reason=reason,
                    extra={OPTIONAL: True, "language": language.value})  # fmt: skip
    tx.enqueue(key, group.carrier, action.to_json(), action.priority, group_id=group.id)
