"""Sliding-window rate limits per carrier and per group. Pure: time is passed in."""

from __future__ import annotations

from collections import deque
from datetime import datetime, timedelta

from hearthkeeper.engine.carrier import Capabilities, RateLimit


class Window:
    """At most `limit.count` uses within any `limit.seconds`."""

    def __init__(self, limit: RateLimit) -> None:
        self.limit = limit
        self._uses: deque[datetime] = deque()

    def _trim(self, now: datetime) -> None:
        horizon = now - timedelta(seconds=self.limit.seconds)
        while self._uses and self._uses[0] <= horizon:
            self._uses.popleft()

    def free_at(self, now: datetime) -> datetime:
        """The earliest time a use is allowed (now, if allowed now)."""
        self._trim(now)
        if len(self._uses) < self.limit.count:
            return now
        return self._uses[len(self._uses) - self.limit.count] + timedelta(
            seconds=self.limit.seconds
        )

    def use(self, now: datetime) -> None:
        """Record a use at `now`."""
        self._uses.append(now)


class Quotas:
    """One carrier's quotas: overall and per group (groups created on first use)."""

    def __init__(self, capabilities: Capabilities) -> None:
        self._overall = Window(capabilities.overall) if capabilities.overall else None
        self._per_group_limit = capabilities.per_group
        self._groups: dict[str, Window] = {}

    def _group(self, group: str | None) -> Window | None:
        if self._per_group_limit is None or group is None:
            return None
        window = self._groups.get(group)
        if window is None:
            window = self._groups[group] = Window(self._per_group_limit)
        return window

    def free_at(self, group: str | None, now: datetime) -> datetime:
        """When an action in `group` may go out."""
        times = [now]
        if self._overall is not None:
            times.append(self._overall.free_at(now))
        window = self._group(group)
        if window is not None:
            times.append(window.free_at(now))
        return max(times)

    def use(self, group: str | None, now: datetime) -> None:
        """Count an action that went out."""
        if self._overall is not None:
            self._overall.use(now)
        window = self._group(group)
        if window is not None:
            window.use(now)
