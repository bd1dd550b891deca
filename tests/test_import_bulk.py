"""The bulk path of an import, on SQLite and PostgreSQL: a chunk costs a fixed number of
statements however many rows it holds (PostgreSQL: COPY into a staging table and one INSERT …
SELECT; SQLite: one prepared INSERT stepped over every row), and it stores exactly what the
row-by-row path stores: each message once, in file order, replies linked, times and texts
as every other write keeps them."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import event, text

from hearthkeeper.importers import (
    ImportedMessage,
    ImportOptions,
    Source,
    import_source,
    open_source,
)
from hearthkeeper.importers.base import GroupRef, SenderRef
from hearthkeeper.importers.csvfile import GivenIds
from hearthkeeper.store import MessageKind, NewMessage, Store


def _history(path: Path, rows: int) -> Path:
    """`rows` messages in 3 groups from 7 senders; every odd one replies to the one before."""
    lines = ["id,timestamp,group,sender,text,reply_to"]
    start = datetime(2024, 5, 1, tzinfo=UTC)
    for i in range(rows):
        at = (start + timedelta(seconds=i)).isoformat()
        reply = f"m{i - 3}" if i % 2 and i >= 3 else ""
        lines.append(f"m{i},{at},g{i % 3},u{i % 7},message {i}?,{reply}")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _statements(store: Store, action: Any) -> int:
    """How many statements `action` sends (an executemany counts once)."""
    seen: list[str] = []

    def count(*args: Any) -> None:
        seen.append(args[2])

    event.listen(store.engine, "before_cursor_execute", count)
    try:
        action()
    finally:
        event.remove(store.engine, "before_cursor_execute", count)
    return len(seen)


def test_an_import_issues_as_many_statements_for_2400_rows_as_for_60(
    store: Store, tmp_path: Path
) -> None:
    small, large = _history(tmp_path / "small.csv", 60), _history(tmp_path / "large.csv", 2400)
    few = _statements(store, lambda: import_source(
        store, open_source("csv", small), community="small"))  # fmt: skip
    many = _statements(store, lambda: import_source(
        store, open_source("csv", large), community="large"))  # fmt: skip
    assert many == few, "one chunk of 2,400 rows costs what a chunk of 60 does"
    stored = sum(len(store.messages(g.id)) for g in store.list_groups(
        store.get_community("large").id))  # type: ignore[union-attr]  # fmt: skip
    assert stored == 2400


def test_importing_again_through_the_bulk_path_adds_nothing_and_keeps_the_links(
    store: Store, tmp_path: Path
) -> None:
    path = _history(tmp_path / "history.csv", 300)
    first = import_source(store, open_source("csv", path), community="c", chunk_size=70)
    again = import_source(store, open_source("csv", path), community="c", chunk_size=45)
    assert (first.messages_added, again.messages_added, again.messages_already) == (300, 0, 300)
    community = store.get_community("c")
    assert community is not None
    for group in store.list_groups(community.id):
        stored = store.messages(group.id)
        ids = {m.carrier_event_id: m.id for m in stored}
        assert [m.id for m in stored] == sorted(m.id for m in stored), "ids follow the file"
        for message in stored:
            expected = None if message.reply_to_event_id is None else ids[message.reply_to_event_id]
            assert message.reply_to_id == expected, message.carrier_event_id
    assert sum(len(store.messages(g.id)) for g in store.list_groups(community.id)) == 300


def test_a_row_repeated_within_a_chunk_is_stored_once_and_replies_find_it(
    store: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The store keeps one message per id and group whatever a reader passes it (the CSV
    reader itself reports an id given twice as a bad row: it is let through here)."""
    monkeypatch.setattr(GivenIds, "first_line", lambda *_: None)
    path = tmp_path / "repeated.csv"
    path.write_text(
        "id,timestamp,group,sender,text,reply_to\n"
        "c,2024-01-01T10:10:00Z,g,u3,an answer to a later question,b\n"
        "a,2024-01-01T10:00:00Z,g,u1,first,\n"
        "a,2024-01-01T10:00:00Z,g,u1,first again,\n"
        "b,2024-01-01T10:05:00Z,g,u2,question?,a\n",
        encoding="utf-8",
    )
    summary = import_source(store, open_source("csv", path), community="c")
    assert (summary.messages_seen, summary.messages_added) == (4, 3)
    [group] = store.list_groups(store.get_community("c").id)  # type: ignore[union-attr]
    by_id = {m.carrier_event_id: m for m in store.messages(group.id)}
    assert by_id["a"].text == "first", "the first of two rows with one id is kept"
    assert by_id["b"].reply_to_id == by_id["a"].id
    assert by_id["c"].reply_to_id == by_id["b"].id, "a reply to a later row is linked"


