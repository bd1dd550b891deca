"""Measuring one scope (a group, or the whole community) over days, weeks, months and the
range, from inputs read once (`Inputs`). Pure: no store access here."""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Collection, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import cached_property, lru_cache
from itertools import accumulate, chain
from typing import Any
from zoneinfo import ZoneInfo

from hearthkeeper.analytics.conversion import ORDERS_NOT_MEASURED, conversion
from hearthkeeper.analytics.engagement import rank_content
from hearthkeeper.analytics.metric_records import DayPoint, PeriodMetrics, ScopeMetrics
from hearthkeeper.analytics.periods import LocalDays, Period, days, months, weeks, whole
from hearthkeeper.analytics.responses import stats_of
from hearthkeeper.capabilities.calendar.records import PostResponse
from hearthkeeper.store import (
    GroupDay,
    GroupDayActivity,
    GroupDayKind,
    QuestionDays,
    SignUpReach,
    Stay,
)
from hearthkeeper.store.rollups import local_day, local_midnight

_NO_KINDS: dict[str, int] = {}
NEWCOMER_DAYS = 7  # the join day and the six after it
TOP_TENTHS = 1  # concentration: the top 10% (one tenth) of speakers


@dataclass(frozen=True)
class Inputs:
    """What `group_metrics` read from the store, for every group at once."""

    zone: ZoneInfo
    start: date
    end: date
    activity: Sequence[GroupDayActivity]  # start - 29 days .. end + 6 days
    days: Sequence[GroupDay]
    kinds: Sequence[GroupDayKind]
    stays: Sequence[Stay]
    questions: QuestionDays  # asked in start..end
    checkins: Sequence[tuple[int | None, int, date]]
    signups: Sequence[SignUpReach]
    posts: Sequence[PostResponse]
    # (group, member) of everyone who posted before `activity` begins: a poster without a
    # recorded stay counts as a member (see `_Scope.members_at_ends_of`)
    posted_before: Collection[tuple[int, int]] = ()

    @cached_property
    def parts(self) -> dict[int | None, _Part]:
        """The inputs split by group, once (check-ins outside any group under None)."""
        parts: dict[int | None, _Part] = {}

        def part(group_id: int | None) -> _Part:
            found = parts.get(group_id)
            if found is None:
                found = parts[group_id] = _Part()
            return found

        for a in self.activity:  # the largest input
            found = parts.get(a.group_id)
            if found is None:
                found = parts[a.group_id] = _Part()
            found.activity.append(a)
        for d in self.days:
            part(d.group_id).days.append(d)
        for k in self.kinds:
            part(k.group_id).kinds.append(k)
        for s in self.stays:
            part(s.group_id).stays.append(s)
        for (group_id, day), asked in self.questions.asked.items():
            part(group_id).questions[day] = [asked, [], 0]
        for (group_id, day), by_faq in self.questions.by_faq.items():
            part(group_id).questions[day][2] = by_faq
        day_of = LocalDays(self.zone).of
        for q in self.questions.answered:  # in order of time asked: the minutes each waited
            if q.answered_at is not None:
                waited = (q.answered_at - q.asked_at).total_seconds() / 60
                part(q.group_id).questions[day_of(q.asked_at)][1].append(waited)
        for g, m, day in self.checkins:
            part(g).checkins.append((day, m))
        for r in self.signups:
            part(r.group_id).signups.append((local_day(r.started_at, self.zone), r))
        for p in self.posts:
            part(p.group_id).posts.append((local_day(p.sent_at, self.zone), p))
        for group_id, member in self.posted_before:
            part(group_id).posted_before.add(member)
        return parts


