"""Channel attribution: who each live code brought, who stayed, spoke and paid.

Each member counts once per channel (their first arrival by it). A member *stayed* when they
were still in the group they arrived in `STAY_DAYS` days after arriving; members who arrived
less than that long ago are not counted either way yet (`settled` says how many were).
*Spoke*: posted at least once in that group after arriving. *Paid*: see `paid.py`."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta

from hearthkeeper.capabilities.livecodes.paid import paid_among
from hearthkeeper.capabilities.livecodes.records import Channel, ChannelStats
from hearthkeeper.capabilities.livecodes.repository import Arrival, SqlLiveCodes, StaySpan
from hearthkeeper.store.scope import StoreBase

STAY_DAYS = 7


def attribute(channels: Sequence[Channel], arrivals: Sequence[Arrival],
              stays: Sequence[StaySpan], last_said: Mapping[tuple[int, int], datetime],
              paid: set[int], now: datetime,
              stay_days: int = STAY_DAYS) -> list[ChannelStats]:  # fmt: skip
    """Each channel's figures from its arrivals (pure: no store)."""
    window = timedelta(days=stay_days)
    by_pair: dict[tuple[int, int], list[StaySpan]] = {}
    for stay in stays:
        by_pair.setdefault((stay.member_id, stay.group_id), []).append(stay)
    found = []
    for channel in channels:
        first: dict[int, Arrival] = {}
        for a in arrivals:  # a member who came back by the same code counts once
            if a.channel_id == channel.id:
                first.setdefault(a.member_id, a)
        mine = list(first.values())
        settled = [a for a in mine if a.at + window <= now]
        stayed = [a for a in settled
                  if _in_at(by_pair.get((a.member_id, a.group_id), []), a.at + window)]  # fmt: skip
        spoke = [a for a in mine if last_said.get((a.member_id, a.group_id), a.at - window) >= a.at]
        found.append(ChannelStats(
            channel=channel, arrived=len(mine), settled=len(settled), stayed=len(stayed),
            spoke=len(spoke), paid=len(first.keys() & paid),
        ))  # fmt: skip
    return found


def _in_at(stays: Sequence[StaySpan], moment: datetime) -> bool:
    """Whether one of the stays covers `moment`."""
    return any(s.joined_at <= moment and (s.left_at is None or s.left_at >= moment)
               for s in stays)  # fmt: skip


def channel_stats(scope: StoreBase, community_id: int, now: datetime,
                  stay_days: int = STAY_DAYS) -> list[ChannelStats]:  # fmt: skip
    """The community's channels (retired ones too) with their figures as of `now`."""
    repo = SqlLiveCodes.on(scope)
    channels = repo.channels(community_id)
    arrivals = repo.arrivals([c.id for c in channels])
    paid = paid_among(scope, community_id, {a.member_id for a in arrivals})
    return attribute(channels, arrivals, repo.stays(arrivals), repo.last_said(arrivals),
                     paid, now, stay_days)  # fmt: skip
