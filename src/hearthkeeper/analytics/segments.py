"""Member segments as of a day: new, active, core, silent, slipping away, churned.

Every member of the scope falls in exactly one segment, decided in this order (the first rule
that holds wins). "Silent for n days" counts days since the last message: a member whose last
message was yesterday has been silent 1 day. Windows end on the as-of day and include it.

1. churned — left every group of the scope; or formerly active (see below) and silent for
   more than 28 days.
2. new — joined within the last 7 days (as-of day minus join day ≤ 6).
3. slipping away — formerly active and silent for 7 to 28 days.
4. core — posted within the last 7 days and on at least 8 distinct days of the last 28.
5. active — posted within the last 7 days.
6. silent — everyone else in the scope: never posted, or silent 7+ days without having
   been active before.

Formerly active: posted on at least 3 distinct days in the 28 days ending on their last
message day. A key member is one who was core on their last message day (8+ active days in
the 28 days ending then) or who holds a staff role; a key member silent for 7 to 28 days is
reported once per silence spell to staff (`capabilities.health`).
"""

from __future__ import annotations

import bisect
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from enum import StrEnum
from functools import partial
from operator import attrgetter, lt
from typing import NamedTuple


class Segment(StrEnum):
    """The six segments, in the order they are shown."""

    NEW = "new"
    ACTIVE = "active"
    CORE = "core"
    SILENT = "silent"
    SLIPPING_AWAY = "slipping_away"
    CHURNED = "churned"


@dataclass(frozen=True)
class SegmentRules:
    """The thresholds of the segment definitions (the defaults are the documented ones)."""

    recent_days: int = 7  # "posted within 7 days"; also "joined within 7 days"
    window_days: int = 28  # the core window and the longest silence before churn
    core_days: int = 8  # active days in the window that make a member core
    formerly_active_days: int = 3  # active days in the window ending at the last message


DEFAULT_RULES = SegmentRules()


class MemberFacts(NamedTuple):
    """What segmentation needs to know of one member in the scope (community or group). A
    named tuple, not a dataclass: a report makes one per member and scope (over 100,000 at
    1M messages), and a named tuple is made several times faster."""

    member_id: int
    joined: date | None  # first join day (local); None: unknown
    present: bool  # still in a group of the scope on the as-of day
    active_days: Sequence[date] = ()  # days with at least one message, ascending
    staff: bool = False  # holds a staff role from the playbook


class Placed(NamedTuple):
    """One member's segment, with the numbers it was decided on (a named tuple, as
    `MemberFacts`)."""

    member_id: int
    segment: Segment
    last_active: date | None
    silent_days: int | None  # days since the last message; None: never posted
    active_days_28: int  # distinct active days in the window ending on the as-of day
    key: bool  # core at their last message, or staff


@dataclass(frozen=True)
class SegmentReport:
    """Segments of a scope as of a day: counts per segment and each member's placement."""

    as_of: date
    counts: dict[str, int]
    members: list[Placed] = field(default_factory=list)
    met_offline: int = 0  # members of the scope who came to an offline event (across segments)

    def to_json(self) -> dict[str, object]:
        """The counts (members listed only by segment size: reports stay small)."""
        return {"as_of": self.as_of.isoformat(), "counts": dict(self.counts),
                "met_offline": self.met_offline}  # fmt: skip


def place(member: MemberFacts, as_of: date, rules: SegmentRules = DEFAULT_RULES) -> Placed:
    """The member's segment on `as_of` (activity after `as_of` is ignored)."""
    return _placer(as_of, rules)(member)


def _placer(as_of: date, rules: SegmentRules) -> Callable[[MemberFacts], Placed]:
    """`place` for one day and rules, with what does not depend on the member worked out
    once (a report places every member of every scope: over 100,000 at 1M messages)."""
    window = timedelta(days=rules.window_days - 1)
    window_start = as_of - window
    recent_days, window_days = rules.recent_days, rules.window_days
    core_days, formerly_active_days = rules.core_days, rules.formerly_active_days

    def place_one(member: MemberFacts) -> Placed:
        days = member.active_days
        if days and (days[-1] > as_of or not all(map(lt, days, days[1:]))):
            days = sorted({d for d in days if d <= as_of})
        if days:  # ascending, distinct, none after as_of: the windows end at the last day
            last: date | None = days[-1]
            count = len(days)
            recent = count - bisect.bisect_left(days, window_start)
            silent: int | None = (as_of - days[-1]).days
            around_last = count - bisect.bisect_left(days, days[-1] - window)
        else:
            last = silent = None
            recent = around_last = 0
        formerly_active = around_last >= formerly_active_days
        key = member.present and (member.staff or around_last >= core_days)
        posted_recently = silent is not None and silent < recent_days

        if not member.present or (formerly_active and silent is not None and silent > window_days):
            segment = Segment.CHURNED
        elif member.joined is not None and 0 <= (as_of - member.joined).days < recent_days:
            segment = Segment.NEW
        elif formerly_active and silent is not None and silent >= recent_days:
            segment = Segment.SLIPPING_AWAY
        elif posted_recently and recent >= core_days:
            segment = Segment.CORE
        elif posted_recently:
            segment = Segment.ACTIVE
        else:
            segment = Segment.SILENT
        return _PLACED((member.member_id, segment, last, silent, recent, key))

    return place_one


Placements = dict[int, tuple[MemberFacts, Placed]]


def segment_members(
    members: Iterable[MemberFacts],
    as_of: date,
    rules: SegmentRules = DEFAULT_RULES,
    *,
    known: Placements | None = None,
) -> SegmentReport:
    """Every member's segment on `as_of`, and the count of each segment (zeros included).
    Members who joined after `as_of` are left out. `known`: placements on the same day and
    rules in other scopes (member → facts, placed), reused where the facts are the same (a
    member of one group has the same facts in it as in the community) and added to."""
    place_one = _placer(as_of, rules)
    if known is None:
        placed = [place_one(m) for m in members if m.joined is None or m.joined <= as_of]
    else:
        placed = []
        for m in members:
            if m.joined is None or m.joined <= as_of:
                seen = known.get(m.member_id)
                if seen is None or seen[0] != m:
                    seen = known[m.member_id] = (m, place_one(m))
                placed.append(seen[1])
    tally = Counter(map(_segment_of, placed))
    counts = {s.value: tally.get(s, 0) for s in Segment}
    return SegmentReport(as_of, counts, sorted(placed, key=_member_of))


_PLACED = partial(tuple.__new__, Placed)  # made in C: over 100,000 per report
_segment_of = attrgetter("segment")
_member_of = attrgetter("member_id")


def silent_key_members(report: SegmentReport, rules: SegmentRules = DEFAULT_RULES) -> list[Placed]:
    """Key members still in the scope who have been silent 7 to 28 days, longest silent first."""
    found = [
        p
        for p in report.members
        if p.key
        and p.segment is not Segment.CHURNED
        and p.silent_days is not None
        and rules.recent_days <= p.silent_days <= rules.window_days
    ]
    return sorted(found, key=lambda p: (-(p.silent_days or 0), p.member_id))
