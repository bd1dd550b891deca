"""The referrals section of the playbook: validated where it is wrong, warned where it is
probably not meant, and `hearth playbook show` names what cannot be honoured."""

from __future__ import annotations

import pytest

from hearthkeeper.playbook import PlaybookError, parse_playbook
from hearthkeeper.playbook.summary import summarise
from tests.playbook_samples import MINIMAL

TASK = """\
mechanisms:
  points:
    rewards:
      - {id: mug, name: Tea mug, cost: 100}
  referrals:
    enabled: true
    invites: 3
    stay: 14d
"""


def gaps(text: str) -> list[str]:
    return [g.message for el in summarise(parse_playbook(text).playbook) for g in el.gaps]


def test_the_reward_item_must_be_a_points_reward() -> None:
    with pytest.raises(PlaybookError) as info:
        parse_playbook(MINIMAL + TASK + "    reward: {reward: mugg}\n", "pb.yaml")
    [problem] = info.value.problems
    assert problem.path == "mechanisms.referrals.reward.reward"
    assert "reward 'mugg' is not in mechanisms.points.rewards" in problem.message
    assert "mug" in problem.message


def test_a_task_without_a_reward_or_with_points_switched_off_is_warned() -> None:
    bare = parse_playbook(MINIMAL + TASK, "pb.yaml")
    assert [w.path for w in bare.warnings] == ["mechanisms.referrals.reward"]
    no_points = TASK.replace("  points:\n", "  points:\n    enabled: false\n")
    loaded = parse_playbook(MINIMAL + no_points + "    reward: {points: 10}\n", "pb.yaml")
    assert [w.path for w in loaded.warnings] == ["mechanisms.referrals.reward.points"]


def test_a_valid_task_reads_back() -> None:
    pb = parse_playbook(MINIMAL + TASK + "    reward: {points: 10, title: 拉新达人, reward: mug}\n")
    referrals = pb.playbook.mechanisms.referrals
    assert (referrals.invites, referrals.stay.days, referrals.reward.reward) == (3, 14, "mug")


def test_show_names_referrals_the_deployment_cannot_honour() -> None:
    on_qq = MINIMAL + TASK + "structure:\n  carriers:\n    - kind: qq\n"
    assert any("invite links open web chat, Telegram and Matrix groups only" in g
               for g in gaps(on_qq))  # fmt: skip
    on_matrix = MINIMAL + TASK + "structure:\n  carriers:\n    - kind: matrix\n"
    assert not any("invite links" in g for g in gaps(on_matrix))
    on_telegram = MINIMAL + TASK + "structure:\n  carriers:\n    - kind: telegram\n"
    assert not any("invite links" in g for g in gaps(on_telegram))
    assert not any("invite links" in g for g in gaps(MINIMAL + TASK))
    task = MINIMAL + "joining:\n  threshold:\n    kind: task\n    invite_friends: 2\n"
    assert any("refused at the door" in g for g in gaps(task))
    assert not any("refused at the door" in g for g in gaps(task + "    referrals_in: [free]\n"))


def test_show_names_a_stay_shorter_than_the_free_trial_of_a_paid_community() -> None:
    """A paid book club with a 7-day trial and "invite a friend who stays 3 days": a friend is
    counted, and the inviter rewarded, while the friend is still on the free trial and may
    never pay. `hearth playbook show` said nothing of it."""
    paid = """\
joining:
  threshold: {kind: paid, plan: monthly}
monetisation:
  plans:
    - {id: monthly, name: Monthly, price: 9, currency: GBP, period: 1 month, trial: 7d}
"""
    short = TASK.replace("stay: 14d", "stay: 3d").replace("invites: 3", "invites: 1")
    [said] = [g for g in gaps(MINIMAL + paid + short) if "free trial" in g]
    assert "a friend is counted after 3d, while still on the 7d free trial" in said
    assert "make mechanisms.referrals.stay longer than 7d" in said
    assert not [g for g in gaps(MINIMAL + paid + TASK) if "free trial" in g]  # 14d > 7d
    no_trial = paid.replace(", trial: 7d", "")
    assert not [g for g in gaps(MINIMAL + no_trial + short) if "free trial" in g]


def test_membership_days_are_a_reward_checked_against_the_plans_and_shown() -> None:
    """The invite task could reward points, a title or an item, not a week of membership."""
    with pytest.raises(PlaybookError) as info:
        parse_playbook(MINIMAL + TASK + "    reward: {membership_days: 4000}\n", "pb.yaml")
    assert [p.path for p in info.value.problems] == ["mechanisms.referrals.reward.membership_days"]
    no_plan = parse_playbook(MINIMAL + TASK + "    reward: {membership_days: 7}\n", "pb.yaml")
    assert [(w.path, w.message) for w in no_plan.warnings] == [
        ("mechanisms.referrals.reward.membership_days",
         "there is no membership to give days of: monetisation.plans is empty")
    ]  # fmt: skip
    plans = ("monetisation:\n  plans:\n    - {id: monthly, name: Monthly, price: 30, "
             "currency: CNY, period: 1 month}\n")  # fmt: skip
    loaded = parse_playbook(MINIMAL + TASK + "    reward: {points: 5, membership_days: 7}\n"
                            + plans, "pb.yaml")  # fmt: skip
    assert not loaded.warnings
    lines = [line for el in summarise(loaded.playbook) for line in el.lines]
    assert (
        "Referrals: invite 3 who stay 14d and post 1, once rewarded with 5 points, 7 days of "
        "membership" in lines
    ), lines
