"""The store on SQLite and PostgreSQL: communities, groups, members and who is in which group."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest

from hearthkeeper.clock import FrozenClock
from hearthkeeper.store import Community, Group, Store, StoreError
from tests.sql_plans import sqlite_plan


def _community(store: Store) -> Community:
    return store.ensure_community("skincare", "Skin care circle")


def _group(store: Store, carrier_group_id: str = "g-1") -> Group:
    return store.add_group(_community(store).id, "Morning pack", "wechat", carrier_group_id, 500)


def test_a_community_is_created_once_and_takes_the_latest_name(store: Store) -> None:
    first = store.ensure_community("skincare", "Skin care circle")
    again = store.ensure_community("skincare", "Skin Care Circle (paid)")

    assert again.id == first.id
    assert again.name == "Skin Care Circle (paid)"
    assert store.get_community("skincare") == again
    assert store.get_community("running") is None


def test_communities_are_listed_by_slug(store: Store) -> None:
    for slug in ["running", "books", "skincare"]:
        store.ensure_community(slug, slug.title())

    assert [c.slug for c in store.list_communities()] == ["books", "running", "skincare"]


def test_a_carrier_group_belongs_to_one_community_only(store: Store) -> None:
    skincare = store.ensure_community("skincare", "Skin care")
    running = store.ensure_community("running", "Night runs")
    group = store.add_group(skincare.id, "Morning pack", "wechat", "g-1", capacity=500)

    with pytest.raises(StoreError, match="wechat group 'g-1' is already registered as 'Morning"):
        store.add_group(running.id, "Runners", "wechat", "g-1")
    # The same id on another carrier is another group.
    other = store.add_group(running.id, "Runners", "telegram", "g-1")

    assert store.group_for_carrier("wechat", "g-1") == group
    assert store.group_for_carrier("telegram", "g-1") == other
    assert store.group_for_carrier("matrix", "g-1") is None
    assert store.list_groups(skincare.id) == [group]
    assert store.get_group(group.id) == group
    assert group.capacity == 500


def test_groups_are_listed_in_the_order_they_were_added(store: Store) -> None:
    community = _community(store)
    names = ["Morning pack", "Tutors", "Group-buy"]
    for number, name in enumerate(names):
        store.add_group(community.id, name, "wechat", f"g-{number}")

    assert [g.name for g in store.list_groups(community.id)] == names


def test_the_same_carrier_user_is_always_the_same_member(store: Store) -> None:
    first = store.member_for("telegram", "42", "Ann")
    renamed = store.member_for("telegram", "42", "Ann B.")
    unnamed = store.member_for("telegram", "42", "")

    assert renamed.id == unnamed.id == first.id
    assert renamed.display_name == "Ann B."
    assert unnamed.display_name == "Ann B."  # an empty name does not erase the known one
    assert store.find_member("telegram", "42") == unnamed
    assert store.find_member("telegram", "43") is None


def test_the_same_user_id_on_two_carriers_is_two_people_until_linked(store: Store) -> None:
    ann = store.member_for("telegram", "42", "Ann")
    stranger = store.member_for("matrix", "42", "Bob")
    assert stranger.id != ann.id

    store.link_identity(ann.id, "discord", "ann#0001")
    store.link_identity(ann.id, "discord", "ann#0001")  # linking again changes nothing

    assert store.member_for("discord", "ann#0001", "Ann").id == ann.id
    assert [(i.carrier, i.carrier_user_id) for i in store.identities(ann.id)] == [
        ("discord", "ann#0001"),
        ("telegram", "42"),
    ]
    with pytest.raises(StoreError, match="already member"):
        store.link_identity(ann.id, "matrix", "42")


def test_tags_record_who_set_them(store: Store, store_clock: FrozenClock) -> None:
    ann = store.member_for("wechat", "wx-ann", "Ann")

    assert store.add_tag(ann.id, "oily skin", set_by="operator:li") is True
    assert store.add_tag(ann.id, "oily skin", set_by="bot") is False
    store_clock.advance(timedelta(hours=1))
    store.set_member_tags(ann.id, ["oily skin", "tutor"], set_by="bot")

    tags = store.member_tags(ann.id)
    assert [(t.tag, t.set_by) for t in tags] == [("oily skin", "operator:li"), ("tutor", "bot")]
    assert tags[1].set_at - tags[0].set_at == timedelta(hours=1)

    assert store.remove_tag(ann.id, "tutor") is True
    assert store.remove_tag(ann.id, "tutor") is False
    store.set_member_tags(ann.id, [], set_by="bot")
    assert store.member_tags(ann.id) == []


def test_profile_and_notes_are_kept(store: Store) -> None:
    ann = store.member_for("wechat", "wx-ann", "Ann")

    store.update_member(ann.id, profile={"skin": "oily", "city": "杭州", "age": 31})
    store.update_member(ann.id, notes="Refunded in March: the cream did not suit her.")

    kept = store.get_member(ann.id)
    assert kept is not None
    assert kept.profile == {"skin": "oily", "city": "杭州", "age": 31}
    assert kept.notes == "Refunded in March: the cream did not suit her."
    with pytest.raises(StoreError, match="no member with id"):
        store.update_member(ann.id + 1000, notes="?")


def test_leaving_and_rejoining_keeps_every_stay(store: Store, store_clock: FrozenClock) -> None:
    group = _group(store)
    ann = store.member_for("wechat", "wx-ann", "Ann")
    bob = store.member_for("wechat", "wx-bob", "Bob")
    start = store_clock.now()

    store.join(ann.id, group.id, role="member", level=1)
    store.join(bob.id, group.id)
    store_clock.advance(timedelta(days=3))
    store.leave(ann.id, group.id)
    store_clock.advance(timedelta(days=4))
    store.join(ann.id, group.id, role="water-drinking committee", level=2)

    first, second = store.membership_history(ann.id, group.id)
    assert (first.joined_at, first.left_at, first.role) == (
        start,
        start + timedelta(days=3),
        "member",
    )
    assert second.joined_at == start + timedelta(days=7)
    assert (second.left_at, second.role, second.level) == (None, "water-drinking committee", 2)
    assert [(m.member_id, m.id) for m in store.active_members(group.id)] == [
        (bob.id, store.membership_history(bob.id)[0].id),
        (ann.id, second.id),
    ]


def test_who_left_the_community_before_is_read_for_many_members_in_their_index(
    store: Store,
) -> None:
    """The members of a batch's joins who were in the community before (a stay ended in any
    of its groups, not another community's); each member's stays sought in their index, not
    every ended stay of the community's groups read (on SQLite: its plan)."""
    tea = store.ensure_community("tea", "Tea Friends")
    other = store.ensure_community("wine", "Wine Club")
    rooms = [store.add_group(tea.id, f"Tea room {n}", "wechat", f"g-{n}") for n in range(3)]
    cellar = store.add_group(other.id, "Cellar", "wechat", "g-cellar")
    people = [store.member_for("wechat", f"wx-{n}", f"Member {n}") for n in range(40)]
    for n, person in enumerate(people):  # stays ended in the tea rooms, some in the cellar
        store.join(person.id, cellar.id if n % 4 == 3 else rooms[n % 3].id)
        if n % 2 == 0:
            store.leave(person.id, cellar.id if n % 4 == 3 else rooms[n % 3].id)
    store.join(people[1].id, rooms[0].id)  # in now, never left: not returning
    asked = [people[n].id for n in (0, 1, 2, 3, 4, 6, 8)]
    expected = {people[n].id for n in (0, 2, 4, 6, 8)}
    assert store.left_community_among(tea.id, asked) == expected
    assert store.left_community_among(tea.id, []) == set()
    assert store.left_community_among(other.id, asked) == set()  # 3 never left the cellar
    if store.engine.dialect.name == "sqlite":
        found, plan = sqlite_plan(store, lambda: store.left_community_among(tea.id, asked),
                                  "FROM memberships")  # fmt: skip
        assert found == expected
        assert "ix_memberships_member_id" in plan, plan


