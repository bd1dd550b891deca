"""The referrals repository on SQLite and PostgreSQL: stable links, a person recorded once,
settled once, rewarded once, reward items from stock, leaderboards."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hearthkeeper.capabilities.referrals.repository import SqlReferrals, Status
from hearthkeeper.store import Store

T0 = datetime(2026, 5, 1, 9, 0, tzinfo=UTC)
WEEK = timedelta(days=7)


def people(store: Store, *names: str) -> list[int]:
    return [store.member_for("fake", name, name).id for name in names]


def test_a_link_is_made_once_and_found_by_its_token(store: Store) -> None:
    tea = store.ensure_community("tea", "Tea")
    other = store.ensure_community("coffee", "Coffee")
    [ann] = people(store, "ann")
    repo = SqlReferrals.on(store)
    link = repo.link_of(tea.id, ann, T0)
    assert repo.link_of(tea.id, ann, T0 + WEEK) == link
    assert repo.link_of(other.id, ann, T0).token != link.token  # one link per community
    assert repo.link_by_token(link.token) == link
    assert repo.link_by_token("nope") is None
    assert len(link.token) == 12


def test_an_invitee_is_recorded_once_and_settled_once(store: Store) -> None:
    tea = store.ensure_community("tea", "Tea")
    group = store.add_group(tea.id, "g1", "fake", "g1")
    ann, bob, cat = people(store, "ann", "bob", "cat")
    repo = SqlReferrals.on(store)
    first = repo.record(tea.id, ann, bob, group.id, T0, T0 + WEEK)
    assert first is not None and first.status is Status.PENDING
    assert repo.record(tea.id, cat, bob, group.id, T0, T0 + WEEK) is None  # invited again
    assert repo.pending_for(tea.id, bob) == first
    assert repo.settle(first.id, Status.CREDITED, T0 + WEEK)
    assert not repo.settle(first.id, Status.REVOKED, T0 + WEEK)
    assert repo.pending_for(tea.id, bob) is None
    settled = repo.get(first.id)
    assert settled is not None and settled.status is Status.CREDITED
    assert repo.progress(tea.id, ann).credited == 1


def test_membership_questions(store: Store) -> None:
    tea = store.ensure_community("tea", "Tea")
    one = store.add_group(tea.id, "g1", "fake", "g1")
    two = store.add_group(tea.id, "g2", "fake", "g2")
    [bob] = people(store, "bob")
    repo = SqlReferrals.on(store)
    store.join(bob, one.id, at=T0)
    assert not repo.joined_before(tea.id, bob, T0)
    assert repo.joined_before(tea.id, bob, T0 + timedelta(seconds=1))
    store.join(bob, two.id, at=T0)
    store.leave(bob, one.id, at=T0 + WEEK)
    assert repo.in_community(tea.id, bob)
    store.leave(bob, two.id, at=T0 + WEEK)
    assert not repo.in_community(tea.id, bob)


def test_the_reward_is_marked_once_and_items_come_from_stock(store: Store) -> None:
    tea = store.ensure_community("tea", "Tea")
    ann, bob = people(store, "ann", "bob")
    repo = SqlReferrals.on(store)
    repo.link_of(tea.id, ann, T0)
    assert repo.mark_rewarded(tea.id, ann, T0)
    assert not repo.mark_rewarded(tea.id, ann, T0 + WEEK)
    assert repo.link_of(tea.id, ann, T0).rewarded_at == T0
    assert repo.give_item(tea.id, ann, "mug", 1, T0)
    assert not repo.give_item(tea.id, bob, "mug", 1, T0)
    assert repo.give_item(tea.id, bob, "tea", None, T0)


def test_leaderboards_by_credited_referrals(store: Store) -> None:
    tea, other = store.ensure_community("tea", "Tea"), store.ensure_community("cof", "Coffee")
    group = store.add_group(tea.id, "g1", "fake", "g1")
    elsewhere = store.add_group(other.id, "o1", "fake", "o1")
    ann, bob, *friends = people(store, "ann", "bob", "f1", "f2", "f3", "f4", "f5")
    repo = SqlReferrals.on(store)
    plan = [(ann, friends[0], T0), (ann, friends[1], T0 + 40 * WEEK / 7),
            (bob, friends[2], T0 + 40 * WEEK / 7), (bob, friends[3], T0)]  # fmt: skip
    for inviter, invitee, when in plan:
        made = repo.record(tea.id, inviter, invitee, group.id, when - WEEK, when)
        assert made is not None
        repo.settle(made.id, Status.CREDITED, when)
    pending = repo.record(tea.id, bob, friends[4], group.id, T0, T0 + WEEK)
    assert pending is not None
    outside = repo.record(other.id, bob, friends[0], elsewhere.id, T0, T0)
    assert outside is not None and repo.settle(outside.id, Status.CREDITED, T0)
    ever = repo.top(tea.id)
    assert [(r.display_name, r.credited) for r in ever] == [("ann", 2), ("bob", 2)]
    month = repo.top(tea.id, T0 + WEEK)
    assert [(r.display_name, r.credited) for r in month] == [("ann", 1), ("bob", 1)]
    assert repo.credited([tea.id], bob) == 2
    assert repo.credited([tea.id, other.id], bob) == 3
    assert repo.credited([], bob) == 0
    assert [n.invitee for n in repo.recent(tea.id)][:2] == ["f3", "f2"]


def test_a_reward_is_owed_once_the_count_is_reached_until_it_is_given(store: Store) -> None:
    """`owed`: what a member back in the community is given (a reward held back while they
    were gone); nothing for a member with no link, too few friends, or rewarded already."""
    tea = store.ensure_community("tea", "Tea")
    group = store.add_group(tea.id, "g1", "fake", "g1")
    ann, bob, cat, dan = people(store, "ann", "bob", "cat", "dan")
    repo = SqlReferrals.on(store)
    assert not repo.owed(tea.id, dan, 2)  # no link at all
    repo.link_of(tea.id, ann, T0)
    for friend in (bob, cat):
        referral = repo.record(tea.id, ann, friend, group.id, T0, T0 + WEEK)
        assert referral is not None
        assert not repo.owed(tea.id, ann, 2)
        repo.settle(referral.id, Status.CREDITED, T0 + WEEK)
    assert repo.owed(tea.id, ann, 2)
    assert not repo.owed(tea.id, ann, 3)
    assert repo.mark_rewarded(tea.id, ann, T0 + WEEK)
    assert not repo.owed(tea.id, ann, 2)
