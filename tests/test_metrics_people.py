"""Question response, newcomers' first messages, check-in participation, sign-up and group-buy
conversion and the purchase rates not measured yet — each on a hand-counted fixture."""

from __future__ import annotations

import pytest

from hearthkeeper.capabilities.checkin.repository import SqlCheckIns
from hearthkeeper.capabilities.faq.repository import SqlQuestions
from hearthkeeper.capabilities.signups.records import NewSignUpItem
from hearthkeeper.capabilities.signups.repository import SqlSignUps
from hearthkeeper.store import Store, metric_reads
from tests.metrics_setup import at, town
from tests.sql_plans import sqlite_plan


def test_question_response_rate_and_median_time_to_first_answer(store: Store) -> None:
    t = town(store)
    q1 = t.say("ann", "g", at("03-02", 10), "Which tea for mornings?")
    t.say("bob", "g", at("03-02", 10, 30), "Assam", reply_to=q1)  # answered after 30 min
    t.say("cat", "g", at("03-02", 10, 40), "or Ceylon", reply_to=q1)  # not the first answer
    q2 = t.say("bob", "g", at("03-02", 11), "哪里买？")
    t.say("bob", "g", at("03-02", 11, 5), "anyone?", reply_to=q2)  # asking again is no answer
    t.say("cat", "g", at("03-02", 12, 30), "Tmall", reply_to=q2)  # answered after 90 min
    t.say("cat", "g", at("03-02", 13), "Any tips?")  # never answered
    q4 = t.say("dan", "g", at("03-02", 14), "想问一下哪家好")  # no mark: the FAQ queue took it
    queued = SqlQuestions.on(store).add_question(t.community_id, t.group("g"), t.member("dan"), q4,
                                "想问一下哪家好", at("03-02", 14))  # fmt: skip
    SqlQuestions.on(store).answer_question(
        queued, t.member("ann"), at("03-02", 14, 10)
    )  # after 10 min
    plain = t.say("eve", "g", at("03-02", 15), "Lovely day")  # not a question
    t.say("ann", "g", at("03-02", 15, 1), "Yes!", reply_to=plain)
    t.say("eve", "g", at("03-03", 9), "Late one?")  # asked after the period

    m = t.metrics("03-02", "03-02").groups[t.group("g")].total

    # q1, q2, "Any tips?", q4 and "anyone?" (a question mark; bob answering himself does
    # not count): 5 asked, 3 answered.
    assert (m.questions, m.answered) == (5, 3)
    assert m.response_rate == pytest.approx(3 / 5)
    assert m.median_answer_minutes == pytest.approx(30.0)  # median of 10, 30, 90


def test_newcomers_first_message_rate(store: Store) -> None:
    t = town(store)
    t.stay("ann", "g", at("03-02", 9))
    t.say("ann", "g", at("03-05"))  # 3 days after joining: yes
    t.stay("bob", "g", at("03-03", 9))
    t.say("bob", "g", at("03-10"))  # 7 days after: outside the join day + 6 days
    t.stay("cat", "g", at("03-08", 9))
    t.say("cat", "g", at("03-14"))  # 6 days after (after the period): yes
    t.stay("dan", "g", at("02-20"))  # joined before the period: not a newcomer
    t.say("dan", "g", at("03-03"))
    t.stay("eve", "g", at("02-01"), at("02-10"))  # back again in the period: not a newcomer
    t.stay("eve", "g", at("03-04"))
    t.say("eve", "g", at("03-04", 13))

    m = t.metrics("03-02", "03-08").groups[t.group("g")].total

    assert (m.newcomers, m.newcomers_posted) == (3, 2)  # ann, bob, cat; ann and cat posted
    assert m.newcomer_first_message_rate == pytest.approx(2 / 3)


def test_check_in_participation(store: Store) -> None:
    t = town(store)
    for name in ("ann", "bob", "cat", "dan"):
        t.stay(name, "g", at("03-01"))
    group = t.group("g")
    SqlCheckIns.on(store).check_in(
        t.community_id, t.member("ann"), at("03-02").date(), at("03-02"), group_id=group
    )
    SqlCheckIns.on(store).check_in(
        t.community_id, t.member("ann"), at("03-03").date(), at("03-03"), group_id=group
    )
    SqlCheckIns.on(store).check_in(
        t.community_id, t.member("bob"), at("03-05").date(), at("03-05"), group_id=group
    )
    SqlCheckIns.on(store).check_in(
        t.community_id, t.member("cat"), at("03-09").date(), at("03-09"), group_id=group
    )

    m = t.metrics("03-02", "03-08").groups[group].total

    assert m.checkin_members == 2  # ann (twice), bob; cat's is after the period
    assert m.checkin_participation == pytest.approx(2 / 4)  # of the 4 members


