"""Referrals through the engine: a member's `/invite` link, friends who join by it and stay
earn the inviter the task's reward once; an early leave revokes; a person counts once; and
nothing is given twice when the engine restarts."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from hearthkeeper.assembly import runtime_for
from hearthkeeper.capabilities.admission import review
from hearthkeeper.capabilities.admission.applications_repository import SqlApplications
from hearthkeeper.capabilities.points.repository import SqlPoints
from hearthkeeper.capabilities.referrals.repository import SqlReferrals, Status
from hearthkeeper.capabilities.roles.repository import SqlTitles
from hearthkeeper.clock import FrozenClock
from hearthkeeper.engine.actions import ActionKind
from hearthkeeper.engine.admission import Admission, Entry, JoinRequest
from hearthkeeper.engine.events import Join, JoinMethod, Sender
from hearthkeeper.playbook import parse_playbook
from hearthkeeper.store import SanctionKind, Store
from hearthkeeper.store.join_sources import SqlJoinSources
from tests.capabilities.referrals.referral_setup import (
    DAY,
    TASK,
    at_day,
    invite_link,
    join,
    sent,
    setup,
)
from tests.engine_setup import RULES, community, playbook
from tests.playbook_samples import MINIMAL


def test_invite_replies_with_a_stable_link_and_the_task(
    store: Store, store_clock: FrozenClock
) -> None:
    c, token = setup(store, store_clock)
    again, reply = invite_link(c, "ann")
    assert again == token
    assert reply == (
        f"ann, here is your own invite link:\n/ref/{token}\n"
        "(this site's address followed by this path: send it to friends)\n"
        "Bring 2 friends who stay 7 days and post at least 1 message to earn 20 points, "
        "the title 'Connector', "
        "the reward 'Tea mug'. So far 0 counted, 0 still in their first 7 days."
    )
    other, _ = invite_link(c, "bob")
    assert other != token


def test_friends_who_stay_earn_the_reward_once(store: Store, store_clock: FrozenClock) -> None:
    c, token = setup(store, store_clock)
    join(c, "bob", token)
    join(c, "cat", token, at=DAY + timedelta(days=1))
    at_day(c, 7.01)  # bob's week is up, cat's is not
    assert sent(c.carrier) == []
    at_day(c, 8.01)
    assert sent(c.carrier) == [
        "🎉 ann brought 2 friends who stayed: invite task done, earning 20 points, "
        "the title 'Connector', the reward 'Tea mug'!"
    ]
    assert sent(c.carrier, ActionKind.ALERT_STAFF) == [
        "[Invite reward] g1: ann completed the invite task; please hand over 'Tea mug'."
    ]
    ann = c.member_id("ann")
    assert SqlPoints.on(store).points_of(c.runtime.community_id, ann) == 20
    assert SqlTitles.on(store).titles_of(c.runtime.community_id, ann) == ["Connector"]
    assert SqlPoints.on(store).redeemed(c.runtime.community_id) == {"mug": 1}
    join(c, "dan", token, at=DAY + timedelta(days=9))  # a third friend: counted, no second reward
    at_day(c, 16.1)
    assert len(sent(c.carrier)) == 1
    assert SqlPoints.on(store).points_of(c.runtime.community_id, ann) == 20
    assert SqlReferrals.on(store).progress(c.runtime.community_id, ann).credited == 3
    _, reply = invite_link(c, "ann")
    assert "You completed the invite task (3 counted)" in reply


def test_a_friend_who_leaves_early_counts_nothing(store: Store, store_clock: FrozenClock) -> None:
    c, token = setup(store, store_clock)
    join(c, "bob", token)
    join(c, "cat", token)
    c.engine.process([c.events.leave("bob", at=DAY + timedelta(days=2))])
    at_day(c, 7.5)
    assert sent(c.carrier) == []
    referrals = SqlReferrals.on(store)
    progress = referrals.progress(c.runtime.community_id, c.member_id("ann"))
    assert (progress.credited, progress.pending) == (1, 0)
    [bob, cat] = sorted(referrals.recent(c.runtime.community_id), key=lambda n: n.invitee)
    assert (bob.referral.status, cat.referral.status) == (Status.REVOKED, Status.CREDITED)
    join(c, "bob", token, at=DAY + timedelta(days=8))  # back again: still counts nothing
    at_day(c, 20)
    assert referrals.progress(c.runtime.community_id, c.member_id("ann")).credited == 1
    assert sent(c.carrier) == []


def test_a_friend_who_says_nothing_or_only_what_was_deleted_counts_nothing(
    store: Store, store_clock: FrozenClock
) -> None:
    c, token = setup(store, store_clock)
    join(c, "bob", token, says=False)  # an account made only to be counted
    join(c, "cat", token, says=False)
    spam = "加微信 abc123 低价出货 http://spam.example"  # deleted by moderation: not a post
    c.engine.process([c.events.message("cat", spam, at=DAY + timedelta(hours=1))])
    join(c, "dan", token, says=False)
    c.engine.process([c.events.message("dan", "大家好", at=DAY + timedelta(days=3))])
    at_day(c, 7.5)
    referrals = SqlReferrals.on(store)
    named = {n.invitee: n.referral.status for n in referrals.recent(c.runtime.community_id)}
    assert named == {"bob": Status.REVOKED, "cat": Status.REVOKED, "dan": Status.CREDITED}
    assert referrals.progress(c.runtime.community_id, c.member_id("ann")).credited == 1
    assert sent(c.carrier) == []  # 2 friends needed: no reward for accounts that never spoke
    c.engine.process([c.events.message("bob", "我来了", at=DAY + timedelta(days=8))])
    at_day(c, 20)  # speaking after the stay was checked changes nothing
    assert referrals.progress(c.runtime.community_id, c.member_id("ann")).credited == 1


def test_accepting_the_rules_is_not_taking_part(store: Store, store_clock: FrozenClock) -> None:
    """Every newcomer must type 同意 before posting: an account made to be counted typed it
    and counted as a friend who posted."""
    store_clock.set(DAY)
    rules = TASK.replace("ceremony: {accept_rules: false}", "ceremony: {accept_rules: true}")
    c = community(store, store_clock, playbook(rules))
    join(c, "ann")
    c.engine.process([c.events.message("ann", "同意", at=DAY)])
    token, _ = invite_link(c, "ann")
    for friend, said in (("bob", ["同意"]), ("cat", ["I agree.", "agree"]),
                         ("dan", ["同意", "大家好，我是 dan"])):  # fmt: skip
        join(c, friend, token, says=False)
        for n, text in enumerate(said, start=1):
            c.engine.process([c.events.message(friend, text, at=DAY + timedelta(hours=n))])
    at_day(c, 7.5)
    named = {
        n.invitee: n.referral.status for n in SqlReferrals.on(store).recent(c.runtime.community_id)
    }
    assert named == {"bob": Status.REVOKED, "cat": Status.REVOKED, "dan": Status.CREDITED}


def test_posts_0_counts_a_friend_who_only_stays(store: Store, store_clock: FrozenClock) -> None:
    store_clock.set(DAY)
    c = community(store, store_clock, playbook(TASK.replace("stay: 7d", "stay: 7d\n    posts: 0")))
    join(c, "ann")
    token, reply = invite_link(c, "ann")
    assert "Bring 2 friends who stay 7 days to earn 20 points" in reply
    join(c, "bob", token, says=False)
    join(c, "cat", token, says=False)
    at_day(c, 7.5)
    assert sent(c.carrier)[0].startswith("🎉 ann brought 2 friends")


def test_a_blacklisted_inviter_is_not_rewarded(store: Store, store_clock: FrozenClock) -> None:
    c, token = setup(store, store_clock)
    join(c, "bob", token)
    join(c, "cat", token)
    ann = c.member_id("ann")
    store.add_sanction(SanctionKind.BLACKLIST, ann, "spam", DAY + timedelta(days=1),
                       community_id=c.runtime.community_id)  # fmt: skip
    at_day(c, 7.5)
    assert sent(c.carrier) == []
    assert sent(c.carrier, ActionKind.ALERT_STAFF) == [
        "[Invite reward] g1: ann's friends completed the invite task, but ann is blacklisted: "
        "no reward was given. It is kept for them: they get it when they are back in one of "
        "the community's groups (and not blacklisted)."
    ]
    assert SqlPoints.on(store).points_of(c.runtime.community_id, ann) == 0
    assert SqlPoints.on(store).redeemed(c.runtime.community_id) == {}
    assert SqlReferrals.on(store).progress(c.runtime.community_id, ann).credited == 2


def test_an_inviter_who_left_is_rewarded_only_once_back(
    store: Store, store_clock: FrozenClock
) -> None:
    """Ann brought two friends who stayed, but left the community before their week was up.
    Before, she was rewarded all the same: points and a title for someone gone, a cheer
    mentioning her in a group she is not in, a reward item for staff to hand to nobody. Now
    staff are told once why nothing was given, and the reward waits for her: she gets it when
    she joins again."""
    c, token = setup(store, store_clock)
    join(c, "bob", token)
    join(c, "cat", token)
    ann = c.member_id("ann")
    c.engine.process([c.events.leave("ann", at=DAY + timedelta(days=2))])
    join(c, "dan", token, at=DAY + timedelta(days=1))
    at_day(c, 8.5)  # all three friends' weeks are up: each credited, no reward
    assert sent(c.carrier) == []
    assert sent(c.carrier, ActionKind.ALERT_STAFF) == [
        "[Invite reward] g1: ann's friends completed the invite task, but ann is no longer in "
        "the community (left, removed or banned): no reward was given. It is kept for them: "
        "they get it when they are back in one of the community's groups (and not "
        "blacklisted)."
    ]
    assert SqlPoints.on(store).points_of(c.runtime.community_id, ann) == 0
    assert SqlReferrals.on(store).progress(c.runtime.community_id, ann).credited == 3

    join(c, "ann", group="g2", at=DAY + timedelta(days=10))  # back, in another group
    asyncio.run(c.engine.drain())
    assert sent(c.carrier) == [
        "🎉 ann brought 2 friends who stayed: invite task done, earning 20 points, "
        "the title 'Connector', the reward 'Tea mug'!"
    ]
    assert SqlPoints.on(store).points_of(c.runtime.community_id, ann) == 20
    assert SqlPoints.on(store).redeemed(c.runtime.community_id) == {"mug": 1}
    join(c, "ann", group="g1", at=DAY + timedelta(days=11))  # once only
    asyncio.run(c.engine.drain())
    assert len(sent(c.carrier)) == 1


def test_leaving_one_group_while_staying_in_another_still_counts(
    store: Store, store_clock: FrozenClock
) -> None:
    c, token = setup(store, store_clock)
    join(c, "bob", token)
    join(c, "bob", group="g2")
    c.engine.process([c.events.leave("bob", at=DAY + timedelta(days=1))])
    at_day(c, 7.5)
    assert SqlReferrals.on(store).progress(c.runtime.community_id, c.member_id("ann")).credited == 1


def test_a_person_counts_once_and_own_unknown_and_old_links_count_nothing(
    store: Store, store_clock: FrozenClock
) -> None:
    c, token = setup(store, store_clock)
    join(c, "eve")  # a member before anyone invited her
    c.engine.process([c.events.leave("eve", at=DAY + timedelta(minutes=1))])
    cat_token, _ = invite_link(c, "cat")
    join(c, "bob", token)
    join(c, "bob", cat_token, group="g2")  # invited twice: the first invitation counts
    join(c, "ann", token, group="g2")  # her own link
    join(c, "fay", "nosuchtoken")
    join(c, "eve", token, at=DAY + timedelta(hours=1))  # rejoining by a link: she was here before
    at_day(c, 7.5)
    referrals = SqlReferrals.on(store)
    community_id = c.runtime.community_id
    assert [(n.inviter, n.invitee) for n in referrals.recent(community_id)] == [("ann", "bob")]
    assert referrals.progress(community_id, c.member_id("ann")).credited == 1
    assert referrals.progress(community_id, c.member_id("cat")).credited == 0


def test_the_reward_is_given_once_across_restarts(store: Store, store_clock: FrozenClock) -> None:
    c, token = setup(store, store_clock)
    join(c, "bob", token)
    join(c, "cat", token)
    first = c.carrier
    c.restart()  # after the joins, before the stay is up
    at_day(c, 7.5)
    second = c.carrier
    c.restart()
    at_day(c, 7.6)
    at_day(c, 30)
    said = [*sent(first), *sent(second), *sent(c.carrier)]
    alerts = [*sent(second, ActionKind.ALERT_STAFF), *sent(c.carrier, ActionKind.ALERT_STAFF)]
    assert len(said) == 1 and said[0].startswith("🎉 ann brought 2 friends")
    assert len(alerts) == 1
    community_id, ann = c.runtime.community_id, c.member_id("ann")
    assert SqlPoints.on(store).points_of(community_id, ann) == 20
    assert SqlPoints.on(store).redeemed(community_id) == {"mug": 1}
    assert SqlReferrals.on(store).progress(community_id, ann).credited == 2


def test_the_leaderboard_counts_friends_who_stayed(store: Store, store_clock: FrozenClock) -> None:
    c, token = setup(store, store_clock)
    cat_token, _ = invite_link(c, "cat")
    for friend in ("bob", "dan"):
        join(c, friend, token)
    join(c, "eve", cat_token)
    join(c, "fay", cat_token)
    c.engine.process([c.events.leave("fay", at=DAY + timedelta(days=1))])
    at_day(c, 7.5)
    [done] = c.engine.process([c.events.message("cat", "/invites", at=c.clock.now())])
    [reply] = [a.text for a in done.actions if a.kind is ActionKind.REPLY]
    assert reply == (
        "📣 Invites this month\n1. ann 2\n2. cat 1\n🏆 Invites of all time\n1. ann 2\n2. cat 1"
    )


def test_chinese_community_is_answered_in_chinese(store: Store, store_clock: FrozenClock) -> None:
    store_clock.set(DAY)
    zh = parse_playbook(MINIMAL.replace("language: en", "language: zh-CN") + RULES + TASK)
    c = community(store, store_clock, zh.playbook)
    join(c, "ann")
    [done] = c.engine.process([c.events.message("ann", "#邀请", at=DAY)])
    [reply] = [a.text or "" for a in done.actions if a.kind is ActionKind.REPLY]
    assert reply.startswith("ann，这是你的专属邀请链接：\n/ref/")
    assert (
        "邀请 2 位朋友入群并留满 7 天、期间发言至少 1 条，可获得：20 积分、头衔「Connector」、奖品「Tea mug」。"
        in reply
    )


def test_referrals_are_off_by_default(store: Store, store_clock: FrozenClock) -> None:
    store_clock.set(DAY)
    c = community(store, store_clock)
    [done] = c.engine.process([c.events.message("ann", "/invite", at=DAY)])
    assert [a for a in done.actions if a.kind is ActionKind.REPLY] == []


def test_a_friend_refused_then_let_in_after_all_counts_for_the_inviter(
    store: Store, store_clock: FrozenClock
) -> None:
    """Bob and Cat apply by Ann's link (the carrier keeps it for their join, `join_sources`,
    as the Matrix join page does); staff refuse both, then let Bob in after all. Bob's join
    carries Ann's link and counts for her once he stayed; Cat, never reconsidered, whom staff
    invite by hand later, counts for nobody. Before, the refusal lost Bob's link: Ann got
    nothing for him."""
    store_clock.set(DAY)
    applying = TASK.replace(
        "  ceremony: {accept_rules: false}\n",
        "  ceremony: {accept_rules: false}\n"
        "  threshold: {kind: application, questions: [Who invited you?]}\n",
    )
    c = community(store, store_clock, playbook(applying))
    join(c, "ann")
    token, _ = invite_link(c, "ann")
    tea_room = store.group_for_carrier("fake", "g1")
    assert tea_room is not None
    door = Admission(store, store_clock, {c.runtime.community_id: c.runtime}.get)
    sources = SqlJoinSources.on(store)
    applications = SqlApplications.on(store)
    for friend in ("bob", "cat"):
        asked = JoinRequest(carrier="fake", group_id=tea_room.id, user_id=friend,
                            display_name=friend, source=f"ref:{token}", answers=("Ann",))  # fmt: skip
        assert door.screen(asked).entry is Entry.PENDING
        sources.remember("fake", "g1", friend, f"ref:{token}", store_clock.now())
        found = applications.application_of(c.runtime.community_id, "fake", friend)
        assert found is not None
        review.refuse(store, found.id, "console:li", store_clock.now())
    bob = applications.application_of(c.runtime.community_id, "fake", "bob")
    assert bob is not None
    review.approve(store, bob.id, "console:li", DAY + timedelta(hours=2), reconsider=True)

    for friend, hours in (("bob", 3), ("cat", 4)):  # each accepts the bot's invitation
        at = DAY + timedelta(hours=hours)
        kept = sources.take("fake", "g1", friend, f"$join-{friend}", at)
        c.engine.process([Join(carrier="fake", group="g1", event_id=f"$join-{friend}", at=at,
                               sender=Sender(user_id=friend, display_name=friend),
                               via=JoinMethod.INVITED, source=kept)])  # fmt: skip
        c.engine.process([c.events.message(friend, "hello", at=at + timedelta(minutes=5))])
    at_day(c, 7.5)
    referrals = SqlReferrals.on(store)
    community_id = c.runtime.community_id
    assert [(n.inviter, n.invitee) for n in referrals.recent(community_id)] == [("ann", "bob")]
    assert referrals.progress(community_id, c.member_id("ann")).credited == 1


def test_friends_brought_before_the_task_was_turned_off_are_still_judged_by_posts(
    store: Store, store_clock: FrozenClock
) -> None:
    """What `hearth playbook validate` and docs/referrals.md say of a task turned off: no new
    friend is recorded, but the friends brought while it ran are checked when their stay is up
    against today's `posts` (0 here: Cat, who never spoke, counts), and nobody is rewarded."""
    c, token = setup(store, store_clock)
    join(c, "bob", token)
    join(c, "cat", token, says=False)
    c.runtime = runtime_for(store, playbook(TASK.replace("enabled: true\n    invites: 2",
                                                         "enabled: false\n    posts: 0\n"
                                                         "    invites: 2")))  # fmt: skip
    c.restart()
    join(c, "dan", token, at=DAY + timedelta(days=1))  # by the link, with the task off
    at_day(c, 7.5)
    referrals = SqlReferrals.on(store)
    named = {n.invitee: n.referral.status for n in referrals.recent(c.runtime.community_id)}
    assert named == {"bob": Status.CREDITED, "cat": Status.CREDITED}
    assert sent(c.carrier) == [] and sent(c.carrier, ActionKind.ALERT_STAFF) == []
    assert SqlPoints.on(store).points_of(c.runtime.community_id, c.member_id("ann")) == 0


