"""The question queue in the store: each question answered once, alerts only for open ones."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import event

from hearthkeeper.capabilities.faq.repository import SqlQuestions
from hearthkeeper.clock import FrozenClock
from hearthkeeper.store import Store, StoreError


def test_a_question_is_answered_once_and_leaves_the_queue(
    store: Store, store_clock: FrozenClock
) -> None:
    community = store.ensure_community("tea", "Tea Friends")
    group = store.add_group(community.id, "Tea room", "fake", "g1")
    mei = store.member_for("fake", "mei", "Mei")
    tom = store.member_for("fake", "tom", "Tom")
    now = store_clock.now()
    questions = SqlQuestions.on(store)
    first = questions.get_question(
        questions.add_question(community.id, group.id, mei.id, "e1", "open on Sunday?", now)
    )
    second = questions.add_question(
        community.id, group.id, tom.id, "e2", "parking?", now + timedelta(1)
    )
    assert first is not None
    assert (first.asker, first.group_name, first.status) == ("Mei", "Tea room", "open")
    assert [q.id for q in questions.waiting_questions(community.id)] == [first.id, second]
    assert questions.waiting_question(community.id, group.id, "e1") == first
    assert questions.alert_question(first.id) and not questions.alert_question(first.id)
    assert questions.answer_question(first.id, tom.id, now), "an alerted question can be answered"
    assert not questions.answer_question(first.id, mei.id, now)
    assert not questions.alert_question(first.id), "answered: no alert"
    answered = questions.get_question(first.id)
    assert answered is not None and (answered.status, answered.answered_by) == ("answered", tom.id)
    assert questions.waiting_question(community.id, group.id, "e1") is None
    assert [q.id for q in questions.waiting_questions(community.id)] == [second]
    assert questions.waiting_question_of(
        community.id, group.id, [mei.id, tom.id]
    ) == questions.get_question(second)
    assert questions.waiting_question_of(community.id, group.id, [mei.id]) is None
    with pytest.raises(StoreError, match="cannot queue the question"):
        questions.add_question(community.id, group.id, 9999, "e3", "?", now)


def test_the_last_waiting_question_of_many_pairs_is_each_pairs_own(
    store: Store, store_clock: FrozenClock
) -> None:
    """`last_waiting_asked_of` answers for the (group, member) pairs asked, as
    `last_waiting_asked_at` does one by one: a member's question in another group asked about,
    or another asked member's question in this group, is not theirs; answered ones are not
    waiting; 900 pairs at once (more than one batch of the engine)."""
    community = store.ensure_community("tea", "Tea Friends")
    groups = [store.add_group(community.id, f"Room {n}", "fake", f"g{n}").id for n in range(3)]
    members = [store.member_for("fake", f"u{n}", f"U{n}").id for n in range(300)]
    questions = SqlQuestions.on(store)
    now = store_clock.now()
    for n, member in enumerate(members):
        for k, group in enumerate(groups):
            if (n + k) % 3 == 0:  # each member asked in one group of three, twice
                questions.add_question(community.id, group, member, f"q{n}-{k}", "?", now)
                later = questions.add_question(community.id, group, member, f"r{n}-{k}", "?",
                                               now + timedelta(minutes=n % 7))  # fmt: skip
                if n % 10 == 0:
                    questions.answer_question(later, None, now)
    pairs = [(g, m) for g in groups for m in members]
    many = questions.last_waiting_asked_of(community.id, pairs)
    one_by_one = {
        (g, m): at
        for g, m in pairs
        if (at := questions.last_waiting_asked_at(community.id, g, m)) is not None
    }
    assert many == one_by_one
    assert len(many) == len(members)  # one group each
    some = pairs[::7]
    assert questions.last_waiting_asked_of(community.id, some) == {
        pair: at for pair, at in one_by_one.items() if pair in set(some)
    }


def test_only_questions_asked_since_the_bound_are_read_and_each_pair_is_sought_in_its_index(
    store: Store, store_clock: FrozenClock
) -> None:
    """The FAQ asks only about questions within the alert window: with `since`, a member's
    older unanswered question is not reported (a newer one still is), and on SQLite the
    read seeks each (group, member) pair asked in its index instead of reading every
    unanswered question of the community's window (thousands in a busy hour, read for the
    few members of a batch: the FAQ-alone decision p99 went from 0.4 to 2.2 ms on it)."""
    community = store.ensure_community("tea", "Tea Friends")
    group = store.add_group(community.id, "Tea room", "fake", "g1").id
    mei, tom = (store.member_for("fake", u, u.title()).id for u in ("mei", "tom"))
    questions = SqlQuestions.on(store)
    now = store_clock.now()
    questions.add_question(community.id, group, mei, "old", "?", now - timedelta(days=30))
    questions.add_question(community.id, group, tom, "t-old", "?", now - timedelta(days=30))
    recent = now - timedelta(minutes=5)
    questions.add_question(community.id, group, tom, "t-new", "?", recent)
    since = now - timedelta(hours=1)
    pairs = [(group, mei), (group, tom)]
    assert questions.last_waiting_asked_of(community.id, pairs, since) == {(group, tom): recent}
    assert set(questions.last_waiting_asked_of(community.id, pairs)) == set(pairs)
    if store.engine.dialect.name != "sqlite":
        return
    seen: list[tuple[str, object]] = []

    def keep(conn: object, cursor: object, statement: str, params: object, *_: object) -> None:
        if "FROM questions" in statement:
            seen.append((statement, params))

    event.listen(store.engine, "before_cursor_execute", keep)
    try:
        questions.last_waiting_asked_of(community.id, pairs, since)
    finally:
        event.remove(store.engine, "before_cursor_execute", keep)
    [(statement, params)] = seen
    with store.engine.connect() as conn:
        plan = " ".join(row[-1] for row in conn.exec_driver_sql(
            f"EXPLAIN QUERY PLAN {statement}", params))  # type: ignore[arg-type]  # fmt: skip
    assert "ix_questions_group_id_member_id (group_id=? AND member_id=?)" in plan, plan
    assert "ix_questions_waiting" not in plan, plan
