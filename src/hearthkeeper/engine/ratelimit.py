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

    def free_at(self, now: datetime, uses: int = 1) -> datetime:
        """The earliest time `uses` uses together are allowed (now, if allowed now); more
        than the window holds go once it is empty."""
        self._trim(now)
        need = max(1, min(uses, self.limit.count))
        if len(self._uses) + need <= self.limit.count:
            return now
        return self._uses[len(self._uses) + need - 1 - self.limit.count] + timedelta(
            seconds=self.limit.seconds
        )

    def use(self, now: datetime, uses: int = 1) -> None:
        """Record `uses` uses at `now`."""
        self._uses.extend([now] * uses)


class Quotas:
    """One carrier's quotas: overall and per group, the latter in one or two windows (20 a
    minute and 1 a second in a Telegram chat); a group's windows are made on first use."""

    def __init__(self, capabilities: Capabilities) -> None:
        self._overall = Window(capabilities.overall) if capabilities.overall else None
        self._per_group_limits = [
            limit for limit in (capabilities.per_group, capabilities.per_group_burst) if limit
        ]
        self._groups: dict[str, list[Window]] = {}

    def _group(self, group: str | None) -> list[Window]:
        if not self._per_group_limits or group is None:
            return []
        windows = self._groups.get(group)
        if windows is None:
            windows = self._groups[group] = [Window(limit) for limit in self._per_group_limits]
        return windows

    def free_at(self, group: str | None, now: datetime, messages: int = 1) -> datetime:
        """When an action in `group` may go out: one that sends `messages` (a long text's
        parts) when there is room for all of them."""
        times = [now]
        if self._overall is not None:
            times.append(self._overall.free_at(now, messages))
        times.extend(window.free_at(now, messages) for window in self._group(group))
        return max(times)

    def use(self, group: str | None, now: datetime, messages: int = 1) -> None:
        """Count an action that went out, each of the `messages` it sent."""
        if self._overall is not None:
            self._overall.use(now, messages)
        for window in self._group(group):
            window.use(now, messages)
