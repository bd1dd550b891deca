"""Member segments on hand-made members, with the boundary days of each definition."""

from __future__ import annotations

from datetime import date, timedelta

from hearthkeeper.analytics.segments import (
    MemberFacts,
    Segment,
    place,
    segment_members,
    silent_key_members,
)

AS_OF = date(2026, 11, 30)


def ago(days: int) -> date:
    return AS_OF - timedelta(days=days)


def member(number: int, *posted_ago: int, joined_ago: int = 100, present: bool = True,
           staff: bool = False) -> MemberFacts:  # fmt: skip
    return MemberFacts(number, ago(joined_ago), present, tuple(sorted(ago(d) for d in posted_ago)),
                       staff)  # fmt: skip


def segment(facts: MemberFacts) -> Segment:
    return place(facts, AS_OF).segment


def test_new_means_joined_within_seven_days_counting_today() -> None:
    assert segment(member(1, joined_ago=0)) is Segment.NEW
    assert segment(member(1, 2, joined_ago=6)) is Segment.NEW  # even if they posted
    # joined 7 days ago and never posted: no longer new, and silent
    assert segment(member(1, joined_ago=7)) is Segment.SILENT


def test_active_means_posted_within_seven_days() -> None:
    assert segment(member(1, 6)) is Segment.ACTIVE  # silent 6 days
    # silent 7 days after a single day of activity: not formerly active, so silent
    assert segment(member(1, 7)) is Segment.SILENT


def test_core_needs_eight_active_days_in_the_last_28_and_a_recent_message() -> None:
    eight = (0, 3, 5, 9, 12, 15, 20, 27)  # 27 days ago is the window's first day
    assert segment(member(1, *eight)) is Segment.CORE
    seven_in_window = (0, 3, 5, 9, 12, 15, 20, 28)  # 28 days ago falls outside
    assert segment(member(1, *seven_in_window)) is Segment.ACTIVE
    assert place(member(1, *seven_in_window), AS_OF).active_days_28 == 7


def test_slipping_away_is_formerly_active_and_silent_7_to_28_days() -> None:
    assert segment(member(1, 7, 8, 9)) is Segment.SLIPPING_AWAY  # silent 7
    assert segment(member(1, 28, 29, 30)) is Segment.SLIPPING_AWAY  # silent 28
    assert segment(member(1, 29, 30, 31)) is Segment.CHURNED  # silent 29: gone
    assert segment(member(1, 7, 8)) is Segment.SILENT  # two days were never "active"


def test_formerly_active_counts_the_28_days_ending_on_the_last_message() -> None:
    # last message 29 days ago; 3 active days within 29..56 days ago -> churned
    assert segment(member(1, 29, 45, 56)) is Segment.CHURNED
    # one of them 57 days ago, outside that window: only 2 -> never active -> silent
    assert segment(member(1, 29, 45, 57)) is Segment.SILENT


def test_leaving_is_churn_whatever_the_activity() -> None:
    assert segment(member(1, 0, 1, 2, present=False)) is Segment.CHURNED
    assert segment(member(1, present=False, joined_ago=1)) is Segment.CHURNED


def test_activity_after_the_as_of_day_is_ignored() -> None:
    later = MemberFacts(1, ago(100), True, (ago(10), ago(9), ago(8), AS_OF + timedelta(days=1)))
    assert segment(later) is Segment.SLIPPING_AWAY


def test_days_out_of_order_or_repeated_are_placed_as_if_sorted() -> None:
    eight = [ago(d) for d in (0, 3, 5, 9, 12, 15, 20, 27)]
    shuffled = MemberFacts(1, ago(100), True, (*eight[4:], *eight[:4], eight[2]))
    placed = place(shuffled, AS_OF)
    assert placed == place(MemberFacts(1, ago(100), True, tuple(eight)), AS_OF)
    assert (placed.segment, placed.active_days_28, placed.last_active) == (Segment.CORE, 8, AS_OF)


def test_every_member_is_in_exactly_one_segment_and_zeros_are_shown() -> None:
    members = [member(1, joined_ago=2), member(2, 1), member(3, 7, 8, 9),
               member(4, 40, 41, 42), member(5, present=False)]  # fmt: skip
    report = segment_members(members, AS_OF)
    assert report.counts == {"new": 1, "active": 1, "core": 0, "silent": 0,
                             "slipping_away": 1, "churned": 2}  # fmt: skip
    assert sum(report.counts.values()) == len(members)
    assert [p.member_id for p in report.members] == [1, 2, 3, 4, 5]
    # members who joined after the day are not counted at all
    assert sum(segment_members([member(6, joined_ago=-1)], AS_OF).counts.values()) == 0


def test_key_members_silent_a_week_are_found_once_longest_silent_first() -> None:
    core_then = tuple(range(10, 30, 2))  # 10 active days ending 10 days ago: core back then
    members = [
        member(1, *core_then),  # key, silent 10 days
        member(2, *range(20, 48, 3)),  # key (10 days ending 20 ago), silent 20 days
        member(3, 8, 9, 10),  # slipping away but never core: not key
        member(4, 12, staff=True),  # staff silent 12 days: key
        member(5, staff=True),  # staff who never posted: no silence to speak of
        member(6, *range(0, 16, 2)),  # core and posting: fine
        member(7, *range(30, 50, 2)),  # core once, silent 30 days: churned, not alerted
        member(8, *core_then, present=False),  # left
    ]
    report = segment_members(members, AS_OF)
    found = silent_key_members(report)
    assert [(p.member_id, p.silent_days) for p in found] == [(2, 20), (4, 12), (1, 10)]
    assert report.counts["core"] == 1