def test_sign_up_and_group_buy_conversion_and_purchases_not_measured(store: Store) -> None:
    t = town(store)
    for name in ("ann", "bob", "cat"):
        t.stay(name, "g", at("03-01"))
    t.stay("dan", "g", at("03-04"))
    group = t.group("g")
    signups = SqlSignUps.on(store)
    hike = signups.open_list(t.community_id, group, "Tea walk", deadline=None,
                             created_by=None, at=at("03-03", 10))  # fmt: skip
    signups.take(hike.id, t.member("ann"), 1, at=at("03-03", 11))
    signups.take(hike.id, t.member("cat"), 1, at=at("03-03", 11))
    signups.cancel(hike.id, t.member("cat"), at=at("03-03", 12))
    signups.take(hike.id, t.member("dan"), 1, at=at("03-04", 12))  # joined after it began
    buy = signups.open_list(t.community_id, group, "Oolong group-buy",
                            [NewSignUpItem("Oolong 100 g", "9.90", 5)], deadline=None,
                            created_by=None, at=at("03-05", 10))  # fmt: skip
    signups.take(buy.id, t.member("bob"), 2, item_id=buy.items[0].id, at=at("03-05", 11))

    m = t.metrics("03-02", "03-08").groups[group].total

    # The walk: saw = ann, bob, cat in the group at its start + dan who joined it = 4;
    # joined = ann, dan (cat cancelled) = 2. The group-buy: saw 4, joined bob = 1.
    assert (m.signups.lists, m.signups.saw, m.signups.joined) == (1, 4, 2)
    assert m.signup_conversion == pytest.approx(2 / 4)
    assert (m.group_buys.lists, m.group_buys.saw, m.group_buys.joined) == (1, 4, 1)
    assert m.group_buy_conversion == pytest.approx(1 / 4)
    assert m.purchase_rate is None and m.repurchase_rate is None
    assert "money section" in m.notes["purchase_rate"]  # measured to date, not per period


def test_many_questions_get_the_same_first_answers_from_one_pass_over_the_replies(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Above 500 questions in a window the first answers come from one read of the replies
    (step 13) rather than one query per 500: the same answers (here with the limit at 1)."""
    t = town(store)
    q1 = t.say("ann", "g", at("03-02", 10), "Which tea?")
    t.say("ann", "g", at("03-02", 10, 5), "me again", reply_to=q1)  # her own reply: no answer
    t.say("bob", "g", at("03-02", 10, 30), "Assam", reply_to=q1)
    t.say("cat", "g", at("03-02", 10, 20), "Ceylon", reply_to=q1)  # stored later, sent first
    q2 = t.say("bob", "g", at("03-02", 11), "Where?")
    t.say("cat", "g", at("03-02", 12), "Tmall", reply_to=q2)
    old = t.say("dan", "g", at("03-01", 9), "Yesterday's?")  # asked before the window
    t.say("eve", "g", at("03-02", 9), "here", reply_to=old)
    ids, window = [t.group("g")], (at("03-02", 0), at("03-03", 0))
    per_query = store.question_timings(ids, *window)
    monkeypatch.setattr(metric_reads, "_CHUNK", 1)

    assert store.question_timings(ids, *window) == per_query
    assert [(q.asked_at, q.answered_at) for q in per_query] == [
        (at("03-02", 10), at("03-02", 10, 20)),
        (at("03-02", 11), at("03-02", 12)),
    ]


def test_questions_are_read_from_their_index_not_by_searching_every_message(store: Store) -> None:
    """At a million messages the report reads a window's questions from the partial index of
    messages holding "?"/"？" (step 13: 5× faster than searching every message's text). The
    query must say the index's very predicate, or SQLite silently searches every message."""
    if store.engine.dialect.name != "sqlite":
        pytest.skip("PostgreSQL's planner picks by statistics; the predicate text is shared")
    t = town(store)
    t.say("ann", "g", at("03-02", 10), "Which tea?")

    timings, plan = sqlite_plan(
        store,
        lambda: store.question_timings([t.group("g")], at("03-02", 0), at("03-03", 0)),
        "instr",
    )

    assert [q.asked_at for q in timings] == [at("03-02", 10)]
    assert "ix_messages_questions" in plan, plan
