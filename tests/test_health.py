"""The health score: each component and the weighted total against hand-computed values."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

from hearthkeeper.analytics.health import HealthInputs, health_score

AS_OF = date(2026, 11, 30)


def busy_group() -> HealthInputs:
    return HealthInputs(
        group_id=1, name="Tea 1", as_of=AS_OF, members=180, speakers_7d=23,
        weekly_messages=(60, 100, 80, 120, 100), output_days_7d=3, questions_28d=10,
        answered_28d=8, messages_28d=1000, violations_28d=2, newcomers=10, newcomers_posted=6,
        leaves_28d=20,
    )  # fmt: skip


def test_each_component_is_scored_and_explained_with_its_numbers() -> None:
    score = health_score(busy_group())
    parts = {c.key: c for c in score.components}
    # activity: 23/180 = 12.8% against 20% -> 63.9 -> 64
    assert parts["activity"].score == 64
    assert "23 speakers of 180 members this week (13%" in parts["activity"].explanation
    assert parts["activity"].explanation.endswith("— 64/100")
    # trend: 60 against (100+80+120+100)/4 = 100 -> 60
    assert parts["trend"].score == 60
    assert "60 messages this week vs 100/week" in parts["trend"].explanation
    # output: 3 output days of a 5-day target -> 60
    assert parts["output"].score == 60
    # response: 8 of 10 -> 80
    assert parts["response"].score == 80
    # cleanliness: 2 per 1,000 messages -> 100 - 5 × 2 = 90
    assert parts["cleanliness"].score == 90
    assert "2.0 per 1,000" in parts["cleanliness"].explanation
    # retention: mean of 6/10 newcomers and 1 - 20/200 stayed = (0.6 + 0.9) / 2 -> 75
    assert parts["retention"].score == 75
    # total: (25×64 + 20×60 + 20×60 + 15×80 + 10×90 + 10×75) / 100 = 68.5 -> 69 (half up)
    assert score.score == 69
    assert [c.weight for c in score.components] == [25, 20, 20, 15, 10, 10, 10]
    assert parts["belonging"].score is None  # no offline event held: left out of the total


def test_unmeasurable_components_are_said_so_and_their_weight_is_shared() -> None:
    quiet = HealthInputs(group_id=2, name="Tea 2", as_of=AS_OF, members=10, speakers_7d=0,
                         weekly_messages=(0, 0, 0, 0, 0), output_days_7d=0)  # fmt: skip
    score = health_score(quiet)
    parts = {c.key: c for c in score.components}
    assert parts["response"].score is None
    assert "not measured" in parts["response"].explanation
    assert parts["cleanliness"].score is None
    assert parts["trend"].score == 0
    assert parts["retention"].score == 100  # nobody left, no newcomers to judge
    # (25×0 + 20×0 + 20×0 + 10×100) / (25 + 20 + 20 + 10) = 13.3 -> 13
    assert score.score == 13


def test_scores_are_capped_at_100_and_growth_from_nothing_is_full_marks() -> None:
    lively = HealthInputs(group_id=3, name="Tea 3", as_of=AS_OF, members=100, speakers_7d=50,
                          weekly_messages=(300, 0, 0, 0, 0), output_days_7d=7,
                          messages_28d=300, violations_28d=30)  # fmt: skip
    parts = {c.key: c.score for c in health_score(lively).components}
    # 50% speakers -> 250 capped; 7 of 5 days capped; 100 violations per 1,000 -> floor 0
    assert parts == {"activity": 100, "trend": 100, "output": 100, "response": None,
                     "cleanliness": 0, "retention": 100, "belonging": None}  # fmt: skip


def test_a_group_without_members_has_no_activity_score() -> None:
    empty = HealthInputs(group_id=4, name="Tea 4", as_of=AS_OF, members=0, speakers_7d=0,
                         weekly_messages=(), output_days_7d=0)  # fmt: skip
    score = health_score(empty)
    assert score.components[0].score is None
    assert score.to_json()["components"][0] == {  # type: ignore[index]
        "key": "activity", "weight": 25, "score": None, "explanation": "Activity: no members yet"
    }  # fmt: skip


def test_members_who_met_offline_count_once_an_event_was_held() -> None:
    met = health_score(replace(busy_group(), met_offline=18))
    parts = {c.key: c for c in met.components}
    # belonging: 18/180 = 10% against 20% -> 50
    assert parts["belonging"].score == 50
    assert "18 of 180 members came to an offline event (10%" in parts["belonging"].explanation
    # (25×64 + 20×60 + 20×60 + 15×80 + 10×90 + 10×75 + 10×50) / 110 = 67.3 -> 67
    assert met.score == 67


def test_a_silent_group_opened_days_ago_is_new_not_zero_but_an_old_silent_one_scores() -> None:
    silent = HealthInputs(group_id=2, name="Tea 2", as_of=AS_OF, members=3, speakers_7d=0,
                          weekly_messages=(0, 0, 0, 0, 0), output_days_7d=0,
                          age_days=27, ever_spoken=False)  # fmt: skip
    new = health_score(silent)
    assert new.new and new.score is None and new.to_json()["new"] is True
    assert "not enough data yet" in new.components[0].explanation
    old = health_score(replace(silent, age_days=28))  # a month silent: as dead as it looks
    assert not old.new and old.score is not None and old.score < 20
    spoken = health_score(replace(silent, ever_spoken=True))  # it had talk: measured
    assert not spoken.new and spoken.score is not None
    unknown = health_score(replace(silent, age_days=None))  # no opening day: measured
    assert not unknown.new


def test_counts_of_one_read_in_the_singular_on_the_health_page() -> None:
    """A group with one member read "1 speakers of 1 members this week"."""
    one = replace(busy_group(), members=1, speakers_7d=1, weekly_messages=(1, 1, 1, 1, 1),
                  messages_28d=1, violations_28d=1, newcomers=1, newcomers_posted=1,
                  met_offline=1)  # fmt: skip
    said = {c.key: c.explanation for c in health_score(one).components}
    assert said["activity"].startswith("Activity: 1 speaker of 1 member this week")
    assert said["trend"].startswith("Trend: 1 message this week vs 1/week")
    assert said["cleanliness"].startswith("Cleanliness: 1 violation in 1 message in the last")
    assert "1 of 1 newcomer posted within 7 days" in said["retention"]
    assert said["belonging"].startswith("Belonging: 1 of 1 member came to an offline event")
