"""The store adapter of the health modules: one load of a community's rollups and records as of
a day, and the plain inputs of segments, cohorts, health, lifecycle and heat built from it
for any set of its groups (one group, or all of them).

Where the data has no stays (history imported without joins), a member who posted counts as
present and as having joined on the day of their first message.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections import Counter, defaultdict
from collections.abc import Callable, Collection, Hashable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from functools import cached_property, partial
from itertools import pairwise
from typing import Any, TypeVar
from zoneinfo import ZoneInfo

from hearthkeeper.analytics.health import HealthInputs
from hearthkeeper.analytics.heat import DayFacts, HeatInputs, SilentMember
from hearthkeeper.analytics.lifecycle import CommunityFacts
from hearthkeeper.analytics.periods import LocalDays
from hearthkeeper.analytics.report_reads import Reads, SharedReads
from hearthkeeper.analytics.segments import MemberFacts
from hearthkeeper.capabilities.activities.records import EventStatus
from hearthkeeper.capabilities.activities.repository import SqlActivities
from hearthkeeper.capabilities.calendar.records import PostRecord
from hearthkeeper.capabilities.calendar.repository import SqlPosts
from hearthkeeper.store import Group, Store
from hearthkeeper.store.records import (
    GroupDay,
    GroupDayActivity,
    QuestionDays,
    SignUpReach,
    Stay,
)

EPOCH = date(1970, 1, 1)
_FACTS = partial(tuple.__new__, MemberFacts)  # made in C: one per member and scope
POSTED = ("posted", "confirmed")
CALLED_OFF = "cancelled"  # a firing staff called off ahead of its time


def midnight(day: date, zone: ZoneInfo) -> datetime:
    """The instant the local day `day` begins."""
    return datetime.combine(day, time(), tzinfo=zone)


T = TypeVar("T")
ByGroup = Mapping[int, Sequence[T]]


def by_group(rows: Iterable[T], group_of: Callable[[T], int | None]) -> dict[int, list[T]]:
    """Rows indexed by their group (rows without a group are dropped)."""
    found: dict[int, list[T]] = defaultdict(list)
    for row in rows:
        group = group_of(row)
        if group is not None:
            found[group].append(row)
    return dict(found)


def _activity_by_group(rows: Iterable[GroupDayActivity]) -> dict[int, list[GroupDayActivity]]:
    """`by_group` for the activity rollups (every row has a group: no call per row)."""
    found: dict[int, list[GroupDayActivity]] = defaultdict(list)
    for row in rows:
        found[row.group_id].append(row)
    return dict(found)


def in_scope(rows: ByGroup[T], scope: Collection[int]) -> Iterator[T]:
    """The rows of the groups in `scope`."""
    for group in scope:
        yield from rows.get(group, ())


@dataclass(frozen=True)
class HealthData:
    """What the health modules read, loaded once per community and as-of day, by group."""

    as_of: date
    zone: ZoneInfo
    groups: dict[int, str]  # id → name
    activity: ByGroup[GroupDayActivity]  # every day up to as_of, in order of day
    days: ByGroup[GroupDay]  # the 35 days ending on as_of
    stays: ByGroup[Stay]  # begun by the end of as_of
    # Group → questions asked, answered by a person, and answered by the FAQ alone, in the 28
    # days ending on as_of: read when first asked for (`questions`), the health scores' last
    # input, so that a report's read of them on PostgreSQL overlaps the segments and cohorts
    # (`SharedReads.read_ahead`).
    read_questions: Callable[[], Mapping[int, tuple[int, int, int]]] = field(
        compare=False, repr=False
    )
    check_ins: ByGroup[tuple[int | None, int, date]]  # (group, member, day), last 35 days
    signups: ByGroup[SignUpReach]  # started in the 90 days ending on as_of
    posts: ByGroup[PostRecord]  # posted by the end of as_of
    attendees: frozenset[int] | None = None  # came to an offline event (None: none was held)
    # firings staff called off (`/skip`, `hearth grid skip`) due by the end of as_of
    called_off: ByGroup[PostRecord] = field(default_factory=dict)
    opened: dict[int, date] = field(default_factory=dict)  # id → local day of first activity
    # The groups a carrier serves (scheduled posts can reach them: not an import's history),
    # id → carrier group id, by which a `groups:` override may name it
    served: dict[int, str] = field(default_factory=dict)
    # Each scheduled post → when the community's playbook versions added it (none before it
    # was due anywhere: `Store.posts_added`, kept on the latest version's row)
    post_added: Mapping[str, datetime] = field(default_factory=dict)
    # What the builders below made from this load, per scope: the vital signs and the
    # matrix ask for the same members and days of the same groups.
    made: dict[Hashable, Any] = field(default_factory=dict, compare=False, repr=False)

    def once(self, key: Hashable, make: Callable[[], T]) -> T:
        """`make()`'s result, made once per `key` for this load."""
        if key not in self.made:
            self.made[key] = make()
        found: T = self.made[key]
        return found

    @cached_property
    def questions(self) -> Mapping[int, tuple[int, int, int]]:
        """Group → questions asked, answered by a person, and answered by the FAQ alone, in
        the 28 days ending on as_of."""
        return self.read_questions()