def test_joining_twice_is_one_stay_and_leaving_twice_is_harmless(store: Store) -> None:
    group = _group(store)
    ann = store.member_for("wechat", "wx-ann", "Ann")

    stay = store.join(ann.id, group.id, role="member")
    assert store.join(ann.id, group.id, role="admin") == stay
    assert store.leave(ann.id, group.id) is not None
    assert store.leave(ann.id, group.id) is None
    assert store.active_members(group.id) == []
    assert len(store.membership_history(ann.id)) == 1


def test_a_stay_can_be_dated_by_the_carrier_event(store: Store) -> None:
    group = _group(store)
    ann = store.member_for("wechat", "wx-ann", "Ann")
    beijing_evening = datetime(2026, 4, 1, 20, 0, tzinfo=timezone(timedelta(hours=8)))

    store.join(ann.id, group.id, at=beijing_evening)

    joined_at = store.active_members(group.id)[0].joined_at
    assert joined_at == datetime(2026, 4, 1, 12, 0, tzinfo=UTC)
    assert joined_at.utcoffset() == timedelta(0)
    with pytest.raises(ValueError, match="no time zone"):
        store.leave(ann.id, group.id, at=datetime(2026, 4, 2, 8, 0))


def test_joining_a_group_that_does_not_exist_is_refused(store: Store) -> None:
    ann = store.member_for("wechat", "wx-ann", "Ann")

    with pytest.raises(StoreError, match="cannot put member"):
        store.join(ann.id, 1000)


def test_times_come_back_aware_and_in_utc(store: Store, store_clock: FrozenClock) -> None:
    community = _community(store)
    fetched = store.get_community(community.slug)

    assert fetched is not None
    assert fetched.created_at.tzinfo is not None
    assert fetched.created_at.utcoffset() == timedelta(0)
    assert fetched.created_at == store_clock.now()
