"""The report's shared reads: a read begun ahead gives what the plain reading gives, on both
databases."""

from __future__ import annotations

import threading
from datetime import date, timedelta

import pytest

from hearthkeeper.analytics.report_reads import SharedReads
from hearthkeeper.analytics.signals import EPOCH
from hearthkeeper.analytics.vitals import community_vitals
from hearthkeeper.store import QuestionDays, Store
from hearthkeeper.store.rollups import local_midnight
from tests.metrics_setup import UTC_ZONE, Town, at, town

LAST_DAY = date(2026, 3, 28)


def _questions(store: Store) -> Town:
    """Questions in two groups over March: some answered by another member, one by the asker
    only, one asked after the window."""
    t = town(store)
    q1 = t.say("ann", "g", at("03-02", 9), "Which tea?")
    t.say("bob", "g", at("03-02", 9, 30), "Assam", reply_to=q1)
    q2 = t.say("cat", "h", at("03-20", 10), "Where to buy？")
    t.say("cat", "h", at("03-20", 10, 5), "anyone", reply_to=q2)  # her own: no answer
    q3 = t.say("dan", "h", at("03-27", 23, 59), "Open tomorrow?")
    t.say("ann", "h", at("03-28", 8), "yes", reply_to=q3)
    t.say("ann", "g", at("03-29", 1), "After the window?")
    t.store.rebuild_rollups(t.groups.values())
    return t


def _reads(t: Town) -> SharedReads:
    ids = sorted(t.groups.values())
    return SharedReads(t.store, ids, first_day=EPOCH, last_day=LAST_DAY,
                       since=local_midnight(date(2026, 3, 1), UTC_ZONE),
                       until=local_midnight(LAST_DAY + timedelta(days=1), UTC_ZONE))  # fmt: skip