def load(store: Store, community_id: int, group_ids: Collection[int], as_of: date,
         zone: ZoneInfo, reads: Reads | None = None) -> HealthData:  # fmt: skip
    """Read everything once; the builders below only filter it. With a report's
    `SharedReads`, the heavy reads are its slices and the same load is made once."""
    if isinstance(reads, SharedReads):
        shared = reads
        key = ("signals.load", community_id, tuple(sorted(group_ids)), as_of, str(zone))
        return shared.once(key, lambda: _load(store, community_id, group_ids, as_of, zone, shared))
    return _load(store, community_id, group_ids, as_of, zone, reads or store)


def _load(store: Store, community_id: int, group_ids: Collection[int], as_of: date,
          zone: ZoneInfo, reads: Reads) -> HealthData:  # fmt: skip
    ids = sorted(group_ids)
    listed = [g for g in store.list_groups(community_id) if g.id in set(ids)]
    names = {g.id: g.name for g in listed}
    end = midnight(as_of + timedelta(days=1), zone)
    # A post in a group an import registered never reached anyone (no carrier serves it:
    # firings planned before such groups got no calendar): no output, though it says posted.
    served = {g.id for g in listed if not g.imported}
    records = SqlPosts.on(store).post_records(community_id)
    posts = [p for p in records
             if p.group_id in served and p.status in POSTED and p.posted_at is not None
             and p.posted_at < end]  # fmt: skip
    called_off = [p for p in records if p.group_id in served and p.status == CALLED_OFF
                  and p.scheduled_for < end]  # fmt: skip
    start28, start90 = (
        midnight(as_of - timedelta(days=27), zone),
        midnight(as_of - timedelta(days=89), zone),
    )
    activity = _activity_by_group(reads.group_day_activity(ids, EPOCH, as_of))
    stays = by_group(reads.stays(ids, end), lambda r: r.group_id)
    return HealthData(
        as_of=as_of, zone=zone, groups=names,
        activity=activity,
        days=by_group(reads.group_days(ids, as_of - timedelta(days=34), as_of),
                      lambda r: r.group_id),
        stays=stays,
        read_questions=lambda: _questions_by_group(reads.question_days(ids, start28, end, zone)),
        check_ins=by_group(store.checkin_marks(community_id, as_of - timedelta(days=34), as_of),
                           lambda r: r[0]),
        signups=by_group(store.signup_reach(ids, start90, end), lambda r: r.group_id),
        posts=by_group(posts, lambda r: r.group_id),
        called_off=by_group(called_off, lambda r: r.group_id),
        attendees=_attendees(store, community_id, end),
        opened={g.id: _opened(g, activity, stays, zone) for g in listed},
        served={g.id: g.carrier_group_id for g in listed if g.id in served},
        post_added=store.posts_added(community_id),
    )  # fmt: skip


