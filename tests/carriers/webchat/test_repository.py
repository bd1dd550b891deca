"""The web chat's tables, on SQLite and PostgreSQL: invite codes, identities, seats with
capacity and bans, and messages kept once per outbox key."""

from __future__ import annotations

from datetime import timedelta

import pytest

from hearthkeeper.carriers.webchat.records import NicknameTaken, SeatOutcome
from hearthkeeper.carriers.webchat.repository import SqlWebChat
from hearthkeeper.clock import FrozenClock
from hearthkeeper.store import Group, Store, StoreError


def _groups(store: Store) -> tuple[Group, Group]:
    community = store.ensure_community("tea", "Tea lovers")
    small = store.add_group(community.id, "Tea room", "webchat", "tea-1", capacity=2)
    large = store.add_group(community.id, "Garden", "webchat", "tea-2", capacity=None)
    return small, large


def test_an_invite_code_is_made_once_and_opens_its_group(store: Store) -> None:
    chat = SqlWebChat.on(store)
    small, large = _groups(store)
    assert chat.invite_code(small.id, "abc") == "abc"
    assert chat.invite_code(small.id, "other") == "abc"  # kept, not replaced
    assert chat.group_for_code("abc") == small
    assert chat.group_for_code("nope") is None
    with pytest.raises(StoreError, match="belongs to another group"):
        chat.invite_code(large.id, "abc")
    room = chat.room("abc")
    assert room is not None
    assert (room.group.name, room.community, room.invite_code, room.taken) == (
        "Tea room", "Tea lovers", "abc", 0,
    )  # fmt: skip


def test_users_are_found_by_the_hash_of_their_token_and_can_rename(store: Store) -> None:
    chat = SqlWebChat.on(store)
    user = chat.add_user("w-1", "h" * 64, "小美")
    assert chat.user_by_token("h" * 64) == user
    assert chat.user_by_token("x" * 64) is None
    assert chat.rename_user("w-1", "Mei").nickname == "Mei"
    assert chat.user("w-1").nickname == "Mei"  # type: ignore[union-attr]
    with pytest.raises(StoreError, match="already exists"):
        chat.add_user("w-1", "g" * 64, "again")


def test_a_name_like_someone_elses_in_a_group_the_user_is_in_is_refused(
    store: Store, store_clock: FrozenClock
) -> None:
    chat = SqlWebChat.on(store)
    small, large = _groups(store)
    now = store_clock.now()
    for user, name, group in (("w-1", "Victoria", large), ("w-2", "Mallory", small),
                              ("w-2", "Mallory", large), ("w-3", "Lan", small)):  # fmt: skip
        if chat.user(user) is None:
            chat.add_user(user, user[-1] * 64, name)
        assert chat.take_seat(group.id, user, now, distinct=True).outcome is SeatOutcome.JOINED
    with pytest.raises(NicknameTaken) as taken:
        chat.rename_user("w-2", "VICTORIA")  # in the other group w-2 is in
    assert (taken.value.group_id, taken.value.other) == (large.id, "Victoria")
    with pytest.raises(NicknameTaken):
        chat.rename_user("w-1", "lan", distinct_in=small.id)  # the group being joined
    assert chat.user("w-2").nickname == "Mallory"  # type: ignore[union-attr]
    chat.leave_seat(large.id, "w-2", now)
    assert chat.rename_user("w-2", "Victoria").nickname == "Victoria"  # left that group
    with pytest.raises(NicknameTaken):
        chat.take_seat(large.id, "w-2", now, distinct=True)  # and is not seated back as her
    assert [s.nickname for s in chat.seated(large.id)] == ["Victoria"]