DAYS_TASK = """\
monetisation:
  plans:
    - {id: monthly, name: Monthly, price: 30, currency: CNY, period: 1 month, grace: 3d}
mechanisms:
  referrals:
    enabled: true
    invites: 1
    stay: 7d
    reward: {membership_days: 7}
joining:
  ceremony: {accept_rules: false}
"""


def test_a_reward_of_membership_days_is_given_when_the_friends_stay_completes(
    store: Store, store_clock: FrozenClock
) -> None:
    """ "Invite a friend, get a week free" could only be a payment of 0 for a whole month,
    recorded by hand."""
    from hearthkeeper.capabilities.billing.repository import SqlBilling

    store_clock.set(DAY)
    c = community(store, store_clock, playbook(DAYS_TASK))
    join(c, "ann")
    token, reply = invite_link(c, "ann")
    assert "to earn 7 days of membership." in reply
    join(c, "bob", token)
    billing = SqlBilling.on(store)
    ann = c.member_id("ann")
    at_day(c, 6.9)  # bob's week is not up: nothing given yet
    assert billing.subscriptions(c.runtime.community_id, member_id=ann) == []
    at_day(c, 7.01)
    assert sent(c.carrier) == ["🎉 ann brought 1 friend who stayed: invite task done, earning "
                               "7 days of membership!"]  # fmt: skip
    [sub] = billing.subscriptions(c.runtime.community_id, member_id=ann)
    assert (sub.plan_id, sub.period_end - sub.period_start) == ("monthly", timedelta(days=7))
    assert sub.period_start == DAY + timedelta(days=7.01)
    [order] = billing.orders(c.runtime.community_id, member_id=ann)
    assert (order.kind.value, order.amount, order.recorded_by) == ("days_given", 0, "referrals")
    assert billing.reasons(c.runtime.community_id)[order.id] == "7 days given: invite task reward"
    join(c, "cat", token, at=DAY + timedelta(days=8))  # a second friend: no second week
    at_day(c, 15.1)
    assert len(billing.orders(c.runtime.community_id, member_id=ann)) == 1


def test_membership_days_that_cannot_be_given_are_said_to_staff(
    store: Store, store_clock: FrozenClock
) -> None:
    """Two plans and an inviter who never held one: which plan's days is staff's to decide."""
    from hearthkeeper.capabilities.billing.repository import SqlBilling

    two = DAYS_TASK.replace(
        "    - {id: monthly", "    - {id: yearly, name: Yearly, price: 300, currency: CNY, "
        "period: 1 year}\n    - {id: monthly")  # fmt: skip
    store_clock.set(DAY)
    c = community(store, store_clock, playbook(two))
    join(c, "ann")
    token, _ = invite_link(c, "ann")
    join(c, "bob", token)
    at_day(c, 7.01)
    ann = c.member_id("ann")
    assert sent(c.carrier, ActionKind.ALERT_STAFF) == [
        "[Invite reward] g1: ann completed the invite task, but its 7 days of membership were "
        f"not given: member {ann} holds no membership and the community has 2 plans: say which "
        "to give days of (CLI --plan, console 'plan', API \"plan\"; one of yearly, monthly)"
    ]
    assert SqlBilling.on(store).orders(c.runtime.community_id) == []
