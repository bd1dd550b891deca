"""When a group's mood is a crisis (pure): the share of alarming messages in the last half hour
against the group's own share over the past week, with a floor of alarming messages and of
members saying them, and one alert per episode.

An episode starts when the spike holds and the group's last episode ended more than
`cooldown` ago; while it lasts, each alarming message that keeps the spike going extends it
(no new alert). It ends once the spike has not held for `cooldown`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Literal

Sensitivity = Literal["low", "normal", "high"]


@dataclass(frozen=True)
class Thresholds:
    """What makes a spike: at least `min_alarming` alarming messages from `min_authors`
    members in `window`, making up at least `floor` of the group's messages there and
    `ratio` times the group's usual share (over `baseline`, when it saw `min_baseline`
    messages; a quieter history is judged by the floor alone)."""

    min_alarming: int
    min_authors: int
    ratio: float
    floor: float
    window: timedelta = timedelta(minutes=30)
    baseline: timedelta = timedelta(days=7)
    min_baseline: int = 50
    cooldown: timedelta = timedelta(hours=6)


SENSITIVITY: dict[Sensitivity, Thresholds] = {
    "low": Thresholds(min_alarming=8, min_authors=4, ratio=4.0, floor=0.4),
    "normal": Thresholds(min_alarming=5, min_authors=3, ratio=3.0, floor=0.3),
    "high": Thresholds(min_alarming=3, min_authors=2, ratio=2.0, floor=0.2),
}


@dataclass(frozen=True)
class Counts:
    """Members' messages (staff's are not counted) and how many of them were alarming."""

    messages: int
    alarming: int
    authors: int = 0  # distinct members among the alarming ones

    @property
    def share(self) -> float:
        """The alarming share (0 when there were no messages)."""
        return self.alarming / self.messages if self.messages else 0.0


@dataclass(frozen=True)
class Spike:
    """A spike as measured: the window's counts, the baseline share, the bar it cleared."""

    window: Counts
    baseline: float | None  # None: too little history, the floor alone applied
    bar: float


def enough_to_spike(alarming: int, authors: int, t: Thresholds) -> bool:
    """Whether a window with `alarming` messages from `authors` members can be a spike at
    all, whatever its share (the group's messages need not be counted when it cannot)."""
    return alarming >= t.min_alarming and authors >= t.min_authors


def spike(window: Counts, history: Counts, t: Thresholds) -> Spike | None:
    """The spike the window shows against the group's history, or None."""
    usual = history.share if history.messages >= t.min_baseline else None
    bar = max(t.floor, usual * t.ratio) if usual is not None else t.floor
    if not enough_to_spike(window.alarming, window.authors, t):
        return None
    if window.share < bar:
        return None
    return Spike(window, usual, bar)


class Verdict(StrEnum):
    """What one alarming message does to the group's episodes."""

    CALM = "calm"  # no spike: recorded, nothing else
    OPEN = "open"  # a new episode: alert staff
    EXTEND = "extend"  # the running episode goes on: no new alert


@dataclass(frozen=True)
class Episode:
    """A group's latest episode as stored: when its spike last held."""

    id: int
    last_at: datetime


def verdict(found: Spike | None, latest: Episode | None, now: datetime,
            t: Thresholds) -> Verdict:  # fmt: skip
    """Open, extend or nothing: one alert per episode, a new one only after `cooldown`
    without a spike."""
    if found is None:
        return Verdict.CALM
    if latest is not None and now - latest.last_at < t.cooldown:
        return Verdict.EXTEND
    return Verdict.OPEN