def _opened(group: Group, activity: ByGroup[GroupDayActivity], stays: ByGroup[Stay],
            zone: ZoneInfo) -> date:  # fmt: skip
    """The local day of the group's first known activity: its earliest message day or stay,
    else the day its row was made. An imported group's row is made by the import, years
    after its history began; counted from the row, it would read as new."""
    days = [_local(group.created_at, zone)]
    if rows := activity.get(group.id):
        days.append(rows[0].day)  # in order of day
    days.extend(_local(stay.joined_at, zone) for stay in stays.get(group.id, ()))
    return min(days)


def _questions_by_group(questions: QuestionDays) -> dict[int, tuple[int, int, int]]:
    """Group → questions asked, answered by a person, and answered by the FAQ alone."""
    asked: dict[int, int] = defaultdict(int)
    for (group_id, _), n in questions.asked.items():
        asked[group_id] += n
    by_faq: dict[int, int] = defaultdict(int)
    for (group_id, _), n in questions.by_faq.items():
        by_faq[group_id] += n
    answered = Counter(q.group_id for q in questions.answered)
    return {group_id: (n, answered.get(group_id, 0), by_faq.get(group_id, 0))
            for group_id, n in asked.items()}  # fmt: skip


def _attendees(store: Store, community_id: int, end: datetime) -> frozenset[int] | None:
    """Who came in at the door of one of the community's offline events, of those that began
    before `end`; None when none was held (belonging is then not measured)."""
    activities = SqlActivities.on(store)
    held = [e for e in activities.events(community_id, before=end)
            if e.status is EventStatus.SCHEDULED]  # fmt: skip
    return frozenset(activities.attendees(community_id)) if held else None


def load_members(store: Store, community_id: int, as_of: date, zone: ZoneInfo) -> HealthData:
    """Only what segments need: the activity rollups and the stays of every group."""
    names = {g.id: g.name for g in store.list_groups(community_id)}
    ids, end = sorted(names), midnight(as_of + timedelta(days=1), zone)
    return HealthData(
        as_of=as_of, zone=zone, groups=names,
        activity=_activity_by_group(store.group_day_activity(ids, EPOCH, as_of)),
        days={}, stays=by_group(store.stays(ids, end), lambda r: r.group_id),
        read_questions=dict, check_ins={}, signups={}, posts={},
    )  # fmt: skip


def _local(at: datetime, zone: ZoneInfo) -> date:
    return at.astimezone(zone).date()


def active_days(data: HealthData, scope: Collection[int]) -> Mapping[int, tuple[date, ...]]:
    """Member → the days they posted in the scope, ascending (the sequences are shared: do
    not change them). One group's are made once per load; a wider scope's merge them."""
    groups = list(scope)
    if len(groups) == 1:
        return _posted_in(data, groups[0])
    found: dict[int, tuple[date, ...]] = {}
    several: set[int] = set()
    for group in groups:
        for member, days in _posted_in(data, group).items():
            if member in found:
                found[member] = (*found[member], *days)
                several.add(member)
            else:
                found[member] = days
    for member in several:
        found[member] = tuple(sorted(set(found[member])))
    return found


def _posted_in(data: HealthData, group: int) -> dict[int, tuple[date, ...]]:
    """Member → the days they posted in one group, ascending (made once per load)."""
    return data.once(("posted_in", group), lambda: _posted_days(data.activity.get(group, ())))


def _posted_days(rows: Sequence[GroupDayActivity]) -> dict[int, tuple[date, ...]]:
    # A group's rows come in order of day, one per day: each member's days arrive ascending
    # (anything else is sorted as before).
    found: dict[int, list[date]] = defaultdict(list)
    for row in rows:
        day = row.day
        for member in row.posters():
            found[member].append(day)
    if all(a.day < b.day for a, b in pairwise(rows)):
        return {member: tuple(days) for member, days in found.items()}
    return {member: tuple(sorted(set(days))) for member, days in found.items()}


