"""FAQ answers through the engine: replies, the cooldown, mention-only groups, the staff
question queue with its alert, `/questions` and `/helpful`."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from dataclasses import replace
from datetime import timedelta

from hearthkeeper.assembly import runtime_for
from hearthkeeper.capabilities.faq.repository import SqlQuestions
from hearthkeeper.capabilities.points.repository import SqlPoints
from hearthkeeper.clock import FrozenClock
from hearthkeeper.engine.actions import Action, ActionKind
from hearthkeeper.engine.executor import Processed
from hearthkeeper.playbook import parse_playbook
from hearthkeeper.store import Store
from tests.engine_setup import RULES, Community, community, playbook
from tests.playbook_samples import MINIMAL
from tests.sql_plans import statements_run

FAQ = """\
mechanisms:
  faq:
    cooldown: 10m
    unanswered_alert_after: 30m
    entries:
      - question: Where can I buy the tea?
        keywords: [buy, shop, order]
        answer: Order from the shop link in the group notice.
      - question: How do I brew green tea?
        keywords: [brew, steep]
        answer: 80°C water, two minutes, three infusions.
"""
SHOP = "Order from the shop link in the group notice."
BREW = "80°C water, two minutes, three infusions."


def replies(processed: Sequence[Processed]) -> list[str]:
    return [a.text or "" for p in processed for a in p.actions if a.kind is ActionKind.REPLY]


def ask(c: Community, user: str, text: str, *, name: str | None = None, group: str | None = None,
        mentions: tuple[str, ...] = (), reply_to: str | None = None,
        mentions_bot: bool = False) -> list[Processed]:  # fmt: skip
    message = c.events.message(user, text, name=name, group=group, mentions=mentions,
                               at=c.clock.now())  # fmt: skip
    return c.engine.process([replace(message, reply_to=reply_to, mentions_bot=mentions_bot)])


def make_staff(c: Community, user: str, role: str = "manager") -> None:
    group = c.store.group_for_carrier("fake", "g1") or c.store.add_group(
        c.runtime.community_id, "g1", "fake", "g1"
    )
    c.store.join(c.store.member_for("fake", user, user).id, group.id, role=role)


def performed(c: Community) -> list[Action]:
    asyncio.run(c.engine.drain())
    return [p.action for p in c.carrier.performed]


def test_a_question_is_answered_with_the_faq_reply(store: Store, store_clock: FrozenClock) -> None:
    c = community(store, store_clock, playbook(FAQ))
    [result] = ask(c, "mei", "where do I buy this tea?")
    [answer] = [a for a in result.actions if a.kind is ActionKind.REPLY]
    assert answer.text == SHOP and answer.target == result.event.event_id
    assert answer.member == "mei" and "faq" in result.handlers
    assert replies(ask(c, "tom", "lovely tea today")) == [], "chatter gets no answer"


def test_an_entry_is_answered_once_per_cooldown_per_group(
    store: Store, store_clock: FrozenClock
) -> None:
    c = community(store, store_clock, playbook(FAQ))
    assert replies(ask(c, "mei", "where can I buy it?")) == [SHOP]
    store_clock.advance(timedelta(minutes=3))
    assert replies(ask(c, "tom", "how do I order some?")) == [], "answered 3 minutes ago"
    assert replies(ask(c, "tom", "how long should I steep green tea?")) == [BREW]
    assert replies(ask(c, "ann", "where do I buy tea?", group="g2")) == [SHOP], "another group"
    store_clock.advance(timedelta(minutes=8))
    assert replies(ask(c, "bob", "where can I buy the tea?")) == [SHOP], "the cooldown is over"
    assert SqlQuestions.on(store).waiting_questions(c.runtime.community_id) == [], (
        "a cooled-down one not queued"
    )


def test_the_same_question_asked_again_is_held_back_by_the_cooldown_of_its_own_group(
    store: Store, store_clock: FrozenClock
) -> None:
    # the handler remembers what a text asks; whether it is answered is each group's cooldown
    c = community(store, store_clock, playbook(FAQ))
    assert replies(ask(c, "mei", "where can I buy it?")) == [SHOP]
    store_clock.advance(timedelta(minutes=3))
    assert replies(ask(c, "tom", "where can I buy it?")) == [], "answered 3 minutes ago"
    assert replies(ask(c, "ann", "where can I buy it?", group="g2")) == [SHOP], "another group"
    store_clock.advance(timedelta(minutes=8))
    assert replies(ask(c, "bob", "where can I buy it?")) == [SHOP], "the cooldown is over"


def test_the_cooldown_outlives_a_restart(store: Store, store_clock: FrozenClock) -> None:
    """`hearth serve` restarted moments after an answer: the same answer is not given again
    within the cooldown (the store, not the old process's memory, says when it was given)."""
    c = community(store, store_clock, playbook(FAQ))
    assert replies(ask(c, "mei", "where can I buy it?")) == [SHOP]
    performed(c)
    store_clock.advance(timedelta(minutes=3))
    c.runtime = runtime_for(store, c.runtime.playbook)  # new handlers: nothing in memory
    c.restart()
    assert replies(ask(c, "tom", "how do I order some?")) == [], "answered 3 minutes ago"
    assert replies(ask(c, "tom", "how long should I steep green tea?")) == [BREW]
    assert replies(ask(c, "ann", "where do I buy tea?", group="g2")) == [SHOP], "another group"
    store_clock.advance(timedelta(minutes=8))
    c.runtime = runtime_for(store, c.runtime.playbook)
    c.restart()
    assert replies(ask(c, "bob", "where can I buy the tea?")) == [SHOP], "the cooldown is over"


def test_a_groups_first_match_after_a_restart_reads_back_without_writing_the_batch_first(
    store: Store, store_clock: FrozenClock
) -> None:
    """The first FAQ match of a group after a restart reads what the FAQ answered there from
    the store; the batch's questions queued before it (and their staff alerts) are written
    when the batch commits, not ahead of that read (on PostgreSQL ~6 round trips inside one
    member's decision: the engine's slowest decisions). Answers and the queue are the same."""
    c = community(store, store_clock, playbook(FAQ))
    assert replies(ask(c, "mei", "where can I buy it?")) == [SHOP]
    performed(c)
    store_clock.advance(timedelta(minutes=3))
    c.runtime = runtime_for(store, c.runtime.playbook)  # new handlers: nothing in memory
    c.restart()
    now = store_clock.now()
    batch = [c.events.message("ann", "what's the wifi password?", group="g2", at=now),
             c.events.message("tom", "how do I order some?", at=now)]  # fmt: skip
    with statements_run(store.engine) as sent:
        processed = c.engine.process(batch)
    statements = [" ".join(statement.split()).lower() for statement in sent]
    assert replies(processed) == [], "answered 3 minutes ago, before the restart"
    [read_back] = [i for i, s in enumerate(statements) if "from outbox join events" in s]
    queued = [i for i, s in enumerate(statements)
              if s.startswith(("insert into questions", "insert into scheduled"))]  # fmt: skip
    assert queued and min(queued) > read_back, "the queued question written after the read"
    [question] = SqlQuestions.on(store).waiting_questions(c.runtime.community_id)
    assert question.text == "what's the wifi password?"


def test_the_first_matches_of_a_batchs_groups_after_a_restart_are_read_back_together(
    store: Store, store_clock: FrozenClock
) -> None:
    """A batch after a restart with first matches in several groups reads what the FAQ
    answered in all of them in one statement, before any member's decision waits on it;
    each group keeps its own cooldown."""
    c = community(store, store_clock, playbook(FAQ))
    assert replies(ask(c, "mei", "where can I buy it?")) == [SHOP]
    assert replies(ask(c, "ann", "how long should I steep green tea?", group="g2")) == [BREW]
    performed(c)
    store_clock.advance(timedelta(minutes=3))
    c.runtime = runtime_for(store, c.runtime.playbook)  # new handlers: nothing in memory
    c.restart()
    now = store_clock.now()
    batch = [c.events.message("tom", "how do I order some?", at=now),
             c.events.message("bob", "how do I brew green tea?", group="g2", at=now),
             c.events.message("eve", "where can I buy the tea?", group="g3", at=now),
             c.events.message("ann", "how do I brew it?", at=now)]  # fmt: skip
    with statements_run(store.engine) as sent:
        processed = c.engine.process(batch)
    statements = [" ".join(statement.split()).lower() for statement in sent]
    assert [replies([p]) for p in processed] == [[], [], [SHOP], [BREW]], (
        "g1 and g2 answered 3 minutes ago, before the restart; g3 never; g1 never brewing"
    )
    assert sum("from outbox join events" in s for s in statements) == 1


def test_mention_only_groups_answer_only_when_the_bot_is_mentioned(
    store: Store, store_clock: FrozenClock
) -> None:
    c = community(store, store_clock, playbook(FAQ.replace("    cooldown:", "    mention_only: true\n    cooldown:")))  # fmt: skip
    assert replies(ask(c, "mei", "where can I buy the tea?")) == []
    assert replies(ask(c, "mei", "@bot where can I buy the tea?", mentions_bot=True)) == [SHOP]
    ask(c, "tom", "anyone up for a walk?")
    assert SqlQuestions.on(store).waiting_questions(c.runtime.community_id) == [], (
        "not asked of the bot"
    )
    ask(c, "tom", "@bot what's the wifi password?", mentions_bot=True)
    assert [q.text for q in SqlQuestions.on(store).waiting_questions(c.runtime.community_id)] == [
        "@bot what's the wifi password?"
    ]


def test_an_unanswered_question_alerts_staff_when_nobody_replies(
    store: Store, store_clock: FrozenClock
) -> None:
    c = community(store, store_clock, playbook(FAQ))
    [asked] = ask(c, "mei", "is there parking near the tasting room in Leeds?", name="Mei")
    assert replies([asked]) == [], "the bot cannot answer it"
    [question] = SqlQuestions.on(store).waiting_questions(c.runtime.community_id)
    assert question.status == "open" and question.asker == "Mei"
    store_clock.advance(timedelta(minutes=29))
    assert c.engine.tick() == 0
    store_clock.advance(timedelta(minutes=1))
    assert c.engine.tick() == 1
    [alert] = [a for a in performed(c) if a.kind is ActionKind.ALERT_STAFF]
    assert "Mei asked 30 minutes ago" in (alert.text or "") and "Leeds" in (alert.text or "")
    assert alert.target == asked.event.event_id
    [still] = SqlQuestions.on(store).waiting_questions(c.runtime.community_id)
    assert still.status == "alerted"
    assert c.engine.tick() == 0, "alerted once"


def test_a_reply_answers_the_question_and_calls_off_the_alert(
    store: Store, store_clock: FrozenClock
) -> None:
    c = community(store, store_clock, playbook(FAQ))
    make_staff(c, "boss")
    [asked] = ask(c, "mei", "is the tasting room open on Sunday?")
    question_id = SqlQuestions.on(store).waiting_questions(c.runtime.community_id)[0].id
    store_clock.advance(timedelta(minutes=5))
    ask(c, "mei", "bump", reply_to=asked.event.event_id)
    ask(c, "tom", "same question here?", reply_to=asked.event.event_id)
    assert SqlQuestions.on(store).waiting_questions(c.runtime.community_id), (
        "the asker or a me-too is no answer"
    )
    ask(c, "boss", "Yes, 10 to 4.", reply_to=asked.event.event_id)
    answered = SqlQuestions.on(store).get_question(question_id)
    assert answered is not None and answered.status == "answered"
    assert answered.answered_by == c.member_id("boss")
    scheduled = store.scheduled(f"question:{question_id}")
    assert scheduled is not None and scheduled.status == "cancelled"
    store_clock.advance(timedelta(hours=1))
    assert c.engine.tick() == 0
    assert ActionKind.ALERT_STAFF not in [a.kind for a in performed(c)]


def test_any_member_who_answers_closes_the_question(store: Store, store_clock: FrozenClock) -> None:
    c = community(store, store_clock, playbook(FAQ))
    [asked] = ask(c, "mei", "is the tasting room open on Sunday?")
    ask(c, "tom", "It is, I went last week.", reply_to=asked.event.event_id)
    assert SqlQuestions.on(store).waiting_questions(c.runtime.community_id) == []


def test_only_members_questions_to_the_group_are_queued(
    store: Store, store_clock: FrozenClock
) -> None:
    c = community(store, store_clock, playbook(FAQ))
    make_staff(c, "boss")
    ask(c, "boss", "who is bringing the kettle?")
    ask(c, "mei", "@tom did you like the oolong?", mentions=("tom",))
    ask(c, "mei", "the oolong was lovely")
    assert SqlQuestions.on(store).waiting_questions(c.runtime.community_id) == []


def test_questions_is_refused_to_members_and_lists_for_staff(
    store: Store, store_clock: FrozenClock
) -> None:
    c = community(store, store_clock, playbook(FAQ))
    make_staff(c, "boss")
    assert replies(ask(c, "tom", "/questions")) == [
        "tom, only Creator, Manager, Partner can use '/questions'."
    ]
    assert replies(ask(c, "boss", "/questions")) == ["No open questions 👍"]
    ask(c, "mei", "is the tasting room open on Sunday?", name="Mei")
    store_clock.advance(timedelta(minutes=12))
    [listing] = replies(ask(c, "boss", "/问题"))
    [question] = SqlQuestions.on(store).waiting_questions(c.runtime.community_id)
    assert listing.startswith("Open questions (1):")
    assert (
        f"#{question.id} g1 · Mei · 12 minutes ago: is the tasting room open on Sunday?" in listing
    )


def test_staff_close_a_question_answered_elsewhere(store: Store, store_clock: FrozenClock) -> None:
    c = community(store, store_clock, playbook(FAQ))
    make_staff(c, "boss")
    ask(c, "mei", "is the tasting room open on Sunday?")
    [question] = SqlQuestions.on(store).waiting_questions(c.runtime.community_id)
    assert replies(ask(c, "boss", "/questions done")) == [
        "Usage: '/questions' lists open questions; '/questions done 12' marks #12 answered."
    ]
    assert replies(ask(c, "boss", "/questions done 999")) == [
        "There is no open question #999 (see '/questions' for the numbers)."
    ]
    assert replies(ask(c, "boss", f"/questions done #{question.id}")) == [
        f"Marked #{question.id} as answered."
    ]
    assert SqlQuestions.on(store).waiting_questions(c.runtime.community_id) == []
    store_clock.advance(timedelta(hours=1))
    assert c.engine.tick() == 0


def test_helpful_awards_the_answer_once(store: Store, store_clock: FrozenClock) -> None:
    c = community(store, store_clock, playbook(FAQ))
    make_staff(c, "boss")
    [answer] = ask(c, "tom", "Steep it for two minutes, not more.", name="Tom")
    [thanks] = replies(ask(c, "boss", "/helpful", reply_to=answer.event.event_id))
    assert thanks == "Thanks @Tom, marked as a helpful answer! +5 points"
    assert SqlPoints.on(store).points_of(c.runtime.community_id, c.member_id("tom")) == 5
    assert SqlPoints.on(store).points_of(c.runtime.community_id, c.member_id("boss")) == 0
    assert replies(ask(c, "boss", "/有用", reply_to=answer.event.event_id)) == [
        "That answer was already marked helpful."
    ]
    assert SqlPoints.on(store).points_of(c.runtime.community_id, c.member_id("tom")) == 5


def test_helpful_refuses_what_it_cannot_reward(store: Store, store_clock: FrozenClock) -> None:
    c = community(store, store_clock, playbook(FAQ))
    make_staff(c, "boss")
    [own] = ask(c, "boss", "Steep it for two minutes.")
    [answer] = ask(c, "tom", "Steep it for two minutes, not more.")
    assert replies(ask(c, "boss", "/helpful")) == ["Reply to the helpful message with '/helpful'."]
    assert replies(ask(c, "boss", "/helpful", reply_to="never-seen")) == [
        "I can't find that message (it may be older than the bot in this group)."
    ]
    assert replies(ask(c, "boss", "/helpful", reply_to=own.event.event_id)) == [
        "You can't mark your own message as helpful."
    ]
    assert replies(ask(c, "mei", "/helpful", reply_to=answer.event.event_id)) == [
        "mei, only Creator, Manager, Partner can use '/helpful'."
    ]
    assert SqlPoints.on(store).points_of(c.runtime.community_id, c.member_id("tom")) == 0


def test_chinese_communities_hear_chinese(store: Store, store_clock: FrozenClock) -> None:
    pb = parse_playbook((MINIMAL + RULES).replace("language: en", "language: zh-CN") + FAQ)
    c = community(store, store_clock, pb.playbook)
    make_staff(c, "boss")
    ask(c, "mei", "周日店里开门吗？", name="小梅")
    [listing] = replies(ask(c, "boss", "/问题"))
    assert listing.startswith("待回答的问题（1）：") and "小梅" in listing


def test_a_playbook_without_faq_or_expert_topics_stays_silent(
    store: Store, store_clock: FrozenClock
) -> None:
    c = community(store, store_clock, playbook())
    [result] = ask(c, "mei", "is the tasting room open on Sunday?")
    assert "faq" not in result.handlers
    assert SqlQuestions.on(store).waiting_questions(c.runtime.community_id) == []


def test_mentioning_the_asker_answers_their_question(
    store: Store, store_clock: FrozenClock
) -> None:
    c = community(store, store_clock, playbook(FAQ))
    ask(c, "mei", "is the tasting room open on Sunday?")
    ask(c, "ann", "what time does it close?")
    ask(c, "tom", "@mei yes, from ten", mentions=("mei",))
    assert [q.asker for q in SqlQuestions.on(store).waiting_questions(c.runtime.community_id)] == [
        "ann"
    ]


def test_follow_up_questions_share_one_alert(store: Store, store_clock: FrozenClock) -> None:
    c = community(store, store_clock, playbook(FAQ))
    ask(c, "mei", "is the tasting room open on Sunday?")
    store_clock.advance(timedelta(minutes=5))
    ask(c, "mei", "and is there parking nearby?")
    assert len(SqlQuestions.on(store).waiting_questions(c.runtime.community_id)) == 1
    store_clock.advance(timedelta(minutes=30))
    assert c.engine.tick() == 1
    ask(c, "mei", "does nobody know?")
    assert len(SqlQuestions.on(store).waiting_questions(c.runtime.community_id)) == 2, (
        "a new window, a new one"
    )


def test_replying_to_the_askers_later_message_answers(
    store: Store, store_clock: FrozenClock
) -> None:
    c = community(store, store_clock, playbook(FAQ))
    ask(c, "mei", "is the tasting room open on Sunday?")
    [detail] = ask(c, "mei", "I mean the one in Leeds")
    ask(c, "tom", "Yes, from ten.", reply_to=detail.event.event_id)
    assert SqlQuestions.on(store).waiting_questions(c.runtime.community_id) == []


def test_a_message_moderation_flags_is_left_to_staff_not_queued_as_a_question(
    store: Store, store_clock: FrozenClock
) -> None:
    c = community(store, store_clock, playbook(FAQ))
    [insult] = ask(c, "tom", "why are you such an idiot?", name="Tom")
    [flag] = [a for a in insult.actions if a.kind is ActionKind.ALERT_STAFF]
    assert flag.violation == "insults"
    [asked] = ask(c, "mei", "is there parking near the tasting room in Leeds?", name="Mei")
    store_clock.advance(timedelta(minutes=30))
    assert c.engine.tick() == 1
    alerts = [a for a in performed(c) if a.kind is ActionKind.ALERT_STAFF]
    assert [a.target for a in alerts] == [insult.event.event_id, asked.event.event_id], (
        "one alert about the insult (moderation's), one about the question; none queued for it"
    )
    [question] = SqlQuestions.on(store).waiting_questions(c.runtime.community_id)
    assert question.asker == "Mei"


def test_a_statement_using_a_question_word_is_not_queued(
    store: Store, store_clock: FrozenClock
) -> None:
    c = community(store, store_clock, playbook(FAQ))
    ask(c, "mei", "我发现这个面霜比什么精华都管用", name="Mei")
    ask(c, "tom", "这个面霜在哪里买", name="Tom")
    waiting = SqlQuestions.on(store).waiting_questions(c.runtime.community_id)
    assert [q.asker for q in waiting] == ["Tom"], "the statement is not a question for staff"


def test_a_question_from_a_member_whose_name_moderation_flags_is_still_answered(
    store: Store, store_clock: FrozenClock
) -> None:
    pb = playbook(FAQ + "joining:\n  ceremony:\n    nickname_format: 城市-昵称-行业\n")
    c = community(store, store_clock, pb)
    c.engine.process([c.events.join("u1", name="bob", at=store_clock.now())])
    c.engine.process([c.events.message("u1", "同意", name="bob", at=store_clock.now())])
    store_clock.advance(timedelta(days=2))  # past the nickname's grace
    [asked] = ask(c, "u1", "where do I buy this tea?", name="bob")
    assert [a.violation for a in asked.actions if a.kind is ActionKind.ALERT_STAFF] == ["nickname"]
    assert replies([asked]) == [SHOP], "the alert is about the name, not the question"


def test_an_entry_changed_across_a_restart_keeps_its_cooldown_unless_it_is_a_new_entry(
    store: Store, store_clock: FrozenClock
) -> None:
    """The cooldown holds while the answer is on screen. After a playbook change and a
    restart, an entry whose question or answer is as before is the same entry (its answer,
    or the question its reply names, is found in the outbox): still cooled. One whose question
    and answer both changed is another entry, whose answer nobody has seen: it is answered.
    An entry has no id of its own to tell otherwise (docs/mechanisms.md)."""
    c = community(store, store_clock, playbook(FAQ))
    assert replies(ask(c, "mei", "where can I buy it?")) == [SHOP]
    assert replies(ask(c, "mei", "how do I brew green tea?")) == [BREW]
    performed(c)
    store_clock.advance(timedelta(minutes=3))

    def restarted_with(text: str) -> None:
        c.runtime = runtime_for(store, playbook(text))  # new handlers: nothing in memory
        c.restart()

    only_question = FAQ.replace("Where can I buy the tea?", "Where do I buy the tea?")
    restarted_with(only_question)
    assert replies(ask(c, "tom", "where can I buy the tea?")) == [], "the same answer, on screen"
    only_answer = FAQ.replace(BREW, "85°C water, three minutes.")
    restarted_with(only_answer)
    assert replies(ask(c, "tom", "how do I brew green tea?")) == [], "the same question asked"
    both = FAQ.replace("Where can I buy the tea?", "Where is the shop?").replace(
        SHOP, "The shop moved, see the pinned message."
    )
    restarted_with(both)
    assert replies(ask(c, "tom", "where can I buy the tea?")) == [
        "The shop moved, see the pinned message."
    ], "a new entry, its answer not yet on screen"


def test_a_quarrels_taunt_and_a_self_introduction_are_not_queued_a_real_question_is(
    store: Store, store_clock: FrozenClock
) -> None:
    c = community(store, store_clock, playbook(FAQ))
    ask(c, "tom", "Who do you think you are?", name="Tom")
    ask(c, "lan", "凭什么删我消息？？", name="Lan")
    ask(c, "sam", "Hi all, I'm Sam from Leeds, anyone else here into sourdough?", name="Sam")
    ask(c, "mei", "Hi, I'm Mei, new here. Is there parking near the tasting room?", name="Mei")
    waiting = SqlQuestions.on(store).waiting_questions(c.runtime.community_id)
    assert [q.asker for q in waiting] == ["Mei"], "only the question someone should answer waits"
    store_clock.advance(timedelta(minutes=30))
    assert c.engine.tick() == 1
    alerts = [a for a in performed(c) if a.kind is ActionKind.ALERT_STAFF]
    assert len(alerts) == 1 and "Is there parking" in (alerts[0].text or ""), (
        "staff are alerted about Mei's question, not about the taunts or Sam's hello"
    )