def test_the_bulk_path_stores_times_and_texts_as_every_other_write(store: Store) -> None:
    community = store.ensure_community("c", "C")
    group = store.add_group(community.id, "g", "import:csv", "c/g")
    member = store.member_for("import:csv", "c/u", "U")
    cst = timezone(timedelta(hours=8))
    sent = datetime(2024, 3, 1, 9, 30, 15, 250, tzinfo=cst)
    store.record_message(group.id, "one", member.id, MessageKind.TEXT, "a\x00b", sent)
    added = store.add_imported_messages([
        NewMessage(group.id, "two", member.id, MessageKind.TEXT, "a\x00b", sent),
        NewMessage(group.id, "three", member.id, "link", "see \ud800 https://x.org", sent,
                   reply_to_event_id="one"),
    ])  # fmt: skip
    assert added == 2
    one, two, three = store.messages(group.id)
    assert two.text == one.text == "a\ufffdb"
    assert three.text == "see \ufffd https://x.org" and three.kind is MessageKind.LINK
    assert two.sent_at == one.sent_at == sent and two.sent_at.tzinfo == UTC
    assert three.reply_to_id == one.id
    with store.engine.connect() as connection:
        raw = connection.execute(text("SELECT sent_at FROM messages ORDER BY id")).scalars().all()
    assert raw[0] == raw[1] == raw[2], "stored alike, so comparisons in SQL agree"


@dataclass
class _Breaking(Source):
    """Yields `good` messages, then fails the way a broken export would."""

    good: int = 0

    format = "test"
    carrier = "import:test"

    def items(self) -> Iterator[ImportedMessage]:
        for i in range(self.good):
            yield ImportedMessage(GroupRef("g", "g"), f"m{i}", SenderRef("u", "U"),
                                  MessageKind.TEXT, f"hello {i}",
                                  datetime(2024, 1, 1, tzinfo=UTC) + timedelta(seconds=i),
                                  None, i + 1)  # fmt: skip
        raise ValueError("the export breaks off here")

    @property
    def total(self) -> int:
        return self.good

    def done(self) -> int:
        return 0


def test_a_source_that_breaks_keeps_the_chunks_before_it(store: Store, tmp_path: Path) -> None:
    source = _Breaking(tmp_path / "x", ImportOptions(), good=25)
    with pytest.raises(ValueError, match="breaks off"):
        import_source(store, source, community="c", chunk_size=10)
    [group] = store.list_groups(store.get_community("c").id)  # type: ignore[union-attr]
    assert len(store.messages(group.id)) == 20, "two whole chunks stored, the third not"


def test_many_members_are_found_again_by_their_identities(store: Store) -> None:
    first = store.member_ids({("import:csv", f"c/u{i}"): f"U{i}" for i in range(0, 120, 2)})
    users = {("import:csv", f"c/u{i}"): f"U{i}" for i in range(120)} | {
        ("import:csv", "c/\x00"): "Z"
    }
    found = store.member_ids(users)
    assert all(found[user] == member_id for user, member_id in first.items()), "known: the same"
    assert len(set(found.values())) == 121
    again = store.member_ids(users)
    assert again == found
    stored = store.find_member("import:csv", "c/\ufffd")
    assert stored is not None and stored.id == found[("import:csv", "c/\x00")]


def test_an_import_leaves_postgresql_its_statistics_and_visibility_map(
    store: Store, tmp_path: Path
) -> None:
    """After an import PostgreSQL has vacuumed and analysed what it filled: a report right
    after it reads the rollups from their indexes alone (no check of each row against the
    table) and the planner knows the tables' sizes."""
    if store.engine.dialect.name != "postgresql":
        pytest.skip("SQLite has no vacuum to wait for")
    import_source(store, open_source("csv", _history(tmp_path / "h.csv", 300)), community="h")

    with store.engine.connect() as connection:
        settled = dict(connection.execute(text(
            "SELECT relname, last_vacuum IS NOT NULL AND last_analyze IS NOT NULL "
            "FROM pg_stat_user_tables WHERE relname IN ('messages', 'activity_days')")).all())  # fmt: skip

    assert settled == {"messages": True, "activity_days": True}