def member_facts(data: HealthData, scope: Collection[int]) -> list[MemberFacts]:
    """Every member who stayed in or posted to the scope (made once per load and scope;
    the list is shared: do not change it)."""
    return data.once(("member_facts", frozenset(scope)), lambda: _member_facts(data, scope))


def _member_facts(data: HealthData, scope: Collection[int]) -> list[MemberFacts]:
    posted = active_days(data, scope)
    end = midnight(data.as_of + timedelta(days=1), data.zone)
    joined: dict[int, date] = {}
    present: set[int] = set()
    staff: set[int] = set()
    stayed: set[int] = set()
    day_of = LocalDays(data.zone).of  # (each group's stays come in order of joining)
    for stay in in_scope(data.stays, scope):
        stayed.add(stay.member_id)
        day = day_of(stay.joined_at)
        joined[stay.member_id] = min(day, joined.get(stay.member_id, day))
        if stay.left_at is None or stay.left_at >= end:
            present.add(stay.member_id)
            if stay.role is not None:
                staff.add(stay.member_id)
    facts = []
    for member in sorted(stayed | set(posted)):
        days = posted.get(member, ())
        first = joined.get(member, days[0] if days else None)
        here = member in present or member not in stayed
        facts.append(_FACTS((member, first, here, days, member in staff)))
    return facts


def _group_days(data: HealthData, scope: Collection[int]) -> dict[date, list[int]]:
    """Day → [messages, joins, leaves, staff messages, violations] summed over the scope
    (made once per load and scope; shared: do not change it)."""
    return data.once(("group_days", frozenset(scope)), lambda: _sum_group_days(data, scope))


def _sum_group_days(data: HealthData, scope: Collection[int]) -> dict[date, list[int]]:
    summed: dict[date, list[int]] = defaultdict(lambda: [0, 0, 0, 0, 0])
    for row in in_scope(data.days, scope):
        counts = summed[row.day]
        for i, value in enumerate((row.messages, row.joins, row.leaves, row.staff_messages,
                                   row.violations)):  # fmt: skip
            counts[i] += value
    return dict(summed)


def day_facts(data: HealthData, scope: Collection[int]) -> list[DayFacts]:
    """The 35 days ending on as_of, oldest first (made once per load and scope; the list
    is shared: do not change it)."""
    return data.once(("day_facts", frozenset(scope)), lambda: _day_facts(data, scope))


def _day_facts(data: HealthData, scope: Collection[int]) -> list[DayFacts]:
    summed = _group_days(data, scope)
    first = data.as_of - timedelta(days=34)
    groups = list(scope)
    speakers: Mapping[date, set[int]]
    if len(groups) == 1:
        speakers = _speakers_in(data, groups[0])
    else:
        speakers = defaultdict(set)
        for group in groups:
            for day, posted in _speakers_in(data, group).items():
                speakers[day] |= posted
    posts: dict[date, int] = defaultdict(int)
    for post in in_scope(data.posts, scope):
        if post.posted_at is not None:
            posts[_local(post.posted_at, data.zone)] += 1
    checked: dict[date, set[int]] = defaultdict(set)
    for _, member, day in in_scope(data.check_ins, scope):
        checked[day].add(member)
    result = []
    for offset in range(35):
        day = first + timedelta(days=offset)
        messages, _, _, staff, violations = summed.get(day, [0, 0, 0, 0, 0])
        result.append(DayFacts(day, messages, len(speakers.get(day, ())), staff,
                               posts.get(day, 0), len(checked.get(day, ())), violations))  # fmt: skip
    return result


def _speakers_in(data: HealthData, group: int) -> dict[date, set[int]]:
    """Day → who posted in one group, over the 35 days ending on as_of (made once per load;
    shared: do not change it)."""
    return data.once(("speakers_in", group), lambda: _speakers(data, group))


def _speakers(data: HealthData, group: int) -> dict[date, set[int]]:
    speakers: dict[date, set[int]] = defaultdict(set)
    first = data.as_of - timedelta(days=34)
    rows = data.activity.get(group, ())  # in order of day: only the last 35 days
    for row in rows[bisect_left(rows, first, key=_day_of) :]:
        posters = row.posters()
        if posters:
            speakers[row.day].update(posters)
    return dict(speakers)


