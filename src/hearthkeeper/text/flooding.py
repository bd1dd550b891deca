"""Flooding: more messages from one member than the playbook allows within a short window."""

from __future__ import annotations

from collections import OrderedDict, deque
from collections.abc import Hashable
from datetime import datetime, timedelta

from hearthkeeper.playbook.rules import Flooding, ViolationKind
from hearthkeeper.text.findings import Finding

# However many members speak at once, no more are remembered than this (the least recently
# active are forgotten first): memory stays bounded during a raid of throwaway accounts.
DEFAULT_MAX_MEMBERS = 100_000


class FloodWindow:
    """Counts each member's messages over the last `per` and says when there are too many.

    Memory is bounded: a member silent for longer than `per` is forgotten, at most
    `max_messages + 1` times are kept per member, and at most `max_members` members at all.
    """

    def __init__(
        self, max_messages: int, per: timedelta, *, max_members: int = DEFAULT_MAX_MEMBERS
    ) -> None:
        if max_messages < 1 or per <= timedelta(0) or max_members < 1:
            raise ValueError("max_messages, per and max_members must be positive")
        self.max_messages = max_messages
        self.per = per
        self.max_members = max_members
        self._times: OrderedDict[Hashable, deque[datetime]] = OrderedDict()

    @classmethod
    def from_settings(cls, settings: Flooding) -> FloodWindow:
        """A window with the playbook's `rules.violations.flooding` limits."""
        return cls(settings.max_messages, settings.per)

    def __len__(self) -> int:
        """How many members are remembered now."""
        return len(self._times)

    def observe(self, member: Hashable, now: datetime) -> bool:
        """Record a message from `member` at `now`; True if it is one too many within `per`."""
        cutoff = now - self.per
        remembered = self._times
        for oldest in remembered.values():  # only the least recently active one: is it due?
            if not oldest or oldest[-1] <= cutoff:
                self._forget_before(cutoff)
            break
        times = remembered.get(member)
        if times is None:
            times = remembered[member] = deque(maxlen=self.max_messages + 1)
        else:
            remembered.move_to_end(member)  # most recently active last
        times.append(now)
        while len(remembered) > self.max_members:
            remembered.popitem(last=False)
        while times and times[0] <= cutoff:
            times.popleft()
        return len(times) > self.max_messages

    def finding(self, member: Hashable, now: datetime) -> Finding | None:
        """`observe`, reported as a flooding finding."""
        if not self.observe(member, now):
            return None
        seconds = self.per.total_seconds()
        return Finding(
            ViolationKind.FLOODING.value,
            f"{self.max_messages + 1} messages",
            f"more than {self.max_messages} messages within {seconds:g} s",
        )

    def _forget_before(self, cutoff: datetime) -> None:
        # members are ordered by their last message: the silent ones are at the front
        remembered = self._times
        while remembered:
            member, times = next(iter(remembered.items()))
            if times and times[-1] > cutoff:
                break
            del remembered[member]
