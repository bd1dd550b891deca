"""The lifecycle stage: each of seed 001's seven stages reached, and just missed."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest

from hearthkeeper.analytics.lifecycle import CommunityFacts, infer_stage
from tests.health_setup import COMMERCIAL, playbook

# 100 members: stage 2 needs 20 speakers, stage 3 10 members acting together, stage 4 5 joins
THRIVING = CommunityFacts(
    as_of=date(2026, 11, 30), members=100, speakers_28d=20, active_days_28d=14,
    shared_action_members_28d=10, joins_28d=5, leaves_28d=5,
    roles_held={"creator": 1, "manager": 2}, staff_speakers_28d=2, signup_members_90d=5,
)  # fmt: skip


def test_a_commercial_community_with_everything_in_place_is_at_stage_7() -> None:
    found = infer_stage(THRIVING, playbook())
    assert (found.stage, found.name) == (7, "formal commercialisation")
    assert len(found.evidence) == 7
    assert found.evidence[1].startswith("Stage 2 (strong communication): 20 speakers")
    assert found.missing == ()


@pytest.mark.parametrize(
    ("change", "stage", "missing"),
    [
        ({"members": 2}, 0, "Stage 1 (people gathered): 2 members (needs 3)"),
        ({"speakers_28d": 19}, 1, "19 speakers in the last 28 days (needs 20)"),
        ({"active_days_28d": 13}, 1, "messages on 13 of 28 days (needs 14)"),
        ({"shared_action_members_28d": 9}, 2, "9 members checked in or signed up"),
        ({"joins_28d": 4}, 3, "4 joins in the last 28 days (needs 5)"),
        ({"leaves_28d": 6}, 3, "6 leaves (needs no more than joins)"),
        ({"roles_held": {"creator": 1, "dj": 4}}, 4, "1 staff role held (creator; needs 2)"),
        ({"staff_speakers_28d": 1}, 4, "1 staff posted in the last 28 days (needs 2)"),
        ({"signup_members_90d": 4}, 5, "4 members on sign-up lists or group-buys"),
    ],
)
def test_each_stage_is_missed_just_below_its_threshold(
    change: dict[str, object], stage: int, missing: str
) -> None:
    found = infer_stage(replace(THRIVING, **change), playbook())  # type: ignore[arg-type]
    assert found.stage == stage
    assert missing in found.missing[0]
    assert found.missing[0].startswith(f"Stage {stage + 1} ")


def test_the_playbook_decides_goals_and_commercialisation() -> None:
    auxiliary = playbook(COMMERCIAL.replace("type: commercial", "type: auxiliary"))
    found = infer_stage(THRIVING, auxiliary)
    assert found.stage == 6
    assert "positioned auxiliary (needs commercial)" in found.missing[0]
    no_goals = playbook(COMMERCIAL.replace("  goals: [Everyone finds a routine that works]\n", ""))
    assert infer_stage(THRIVING, no_goals).stage == 2


def test_without_a_playbook_the_data_reaches_stage_2_at_most() -> None:
    found = infer_stage(THRIVING, None)
    assert found.stage == 2
    assert "0 goals/values in the playbook" in found.missing[0]


def test_a_declared_stage_that_the_data_does_not_show_is_pointed_out() -> None:
    declared = playbook(COMMERCIAL.replace("  goals:", "  stage: 5\n  goals:"))
    found = infer_stage(replace(THRIVING, joins_28d=0), declared)
    assert (found.stage, found.declared) == (3, 5)
    assert found.note == ("The playbook declares stage 5 (clear division of responsibility and "
                          "management); the data shows stage 3 (a common goal).")  # fmt: skip


def test_counts_of_one_read_in_the_singular() -> None:
    """The Health page said "1 members (needs 3)"."""
    one = CommunityFacts(as_of=date(2026, 11, 30), members=1)
    assert infer_stage(one, playbook()).missing == (
        "Stage 1 (people gathered): 1 member (needs 3)",
    )
    few = replace(THRIVING, members=3, speakers_28d=1, active_days_28d=1)
    assert (
        infer_stage(few, playbook())
        .missing[0]
        .startswith("Stage 2 (strong communication): 1 speaker in the last 28 days (needs 3)")
    )
    acting = replace(THRIVING, shared_action_members_28d=1)
    assert "; 1 member checked in or signed up" in infer_stage(acting, playbook()).missing[0]
    joined = replace(THRIVING, joins_28d=1, leaves_28d=1)
    assert (
        "1 join in the last 28 days (needs 5); 1 leave (needs"
        in (infer_stage(joined, playbook()).missing[0])
    )