def _day_of(row: GroupDayActivity) -> date:
    return row.day


def health_inputs(data: HealthData, scope: Collection[int], name: str, group_id: int,
                  members: Sequence[MemberFacts]) -> HealthInputs:  # fmt: skip
    """The health score's numbers for the scope."""
    days = day_facts(data, scope)
    as_of = data.as_of
    weekly = [sum(d.messages for d in days[len(days) - 7 * (k + 1): len(days) - 7 * k])
              for k in range(5)]  # fmt: skip
    last28 = [d for d in days if (as_of - d.day).days < 28]
    asked = answered = by_faq = 0
    for group in scope:
        asked_in, answered_in, by_faq_in = data.questions.get(group, (0, 0, 0))
        asked, answered, by_faq = asked + asked_in, answered + answered_in, by_faq + by_faq_in
    key = ("member_counts", frozenset(scope))
    if data.made.get(("member_facts", key[1])) is members:  # the vital signs' and the matrix's
        present, speakers, newcomers, spoke, met = data.once(
            key, lambda: _member_counts(data, members)
        )
    else:
        present, speakers, newcomers, spoke, met = _member_counts(data, members)
    return HealthInputs(
        group_id=group_id, name=name, as_of=as_of,
        members=present,
        speakers_7d=speakers,
        weekly_messages=tuple(weekly),
        output_days_7d=sum(1 for d in days[-7:] if d.output > 0),
        questions_28d=asked, answered_28d=answered, faq_answered_28d=by_faq,
        messages_28d=sum(d.messages for d in last28),
        violations_28d=sum(d.violations for d in last28),
        newcomers=newcomers, newcomers_posted=spoke,
        leaves_28d=_gone_28d(data, scope, members),
        met_offline=met,
        age_days=_age(data, scope),
        ever_spoken=any(any(row.messages) for group in scope
                        for row in data.activity.get(group, ())),
    )  # fmt: skip


def _gone_28d(data: HealthData, scope: Collection[int], members: Sequence[MemberFacts]) -> int:
    """Members whose stay in the scope closed in the last 28 days and who are not in it now:
    people, not stays closed (one who came back, or is still in another group of the scope,
    did not leave; one who left twice counts once)."""
    start = midnight(data.as_of - timedelta(days=27), data.zone)
    end = midnight(data.as_of + timedelta(days=1), data.zone)
    left = {stay.member_id for stay in in_scope(data.stays, scope)
            if stay.left_at is not None and start <= stay.left_at < end}  # fmt: skip
    if not left:
        return 0
    return len(left - {m.member_id for m in members if m.present})


def _age(data: HealthData, scope: Collection[int]) -> int | None:
    """Days from the opening of the scope's oldest group to as_of (None: not known)."""
    opened = [data.opened[group] for group in scope if group in data.opened]
    return (data.as_of - min(opened)).days if opened and len(opened) == len(scope) else None


def _member_counts(data: HealthData,
                   members: Sequence[MemberFacts]) -> tuple[int, int, int, int, int | None]:  # fmt: skip
    """Of the scope's members: present; posted this week; newcomers (joined 7 to 34 days
    before as_of); of those, who posted within a week of joining; present who came to an
    offline event (None: none was held). One pass."""
    as_of = data.as_of
    week = as_of - timedelta(days=6)
    newest, oldest = as_of - timedelta(days=7), as_of - timedelta(days=34)
    attendees = data.attendees
    present = speakers = newcomers = spoke = met = 0
    for member in members:
        if member.present:
            present += 1
            if attendees is not None and member.member_id in attendees:
                met += 1
        days = member.active_days
        if days and _posted_between(days, week, as_of):
            speakers += 1
        joined = member.joined
        if joined is not None and oldest <= joined <= newest:
            newcomers += 1
            if _spoke_within_a_week(member):
                spoke += 1
    return present, speakers, newcomers, spoke, None if attendees is None else met


