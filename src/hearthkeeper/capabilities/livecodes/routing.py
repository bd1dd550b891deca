"""Routing a newcomer who opened a live code: to a group with room, opening the next group
when the newest is nearly full, holding the seat until they arrive.

Everything is decided in one transaction that locks the community's row, so two newcomers
racing for the last seat are routed one after the other: the second sees the seat held for
the first and goes to the next group. A held seat counts until the engine sees the
newcomer's join (the arrival releases it) or `HOLD` passes. The browser keeps a cookie, so
opening the link again (a reload, a second scan) reuses its seat. One client (an IPv4
address, or an IPv6 address's /64: `web.clientaddr.client_network`) holds at most
`HOLDS_PER_CLIENT` seats at a time, and at most a quarter of a group's by-code limit in that
group (`Limits.client_share`); beyond that a newcomer is still routed, without
a seat held, so a script opening the link in a loop cannot fill groups with nobody."""

from __future__ import annotations

import hashlib
import logging
import secrets
import threading
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from typing import TYPE_CHECKING
from urllib.parse import quote
from zoneinfo import ZoneInfo

from hearthkeeper.capabilities.livecodes.decide import Limits, Step, route
from hearthkeeper.capabilities.livecodes.records import Channel
from hearthkeeper.capabilities.livecodes.repository import SqlLiveCodes
from hearthkeeper.engine.carrier import CarrierError
from hearthkeeper.playbook import Playbook
from hearthkeeper.playbook.groups import is_staff_channel
from hearthkeeper.store import Group, Store, StoreError
from hearthkeeper.web.context import Web

if TYPE_CHECKING:
    from hearthkeeper.carriers.plugin import GroupOpener

log = logging.getLogger(__name__)
HOLD = timedelta(minutes=15)
HOLDS_PER_CLIENT = 20
OPEN_WAIT_S = 60.0  # at most this long a newcomer waits for a group another server opens
OPENING = (Step.OPEN, Step.OPEN_AHEAD)
MATRIX = "matrix"


@dataclass(frozen=True)
class Routed:
    """Where a newcomer goes (`group` None: every group is full, or there is none, and none can
    be opened) and
    the token of the seat newly held for them, for their cookie."""

    group: Group | None
    token: str | None = None
    no_groups: bool = False  # `group` None because the carrier has no group of it yet


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def start_of_day(now: datetime, timezone: str) -> datetime:
    """Midnight of `now`'s day in the community's time zone."""
    zone = ZoneInfo(timezone)
    return datetime.combine(now.astimezone(zone).date(), time(0), zone)


class Openings:
    """One opening at a time per community and carrier, for openers that ask another server
    (a Matrix room): newcomers arriving together wait for the group being opened instead of
    each opening one. One per web application (a single `hearth serve` process)."""

    def __init__(self) -> None:
        self._guard = threading.Lock()
        self._locks: dict[tuple[int, str], threading.Lock] = {}

    def lock(self, community_id: int, carrier: str) -> threading.Lock:
        with self._guard:
            return self._locks.setdefault((community_id, carrier), threading.Lock())


def route_newcomer(web: Web, channel: Channel, playbook: Playbook, *, token: str | None,
                   client: str, openings: Openings) -> Routed:  # fmt: skip
    """Choose the newcomer's group (opening one if the playbook says so) and hold its seat.

    A group this server makes itself (the web chat) is opened in the routing's transaction.
    One another server makes (a Matrix room) is opened after it, without the community's lock
    held while the homeserver answers: newcomers meanwhile are routed as before, and one who
    needs the new group waits for it (`Openings`), then is routed again."""
    served = web.carriers.get(channel.carrier)
    opener = None if served is None else served.opener()
    if opener is None or not opener.remote:
        return _route(web, channel, playbook, token=token, client=client, opener=opener)[0]
    routed, step = _route(web, channel, playbook, token=token, client=client, opener=None,
                          can_open=True)  # fmt: skip
    if step not in OPENING:
        return routed
    _open_remotely(web, channel, playbook, opener, openings, wait=step is Step.OPEN)
    if step is Step.OPEN_AHEAD:
        return routed  # already sent to a group with room; the next is opened for later
    return _route(web, channel, playbook, token=token, client=client, opener=None)[0]


