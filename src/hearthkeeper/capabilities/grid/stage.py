"""A group's stage in its life, from its own numbers (seed 000: every community has a growth
cycle; without value its activity declines and it becomes an ad group; seed 001: without
energy input it reaches "heat death").

"This week" is the 7 days ending today; "before" the weekly average of the four weeks
before it. Checked in this order, the first that holds is the stage:

| stage     | rule |
|-----------|------|
| new       | first known activity (earliest message or stay, else the opening) under 28 days ago |
| dying     | activity collapsing against its own past: this week under 25% of before, where before was at least 3 messages a week; or not one message in the last 28 days |
| declining | this week under 70% of before; or it lost at least 10% of its members over 28 days (leaves minus joins) |
| growing   | it gained at least 10% members over 28 days (joins minus leaves); or this week at least 130% of before |
| mature    | none of these: a steady group |
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

NEW_DAYS = 28
DYING_SHARE = 0.25  # this week under a quarter of its own past
DYING_PAST = 3.0  # ... of a past with at least this many messages a week
DECLINE = 0.7  # as the heat-death warning's decay (analytics/heat.py)
RISE = 1.3
MEMBER_SHIFT = 0.10  # a tenth of the members gained or lost in 28 days


class Stage(StrEnum):
    NEW = "new"
    GROWING = "growing"
    MATURE = "mature"
    DECLINING = "declining"
    DYING = "dying"
    CLOSED = "closed"  # closed by an operator (`hearth groups close`): not read from its numbers


@dataclass(frozen=True)
class Pulse:
    """What the stage is read from."""

    age_days: int  # since its first known activity (signals.load: message, stay or opening)
    members: int  # now
    weekly_messages: Sequence[int]  # this week first, then the four weeks before
    joins_28d: int = 0
    leaves_28d: int = 0

    @property
    def this_week(self) -> int:
        return self.weekly_messages[0] if self.weekly_messages else 0

    @property
    def before(self) -> float:
        """The weekly average of the four weeks before this one."""
        earlier = list(self.weekly_messages[1:5]) + [0] * (4 - len(self.weekly_messages[1:5]))
        return sum(earlier) / 4

    @property
    def messages_28d(self) -> int:
        return sum(self.weekly_messages[:4])

    @property
    def member_shift(self) -> float:
        """Net members gained (+) or lost (−) over 28 days, as a share of the size then."""
        net = self.joins_28d - self.leaves_28d
        then = self.members - net
        return net / then if then > 0 else (1.0 if net > 0 else 0.0)


def collapsing(pulse: Pulse) -> bool:
    """Activity collapsing against its own past (a dying group, whatever its age)."""
    before = pulse.before
    return before >= DYING_PAST and pulse.this_week < DYING_SHARE * before


def stage_of(pulse: Pulse) -> Stage:
    """The group's stage (the table above)."""
    if pulse.age_days < NEW_DAYS:
        return Stage.NEW
    if collapsing(pulse) or (pulse.messages_28d == 0 and pulse.members > 0):
        return Stage.DYING
    before = pulse.before
    if (before > 0 and pulse.this_week < DECLINE * before) or pulse.member_shift <= -MEMBER_SHIFT:
        return Stage.DECLINING
    if pulse.member_shift >= MEMBER_SHIFT or (before > 0 and pulse.this_week >= RISE * before):
        return Stage.GROWING
    return Stage.MATURE