def _posted_between(days: Sequence[date], first: date, last: date) -> bool:
    """Whether any of `days` (ascending) is from `first` to `last`, both included."""
    return bisect_right(days, last) > bisect_left(days, first)


def _spoke_within_a_week(member: MemberFacts) -> bool:
    """Whether the member posted within 7 days of joining (the join day is day 1)."""
    joined = member.joined
    return joined is not None and _posted_between(member.active_days, joined,
                                                  joined + timedelta(days=6))  # fmt: skip


def heat_inputs(data: HealthData, scope: Collection[int], name: str, group_id: int,
                silent: Sequence[SilentMember], members: int = 0) -> HeatInputs:  # fmt: skip
    """The heat-death warning's numbers for the scope (`members`: in it on as_of)."""
    last_posted: dict[str, date] = {}
    for post in in_scope(data.posts, scope):
        if post.posted_at is not None:
            day = _local(post.posted_at, data.zone)
            last_posted[post.post_id] = max(day, last_posted.get(post.post_id, day))
    called_off: dict[str, set[date]] = {}  # a day once, however many of the scope's groups
    for post in in_scope(data.called_off, scope):
        called_off.setdefault(post.post_id, set()).add(_local(post.scheduled_for, data.zone))
    spoken = [last for group in scope if (last := _last_spoken(data, group)) is not None]
    # Posts reach the scope's served groups from their opening: none before it, none in a
    # group an import registered (its history was never a carrier's)
    reached = [data.opened[group] for group in scope if group in data.served]
    return HeatInputs(group_id, name, data.as_of, data.zone, day_facts(data, scope),
                      last_posted, tuple(silent), members, _age(data, scope),
                      max(spoken, default=None), posts_from=min(reached, default=None),
                      carrier_group_id=data.served.get(group_id),
                      called_off={k: sorted(v) for k, v in called_off.items()},
                      post_added=data.post_added)  # fmt: skip


def _last_spoken(data: HealthData, group: int) -> date | None:
    """The group's latest day with a message, by as_of (its rows are in order of day)."""
    for row in reversed(data.activity.get(group, ())):
        if row.day <= data.as_of and any(row.messages):
            return row.day
    return None


def community_facts(data: HealthData, members: Sequence[MemberFacts]) -> CommunityFacts:
    """The lifecycle stage's numbers for the whole community."""
    as_of, scope = data.as_of, set(data.groups)
    recent = {as_of - timedelta(days=i) for i in range(28)}
    summed = _group_days(data, scope)
    in_28 = [counts for day, counts in summed.items() if day in recent]
    start28 = midnight(as_of - timedelta(days=27), data.zone)
    acted = {m for _, m, day in in_scope(data.check_ins, scope) if day in recent}
    acted |= {m for s in in_scope(data.signups, scope) if s.started_at >= start28 for m in s.joined}
    end = midnight(as_of + timedelta(days=1), data.zone)
    roles: dict[str, set[int]] = defaultdict(set)
    for stay in in_scope(data.stays, scope):
        if stay.role is not None and (stay.left_at is None or stay.left_at >= end):
            roles[stay.role].add(stay.member_id)
    staff = {m for holders in roles.values() for m in holders}
    first = as_of - timedelta(days=27)
    speakers = {m.member_id for m in members if _posted_between(m.active_days, first, as_of)}
    return CommunityFacts(
        as_of=as_of, members=sum(1 for m in members if m.present),
        speakers_28d=len(speakers), active_days_28d=sum(1 for c in in_28 if c[0] > 0),
        shared_action_members_28d=len(acted), joins_28d=sum(c[1] for c in in_28),
        leaves_28d=sum(c[2] for c in in_28),
        roles_held={r: len(h) for r, h in roles.items()},
        staff_speakers_28d=len(speakers & staff),
        signup_members_90d=len({m for s in in_scope(data.signups, scope) for m in s.joined}),
    )  # fmt: skip