@dataclass
class _Part:
    """One group's share of the inputs (days already local)."""

    activity: list[GroupDayActivity] = field(default_factory=list)
    days: list[GroupDay] = field(default_factory=list)
    kinds: list[GroupDayKind] = field(default_factory=list)
    stays: list[Stay] = field(default_factory=list)
    # per local day: questions asked, the minutes each one a person answered waited, and
    # how many the FAQ answered automatically that no person answered
    questions: dict[date, list[Any]] = field(default_factory=dict)
    checkins: list[tuple[date, int]] = field(default_factory=list)
    signups: list[tuple[date, SignUpReach]] = field(default_factory=list)
    posts: list[tuple[date, PostResponse]] = field(default_factory=list)
    posted_before: set[int] = field(default_factory=set)  # before the activity read
    _daily: tuple[dict[date, dict[int, int]], dict[date, int]] | None = None

    def daily(self) -> tuple[dict[date, dict[int, int]], dict[date, int]]:
        """Per local day: messages per member, and questions (from the rollups); made once
        for the group's scope and the community's."""
        if self._daily is None:
            posters: dict[date, dict[int, int]] = {}
            asked: dict[date, int] = {}
            for a in self.activity:  # one record per day, a member in it once
                posters[a.day] = dict(zip(a.members, a.messages, strict=True))
                asked[a.day] = a.questions
            self._daily = posters, asked
        return self._daily


class _Scope:
    """One scope's inputs, indexed by local day."""

    def __init__(self, inputs: Inputs, groups: Collection[int], community: bool) -> None:
        zone = inputs.zone
        self.inputs = inputs
        empty = _Part()
        parts = [inputs.parts.get(g, empty) for g in sorted(groups)]
        if len(parts) == 1:
            posters, asked = parts[0].daily()  # shared, read only
        else:  # the groups' days merged: a member in several groups that day is summed
            posters, asked = {}, {}
            for p in parts:
                their_posters, their_asked = p.daily()
                for day, on_day in their_posters.items():
                    mine = posters.get(day)
                    if mine is None:
                        posters[day] = dict(on_day)
                        asked[day] = their_asked[day]
                        continue
                    both = {m: mine[m] + on_day[m] for m in mine.keys() & on_day.keys()}
                    mine.update(on_day)
                    mine.update(both)
                    asked[day] += their_asked[day]
        self.posters = posters
        self.asked_rollup = asked
        self.totals: dict[date, list[int]] = {}
        for d in (d for p in parts for d in p.days):
            row = self.totals.setdefault(d.day, [0, 0, 0, 0, 0])
            for i, n in enumerate((d.messages, d.joins, d.leaves, d.staff_messages,
                                   d.violations)):  # fmt: skip
                row[i] += n
        self.kinds: dict[date, dict[str, int]] = {}
        for k in (k for p in parts for k in p.kinds):
            on_day_kinds = self.kinds.get(k.day)
            if on_day_kinds is None:
                on_day_kinds = self.kinds[k.day] = {}
            on_day_kinds[k.kind] = on_day_kinds.get(k.kind, 0) + k.messages
        self.stays = sorted((s for p in parts for s in p.stays), key=lambda s: s.joined_at)
        self.posted_before = set().union(*(p.posted_before for p in parts))
        self.first_join: dict[int, date] = {}
        day_of = LocalDays(zone).of
        for s in self.stays:  # in order of joining: the first one seen is the first
            if s.member_id not in self.first_join:
                self.first_join[s.member_id] = day_of(s.joined_at)
        self.asked: dict[date, int] = {}  # questions asked per day
        self.waits: dict[date, list[float]] = {}  # minutes to the first answer, per day
        self.by_faq: dict[date, int] = {}  # answered by the FAQ alone, per day
        for p in parts:
            for day, (asked_on_day, waited, by_faq) in p.questions.items():
                self.asked[day] = self.asked.get(day, 0) + asked_on_day
                if by_faq:
                    self.by_faq[day] = self.by_faq.get(day, 0) + by_faq
                if waited:
                    self.waits.setdefault(day, []).extend(waited)
        outside = inputs.parts.get(None, empty).checkins if community else []
        # Per day, so that a period walks its own days only (not every check-in or newcomer
        # of the range once per week and month).
        self.checked_in: dict[date, set[int]] = {}
        for day, member in (c for p in parts for c in p.checkins):
            self.checked_in.setdefault(day, set()).add(member)
        for day, member in outside:
            self.checked_in.setdefault(day, set()).add(member)
        self.newcomers: dict[date, list[int]] = {}
        for member, day in self.first_join.items():
            self.newcomers.setdefault(day, []).append(member)
        self.signups = [r for p in parts for r in p.signups]
        self.posts = [r for p in parts for r in p.posts]
        self.wau, self.mau = _windows(self.posters, inputs.start, inputs.end)
        self.line = _DayLine(self, inputs.start, inputs.end)

    def members_at_ends_of(self, ends: Collection[date]) -> dict[date, int]:
        """How many members the scope had at the end of each local day of `ends`: those with
        a stay open then, and those who had posted by then with no stay recorded yet
        (imported history seldom holds the joins; the health signals count the same way).
        Each stay and poster read once, however many days are asked."""
        zone = self.inputs.zone
        order = sorted(set(ends))
        instants = [local_midnight(day + timedelta(days=1), zone) for day in order]
        opened = [0] * (len(order) + 1)  # +1 at the first instant a stay covers, -1 after
        spans: dict[int, list[tuple[int, int]]] = {}
        first_stay: dict[int, int] = {}  # member → first instant a stay of theirs is recorded
        for s in self.stays:  # covers an instant when joined_at < instant <= left_at
            first = bisect_right(instants, s.joined_at)
            first_stay.setdefault(s.member_id, first)  # in order of joining
            last = len(order) if s.left_at is None else bisect_right(instants, s.left_at)
            if first < last:
                spans.setdefault(s.member_id, []).append((first, last))
        for member, first in self._first_posts(order).items():
            last = first_stay.get(member, len(order))
            if first < last:  # posted, no stay recorded yet: a member until one is
                spans.setdefault(member, []).append((first, last))
        for covered in spans.values():
            if len(covered) > 1:  # one member, several stays: count each instant once
                covered = _union(covered)
            for first, last in covered:
                opened[first] += 1
                opened[last] -= 1
        counts, running = {}, 0
        for day, change in zip(order, opened, strict=False):
            running += change
            counts[day] = running
        return counts

    def _first_posts(self, order: Sequence[date]) -> dict[int, int]:
        """Member → index in `order` of the first day (of those) on or after their first
        post in the scope."""
        found = dict.fromkeys(self.posted_before, 0)
        for day in sorted(self.posters):
            at = bisect_left(order, day)
            if at == len(order):
                break
            for member in self.posters[day]:
                found.setdefault(member, at)
        return found


