"""The FAQ effects' pure decisions, without a database: when a question is queued, which one a
message answers, what staff are alerted with, what `/questions` and `/helpful` say, and what
the expert finder does with nobody to mention."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import UTC, datetime, timedelta

from hearthkeeper.capabilities.faq.experts import Mention, decide_experts
from hearthkeeper.capabilities.faq.helpful import decide_helpful
from hearthkeeper.capabilities.faq.queue import (
    LISTED,
    decide_alert,
    decide_answered,
    decide_close,
    decide_listing,
    decide_queue,
)
from hearthkeeper.capabilities.faq.repository import Expert, Question
from hearthkeeper.capabilities.faq.requests import AlertStaff, FindExperts, MarkAnswered
from hearthkeeper.playbook.positioning import Language
from hearthkeeper.store import Member

NOW = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)
EN, ZH = Language.EN, Language.ZH_CN
QUESTION = Question(id=7, community_id=1, group_id=2, member_id=3, carrier_event_id="e7",
                    text="is the tasting room open on Sunday?", asked_at=NOW - timedelta(minutes=30),
                    status="open", answered_at=None, answered_by=None, asker="Mei",
                    group_name="Tea room")  # fmt: skip


def test_a_follow_up_within_the_window_is_not_queued_again() -> None:
    window = timedelta(minutes=30)
    assert decide_queue(None, NOW, window) == NOW + window
    assert decide_queue(NOW - timedelta(minutes=29), NOW, window) is None, "one alert covers both"
    assert decide_queue(NOW - window, NOW, window) == NOW + window, "a new window"


def test_only_someone_elses_waiting_question_is_answered() -> None:
    assert decide_answered(QUESTION, answerer=4) == 7
    assert decide_answered(QUESTION, answerer=3) is None, "the asker cannot answer it"
    assert decide_answered(None, answerer=4) is None


def test_staff_are_alerted_only_about_an_open_question() -> None:
    alert = decide_alert(QUESTION, NOW, EN)
    assert alert is not None and (alert.question, alert.target) == (7, "e7")
    assert alert.text == ("[Unanswered] Tea room: Mei asked 30 minutes ago and nobody has "
                          "answered (#7): is the tasting room open on Sunday?")  # fmt: skip
    assert decide_alert(replace(QUESTION, status="alerted"), NOW, EN) is None, "alerted once"
    assert decide_alert(replace(QUESTION, status="answered"), NOW, EN) is None
    assert decide_alert(None, NOW, EN) is None


def test_the_listing_shows_ten_questions_and_counts_the_rest() -> None:
    assert decide_listing([], NOW, EN) == "No open questions 👍"
    waiting = [
        replace(QUESTION, id=n, status="alerted" if n == 1 else "open") for n in range(1, 13)
    ]
    lines = decide_listing(waiting, NOW, EN).splitlines()
    assert lines[0] == "Open questions (12):"
    assert lines[1].startswith("#1 Tea room · Mei · 30 minutes ago (staff alerted): ")
    assert len(lines) == 1 + LISTED + 2 and lines[-2] == "… and 2 more"
    assert decide_listing(waiting[:1], NOW, ZH).startswith("待回答的问题（1）：")


def test_closing_refuses_answered_and_other_communities_questions() -> None:
    closing = decide_close(QUESTION, 7, community_id=1, language=EN)
    assert (closing.close, closing.text) == (7, "Marked #7 as answered.")
    for question, community in (
        (None, 1),
        (QUESTION, 2),
        (replace(QUESTION, status="answered"), 1),
    ):
        refused = decide_close(question, 7, community_id=community, language=EN)
        assert refused.close is None and refused.reason == "no such question"
        assert refused.text == "There is no open question #7 (see '/questions' for the numbers)."
    assert decide_close(replace(QUESTION, status="alerted"), 7, 1, EN).close == 7


def test_experts_are_mentioned_after_the_answer_else_the_question_may_go_to_staff() -> None:
    request = FindExperts(tags=("specialty:oolong",), queue=True, text="oolong?", answer=None)
    mei = Expert(5, "Mei", "mei", "specialty:oolong")
    found = decide_experts([mei], replace(request, answer="Brew it hot."), EN)
    assert found == Mention("Brew it hot.\nYou could ask @Mei, our expert on this.", (("mei", "Mei"),),
                            "experts on specialty:oolong")  # fmt: skip
    assert decide_experts([], replace(request, answer="Brew it hot."), EN) == Mention(
        "Brew it hot.", reason="FAQ answer"
    )
    assert decide_experts([], request, EN) == Mention(None, queue=True)
    assert decide_experts([], replace(request, queue=False), EN) == Mention(None)


def test_helpful_rewards_another_members_answer_once() -> None:
    tom = Member(id=9, display_name="Tom", profile={}, notes="", created_at=NOW)
    thanks = decide_helpful(tom, marker=1, points=5, already=False, user="tom", language=EN)
    assert (thanks.author, thanks.points, thanks.mention) == (9, 5, "tom")
    assert thanks.text == "Thanks @Tom, marked as a helpful answer! +5 points"
    unpaid = decide_helpful(tom, 1, points=0, already=True, user="tom", language=EN)
    assert unpaid.text == "Thanks @Tom, marked as a helpful answer!" and unpaid.points == 0
    refusals = [
        decide_helpful(None, 1, 5, False, None, EN),
        decide_helpful(tom, 9, 5, False, "tom", EN),
        decide_helpful(tom, 1, 5, True, "tom", EN),
    ]
    assert [(t.author, t.reason) for t in refusals] == [
        (None, "unknown message"), (None, "own message"), (None, "already marked helpful"),
    ]  # fmt: skip


def test_requests_keep_the_payloads_scheduled_rows_hold() -> None:
    assert AlertStaff(question=12).to_payload() == {"question": 12}
    assert AlertStaff.from_payload({"question": 12}) == AlertStaff(question=12)
    answered = MarkAnswered(reply_to="e1", mentions=("mei", "tom"))
    assert MarkAnswered.from_payload(json.loads(json.dumps(answered.to_payload()))) == answered


def test_a_question_reaches_staff_without_hidden_characters() -> None:
    """A question typed with a right-to-left override reached the staff alert and `/questions`
    as typed: the rest of their line reversed, so it read as what it was not."""
    hostile = replace(QUESTION, text="\u202e?yadnuS no nepo\u200b moor gnitsat")
    alert = decide_alert(hostile, NOW, EN)
    assert alert is not None and alert.text.endswith("(#7): ?yadnuS no nepo moor gnitsat")
    assert "\u202e" not in decide_listing([hostile], NOW, EN)
