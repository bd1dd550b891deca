"""Weekly join cohorts × weeks since joining, on a hand-made table."""

from __future__ import annotations

from datetime import date

from hearthkeeper.analytics.cohorts import cohort_table, iso_week

AS_OF = date(2026, 11, 18)  # a Wednesday in ISO week 47


def d(day: int) -> date:
    return date(2026, 11, day)


JOINED = {1: d(2), 2: d(8), 3: d(10), 4: d(11), 5: d(19)}  # 2 Nov is a Monday (W45)
POSTED = {1: [d(3), d(12), d(19)], 2: [d(8), d(17)], 3: [d(18)]}


def test_cohorts_by_iso_week_of_joining_with_the_share_who_posted_each_week() -> None:
    rows = cohort_table(JOINED, POSTED, AS_OF, weeks=4)
    # W45: members 1 and 2 (2 Nov, Sunday 8 Nov). Week 0 (2-8 Nov): both posted -> 2/2.
    # Week 1 (9-15): member 1 on the 12th -> 1/2. Week 2 (16-22, up to the 18th): member 2
    # on the 17th -> 1/2 (member 1's post on the 19th is after the as-of day). Week 3: not yet.
    # W46: members 3 and 4. Week 0 (9-15): nobody. Week 1: member 3 on the 18th -> 1/2.
    # Member 5 joined after the as-of day: no cohort.
    assert [(r.week, r.size, r.posted, r.retention) for r in rows] == [
        ("2026-W45", 2, (2, 1, 1, None), (1.0, 0.5, 0.5, None)),
        ("2026-W46", 2, (0, 1, None, None), (0.0, 0.5, None, None)),
    ]
    assert rows[0].week_start == d(2)


def test_only_the_latest_cohorts_are_kept_and_json_is_plain() -> None:
    rows = cohort_table(JOINED, POSTED, AS_OF, weeks=2, cohorts=1)
    assert [r.week for r in rows] == ["2026-W46"]
    assert rows[0].to_json() == {"week": "2026-W46", "week_start": "2026-11-09", "size": 2,
                                 "posted": [0, 1], "retention": [0.0, 0.5]}  # fmt: skip


def test_iso_week_at_the_turn_of_the_year() -> None:
    assert iso_week(date(2027, 1, 1)) == "2026-W53"  # a Friday in 2026's last ISO week
