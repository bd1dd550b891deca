"""Questions the FAQ answered automatically, as the operator reads them: the report's metrics
count them beside the questions a person answered, and the health score's response line says
how many the FAQ answered instead of reading as questions left waiting (docs/metrics.md)."""

from __future__ import annotations

import asyncio
from dataclasses import replace
from datetime import timedelta
from zoneinfo import ZoneInfo

from hearthkeeper.analytics.report import build_report
from hearthkeeper.analytics.report_html import render_html
from hearthkeeper.clock import FrozenClock
from hearthkeeper.store import QuestionDays, Store
from hearthkeeper.store.rollups import local_midnight
from tests.engine_setup import Community, community, playbook

FAQ = """\
mechanisms:
  faq:
    cooldown: 10m
    entries:
      - question: Where can I buy the tea?
        keywords: [buy, shop, order]
        answer: Order from the shop link in the group notice.
      - question: How do I brew green tea?
        keywords: [brew, steep]
        answer: 80°C water, two minutes, three infusions.
"""


def _ask(c: Community, user: str, text: str, reply_to: str | None = None) -> str:
    message = c.events.message(user, text, at=c.clock.now())
    c.engine.process([replace(message, reply_to=reply_to)])
    c.clock.advance(timedelta(minutes=1))
    return message.event_id


def _month_of_questions(store: Store, clock: FrozenClock) -> Community:
    """Four questions: the FAQ answers two (and nobody else does), a member answers one, and
    one nobody answers; then the outbox is sent."""
    c = community(store, clock, playbook(FAQ))
    _ask(c, "mei", "where do I buy this tea?")  # the FAQ answers
    _ask(c, "tom", "how long should I steep green tea?")  # the FAQ answers
    wifi = _ask(c, "ann", "what is the wifi password here?")  # nobody's FAQ entry
    _ask(c, "bob", "it is teahouse123", reply_to=wifi)  # a person answers it
    _ask(c, "eve", "is anyone coming on Sunday?")  # nobody answers
    asyncio.run(c.engine.drain())
    return c


def test_the_report_counts_the_questions_the_faq_answered_beside_those_people_answered(
    store: Store, store_clock: FrozenClock
) -> None:
    c = _month_of_questions(store, store_clock)
    day = store_clock.now().date()
    made = build_report(store, c.runtime.community_id, now=store_clock.now(), start=day, end=day)
    report = made.to_json()  # what `hearth report --format json` prints

    [group] = report["groups"]
    total = group["metrics"]["total"]
    assert (total["questions"], total["answered"], total["faq_answered"]) == (4, 1, 2)
    assert total["response_rate"] == 0.25, "the rate still measures people answering people"
    assert report["overall"]["metrics"]["total"]["faq_answered"] == 2
    # counted per local day as the records say, one by one
    zone, ids = ZoneInfo("UTC"), [group["id"]]
    since, until = local_midnight(day, zone), local_midnight(day + timedelta(days=1), zone)
    days = store.question_days(ids, since, until, zone)
    assert days == QuestionDays.of(store.question_timings(ids, since, until), zone)
    assert days.by_faq == {(group["id"], day): 2}
    [response] = [c for c in group["health"]["components"] if c["key"] == "response"]
    assert response["score"] == 25
    assert response["explanation"] == (
        "Response: 1 of 4 questions answered by a person in the last 28 days; the FAQ "
        "answered 2 automatically, 1 unanswered — 25/100"
    )
    assert response["explanation"] in render_html(made), "the HTML report says the same"


def test_a_group_whose_faq_answered_every_question_says_none_is_left_unanswered(
    store: Store, store_clock: FrozenClock
) -> None:
    """The operator's month: the FAQ answered everything, nobody else did. The score stays 0
    (people answering people), and the line says nothing waits."""
    c = community(store, store_clock, playbook(FAQ))
    _ask(c, "mei", "where do I buy this tea?")
    _ask(c, "tom", "how long should I steep green tea?")
    asyncio.run(c.engine.drain())
    day = store_clock.now().date()
    report = build_report(store, c.runtime.community_id, now=store_clock.now(),
                          start=day, end=day).to_json()  # fmt: skip

    [response] = [x for x in report["overall"]["health"]["components"] if x["key"] == "response"]
    assert response["explanation"] == (
        "Response: 0 of 2 questions answered by a person in the last 28 days; the FAQ "
        "answered 2 automatically, none left unanswered — 0/100"
    )


def test_an_faq_reply_the_carrier_refused_answers_nothing(
    store: Store, store_clock: FrozenClock
) -> None:
    """Only a reply sent (or on its way) answers: one that failed for good is no answer."""
    c = community(store, store_clock, playbook(FAQ))
    _ask(c, "mei", "where do I buy this tea?")
    with store.engine.begin() as connection:
        connection.exec_driver_sql("UPDATE outbox SET status = 'failed'")
    day = store_clock.now().date()
    report = build_report(store, c.runtime.community_id, now=store_clock.now(),
                          start=day, end=day).to_json()  # fmt: skip

    total = report["overall"]["metrics"]["total"]
    assert (total["questions"], total["answered"], total["faq_answered"]) == (1, 0, 0)


EXPERTS = """\
mechanisms:
  faq:
    entries:
      - question: How do I brew green tea?
        keywords: [brew, steep]
        answer: 80°C water, two minutes.
  tags:
    - name: specialty
      expert_topics:
        oolong: [oolong, tieguanyin]
        puer: [puer, pu-erh]
"""


def test_an_faq_answer_with_the_experts_line_answers_and_the_experts_line_alone_does_not(
    store: Store, store_clock: FrozenClock
) -> None:
    """The expert finder's reply carries the FAQ's answer before its @-mentions: that is an
    automatic answer. Its @-mentions alone ask people to answer; they answer nothing yet."""
    c = community(store, store_clock, playbook(EXPERTS))
    for user, name, topic in (("d", "Dee", "puer"), ("b", "Bea", "oolong")):
        room = store.group_for_carrier("fake", "g1") or store.add_group(
            c.runtime.community_id, "g1", "fake", "g1"
        )
        member = store.member_for("fake", user, name)
        store.join(member.id, room.id, at=store_clock.now() - timedelta(days=9))
        store.add_tag(member.id, f"specialty:{topic}", set_by="staff")
    _ask(c, "mei", "how do I brew a puer?")  # the answer, then "You could ask @Dee, …"
    _ask(c, "tom", "which oolong should I try first?")  # "You could ask @Bea, …" only
    asyncio.run(c.engine.drain())
    day = store_clock.now().date()
    report = build_report(store, c.runtime.community_id, now=store_clock.now(),
                          start=day, end=day).to_json()  # fmt: skip

    total = report["overall"]["metrics"]["total"]
    assert (total["questions"], total["answered"], total["faq_answered"]) == (2, 0, 1)
