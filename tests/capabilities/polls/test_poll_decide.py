"""What the poll effects decide, from records built by hand: no database, no engine."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hearthkeeper.capabilities.lists_common.actions import Say
from hearthkeeper.capabilities.polls.decide import (
    Cast,
    decide_start,
    decide_vote,
    no_poll,
    voted,
    withdrawn,
)
from hearthkeeper.capabilities.polls.records import Poll
from hearthkeeper.capabilities.polls.requests import CastVote, PollClose, PollStart
from hearthkeeper.playbook.positioning import Language

ZH, EN = Language.ZH_CN, Language.EN
NOW = datetime(2026, 5, 1, 9, 0, tzinfo=UTC)


def a_poll(*, multiple: bool = False, anonymous: bool = False) -> Poll:
    return Poll(id=1, community_id=1, group_id=1, question="周末活动去哪",
                options=("爬山", "看展", "桌游"), multiple=multiple, anonymous=anonymous,
                deadline=NOW + timedelta(hours=4), created_by=None, status="open",
                created_at=NOW, closed_at=None)  # fmt: skip


def test_a_new_poll_opens_only_when_none_is_open() -> None:
    request = PollStart(question="再来", options=("a", "b"), multiple=False, anonymous=False,
                        deadline=NOW)  # fmt: skip
    assert decide_start(None, request, ZH) is request
    assert decide_start(a_poll(), request, ZH) == Say(
        "「周末活动去哪」还在投票中，请先发 /结束投票 再发起新的投票。"
    )


def test_a_vote_in_range_is_cast_replacing_the_last_one_only_in_single_choice() -> None:
    assert decide_vote(a_poll(), CastVote(choices=(2,)), "mei", ZH) == Cast((2,), replace=True)
    several = decide_vote(a_poll(multiple=True), CastVote(choices=(0, 2)), "mei", ZH)
    assert several == Cast((0, 2), replace=False)
    assert decide_vote(a_poll(), CastVote(choices=(0, 2)), "ann", ZH) == Say(
        "ann，这是单选投票，只能选一项，例如「1」。"
    )


def test_out_of_range_is_chat_when_bare_and_explained_when_asked() -> None:
    assert decide_vote(a_poll(), CastVote(choices=(6,)), "mei", ZH) == Say(None)
    assert decide_vote(a_poll(), CastVote(choices=(6,), explicit=True), "mei", ZH) == Say(
        "mei，选项是 1–3（或 A–C）。"
    )
    assert decide_vote(a_poll(), CastVote(choices=(0, 6)), "mei", EN) == Say(
        "mei, the options are 1–3 (or A–C)."
    ), "several numbers are a vote, even bare"


def test_the_reply_to_a_vote_says_what_changed() -> None:
    none: frozenset[int] = frozenset()
    assert voted(a_poll(), none, frozenset({0}), "mei", ZH) == "✅ mei 投给了 1. 爬山。"
    assert voted(a_poll(), frozenset({0}), frozenset({2}), "mei", ZH) == "✅ mei 改投 3. 桌游。"
    assert voted(a_poll(), frozenset({2}), frozenset({2}), "mei", ZH) == "mei，你已经投过这一项了。"
    assert voted(a_poll(anonymous=True), none, frozenset({1}), "mei", ZH) == "✅ mei 的投票已记下。"
    added = voted(a_poll(multiple=True), frozenset({0}), frozenset({0, 1}), "mei", EN)
    assert added == "✅ mei voted for 1. 爬山, 2. 看展.", "adding in multiple choice is no change"


def test_withdrawing_and_no_open_poll() -> None:
    assert withdrawn(2, "mei", ZH) == "mei 撤回了投票。"
    assert withdrawn(0, "mei", ZH) == "mei，你还没有投票。"
    assert no_poll(True, EN) == Say("There is no open poll right now.")
    assert no_poll(False, EN) == Say(None)


def test_a_scheduled_closing_keeps_the_payload_rows_already_stored_have() -> None:
    assert PollClose(poll=3).to_payload() == {"poll": 3}
    assert PollClose.from_payload({"poll": 3}) == PollClose(poll=3)
    assert PollClose.effect == "poll.close"