def _route(web: Web, channel: Channel, playbook: Playbook, *, token: str | None, client: str,
           opener: GroupOpener | None, can_open: bool | None = None) -> tuple[Routed, Step]:  # fmt: skip
    """One routing in one locked transaction; `opener` (not remote) opens the next group in it,
    else a step that wants a group opened is only reported (`can_open`: whether it may)."""
    now = web.clock.now()
    with web.store.transaction() as tx:
        repo = SqlLiveCodes.on(tx)
        repo.lock_community(channel.community_id)
        if token is not None:
            kept = repo.held(token_hash(token), channel.id, now)
            held = None if kept is None else tx.get_group(kept)
            if held is not None and not held.closed:  # closed since: routed afresh
                return Routed(held), Step.SEND
        loads = repo.loads(channel.community_id, channel.carrier, now,
                           start_of_day(now, playbook.community.timezone))  # fmt: skip
        if playbook.alerts.staff_group:  # the staff channel takes no newcomers
            staff = {g.id for g in tx.list_groups(channel.community_id)
                     if is_staff_channel(playbook, g.name, g.carrier_group_id)}  # fmt: skip
            loads = [load for load in loads if load.group_id not in staff]
        may_open = opener is not None if can_open is None else can_open
        decided = route(loads, Limits.of(playbook), can_open=may_open)
        target = decided.group_id
        if decided.step in OPENING and opener is not None:
            try:
                opened = opener.open_group(tx, channel.community_id, playbook)
            except StoreError as exc:
                log.warning("live code %r could not open a group: %s", channel.slug, exc)
                opened = None
            if opened is not None:
                _audit_opening(tx, channel, opened)
                if decided.step is Step.OPEN:
                    target = opened.id
        if target is None:
            return Routed(None, no_groups=decided.step is Step.NO_GROUPS), decided.step
        fresh = None
        load = next((g for g in loads if g.group_id == target), None)
        share = HOLDS_PER_CLIENT if load is None else Limits.of(playbook).client_share(load)
        if (repo.holds_of(client, now) < HOLDS_PER_CLIENT
                and repo.holds_of(client, now, target) < share):  # fmt: skip
            fresh = secrets.token_urlsafe(24)
            repo.hold(channel.id, target, token_hash(fresh), client, at=now, until=now + HOLD)
        return Routed(tx.get_group(target), fresh), decided.step


def _open_remotely(web: Web, channel: Channel, playbook: Playbook, opener: GroupOpener,
                   openings: Openings, *, wait: bool) -> None:  # fmt: skip
    """Open the next group with a remote opener, unless another newcomer's request is opening
    it (`wait`: wait for that one instead of leaving at once) or has opened it meanwhile."""
    lock = openings.lock(channel.community_id, channel.carrier)
    if not (lock.acquire(timeout=OPEN_WAIT_S) if wait else lock.acquire(blocking=False)):
        return
    try:
        now = web.clock.now()
        loads = SqlLiveCodes.on(web.store).loads(channel.community_id, channel.carrier, now,
                                                 start_of_day(now, playbook.community.timezone))  # fmt: skip
        if route(loads, Limits.of(playbook), can_open=True).step not in OPENING:
            return  # opened by the request this one waited for
        try:
            opened = opener.open_group(web.store, channel.community_id, playbook)
        except (StoreError, CarrierError) as exc:
            log.warning("live code %r could not open a %s group: %s", channel.slug,
                        channel.carrier, exc)  # fmt: skip
            return
        with web.store.transaction() as tx:
            _audit_opening(tx, channel, opened)
    finally:
        lock.release()


def _audit_opening(tx: Store, channel: Channel, opened: Group) -> None:
    tx.audit(f"livecode:{channel.slug}", "group.open", channel.community_id,
             target=f"group {opened.id}",
             detail={"name": opened.name, "carrier": opened.carrier,
                     "capacity": opened.capacity})  # fmt: skip


def join_url(web: Web, group: Group, channel: Channel) -> str | None:
    """Where a newcomer joins `group`: its invite link carrying the channel's token (groups
    this server hosts), the carrier's link for that token (a Telegram invite link named
    after it; the Matrix join page, where the bot invites the Matrix ID they type), else None.
    A Matrix room whose carrier this server does not run gets its matrix.to link, whose join
    does not say which channel brought the newcomer."""
    served = web.carriers.get(group.carrier)
    if served is not None and served.hosted is not None:
        return f"{served.hosted.invite_path(group.id)}?via={quote(channel.source, safe='')}"
    if served is not None and served.join_link is not None:
        return served.join_link(group, channel.source)
    if group.carrier == MATRIX:
        return f"https://matrix.to/#/{quote(group.carrier_group_id, safe='!:')}"
    return None


def stable_link(public_url: str, slug: str) -> str:
    """The stable link of a channel, for posters: `<public_url>/go/<slug>`."""
    return f"{public_url.rstrip('/')}/go/{slug}"
