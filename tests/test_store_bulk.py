"""The bulk path on SQLite and PostgreSQL: many rows per statement, and each row still
says whether it was new, with the id it has (or already had)."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import event, func, select

from hearthkeeper.clock import FrozenClock
from hearthkeeper.store import (
    Group,
    Member,
    NewEvent,
    NewMessage,
    NewOutboxItem,
    Store,
    StoreError,
)
from hearthkeeper.store.models import MemberRow


@dataclass(frozen=True)
class Chat:
    group: Group
    ann: Member
    at: datetime


@pytest.fixture
def chat(store: Store, store_clock: FrozenClock) -> Chat:
    community = store.ensure_community("skincare", "Skin care circle")
    return Chat(
        group=store.add_group(community.id, "Morning pack", "telegram", "-100123"),
        ann=store.member_for("telegram", "1", "Ann"),
        at=store_clock.now() - timedelta(minutes=5),
    )


def _event(chat: Chat, event_id: str) -> NewEvent:
    return NewEvent(chat.group.id, event_id, "message", chat.ann.id, chat.at)


def _message(
    chat: Chat,
    event_id: str,
    text: str = "hi",
    reply_to_event_id: str | None = None,
    mentions: tuple[int, ...] = (),
) -> NewMessage:
    return NewMessage(
        chat.group.id, event_id, chat.ann.id, "text", text, chat.at, reply_to_event_id, mentions
    )


def test_bulk_events_report_new_and_seen_rows(store: Store, chat: Chat) -> None:
    seen, _ = store.record_event(chat.group.id, "e-1", "message", chat.ann.id, chat.at)

    outcome = store.record_events_bulk(
        [_event(chat, "e-2"), _event(chat, "e-1"), _event(chat, "e-3"), _event(chat, "e-2")]
    )

    assert [created for _, created in outcome] == [True, False, True, False]
    assert outcome[1][0] == seen
    assert outcome[3][0] == outcome[0][0]  # repeated within the batch: one row
    assert len({event_id for event_id, _ in outcome}) == 3
    again = store.record_events_bulk([_event(chat, "e-3"), _event(chat, "e-1")])
    assert again == [(outcome[2][0], False), (seen, False)]
    assert store.record_events_bulk([]) == []


def test_bulk_keys_with_unstorable_characters_still_match(store: Store, chat: Chat) -> None:
    first = store.record_events_bulk([_event(chat, "e\x00-1")])
    again = store.record_events_bulk([_event(chat, "e\x00-1"), _event(chat, "e\ufffd-1")])

    assert first == [(first[0][0], True)]
    assert again == [(first[0][0], False), (first[0][0], False)]  # stored alike


def test_bulk_messages_report_new_and_seen_and_link_replies(store: Store, chat: Chat) -> None:
    bob = store.member_for("telegram", "2", "Bob")
    question, _ = store.record_message(chat.group.id, "m-1", chat.ann.id, "text", "Toner?", chat.at)

    outcome = store.record_messages_bulk(
        [
            _message(chat, "m-2", "green one", reply_to_event_id="m-1", mentions=(chat.ann.id,)),
            _message(chat, "m-1", "Toner? (again)"),
            _message(chat, "m-3", "thanks!", reply_to_event_id="m-2", mentions=(bob.id, bob.id)),
            _message(chat, "m-4", "+1", reply_to_event_id="never-seen"),
        ]
    )

    assert [created for _, created in outcome] == [True, False, True, True]
    assert outcome[1][0] == question
    by_event = {m.carrier_event_id: m for m in store.messages(chat.group.id)}
    assert by_event["m-1"].text == "Toner?"
    assert (by_event["m-2"].reply_to_id, by_event["m-2"].mentions) == (question, (chat.ann.id,))
    assert (by_event["m-3"].reply_to_id, by_event["m-3"].mentions) == (outcome[0][0], (bob.id,))
    assert (by_event["m-4"].reply_to_id, by_event["m-4"].reply_to_event_id) == (None, "never-seen")


def test_bulk_outbox_reports_new_and_seen_keys(store: Store, chat: Chat) -> None:
    event_id, _ = store.record_event(chat.group.id, "e-1", "message", chat.ann.id, chat.at)
    queued, _ = store.enqueue("e-1:delete", "telegram", {"kind": "delete"}, 0)

    outcome = store.enqueue_bulk(
        [
            NewOutboxItem("e-1:warn", "telegram", {"kind": "warn"}, 1, event_id=event_id),
            NewOutboxItem("e-1:delete", "telegram", {"kind": "delete"}, 0, event_id=event_id),
            NewOutboxItem("dry", "telegram", {"kind": "kick"}, 0, status="skipped"),
        ]
    )

    assert [created for _, created in outcome] == [True, False, True]
    assert outcome[1][0] == queued
    assert store.outbox_counts()["pending"] == 2
    assert store.outbox_counts()["skipped"] == 1


def test_bulk_rows_pointing_nowhere_are_refused_whole(store: Store, chat: Chat) -> None:
    with pytest.raises(StoreError, match="cannot record 2 events: a group or member"):
        store.record_events_bulk([_event(chat, "e-1"), NewEvent(999, "e-2", "join", None, chat.at)])
    with pytest.raises(StoreError, match="one mentions a member that does not exist"):
        store.record_messages_bulk([_message(chat, "m-1", mentions=(999,))])
    with pytest.raises(StoreError, match="cannot queue 1 actions"):
        store.enqueue_bulk([NewOutboxItem("k", "telegram", {}, 0, event_id=999)])
    # Nothing of a refused batch was kept.
    assert [created for _, created in store.record_events_bulk([_event(chat, "e-1")])] == [True]
    assert store.messages(chat.group.id) == []
    assert store.outbox_items() == []


def test_members_and_groups_are_resolved_in_one_go(store: Store, chat: Chat) -> None:
    other = store.add_group(chat.group.community_id, "Tutors", "matrix", "!room:hs")

    ids = store.member_ids(
        {("telegram", "1"): "Ann (renamed)", ("telegram", "7"): "Cat", ("matrix", "@d:hs"): "Dan"}
    )

    assert ids[("telegram", "1")] == chat.ann.id
    cat = store.get_member(ids[("telegram", "7")])
    assert cat is not None and cat.display_name == "Cat"
    assert store.find_member("matrix", "@d:hs") == store.get_member(ids[("matrix", "@d:hs")])
    assert store.member_ids({("telegram", "7"): "", ("matrix", "@d:hs"): ""}) == {
        ("telegram", "7"): cat.id,
        ("matrix", "@d:hs"): ids[("matrix", "@d:hs")],
    }
    assert store.get_member(chat.ann.id) == chat.ann  # known members keep their name
    assert store.group_ids(
        [("telegram", "-100123"), ("matrix", "!room:hs"), ("telegram", "-100999")]
    ) == {("telegram", "-100123"): chat.group.id, ("matrix", "!room:hs"): other.id}


def test_many_new_members_are_inserted_in_one_statement_each_with_its_own_id(
    store: Store,
) -> None:
    users = {("telegram", str(n)): f"User {n}" for n in range(200, 450)}
    inserts: list[str] = []

    def seen(_conn: object, _cursor: object, statement: str, *_: object) -> None:
        if statement.lstrip().upper().startswith("INSERT INTO MEMBERS "):
            inserts.append(statement)

    event.listen(store.engine, "before_cursor_execute", seen)
    try:
        ids = store.member_ids(users)
    finally:
        event.remove(store.engine, "before_cursor_execute", seen)

    assert len(inserts) == 1  # not one per member (what SQLAlchemy's ordered RETURNING sends)
    for user, name in users.items():
        member = store.get_member(ids[user])
        assert member is not None and member.display_name == name
        assert store.find_member(*user) == member


def test_new_members_seen_by_several_workers_at_once_are_created_once(store: Store) -> None:
    users = {("telegram", str(n)): f"User {n}" for n in range(100, 140)}
    workers = 4
    start = threading.Barrier(workers)

    def resolve(_: int) -> dict[tuple[str, str], int]:
        start.wait()
        return store.member_ids(users)

    with ThreadPoolExecutor(workers) as pool:
        results = list(pool.map(resolve, range(workers)))

    assert all(result == results[0] for result in results)
    assert len(set(results[0].values())) == 40
    with store.engine.connect() as connection:  # no half-made members left behind
        assert connection.scalar(select(func.count()).select_from(MemberRow)) == 40


def test_store_messages_records_each_message_once_and_links_replies(store: Store) -> None:
    community = store.ensure_community("quiet", "Quiet")
    group = store.add_group(community.id, "Q 1", "webchat", "q1", 500)
    member = store.member_for("webchat", "u1", "U1")
    at = datetime(2026, 5, 1, 9, 0, tzinfo=UTC)
    rows = [
        NewMessage(group.id, "m1", member.id, "text", "first", at),
        NewMessage(group.id, "m2", member.id, "text", "a reply", at, reply_to_event_id="m1"),
    ]
    store.store_messages(rows)
    store.store_messages(rows)  # redelivered: nothing is stored twice
    stored = store.messages(group.id)
    assert [m.text for m in stored] == ["first", "a reply"]
    assert stored[1].reply_to_id == stored[0].id