class _DayLine:
    """A scope's days of the range in order, so that a period is a slice: the counts as
    running sums (a period's total is two look-ups), the rest as per-day lists."""

    def __init__(self, scope: _Scope, start: date, end: date) -> None:
        span = _days(start, end)
        self.first = start
        zero = (0, 0, 0, 0, 0)
        totals = [scope.totals.get(d, zero) for d in span]
        self.sums = [list(accumulate((t[i] for t in totals), initial=0)) for i in range(5)]
        self.posters = [scope.posters.get(d) for d in span]
        self.posters_seen = list(accumulate((len(p or ()) for p in self.posters), initial=0))
        self.asked = list(accumulate((scope.asked.get(d, 0) for d in span), initial=0))
        self.by_faq = list(accumulate((scope.by_faq.get(d, 0) for d in span), initial=0))
        # DAU/MAU of each day (None: no MAU), summed per period in order of day as before
        self.stuck = [len(p or ()) / m if (m := scope.mau[d]) else None
                      for d, p in zip(span, self.posters, strict=True)]  # fmt: skip
        # per kind: running sums of its messages, and of the days it has a row (a period's
        # kinds are those with a row in it, even of 0 messages)
        self.kinds: dict[str, tuple[list[int], list[int]]] = {}
        for kind in sorted({k for on_day in scope.kinds.values() for k in on_day}):
            on_days = [scope.kinds.get(d, _NO_KINDS).get(kind) for d in span]
            self.kinds[kind] = (list(accumulate((n or 0 for n in on_days), initial=0)),
                                list(accumulate((n is not None for n in on_days), initial=0)))  # fmt: skip
        self.waits = [scope.waits.get(d, ()) for d in span]
        self.newcomers = [scope.newcomers.get(d, ()) for d in span]
        self.checked_in = [scope.checked_in.get(d, ()) for d in span]

    def slice_of(self, period: Period) -> slice:
        return slice((period.start - self.first).days, (period.end - self.first).days + 1)


