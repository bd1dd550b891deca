"""Routing a newcomer who opened a live code: to a group with room, opening the next group
when the newest is nearly full, holding the seat until they arrive.

Everything is decided in one transaction that locks the community's row, so two newcomers
racing for the last seat are routed one after the other: the second sees the seat held for
the first and goes to the next group. A held seat counts until the engine sees the
newcomer's join (the arrival releases it) or `HOLD` passes. The browser keeps a cookie, so
opening the link again (a reload, a second scan) reuses its seat. One client address holds
at most `HOLDS_PER_CLIENT` seats at a time; beyond that a newcomer is still routed, without
a seat held, so a script opening the link in a loop cannot fill groups with nobody."""

from __future__ import annotations

import hashlib
import logging
import secrets
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from urllib.parse import quote
from zoneinfo import ZoneInfo

from hearthkeeper.capabilities.livecodes.decide import Limits, Step, route
from hearthkeeper.capabilities.livecodes.records import Channel
from hearthkeeper.capabilities.livecodes.repository import SqlLiveCodes
from hearthkeeper.playbook import Playbook
from hearthkeeper.store import Group, StoreError
from hearthkeeper.web.context import Web

log = logging.getLogger(__name__)
HOLD = timedelta(minutes=15)
HOLDS_PER_CLIENT = 20
MATRIX = "matrix"


@dataclass(frozen=True)
class Routed:
    """Where a newcomer goes (`group` None: every group is full and none can be opened) and
    the token of the seat newly held for them, for their cookie."""

    group: Group | None
    token: str | None = None


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def start_of_day(now: datetime, timezone: str) -> datetime:
    """Midnight of `now`'s day in the community's time zone."""
    zone = ZoneInfo(timezone)
    return datetime.combine(now.astimezone(zone).date(), time(0), zone)


def route_newcomer(web: Web, channel: Channel, playbook: Playbook, *, token: str | None,
                   client: str) -> Routed:  # fmt: skip
    """Choose the newcomer's group (opening one if the playbook says so) and hold its seat."""
    served = web.carriers.get(channel.carrier)
    hosted = None if served is None else served.hosted
    now = web.clock.now()
    with web.store.transaction() as tx:
        repo = SqlLiveCodes.on(tx)
        repo.lock_community(channel.community_id)
        if token is not None:
            kept = repo.held(token_hash(token), channel.id, now)
            if kept is not None:
                return Routed(tx.get_group(kept))
        loads = repo.loads(channel.community_id, channel.carrier, now,
                           start_of_day(now, playbook.community.timezone))  # fmt: skip
        decided = route(loads, Limits.of(playbook), can_open=hosted is not None)
        target = decided.group_id
        if decided.step in (Step.OPEN, Step.OPEN_AHEAD):
            assert hosted is not None
            try:
                opened = hosted.open_group(tx, channel.community_id, playbook)
            except StoreError as exc:
                log.warning("live code %r could not open a group: %s", channel.slug, exc)
                opened = None
            if opened is not None:
                tx.audit(f"livecode:{channel.slug}", "group.open", channel.community_id,
                         target=f"group {opened.id}",
                         detail={"name": opened.name, "carrier": opened.carrier,
                                 "capacity": opened.capacity})  # fmt: skip
                if decided.step is Step.OPEN:
                    target = opened.id
        if target is None:
            return Routed(None)
        fresh = None
        if repo.holds_of(client, now) < HOLDS_PER_CLIENT:
            fresh = secrets.token_urlsafe(24)
            repo.hold(channel.id, target, token_hash(fresh), client, at=now, until=now + HOLD)
        return Routed(tx.get_group(target), fresh)


def join_url(web: Web, group: Group, channel: Channel) -> str | None:
    """Where a newcomer joins `group`: its invite link carrying the channel's token (groups
    this server hosts), the room's matrix.to link (Matrix: its join does not carry the
    token, so such arrivals are not attributed), else None."""
    served = web.carriers.get(group.carrier)
    if served is not None and served.hosted is not None:
        return f"{served.hosted.invite_path(group.id)}?via={quote(channel.source, safe='')}"
    if group.carrier == MATRIX:
        return f"https://matrix.to/#/{quote(group.carrier_group_id, safe='!:')}"
    return None


def stable_link(public_url: str, slug: str) -> str:
    """The stable link of a channel, for posters: `<public_url>/go/<slug>`."""
    return f"{public_url.rstrip('/')}/go/{slug}"
