"""Question response, newcomers' first messages, check-in participation, sign-up and group-buy
conversion and the purchase rates not measured yet — each on a hand-counted fixture."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest

from hearthkeeper.capabilities.checkin.repository import SqlCheckIns
from hearthkeeper.capabilities.faq.repository import SqlQuestions
from hearthkeeper.capabilities.signups.records import NewSignUpItem
from hearthkeeper.capabilities.signups.repository import SqlSignUps
from hearthkeeper.store import MessageDeletion, QuestionDays, Store, metric_reads
from hearthkeeper.store.rollups import local_midnight
from tests.metrics_setup import at, town
from tests.sql_plans import plans, sqlite_plan


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


def test_first_answers_are_read_from_the_replies_index_which_holds_only_replies(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A report's questions' first answers are read from `ix_messages_reply_to_id` (the
    message replied to, the replier, the time), one question at a time or in one pass over a
    window's replies. Only replies are in that index (migration 0042): every message stored
    paid for an entry, most pointing at nothing, and the engine's messages went in ~3% slower
    for it. Both reads must still find their rows there."""
    t = town(store)
    q1 = t.say("ann", "g", at("03-02", 10), "Which tea?")
    t.say("bob", "g", at("03-02", 10, 30), "Assam", reply_to=q1)
    t.say("cat", "g", at("03-02", 10, 40), "Chat about something else")  # no reply
    q2 = t.say("bob", "g", at("03-02", 11), "Where?")
    t.say("cat", "g", at("03-02", 12), "Tmall", reply_to=q2)
    ids, window = [t.group("g")], (at("03-02", 0), at("03-03", 0))
    answered = [(at("03-02", 10), at("03-02", 10, 30)), (at("03-02", 11), at("03-02", 12))]

    one_by_one, first = plans(store, lambda: store.question_timings(ids, *window), "reply_to_id")
    monkeypatch.setattr(metric_reads, "_CHUNK", 1)  # two questions: one pass over the replies
    in_one_pass, every = plans(store, lambda: store.question_timings(ids, *window), "reply_to_id")

    for timings in (one_by_one, in_one_pass):
        assert [(q.asked_at, q.answered_at) for q in timings] == answered
    sqlite = store.engine.dialect.name == "sqlite"
    # PostgreSQL picks the one pass's index by its statistics (a few rows here read as well
    # through the time index); what a reply's message id asks must come from this index
    read = first + every if sqlite else first
    assert all("ix_messages_reply_to_id" in plan for plan in read), "\n\n".join(read)
    assert len(read) == 2 if sqlite else len(read) == 1
    with store.engine.connect() as connection:
        if sqlite:
            query = "SELECT sql FROM sqlite_master WHERE name = 'ix_messages_reply_to_id'"
        else:
            query = "SELECT indexdef FROM pg_indexes WHERE indexname = 'ix_messages_reply_to_id'"
        definition = connection.exec_driver_sql(query).scalar()
    assert definition is not None and "reply_to_id IS NOT NULL" in definition, definition


@pytest.mark.parametrize("zone_name", ["Asia/Shanghai", "America/Santiago"])
def test_questions_counted_per_local_day_are_the_questions_and_answers_listed(
    store: Store, monkeypatch: pytest.MonkeyPatch, zone_name: str
) -> None:
    """The report counts a window's questions per group and local day from the times the
    database gives (step 13, sixth pass), rather than making a record of each: the same
    questions, days and first answers as `question_timings`. Shanghai's days start at 16:00
    UTC; Santiago set its clocks back an hour at midnight on 2026-04-04 (a day of 25
    hours). A window that does not start at a local midnight is counted one by one."""
    zone = ZoneInfo(zone_name)
    t = town(store)

    def local(day: str, hour: int, minute: int = 0, second: int = 0, micro: int = 0) -> datetime:
        return datetime(2026, int(day[:2]), int(day[3:]), hour, minute, second, micro,
                        tzinfo=zone)  # fmt: skip

    q1 = t.say("ann", "g", local("04-03", 0), "Which tea?")  # at a local midnight
    t.say("bob", "g", local("04-03", 0, 30), "Assam", reply_to=q1)  # answered after 30 min
    t.say("cat", "g", local("04-03", 23, 59, 59, 999_999), "And you?")  # the day's last instant
    t.say("ann", "h", local("04-04", 9), "哪里买？")
    q4 = t.say("dan", "h", local("04-04", 10), "想问一下哪家好")  # no mark: the FAQ queue took it
    queued = SqlQuestions.on(store).add_question(t.community_id, t.group("h"), t.member("dan"),
                                                 q4, "想问一下哪家好", local("04-04", 10))  # fmt: skip
    SqlQuestions.on(store).answer_question(queued, t.member("ann"), local("04-04", 10, 10))
    spam = t.say("eve", "g", local("04-05", 12), "cheap bags?")  # deleted: no question
    store.delete_messages([MessageDeletion(t.group("g"), spam, "moderation", local("04-05", 12))])
    q6 = t.say("eve", "g", local("04-06", 8), "Late one?")
    t.say("eve", "g", local("04-06", 8, 5), "me again", reply_to=q6)  # her own: no answer
    t.say("ann", "g", local("04-08", 1), "After the window?")
    ids = [t.group("g"), t.group("h")]
    since = local_midnight(date(2026, 4, 3), zone)
    until = local_midnight(date(2026, 4, 8), zone)

    days = store.question_days(ids, since, until, zone)

    g, h = t.group("g"), t.group("h")
    assert days.asked == {(g, date(2026, 4, 3)): 2, (h, date(2026, 4, 4)): 2,
                          (g, date(2026, 4, 6)): 1}  # fmt: skip
    assert [(q.group_id, q.asked_at, q.answered_at) for q in days.answered] == [
        (g, local("04-03", 0), local("04-03", 0, 30)),
        (h, local("04-04", 10), local("04-04", 10, 10)),
    ]
    assert days == QuestionDays.of(store.question_timings(ids, since, until), zone)
    morning = local("04-03", 6)
    assert store.question_days(ids, morning, until, zone) == QuestionDays(
        {key: n - (key == (g, date(2026, 4, 3))) for key, n in days.asked.items()},
        days.answered[1:],
    )
    monkeypatch.setattr(metric_reads, "_CHUNK", 1)  # the answers from one pass over the replies
    assert store.question_days(ids, since, until, zone) == days
