"""Crisis watch reads a group's window and its history in one statement each: the counts are
those of the plain reads, span by span (a message at the window's start is history, one at
its end is in it), staff left out, a redelivered message marked once (SQLite and PostgreSQL)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hearthkeeper.capabilities.crisis.decide import Counts, Episode
from hearthkeeper.capabilities.crisis.repository import Alarming, Mark, Marked, SqlCrisis
from hearthkeeper.store import MessageKind, Store

NOW = datetime(2026, 11, 2, 12, 0, tzinfo=UTC)
SINCE = NOW - timedelta(minutes=30)
FIRST = NOW - timedelta(days=7)


def mark(event: str, member: int | None, at: datetime) -> Mark:
    return Mark(event, member, "someone", "太吓人了", 0.99, ("panic",), at)


def test_the_window_and_the_history_are_counted_apart_in_one_read(store: Store) -> None:
    community = store.ensure_community("c", "C")
    group = store.add_group(community.id, "G", "fake", "g")
    other = store.add_group(community.id, "Other", "fake", "other")
    ann, bo, cy, staff = (store.member_for("fake", n, n).id for n in ("ann", "bo", "cy", "st"))
    store.set_role(staff, group.id, "admin")
    said = [
        (ann, FIRST),  # the history's start: in neither
        (ann, FIRST + timedelta(seconds=1)),  # history
        (bo, SINCE),  # the window's start: history
        (bo, SINCE + timedelta(seconds=1)),  # window
        (cy, NOW),  # the window's end: window
        (cy, NOW + timedelta(seconds=1)),  # after it: in neither
        (staff, NOW - timedelta(minutes=1)),  # staff: never counted
    ]
    for n, (member, at) in enumerate(said):
        store.record_message(group.id, f"m{n}", member, MessageKind.TEXT, "hi", at)
    store.record_message(other.id, "elsewhere", ann, MessageKind.TEXT, "hi", NOW)

    with store.transaction() as tx:
        repo = SqlCrisis.on(tx)
        marks = [("a1", ann, FIRST + timedelta(hours=1)), ("a2", ann, SINCE),
                 ("b1", bo, SINCE + timedelta(minutes=5)), ("b2", bo, NOW),
                 ("n1", None, NOW - timedelta(minutes=2)), ("c1", cy, FIRST),
                 ("c2", cy, NOW + timedelta(minutes=1))]  # fmt: skip
        for event, member, at in marks:
            assert repo.add_mark(group.id, mark(event, member, at))
        assert repo.add_mark(other.id, mark("x", cy, NOW))
        assert not repo.add_mark(group.id, mark("b2", bo, NOW)), "a redelivered message"

        assert repo.said(group.id, FIRST, SINCE, NOW) == (2, 2)
        # window: b1, b2 (bo) and n1 (nobody): 3 alarming from 1 member; history: a1, a2 (ann)
        assert repo.marked(group.id, FIRST, SINCE, NOW) == Marked(Alarming(3, 1), Alarming(2, 1))
        assert repo.marked(group.id, FIRST, SINCE - timedelta(minutes=1), NOW) == Marked(
            Alarming(4, 2), Alarming(1, 1)
        )


def test_an_episode_takes_the_unclaimed_marks_of_its_window_and_keeps_them_as_it_goes_on(
    store: Store,
) -> None:
    """Opening claims the window's unclaimed marks (not one at its start, nor another
    group's); extending moves `last_at`, claims the new ones and leaves an older episode's."""
    community = store.ensure_community("c", "C")
    group = store.add_group(community.id, "G", "fake", "g")
    other = store.add_group(community.id, "Other", "fake", "other")
    ann = store.member_for("fake", "ann", "ann").id
    counts = Counts(10, 4, 2)
    with store.transaction() as tx:
        repo = SqlCrisis.on(tx)
        for event, at in [("early", SINCE), ("w1", SINCE + timedelta(minutes=1)), ("w2", NOW)]:
            assert repo.add_mark(group.id, mark(event, ann, at))
        assert repo.add_mark(other.id, mark("there", ann, NOW))
        first = repo.open(community.id, group.id, SINCE, NOW, counts, 0.1, 0.3, alert_key="")
        repo.name_alert(first, "crisis:first")
        later = NOW + timedelta(minutes=5)
        assert repo.add_mark(group.id, mark("w3", ann, later))
        repo.extend(first, group.id, SINCE, later)
        assert repo.latest(group.id) == Episode(first, later)
        assert repo.add_mark(group.id, mark("w4", ann, later + timedelta(minutes=1)))
        second = repo.open(community.id, group.id, SINCE, later + timedelta(minutes=1), counts,
                           None, 0.5, alert_key="crisis:second")  # fmt: skip
    episodes = SqlCrisis.on(store).episodes(community.id)
    by_id = {e.id: e for e in episodes}
    assert [m.carrier_event_id for m in by_id[first].marks] == ["w1", "w2", "w3"]
    assert [m.carrier_event_id for m in by_id[second].marks] == ["w4"]
    assert (by_id[first].started_at, by_id[first].last_at) == (NOW, later)
    assert (by_id[first].messages, by_id[first].alarming, by_id[first].authors) == (10, 4, 2)
    assert (by_id[first].baseline, by_id[first].bar) == (0.1, 0.3)
    assert (by_id[second].baseline, by_id[second].bar) == (None, 0.5)
    assert [e.group for e in episodes] == ["G", "G"]
    with store.transaction() as tx:
        assert SqlCrisis.on(tx).latest(group.id) == Episode(second, later + timedelta(minutes=1))
