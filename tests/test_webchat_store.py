"""The web chat's tables, on SQLite and PostgreSQL: invite codes, identities, seats with
capacity and bans, and messages kept once per outbox key."""

from __future__ import annotations

from datetime import timedelta

import pytest

from hearthkeeper.clock import FrozenClock
from hearthkeeper.store import Group, SeatOutcome, Store, StoreError


def _groups(store: Store) -> tuple[Group, Group]:
    community = store.ensure_community("tea", "Tea lovers")
    small = store.add_group(community.id, "Tea room", "webchat", "tea-1", capacity=2)
    large = store.add_group(community.id, "Garden", "webchat", "tea-2", capacity=None)
    return small, large


def test_an_invite_code_is_made_once_and_opens_its_group(store: Store) -> None:
    small, large = _groups(store)
    assert store.webchat_invite_code(small.id, "abc") == "abc"
    assert store.webchat_invite_code(small.id, "other") == "abc"  # kept, not replaced
    assert store.webchat_group_for_code("abc") == small
    assert store.webchat_group_for_code("nope") is None
    with pytest.raises(StoreError, match="belongs to another group"):
        store.webchat_invite_code(large.id, "abc")
    room = store.webchat_room("abc")
    assert room is not None
    assert (room.group.name, room.community, room.invite_code, room.taken) == (
        "Tea room", "Tea lovers", "abc", 0,
    )  # fmt: skip


def test_users_are_found_by_the_hash_of_their_token_and_can_rename(store: Store) -> None:
    user = store.add_webchat_user("w-1", "h" * 64, "小美")
    assert store.webchat_user_by_token("h" * 64) == user
    assert store.webchat_user_by_token("x" * 64) is None
    assert store.rename_webchat_user("w-1", "Mei").nickname == "Mei"
    assert store.webchat_user("w-1").nickname == "Mei"  # type: ignore[union-attr]
    with pytest.raises(StoreError, match="already exists"):
        store.add_webchat_user("w-1", "g" * 64, "again")


def test_capacity_counts_members_in_the_group_now(store: Store, store_clock: FrozenClock) -> None:
    small, _ = _groups(store)
    now = store_clock.now()
    for n in (1, 2, 3):
        store.add_webchat_user(f"w-{n}", f"{n}" * 64, f"member {n}")
    assert store.take_webchat_seat(small.id, "w-1", now).outcome is SeatOutcome.JOINED
    assert store.take_webchat_seat(small.id, "w-1", now).outcome is SeatOutcome.ALREADY
    assert store.take_webchat_seat(small.id, "w-2", now).taken == 2
    full = store.take_webchat_seat(small.id, "w-3", now)
    assert (full.outcome, full.taken) == (SeatOutcome.FULL, 2)
    assert store.leave_webchat_seat(small.id, "w-1", now) is not None
    assert store.leave_webchat_seat(small.id, "w-1", now) is None  # already out
    assert store.take_webchat_seat(small.id, "w-3", now).outcome is SeatOutcome.JOINED
    assert [u.nickname for u in store.webchat_seated(small.id)] == ["member 2", "member 3"]
    later = now + timedelta(hours=1)
    rejoined = store.take_webchat_seat(small.id, "w-1", later)  # full again
    assert rejoined.outcome is SeatOutcome.FULL
    store.leave_webchat_seat(small.id, "w-2", later)
    rejoined = store.take_webchat_seat(small.id, "w-1", later)
    assert rejoined.outcome is SeatOutcome.JOINED
    assert rejoined.seat is not None and rejoined.seat.joined_at == later  # a new stay


