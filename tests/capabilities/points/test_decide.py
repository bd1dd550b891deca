"""What points and levels decide without a store: balances, awards and their refusals,
redemptions, promotions step by step, demotions after a full window, the morning round."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from hearthkeeper.capabilities.pointing import Target
from hearthkeeper.capabilities.points.decide import (
    award_reason,
    award_refusal,
    awarded_text,
    balance_text,
    redeemed_texts,
    share_day_start,
)
from hearthkeeper.capabilities.points.levels import Step, demotion, promotion, round_due
from hearthkeeper.capabilities.points.levels_effects import judged
from hearthkeeper.capabilities.points.levels_repository import Activity
from hearthkeeper.capabilities.points.repository import RedeemOutcome, Redemption
from hearthkeeper.capabilities.points.requests import LevelsEvaluate, LevelsRound
from hearthkeeper.engine.handler import MemberView
from hearthkeeper.playbook.mechanisms import Reward
from hearthkeeper.playbook.positioning import Language
from hearthkeeper.playbook.structure import Criteria, Level

EN = Language.EN
MUG = Reward(id="mug", name="A tea mug", cost=20, stock=1)
NOW = datetime(2026, 5, 10, 8, 0, tzinfo=UTC)


def test_the_balance_lists_the_rewards_with_what_is_left() -> None:
    text = balance_text("mei", 10, [MUG, Reward(id="pin", name="A pin", cost=5)], {"mug": 3}, EN)
    assert text.splitlines() == [
        "💰 mei's points: 10", "Rewards (/redeem <id>):",
        "· mug A tea mug — 20 points (0 left)", "· pin A pin — 5 points",
    ]  # fmt: skip
    assert balance_text("mei", 0, [], {}, EN) == "💰 mei's points: 0"


def test_an_award_needs_someone_found_who_is_not_the_giver() -> None:
    assert award_refusal(None, 1, EN) == (
        "I can't find the member you named: @-mention them or reply to their message."
    )
    assert award_refusal(1, 1, EN) == "You cannot change your own points."
    assert award_refusal(2, 1, EN) is None
    assert award_reason("boss", "") == "awarded by boss"
    assert award_reason("boss", "typo") == "awarded by boss: typo"
    assert awarded_text("mei", -5, "typo", 20, EN) == "mei loses 5 points (typo); balance 20."
    assert awarded_text("mei", 10, "", 25, EN) == "🎁 mei gets 10 points; balance 25."


def test_whom_a_command_points_at() -> None:
    assert not Target()
    assert Target(reply_to="m-1").only_a_reply
    assert not Target(user_id="u", reply_to="m-1").only_a_reply


def test_a_redemption_answers_and_alerts_staff_only_when_it_went_through() -> None:
    done = redeemed_texts(
        Redemption(RedeemOutcome.REDEEMED, "mug", 20, 10, 0), MUG, "mei", "g1", EN
    )
    assert done.alert == "[Reward] g1: mei redeemed 'A tea mug'; please hand it over."
    short = redeemed_texts(Redemption(RedeemOutcome.SHORT, "mug", 20, 3, 1), MUG, "mei", "g1", EN)
    assert (short.reply, short.alert) == (
        "Not enough points: 'A tea mug' costs 20, mei has 3.",
        None,
    )
    gone = redeemed_texts(Redemption(RedeemOutcome.SOLD_OUT, "mug", 20, 30, 0), MUG, "mei", "g", EN)
    assert gone.alert is None and "all gone" in gone.reply


def test_sharing_counts_from_the_community_midnight() -> None:
    start = share_day_start(datetime(2026, 5, 1, 16, 30, tzinfo=UTC), "Asia/Shanghai")
    assert start == datetime(2026, 5, 1, 16, 0, tzinfo=UTC)


LEVELS = [
    Level(id="new", name="New"),
    Level(id="member", name="Member", promote=Criteria(messages=1),
          keep=Criteria(messages=2, window=timedelta(days=7))),
    Level(id="star", name="Star", promote=Criteria(messages=5)),
]  # fmt: skip


def test_promotion_climbs_one_earned_level_after_another() -> None:
    assert promotion(LEVELS, 0, lambda _: Activity(0, 6, 0, 0)) == [
        Step("member", "promoted: messages 6/1 within 30 days"),
        Step("star", "promoted: messages 6/5 within 30 days"),
    ]
    assert promotion(LEVELS, 0, lambda _: Activity(0, 0, 0, 0)) == []


def test_demotion_waits_a_full_window_then_judges_keep() -> None:
    quiet = lambda _: Activity(0, 1, 0, 0)  # noqa: E731
    assert demotion(LEVELS, 1, NOW - timedelta(days=3), NOW, quiet) is None, "too fresh"
    assert demotion(LEVELS, 1, NOW - timedelta(days=8), NOW, quiet) == Step(
        "new", "demoted: kept messages 1/2 within 7 days"
    )
    assert demotion(LEVELS, 1, NOW - timedelta(days=8), NOW, lambda _: Activity(0, 2, 0, 0)) is None


def test_the_morning_round_and_who_an_evaluation_is_about() -> None:
    assert round_due(datetime(2026, 5, 1, 7, 0, tzinfo=UTC), "Europe/London") == (
        date(2026, 5, 1),
        datetime(2026, 5, 1, 8, 0, tzinfo=UTC),
    )
    assert round_due(datetime(2026, 5, 1, 8, 0, tzinfo=UTC), "Europe/London")[0] == date(2026, 5, 2)
    mei = MemberView(id=3, user_id="mei", display_name="")
    assert judged(LevelsEvaluate(), mei) == (3, "mei", True)
    assert judged(LevelsEvaluate(member_id=4, name="bob"), None) == (4, "bob", False)
    boss = MemberView(id=1, user_id="boss", display_name="Boss", role="manager")
    assert judged(LevelsEvaluate(), boss) is None, "staff hold a role, not a level"


def test_morning_round_rows_already_scheduled_still_run() -> None:
    stored = {"day": "2026-05-02"}  # what levels.round rows have always held
    assert LevelsRound.effect == "levels.round"
    assert LevelsRound.from_payload(stored).to_payload() == stored
