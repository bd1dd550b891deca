"""The pure decisions of referrals: tokens, what a join or a stay check settles, the reward,
and the texts."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from hearthkeeper.capabilities.referrals.decide import (
    JoinVerdict,
    Offer,
    decide_join,
    decide_stay,
    month_start,
    reward_due,
    reward_text,
    stay_text,
    task_refusal,
    token_of,
    top_text,
)
from hearthkeeper.capabilities.referrals.repository import Link, Ranked, Status
from hearthkeeper.playbook.mechanisms import ReferralReward, Referrals
from hearthkeeper.playbook.positioning import Language


@pytest.mark.parametrize(
    ("source", "token"),
    [
        ("ref:abc_DEF-123", "abc_DEF-123"),
        ("code:poster", None),
        (None, None),
        ("ref:", None),
        ("ref:has space", None),
        ("ref:" + "x" * 33, None),
        ("REF:abc", None),
    ],
)
def test_only_referral_tokens_are_read(source: str | None, token: str | None) -> None:
    assert token_of(source) == token


ANN = Link(community_id=1, member_id=10, token="t", rewarded_at=None)


def test_a_join_counts_for_the_links_owner_only_when_new_and_someone_else() -> None:
    assert decide_join(ANN, 1, 11, known_before=False) is JoinVerdict.RECORD
    assert decide_join(ANN, 1, 10, known_before=False) is JoinVerdict.SELF
    assert decide_join(ANN, 1, 11, known_before=True) is JoinVerdict.KNOWN
    assert decide_join(None, 1, 11, known_before=False) is JoinVerdict.UNKNOWN
    assert decide_join(ANN, 2, 11, known_before=False) is JoinVerdict.UNKNOWN  # another community


def test_the_stay_check_credits_those_still_in_and_settles_once() -> None:
    assert decide_stay(Status.PENDING, True) is Status.CREDITED
    assert decide_stay(Status.PENDING, False) is Status.REVOKED
    assert decide_stay(Status.CREDITED, False) is None
    assert decide_stay(Status.REVOKED, True) is None


def test_the_reward_is_due_at_the_count_and_never_twice() -> None:
    assert not reward_due(1, 2, rewarded=False)
    assert reward_due(2, 2, rewarded=False)
    assert reward_due(5, 2, rewarded=False)
    assert not reward_due(5, 2, rewarded=True)


def test_the_month_starts_in_the_community_time_zone() -> None:
    now = datetime(2026, 5, 31, 20, 0, tzinfo=UTC)  # already 1 June in Shanghai
    assert month_start(now, "Asia/Shanghai").isoformat() == "2026-06-01T00:00:00+08:00"
    assert month_start(now, "Europe/London").isoformat() == "2026-05-01T00:00:00+01:00"


def test_durations_and_rewards_in_words() -> None:
    assert stay_text(timedelta(days=7), Language.ZH_CN) == "7 天"
    assert stay_text(timedelta(days=1), Language.EN) == "1 day"
    assert stay_text(timedelta(hours=36), Language.EN) == "36 h"
    settings = Referrals(reward=ReferralReward(points=5, title="拉新达人"))
    assert reward_text(Offer(settings), Language.ZH_CN) == "5 积分、头衔「拉新达人」"
    assert reward_text(Offer(settings, points_enabled=False), Language.EN) == "the title '拉新达人'"
    assert reward_text(Offer(Referrals()), Language.EN) == "everyone's thanks"


def test_the_leaderboard_text() -> None:
    ever = [Ranked(1, "ann", 3), Ranked(2, "bob", 1)]
    assert top_text([], ever, Language.EN) == (
        "📣 Invites this month\n—\n🏆 Invites of all time\n1. ann 3\n2. bob 1"
    )
    assert top_text([], [], Language.ZH_CN) == "还没有计入的邀请。发 /邀请 领取你的邀请链接吧！"


def test_the_task_threshold_says_what_is_missing() -> None:
    assert task_refusal(3, 3, Language.EN) is None
    assert task_refusal(1, 3, Language.EN) == (
        "To join this community you first need 3 friends you invited to have stayed. "
        "You have 1; 2 to go."
    )


def test_an_english_task_of_one_friend_reads_in_the_singular() -> None:
    """A book club's task "invite a friend, get a week free" (`invites: 1`) read "Bring 1
    friends who stay 7 days and post at least 1 message", "brought 1 friends who stayed" and
    "you first need 1 friends"; three friends keep the plural."""
    from hearthkeeper.capabilities.referrals.decide import link_text, rewarded_text
    from hearthkeeper.capabilities.referrals.repository import Progress

    one = Offer(Referrals(enabled=True, invites=1, posts=1,
                          reward=ReferralReward(title="Book Friend")))  # fmt: skip
    three = Offer(Referrals(enabled=True, invites=3, posts=2,
                            reward=ReferralReward(title="Book Friend")))  # fmt: skip
    progress = Progress(credited=0, pending=0)

    def task(offer: Offer) -> str:
        said = link_text("Ann", "https://x/ref/t", progress, offer, Language.EN, rewarded=False)
        return said.splitlines()[-1]

    assert task(one).startswith(
        "Bring 1 friend who stays 7 days and posts at least 1 message to earn the title"
    ), task(one)
    assert task(three).startswith(
        "Bring 3 friends who stay 7 days and post at least 2 messages to earn the title"
    ), task(three)
    assert rewarded_text("Ann", one, Language.EN).startswith("🎉 Ann brought 1 friend who stayed:")
    assert rewarded_text("Ann", three, Language.EN).startswith("🎉 Ann brought 3 friends who")
    assert task_refusal(0, 1, Language.EN) == (
        "To join this community you first need 1 friend you invited to have stayed. "
        "You have 0; 1 to go."
    )
    assert "need 2 friends you invited" in (task_refusal(0, 2, Language.EN) or "")