def test_a_ban_closes_the_seat_and_refuses_rejoining_until_lifted(
    store: Store, store_clock: FrozenClock
) -> None:
    small, large = _groups(store)
    now = store_clock.now()
    store.add_webchat_user("w-1", "1" * 64, "member")
    store.take_webchat_seat(small.id, "w-1", now)
    assert store.ban_webchat_user(small.id, "w-1", "spam", now) is True
    assert store.webchat_seats_taken(small.id) == 0
    refused = store.take_webchat_seat(small.id, "w-1", now)
    assert refused.outcome is SeatOutcome.BANNED
    assert refused.seat is not None and refused.seat.ban_reason == "spam"
    assert store.ban_webchat_user(large.id, "w-1", "pre-emptive", now) is False  # never there
    assert store.take_webchat_seat(large.id, "w-1", now).outcome is SeatOutcome.BANNED
    assert store.unban_webchat_user(small.id, "w-1") is True
    assert store.unban_webchat_user(small.id, "w-1") is False
    assert store.take_webchat_seat(small.id, "w-1", now).outcome is SeatOutcome.JOINED


def test_mutes_are_kept_on_the_seat(store: Store, store_clock: FrozenClock) -> None:
    small, _ = _groups(store)
    until = store_clock.now() + timedelta(minutes=10)
    assert store.mute_webchat_user(small.id, "w-9", until, "flood") is None  # no seat
    store.add_webchat_user("w-1", "1" * 64, "member")
    store.take_webchat_seat(small.id, "w-1", store_clock.now())
    seat = store.mute_webchat_user(small.id, "w-1", until, "flood")
    assert seat is not None and (seat.muted_until, seat.mute_reason) == (until, "flood")
    seat = store.mute_webchat_user(small.id, "w-1", None, "ignored")
    assert seat is not None and (seat.muted_until, seat.mute_reason) == (None, None)


def test_a_bot_message_is_kept_once_per_outbox_key(store: Store) -> None:
    small, _ = _groups(store)
    first, created = store.add_webchat_message(
        small.id, user_id=None, nickname="Hearthkeeper", kind="text", text="欢迎！",
        mentions=["w-1"], action_key="k:1",
    )  # fmt: skip
    again, created_again = store.add_webchat_message(
        small.id, user_id=None, nickname="Hearthkeeper", kind="text", text="欢迎！",
        action_key="k:1",
    )  # fmt: skip
    assert (created, created_again) == (True, False)
    assert again == first and first.mentions == ("w-1",)
    assert [m.text for m in store.webchat_history(small.id)] == ["欢迎！"]


def test_history_is_the_latest_undeleted_messages_oldest_first(
    store: Store, store_clock: FrozenClock
) -> None:
    small, large = _groups(store)
    ids = []
    for n in range(5):
        message, _ = store.add_webchat_message(
            small.id, user_id="w-1", nickname="a", kind="text", text=f"m{n}"
        )
        ids.append(message.id)
    store.add_webchat_message(large.id, user_id="w-1", nickname="a", kind="text", text="elsewhere")
    deleted = store.delete_webchat_message(ids[3], "advertising", store_clock.now())
    assert deleted is not None and deleted.deleted_reason == "advertising"
    assert store.delete_webchat_message(10_000, "x", store_clock.now()) is None
    assert [m.text for m in store.webchat_history(small.id, limit=3)] == ["m1", "m2", "m4"]
    kept = store.webchat_message(ids[3])
    assert kept is not None and kept.deleted_at == store_clock.now()  # the row stays


def test_rooms_list_the_communitys_groups_with_seats_taken(
    store: Store, store_clock: FrozenClock
) -> None:
    small, large = _groups(store)
    store.webchat_invite_code(large.id, "garden")
    store.add_webchat_user("w-1", "1" * 64, "member")
    store.take_webchat_seat(large.id, "w-1", store_clock.now())
    rooms = store.webchat_rooms(small.community_id, "webchat")
    assert [(r.group.name, r.invite_code, r.taken) for r in rooms] == [
        ("Tea room", None, 0),
        ("Garden", "garden", 1),
    ]
    assert store.webchat_rooms(small.community_id, "matrix") == []
