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
