"""Messages on SQLite and PostgreSQL: each carrier event stored once, replies and mentions kept."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from hearthkeeper.store import Group, Member, MessageKind, Store, StoreError
from hearthkeeper.store.records import MessageDeletion, MessageEdit

SENT = datetime(2026, 5, 1, 8, 30, tzinfo=UTC)


@dataclass(frozen=True)
class Chat:
    group: Group
    ann: Member
    bob: Member


@pytest.fixture
def chat(store: Store) -> Chat:
    community = store.ensure_community("skincare", "Skin care circle")
    group = store.add_group(community.id, "Morning pack", "telegram", "-100123")
    return Chat(
        group=group,
        ann=store.member_for("telegram", "1", "Ann"),
        bob=store.member_for("telegram", "2", "Bob"),
    )


def _text(store: Store, chat: Chat, event_id: str, text: str = "hello") -> tuple[int, bool]:
    return store.record_message(chat.group.id, event_id, chat.ann.id, "text", text, SENT)


def test_a_redelivered_event_is_stored_once(store: Store, chat: Chat) -> None:
    message_id, created = _text(store, chat, "evt-1", "Good morning!")
    again_id, again_created = _text(store, chat, "evt-1", "Good morning! (edited)")

    assert (created, again_created) == (True, False)
    assert again_id == message_id
    assert [m.text for m in store.messages(chat.group.id)] == ["Good morning!"]


def test_the_same_event_id_in_two_groups_is_two_messages(store: Store, chat: Chat) -> None:
    other = store.add_group(chat.group.community_id, "Tutors", "telegram", "-100456")

    first, _ = _text(store, chat, "evt-1")
    second, created = store.record_message(other.id, "evt-1", chat.bob.id, "text", "hi", SENT)

    assert created is True
    assert second != first
    assert len(store.messages(chat.group.id)) == len(store.messages(other.id)) == 1


def test_concurrent_deliveries_of_one_event_store_one_row(store: Store, chat: Chat) -> None:
    workers = 8
    start = threading.Barrier(workers)

    def deliver(_: int) -> tuple[int, bool]:
        start.wait()
        return _text(store, chat, "evt-raced", "only once")

    with ThreadPoolExecutor(workers) as pool:
        results = list(pool.map(deliver, range(workers)))

    assert sorted(created for _, created in results) == [False] * (workers - 1) + [True]
    assert len({message_id for message_id, _ in results}) == 1
    assert len(store.messages(chat.group.id)) == 1


def test_replies_and_mentions_come_back(store: Store, chat: Chat) -> None:
    question, _ = _text(store, chat, "evt-q", "Which toner for oily skin?")
    answer, _ = store.record_message(
        chat.group.id,
        "evt-a",
        chat.bob.id,
        MessageKind.TEXT,
        "@Ann try the green one",
        SENT + timedelta(minutes=2),
        reply_to_event_id="evt-q",
        mentions=[chat.ann.id, chat.ann.id],
    )

    kept = store.get_message(answer)
    assert kept is not None
    assert (kept.reply_to_id, kept.reply_to_event_id) == (question, "evt-q")
    assert kept.mentions == (chat.ann.id,)
    assert kept.member_id == chat.bob.id
    original = store.get_message(question)
    assert original is not None
    assert (original.reply_to_id, original.mentions) == (None, ())


def test_a_reply_to_a_message_never_seen_keeps_the_event_id(store: Store, chat: Chat) -> None:
    reply, _ = store.record_message(
        chat.group.id, "evt-r", None, "text", "+1", SENT, reply_to_event_id="before-we-joined"
    )

    kept = store.get_message(reply)
    assert kept is not None
    assert (kept.reply_to_id, kept.reply_to_event_id, kept.member_id) == (
        None,
        "before-we-joined",
        None,
    )


def test_every_kind_is_kept_and_unknown_kinds_refused(store: Store, chat: Chat) -> None:
    for number, kind in enumerate(MessageKind):
        store.record_message(chat.group.id, f"evt-{number}", chat.ann.id, kind, "", SENT)

    assert [m.kind for m in store.messages(chat.group.id)] == list(MessageKind)
    with pytest.raises(ValueError, match="unknown message kind 'gif'"):
        store.record_message(chat.group.id, "evt-gif", chat.ann.id, "gif", "", SENT)


def test_sent_times_come_back_in_utc_and_select_a_window(store: Store, chat: Chat) -> None:
    shanghai = timezone(timedelta(hours=8))
    for hour in (7, 8, 9):  # local morning in Shanghai
        sent = datetime(2026, 5, 1, hour, 0, tzinfo=shanghai)
        store.record_message(chat.group.id, f"evt-{hour}", chat.ann.id, "text", "", sent)

    window = store.messages(
        chat.group.id,
        since=datetime(2026, 5, 1, 0, 0, tzinfo=UTC),  # 08:00 in Shanghai
        until=datetime(2026, 5, 1, 9, 0, tzinfo=shanghai),
    )

    assert [m.carrier_event_id for m in window] == ["evt-8"]
    assert window[0].sent_at == datetime(2026, 5, 1, 0, 0, tzinfo=UTC)
    assert window[0].sent_at.utcoffset() == timedelta(0)
    assert window[0].recorded_at == datetime(2026, 5, 1, 9, 0, tzinfo=UTC)  # the store's clock
    with pytest.raises(ValueError, match="no time zone"):
        store.record_message(chat.group.id, "evt-x", None, "text", "", datetime(2026, 5, 1))


def test_a_message_for_a_group_that_does_not_exist_is_refused(store: Store, chat: Chat) -> None:
    with pytest.raises(StoreError, match="group 1000 or member"):
        store.record_message(1000, "evt-1", chat.ann.id, "text", "hi", SENT)
    with pytest.raises(StoreError, match="mentions a member that does not exist"):
        store.record_message(
            chat.group.id, "evt-2", chat.ann.id, "text", "@?", SENT, mentions=[999]
        )
    assert store.messages(chat.group.id) == []


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(text=st.text(alphabet=st.characters(exclude_categories=()), max_size=200))
@example(text="a\x00b\ud800c\udfff")  # what PostgreSQL or the drivers would refuse
@example(text="💧 drink water! 喝水 \u200b")
def test_any_text_a_member_sends_is_kept(store: Store, chat: Chat, text: str) -> None:
    event_id = f"evt-{len(store.messages(chat.group.id))}"
    message_id, _ = _text(store, chat, event_id, text)

    kept = store.get_message(message_id)
    assert kept is not None
    # Only what no database can hold (NUL, lone surrogates) is replaced, the same everywhere.
    expected = "".join("\ufffd" if c == "\x00" or "\ud800" <= c <= "\udfff" else c for c in text)
    assert kept.text == expected


def test_seats_say_who_has_posted_in_each_group(store: Store, chat: Chat) -> None:
    """The engine reads its members' seats (open stay, role, whether they posted there) in
    one query per batch: each pair's stay as `active_stays` reads it one by one, and whether
    the member has a message there that was not deleted."""
    other = store.add_group(chat.group.community_id, "Tutors", "telegram", "-100456")
    cat = store.member_for("telegram", "3", "Cat")
    for member in (chat.ann, chat.bob, cat):
        store.join(member.id, chat.group.id, at=SENT)
    store.join(chat.ann.id, other.id, role="manager", at=SENT)
    _text(store, chat, "evt-1")  # Ann posted in the group, not in Tutors
    store.record_message(chat.group.id, "evt-2", chat.bob.id, "text", "buy now", SENT)
    store.delete_messages([MessageDeletion(chat.group.id, "evt-2", "moderation", SENT)])
    store.record_message(other.id, "evt-3", cat.id, "text", "hi", SENT)  # Cat: not seated there
    pairs = {(g, m.id) for g in (chat.group.id, other.id) for m in (chat.ann, chat.bob, cat)}

    seats = store.seats(pairs)

    assert {pair: posted for pair, (_, posted) in seats.items()} == {
        (chat.group.id, chat.ann.id): True,
        (chat.group.id, chat.bob.id): False,  # only a deleted message
        (chat.group.id, cat.id): False,
        (other.id, chat.ann.id): False,
    }
    assert {pair: stay for pair, (stay, _) in seats.items()} == store.active_stays(pairs)
    assert seats[(other.id, chat.ann.id)][0].role == "manager"
    assert store.seats([]) == {}


def test_an_edit_keeps_the_authors_new_text_and_nobody_elses(store: Store, chat: Chat) -> None:
    """The stored text was the text as first posted: an edit was never kept, and staff saw
    `hi all` where the member had edited in an ad. The last edit stands; an edit naming
    someone else's message (Matrix lets anyone send one) or one never stored changes nothing."""
    _text(store, chat, "evt-1", "hi all")
    store.record_message(chat.group.id, "evt-2", chat.bob.id, "text", "bob's", SENT)
    with store.transaction() as tx:
        tx.edit_messages([MessageEdit(chat.group.id, "evt-1", chat.ann.id, "hi all!"),
                          MessageEdit(chat.group.id, "evt-1", chat.ann.id, "加我微信 abc12345"),
                          MessageEdit(chat.group.id, "evt-2", chat.ann.id, "forged"),
                          MessageEdit(chat.group.id, "evt-9", chat.ann.id, "never seen")])  # fmt: skip
    texts = {m.carrier_event_id: m.text for m in store.messages(chat.group.id)}
    assert texts == {"evt-1": "加我微信 abc12345", "evt-2": "bob's"}