def _union(spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Half-open index ranges merged where they overlap or touch."""
    merged: list[tuple[int, int]] = []
    for first, last in sorted(spans):
        if merged and first <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], last))
        else:
            merged.append((first, last))
    return merged


def _windows(posters: dict[date, dict[int, int]], start: date,
             end: date) -> tuple[dict[date, int], dict[date, int]]:  # fmt: skip
    """Distinct posters in the 7 and the 30 days ending on each day of start..end.

    Each member's last day of posting so far is kept, and how many members last posted on
    each day: a window loses, as it moves on a day, the members whose last post was the day
    it leaves behind, and gains today's posters whose last post was before it. Each rollup
    row is seen once for both widths. (Before step 13, a member who posted on a day before
    the first window was counted out on the window's first days even if they posted in it
    too; only days counted in are counted out.)"""
    first = start - timedelta(days=29)
    span = _days(first, end)
    last: dict[int, int] = {}  # member → index in span of their latest posting day
    latest = [0] * len(span)  # index → members whose latest posting day it is
    inside = {7: 0, 30: 0}
    found: dict[int, dict[date, int]] = {7: {}, 30: {}}
    for today, day in enumerate(span):
        for width in (7, 30):
            gone = today - width
            if gone >= 0:
                inside[width] -= latest[gone]
        for member in posters.get(day, ()):
            before = last.get(member)
            if before is None:
                inside[7] += 1
                inside[30] += 1
            else:
                latest[before] -= 1
                if before <= today - 7:
                    inside[7] += 1
                    if before <= today - 30:
                        inside[30] += 1
            latest[today] += 1
            last[member] = today
        if day >= start:
            found[7][day] = inside[7]
            found[30][day] = inside[30]
    return found[7], found[30]


def measure_scope(inputs: Inputs, groups: Collection[int], group_id: int | None, name: str, *,
                  community: bool = False) -> ScopeMetrics:  # fmt: skip
    """Daily points, weekly, monthly and whole-range metrics of one scope."""
    scope = _Scope(inputs, groups, community)
    daily = tuple(_day_point(scope, day) for day in _days(inputs.start, inputs.end))
    span, by_week, by_month = _periods(inputs.start, inputs.end)
    members = scope.members_at_ends_of([p.end for p in (span, *by_week, *by_month)])
    posted: dict[int, int] = {}  # the range's messages per member: the months' summed
    monthly = tuple(_measure(scope, p, members[p.end], posted) for p in by_month)
    return ScopeMetrics(
        group_id, name, _measure(scope, span, members[span.end], by_member=posted), daily,
        tuple(_measure(scope, p, members[p.end]) for p in by_week), monthly,
    )  # fmt: skip


@lru_cache(maxsize=16)
def _days(start: date, end: date) -> tuple[date, ...]:
    """`periods.days`, made once per report rather than three times per scope."""
    return tuple(days(start, end))


@lru_cache(maxsize=16)
def _periods(start: date, end: date) -> tuple[Period, tuple[Period, ...], tuple[Period, ...]]:
    """The range, its weeks and its months, made once per report rather than per scope."""
    return whole(start, end), tuple(weeks(start, end)), tuple(months(start, end))


def _day_point(scope: _Scope, day: date) -> DayPoint:
    totals = scope.totals.get(day, [0, 0, 0, 0, 0])
    posters = len(scope.posters.get(day, ()))
    return DayPoint(day, totals[0], posters, posters, totals[1], totals[2], totals[3], totals[4],
                    dict(sorted(scope.kinds.get(day, {}).items())),
                    scope.asked_rollup.get(day, 0), scope.wau[day], scope.mau[day])  # fmt: skip


def _share(part: float, whole: float) -> float | None:
    return part / whole if whole else None


def _measure(scope: _Scope, period: Period, members: int, add_to: dict[int, int] | None = None,
             *, by_member: dict[int, int] | None = None) -> PeriodMetrics:  # fmt: skip
    """The metrics of `period`, walking its days once (`members`: in the scope at its end).
    Its messages per member are added to `add_to`, or given (`by_member`: the whole range's,
    summed from the months' rather than from every day again)."""
    notes: dict[str, str] = {}
    line = scope.line
    within = line.slice_of(period)
    first, last = within.start, within.stop
    count_members = by_member is None
    if by_member is None:
        by_member = {}
        get = by_member.get
        for on_day in line.posters[within]:
            if on_day:
                for member, n in on_day.items():
                    by_member[member] = get(member, 0) + n
    kinds = {kind: messages[last] - messages[first]
             for kind, (messages, seen) in line.kinds.items() if seen[last] > seen[first]}  # fmt: skip
    sums = [running[last] - running[first] for running in line.sums]
    posters_seen = line.posters_seen[last] - line.posters_seen[first]
    asked = line.asked[last] - line.asked[first]
    by_faq = line.by_faq[last] - line.by_faq[first]
    stuck = [ratio for ratio in line.stuck[within] if ratio is not None]
    waits = list(chain.from_iterable(line.waits[within]))
    newcomers = list(chain.from_iterable(line.newcomers[within]))
    checked: set[int] = set().union(*line.checked_in[within])
    if add_to is not None and count_members:
        for member, n in by_member.items():
            add_to[member] = add_to.get(member, 0) + n
    messages, joins, leaves, staff, violations = sums
    if not members:
        notes["speaker_ratio"] = (
            "no member was in the scope at the period's end (nobody joined or posted)"
        )
    answers = stats_of(asked, waits)
    posted = [m for m in newcomers if _posted_within(scope, m, scope.first_join[m])]
    if newcomers and period.end + timedelta(days=NEWCOMER_DAYS - 1) > scope.inputs.end:
        notes["newcomer_first_message_rate"] = (
            "some newcomers joined less than 7 days before the end of the range"
        )
    reach = [s for d, s in scope.signups if period.holds(d)]
    signups, buys = conversion(reach, group_buy=False), conversion(reach, group_buy=True)
    notes["purchase_rate"] = notes["repurchase_rate"] = ORDERS_NOT_MEASURED
    return PeriodMetrics(
        grain=period.grain, label=period.label, start=period.start, end=period.end,
        messages=messages, kinds=kinds, speakers=len(by_member),
        dau=posters_seen / (last - first),
        wau=scope.wau[period.end], mau=scope.mau[period.end],
        stickiness=sum(stuck) / len(stuck) if stuck else None,
        members=members, speaker_ratio=_share(len(by_member), members),
        joins=joins, leaves=leaves, net_growth=joins - leaves,
        concentration=_concentration(by_member),
        questions=answers.questions, answered=answers.answered, faq_answered=by_faq,
        response_rate=answers.rate,
        median_answer_minutes=answers.median_minutes,
        newcomers=len(newcomers), newcomers_posted=len(posted),
        newcomer_first_message_rate=_share(len(posted), len(newcomers)),
        staff_messages=staff, staff_share=_share(staff, messages),
        violations=violations,
        violation_rate=None if not messages else violations * 1000 / messages,
        checkin_members=len(checked), checkin_participation=_share(len(checked), members),
        signups=signups, group_buys=buys,
        signup_conversion=signups.rate, group_buy_conversion=buys.rate,
        purchase_rate=None, repurchase_rate=None,
        content=rank_content(p for d, p in scope.posts if period.holds(d)),
        notes=notes,
    )  # fmt: skip


def _concentration(by_member: dict[int, int]) -> float | None:
    """Share of messages from the top 10% of speakers (rounded up, at least one)."""
    total = sum(by_member.values())
    if not total:
        return None
    top = max(1, -(-len(by_member) * TOP_TENTHS // 10))  # ceil in integers: no 0.1 * 30 > 3
    return sum(sorted(by_member.values(), reverse=True)[:top]) / total  # sorted: 3× nlargest


def _posted_within(scope: _Scope, member: int, joined: date) -> bool:
    return any(member in scope.posters.get(joined + timedelta(days=n), ())
               for n in range(NEWCOMER_DAYS))  # fmt: skip
