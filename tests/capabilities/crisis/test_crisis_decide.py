"""The pure parts of crisis watch: what a spike is, one alert per episode, the signal."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from hearthkeeper.capabilities.crisis.decide import (
    SENSITIVITY,
    Counts,
    Episode,
    Verdict,
    spike,
    verdict,
)
from hearthkeeper.capabilities.crisis.signal import Markers, Signal
from hearthkeeper.text.normalise import normalise

NORMAL = SENSITIVITY["normal"]
NOW = datetime(2026, 12, 4, 10, 0, tzinfo=UTC)
CALM_WEEK = Counts(messages=400, alarming=8)  # 2% usually


def test_five_alarming_messages_from_three_members_are_a_spike_in_a_calm_group() -> None:
    found = spike(Counts(12, 5, 3), CALM_WEEK, NORMAL)
    assert found is not None
    assert found.baseline == pytest.approx(0.02)
    assert found.bar == pytest.approx(0.3), "3 × 2% is below the 30% floor"


@pytest.mark.parametrize(
    ("window", "why"),
    [
        (Counts(12, 4, 3), "too few alarming messages"),
        (Counts(12, 6, 2), "two members are not a panic spreading"),
        (Counts(40, 6, 4), "15% of a busy half hour is under the floor"),
        (Counts(1, 1, 1), "one complaint in a quiet group"),
    ],
)
def test_not_a_spike(window: Counts, why: str) -> None:
    assert spike(window, CALM_WEEK, NORMAL) is None, why


def test_a_grumbly_group_needs_three_times_its_usual_share() -> None:
    grumbly = Counts(messages=400, alarming=60)  # 15% usually: the bar is 45%
    assert spike(Counts(20, 8, 4), grumbly, NORMAL) is None
    assert spike(Counts(20, 9, 4), grumbly, NORMAL) is not None


def test_a_group_without_history_is_judged_on_the_floor() -> None:
    found = spike(Counts(10, 5, 3), Counts(10, 0), NORMAL)
    assert found is not None and found.baseline is None and found.bar == NORMAL.floor


def test_sensitivity_moves_the_bar() -> None:
    window = Counts(10, 3, 2)
    assert spike(window, CALM_WEEK, SENSITIVITY["high"]) is not None
    assert spike(window, CALM_WEEK, NORMAL) is None
    assert spike(Counts(10, 7, 4), CALM_WEEK, SENSITIVITY["low"]) is None


def test_one_alert_per_episode_and_a_new_one_after_the_cooldown() -> None:
    found = spike(Counts(12, 5, 3), CALM_WEEK, NORMAL)
    assert verdict(found, None, NOW, NORMAL) is Verdict.OPEN
    running = Episode(1, NOW - timedelta(minutes=5))
    assert verdict(found, running, NOW, NORMAL) is Verdict.EXTEND
    assert verdict(None, running, NOW, NORMAL) is Verdict.CALM
    old = Episode(1, NOW - NORMAL.cooldown - timedelta(seconds=1))
    assert verdict(found, old, NOW, NORMAL) is Verdict.OPEN


def test_markers_match_chinese_inside_words_and_english_as_words() -> None:
    markers = Markers.parse({"zh": {"m": ["退款", "过敏"]}, "en": {"m": ["scam", "side effect"]}})
    assert markers.found(normalise("我要退款！！")) == ("退款",)
    assert markers.found(normalise("過敏了")) == ("过敏",), "traditional characters fold"
    assert markers.found(normalise("SCAMS everywhere, a side effect")) == ("side effect", "scam")
    assert markers.found(normalise("scampi for dinner")) == ()


def test_the_shipped_signal_reads_panic_and_ordinary_chat() -> None:
    signal = Signal.shipped()
    panic = signal.read(normalise("用了这个面膜烂脸了！！！我要退款"))
    assert panic.alarming and panic.markers == ("烂脸", "退款") and panic.shouting
    assert signal.read(normalise("Is this a scam? I want a refund")).alarming
    assert signal.read(normalise("这家太难吃了，又贵又难吃，再也不来了")).negative
    for ordinary in ("谢谢老师的分享！", "明天见～", "打卡", "good morning everyone",
                     "see you on Saturday"):  # fmt: skip
        assert not signal.read(normalise(ordinary)).alarming, ordinary