def test_capacity_counts_members_in_the_group_now(store: Store, store_clock: FrozenClock) -> None:
    chat = SqlWebChat.on(store)
    small, _ = _groups(store)
    now = store_clock.now()
    for n in (1, 2, 3):
        chat.add_user(f"w-{n}", f"{n}" * 64, f"member {n}")
    assert chat.take_seat(small.id, "w-1", now).outcome is SeatOutcome.JOINED
    assert chat.take_seat(small.id, "w-1", now).outcome is SeatOutcome.ALREADY
    assert chat.take_seat(small.id, "w-2", now).taken == 2
    full = chat.take_seat(small.id, "w-3", now)
    assert (full.outcome, full.taken) == (SeatOutcome.FULL, 2)
    assert chat.leave_seat(small.id, "w-1", now) is not None
    assert chat.leave_seat(small.id, "w-1", now) is None  # already out
    assert chat.take_seat(small.id, "w-3", now).outcome is SeatOutcome.JOINED
    assert [u.nickname for u in chat.seated(small.id)] == ["member 2", "member 3"]
    later = now + timedelta(hours=1)
    rejoined = chat.take_seat(small.id, "w-1", later)  # full again
    assert rejoined.outcome is SeatOutcome.FULL
    chat.leave_seat(small.id, "w-2", later)
    rejoined = chat.take_seat(small.id, "w-1", later)
    assert rejoined.outcome is SeatOutcome.JOINED
    assert rejoined.seat is not None and rejoined.seat.joined_at == later  # a new stay


def test_a_ban_closes_the_seat_and_refuses_rejoining_until_lifted(
    store: Store, store_clock: FrozenClock
) -> None:
    chat = SqlWebChat.on(store)
    small, large = _groups(store)
    now = store_clock.now()
    chat.add_user("w-1", "1" * 64, "member")
    chat.take_seat(small.id, "w-1", now)
    assert chat.ban(small.id, "w-1", "spam", now) is True
    assert chat.seats_taken(small.id) == 0
    refused = chat.take_seat(small.id, "w-1", now)
    assert refused.outcome is SeatOutcome.BANNED
    assert refused.seat is not None and refused.seat.ban_reason == "spam"
    assert chat.ban(large.id, "w-1", "pre-emptive", now) is False  # never there
    assert chat.take_seat(large.id, "w-1", now).outcome is SeatOutcome.BANNED
    assert chat.unban(small.id, "w-1") is True
    assert chat.unban(small.id, "w-1") is False
    assert chat.take_seat(small.id, "w-1", now).outcome is SeatOutcome.JOINED


def test_mutes_are_kept_on_the_seat(store: Store, store_clock: FrozenClock) -> None:
    chat = SqlWebChat.on(store)
    small, _ = _groups(store)
    until = store_clock.now() + timedelta(minutes=10)
    assert chat.mute(small.id, "w-9", until, "flood") is None  # no seat
    chat.add_user("w-1", "1" * 64, "member")
    chat.take_seat(small.id, "w-1", store_clock.now())
    seat = chat.mute(small.id, "w-1", until, "flood")
    assert seat is not None and (seat.muted_until, seat.mute_reason) == (until, "flood")
    seat = chat.mute(small.id, "w-1", None, "ignored")
    assert seat is not None and (seat.muted_until, seat.mute_reason) == (None, None)


def test_a_mute_in_a_transaction_keeps_the_seats_other_changes_and_is_seen_in_it(
    store: Store, store_clock: FrozenClock
) -> None:
    """The web chat performs a batch of actions in one transaction: a member removed and
    muted in it stays removed, and reads in it see the mute."""
    small, _ = _groups(store)
    SqlWebChat.on(store).add_user("w-1", "1" * 64, "member")
    SqlWebChat.on(store).take_seat(small.id, "w-1", store_clock.now())
    until = store_clock.now() + timedelta(hours=1)
    with store.transaction() as tx:
        chat = SqlWebChat.on(tx)
        assert chat.seat(small.id, "w-1") is not None  # the session holds the seat now
        assert chat.leave_seat(small.id, "w-1", store_clock.now()) is not None
        assert chat.mute(small.id, "w-1", until, "flood") is not None
        inside = chat.seat(small.id, "w-1")
        assert inside is not None and inside.muted_until == until and inside.left_at is not None
    after = SqlWebChat.on(store).seat(small.id, "w-1")
    assert after is not None and (after.muted_until, after.mute_reason) == (until, "flood")
    assert after.left_at == store_clock.now()