def test_questions_read_ahead_are_those_read_when_asked_for(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    """On PostgreSQL the report begins reading the questions before anything asks for them
    (their read overlaps the vital signs); what it hands out is what the store reads, for the
    whole window and for a part of it. SQLite reads them when first asked for."""
    t = _questions(store)
    ids = sorted(t.groups.values())
    since, until = local_midnight(date(2026, 3, 1), UTC_ZONE), local_midnight(LAST_DAY, UTC_ZONE)
    plain_whole = store.question_days(ids, since, until + timedelta(days=1), UTC_ZONE)
    plain_part = store.question_days(ids, since, until, UTC_ZONE)
    read: list[str] = []
    question_days = store.question_days

    def counted(*args: object) -> QuestionDays:
        read.append("questions")
        return question_days(*args)  # type: ignore[arg-type]

    monkeypatch.setattr(store, "question_days", counted)
    reads = _reads(t)

    reads.read_ahead(UTC_ZONE)
    reads.close()  # waits for the read begun ahead
    begun = list(read)
    whole = reads.question_days(ids, since, until + timedelta(days=1), UTC_ZONE)
    part = reads.question_days(ids, since, until, UTC_ZONE)

    assert begun == (["questions"] if store.engine.dialect.name == "postgresql" else [])
    assert read == ["questions"]  # one read, either way
    assert whole == plain_whole
    assert part == plain_part
    assert [(q.asked_at, q.answered_at) for q in whole.answered] == [
        (at("03-02", 9), at("03-02", 9, 30)), (at("03-27", 23, 59), at("03-28", 8)),
    ]  # fmt: skip


def test_inside_a_transaction_nothing_is_read_ahead(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A report made inside the caller's transaction reads everything in it, on its one
    session, when asked for: nothing is begun on another thread."""
    t = _questions(store)
    ids = sorted(t.groups.values())
    plain = store.question_days(ids, *_reads(t).times, UTC_ZONE)
    threads: list[str] = []
    with store.transaction() as tx:
        question_days = tx.question_days

        def on_which_thread(*args: object) -> QuestionDays:
            threads.append(threading.current_thread().name)
            return question_days(*args)  # type: ignore[arg-type]

        monkeypatch.setattr(tx, "question_days", on_which_thread)
        t.store = tx
        reads = _reads(t)
        reads.read_ahead(UTC_ZONE)
        found = reads.question_days(ids, *reads.times, UTC_ZONE)
        reads.close()

    assert threads == [threading.main_thread().name]
    assert found == plain


def test_a_failed_read_ahead_fails_where_its_questions_are_asked_for(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A read begun ahead that fails says so to what asks for the questions (not lost in its
    thread); a report then fails as it did when it read them itself."""
    t = _questions(store)
    ids = sorted(t.groups.values())

    def broken(*args: object) -> QuestionDays:
        raise RuntimeError("the database went away")

    monkeypatch.setattr(store, "question_days", broken)
    reads = _reads(t)
    reads.read_ahead(UTC_ZONE)
    try:
        with pytest.raises(RuntimeError, match="the database went away"):
            reads.question_days(ids, reads.times[0], reads.times[1], UTC_ZONE)
    finally:
        reads.close()


def test_vital_signs_from_reads_begun_ahead_are_those_of_the_plain_reading(store: Store) -> None:
    """The health scores' questions (the 28 days ending on the as-of day) come from the read
    begun ahead, and every vital sign is what the store's own reads give."""
    t = _questions(store)
    ids = sorted(t.groups.values())
    plain = community_vitals(store, t.community_id, as_of=LAST_DAY, zone=UTC_ZONE,
                             playbook=None, name="Tea Friends", group_ids=ids)  # fmt: skip
    reads = _reads(t)
    reads.read_ahead(UTC_ZONE)
    try:
        shared = community_vitals(store, t.community_id, as_of=LAST_DAY, zone=UTC_ZONE,
                                  playbook=None, name="Tea Friends", group_ids=ids,
                                  reads=reads)  # fmt: skip
    finally:
        reads.close()

    assert shared.sections() == plain.sections()
    response = {c.key: c.explanation for c in shared.community.health.components}["response"]
    assert response.startswith(
        "Response: 2 of 3 questions answered by a person in the last 28 days"
    )


def test_group_days_and_kinds_are_read_once_for_the_metrics_and_the_vital_signs(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The groups' daily totals and kinds are read once over the period and the vital signs'
    35 days (begun ahead on PostgreSQL), and each part gets the store's own rows for its days;
    days outside that window, or other groups, are read from the store."""
    t = _questions(store)
    ids = sorted(t.groups.values())
    period, last35 = (date(2026, 3, 10), LAST_DAY), (LAST_DAY - timedelta(days=34), LAST_DAY)
    plain = {days: (store.group_days(ids, *days), store.group_day_kinds(ids, *days))
             for days in (period, last35)}  # fmt: skip
    read: list[tuple[str, date, date]] = []
    for name in ("group_days", "group_day_kinds"):
        method = getattr(store, name)

        def counted(group_ids: list[int], start: date, end: date, name: str = name,
                    method: object = method) -> object:  # fmt: skip
            read.append((name, start, end))
            return method(group_ids, start, end)  # type: ignore[operator]

        monkeypatch.setattr(store, name, counted)
    reads = SharedReads(t.store, ids, first_day=EPOCH, last_day=LAST_DAY,
                        since=local_midnight(date(2026, 3, 1), UTC_ZONE),
                        until=local_midnight(LAST_DAY + timedelta(days=1), UTC_ZONE),
                        group_days=(last35[0], LAST_DAY))  # fmt: skip
    reads.read_ahead(UTC_ZONE)
    try:
        shared = {days: (reads.group_days(ids, *days), reads.group_day_kinds(ids, *days))
                  for days in (period, last35)}  # fmt: skip
        outside = reads.group_days(ids, date(2026, 2, 1), LAST_DAY)
        one_group = reads.group_days(ids[:1], *period)
    finally:
        reads.close()

    assert shared == plain
    assert [len(rows) for rows, _ in shared.values()] == [3, 4]  # group-days with messages
    assert sorted(read) == sorted([
        ("group_days", last35[0], LAST_DAY), ("group_day_kinds", last35[0], LAST_DAY),  # once
        ("group_days", date(2026, 2, 1), LAST_DAY), ("group_days", *period),  # not ours
    ])  # fmt: skip
    assert outside == store.group_days(ids, date(2026, 2, 1), LAST_DAY)
    assert one_group == [r for r in plain[period][0] if r.group_id == ids[0]]