def test_a_bot_message_is_kept_once_per_outbox_key(store: Store) -> None:
    chat = SqlWebChat.on(store)
    small, _ = _groups(store)
    first, created = chat.add_message(
        small.id, user_id=None, nickname="Hearthkeeper", kind="text", text="欢迎！",
        mentions=["w-1"], action_key="k:1",
    )  # fmt: skip
    again, created_again = chat.add_message(
        small.id, user_id=None, nickname="Hearthkeeper", kind="text", text="欢迎！",
        action_key="k:1",
    )  # fmt: skip
    assert (created, created_again) == (True, False)
    assert again == first and first.mentions == ("w-1",)
    assert [m.text for m in chat.history(small.id)] == ["欢迎！"]
    with pytest.raises(StoreError, match="there is no group with id 999"):
        chat.add_message(999, user_id=None, nickname="Hearthkeeper", kind="text", text="hi",
                         action_key="k:2")  # fmt: skip
    assert [m.text for m in chat.history(small.id)] == ["欢迎！"]


def test_history_is_the_latest_undeleted_messages_oldest_first(
    store: Store, store_clock: FrozenClock
) -> None:
    chat = SqlWebChat.on(store)
    small, large = _groups(store)
    ids = []
    for n in range(5):
        message, _ = chat.add_message(
            small.id, user_id="w-1", nickname="a", kind="text", text=f"m{n}"
        )
        ids.append(message.id)
    chat.add_message(large.id, user_id="w-1", nickname="a", kind="text", text="elsewhere")
    taken = chat.take_down(ids[3], "advertising", store_clock.now())
    assert taken is not None and taken[0].deleted_reason == "advertising"
    assert chat.take_down(10_000, "x", store_clock.now()) is None
    assert [m.text for m in chat.history(small.id, limit=3)] == ["m1", "m2", "m4"]
    kept = chat.message(ids[3])
    assert kept is not None and kept.deleted_at == store_clock.now()  # the row stays


def test_rooms_list_the_communitys_groups_with_seats_taken(
    store: Store, store_clock: FrozenClock
) -> None:
    chat = SqlWebChat.on(store)
    small, large = _groups(store)
    chat.invite_code(large.id, "garden")
    chat.add_user("w-1", "1" * 64, "member")
    chat.take_seat(large.id, "w-1", store_clock.now())
    rooms = chat.rooms(small.community_id, "webchat")
    assert [(r.group.name, r.invite_code, r.taken) for r in rooms] == [
        ("Tea room", None, 0),
        ("Garden", "garden", 1),
    ]
    assert chat.rooms(small.community_id, "matrix") == []


def test_a_scheduled_posts_text_is_kept_marked_as_markdown(store: Store) -> None:
    """The page shows a post's Markdown formatted, also from the history a browser reads when
    it reconnects; everything else, a member's `**text**` too, is kept as typed."""
    chat = SqlWebChat.on(store)
    small, _ = _groups(store)
    chat.add_user("w-1", "1" * 64, "小美")
    chat.add_message(small.id, user_id=None, nickname="bot", kind="text", text="**早安**",
                     action_key="post:1", format="markdown")  # fmt: skip
    again, created = chat.add_message(small.id, user_id=None, nickname="bot", kind="text",
                                      text="**早安**", action_key="post:1", format="markdown")  # fmt: skip
    assert not created and again.format == "markdown"
    chat.add_message(small.id, user_id="w-1", nickname="小美", kind="text", text="**我**")
    assert [(m.text, m.format) for m in chat.history(small.id)] == [
        ("**早安**", "markdown"),
        ("**我**", None),
    ]


def test_a_seat_is_read_with_whether_its_group_is_closed(
    store: Store, store_clock: FrozenClock
) -> None:
    """What a member post reads (`seat_and_closed`): the seat as `seat` reads it (a mute's
    end as an aware time), and whether the group is closed now, closed elsewhere too."""
    chat = SqlWebChat.on(store)
    small, large = _groups(store)
    now = store_clock.now()
    chat.add_user("w-1", "1" * 64, "member")
    chat.take_seat(small.id, "w-1", now)
    chat.mute(small.id, "w-1", now + timedelta(minutes=5), "flooding")
    assert chat.seat_and_closed(small.id, "w-1") == (chat.seat(small.id, "w-1"), False)
    seat, _ = chat.seat_and_closed(small.id, "w-1")
    assert seat is not None and seat.muted_until == now + timedelta(minutes=5)
    store.close_group(small.id, "ops")
    assert chat.seat_and_closed(small.id, "w-1") == (chat.seat(small.id, "w-1"), True)
    assert chat.seat_and_closed(large.id, "w-1") == (None, False)  # never seated there
