"""`store.prepared.run` stores and reads what `Connection.execute` would: each value through
its column's bind processor (a time, a text no database can hold as typed), literals of the
statement in place, a missing parameter refused by name (SQLite and PostgreSQL)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import bindparam, case, create_engine, event, func, insert, select
from sqlalchemy.exc import IntegrityError

from hearthkeeper.store import Store
from hearthkeeper.store.inserts import table_of
from hearthkeeper.store.models import CrisisMarkRow
from hearthkeeper.store.prepared import run

NOW = datetime(2026, 11, 2, 12, 0, tzinfo=UTC)
MARKS = table_of(CrisisMarkRow)
ADD = insert(MARKS).returning(MARKS.c.id)
SINCE = bindparam("since")
COUNTED = select(func.count(case((MARKS.c.at > SINCE, 1))), func.count()).where(
    MARKS.c.group_id == bindparam("group")
)


def row(group_id: int, event: str, at: datetime) -> dict[str, object]:
    return dict(group_id=group_id, member_id=None, carrier_event_id=event, author="ann",
                text="kept\x00as stored", score=0.5, markers="panic", at=at,
                episode_id=None)  # fmt: skip


def test_a_row_written_and_counted_through_run_is_the_one_execute_writes(store: Store) -> None:
    community = store.ensure_community("c", "C")
    group = store.add_group(community.id, "G", "fake", "g")
    with store.engine.begin() as connection:
        by_run = run(connection, ADD, row(group.id, "e1", NOW)).scalar_one()
        by_execute = connection.execute(ADD, row(group.id, "e2", NOW)).scalar_one()
        stored = connection.execute(
            select(MARKS.c.text, MARKS.c.at).where(MARKS.c.id.in_([by_run, by_execute]))
        ).all()
        assert stored[0] == stored[1] == ("kept\ufffdas stored", NOW)

        run(connection, ADD, row(group.id, "e3", NOW - timedelta(hours=1)))
        since = NOW - timedelta(minutes=30)
        params = {"since": since, "group": group.id}
        assert tuple(run(connection, COUNTED, params).one()) == (2, 3)
        assert tuple(connection.execute(COUNTED, params).one()) == (2, 3)


def test_a_missing_parameter_is_named(store: Store) -> None:
    community = store.ensure_community("c", "C")
    group = store.add_group(community.id, "G", "fake", "g")
    with store.engine.begin() as connection, pytest.raises(Exception, match="since"):
        run(connection, COUNTED, {"group": group.id})


def test_run_is_seen_by_the_engines_statement_events_and_fails_as_execute_does(
    store: Store,
) -> None:
    community = store.ensure_community("c", "C")
    group = store.add_group(community.id, "G", "fake", "g")
    seen: list[str] = []

    def heard(_conn: object, _cursor: object, statement: str, *_rest: object) -> None:
        seen.append(statement.split()[0])

    event.listen(store.engine, "before_cursor_execute", heard)
    try:
        with store.engine.begin() as connection:
            run(connection, ADD, row(group.id, "e1", NOW))
            assert tuple(run(connection, COUNTED, {"since": NOW, "group": group.id}).one()) == (
                0,
                1,
            )
            # the same event twice breaks the marks' unique key: SQLAlchemy's error, as
            # `Connection.execute` raises it (what the store's outage handling reads)
            with pytest.raises(IntegrityError):
                run(connection, ADD, row(group.id, "e1", NOW))
    finally:
        event.remove(store.engine, "before_cursor_execute", heard)
    assert [said for said in seen if said != "BEGIN"] == ["INSERT", "SELECT", "INSERT"]


def test_run_outside_a_transaction_begins_one_as_execute_does(store: Store) -> None:
    community = store.ensure_community("c", "C")
    group = store.add_group(community.id, "G", "fake", "g")
    with store.engine.connect() as connection:
        run(connection, ADD, row(group.id, "e1", NOW))
        connection.commit()
    with store.engine.connect() as connection:
        counted = run(connection, COUNTED, {"since": NOW - timedelta(minutes=1), "group": group.id})
        assert tuple(counted.one()) == (1, 1)


def test_run_sends_the_statement_it_compiled_once_to_the_cursor(store: Store) -> None:
    """`run` skips `Connection.execute` (its compile-cache look-up, execution context and
    result) on both databases, and the driver gets the database's own placeholders."""
    community = store.ensure_community("c", "C")
    group = store.add_group(community.id, "G", "fake", "g")
    executed: list[object] = []
    sent: list[str] = []

    def on_execute(_conn: object, statement: object, *_rest: object) -> None:
        executed.append(statement)

    def on_cursor(_conn: object, _cursor: object, statement: str, *_rest: object) -> None:
        sent.append(statement)

    event.listen(store.engine, "before_execute", on_execute)
    event.listen(store.engine, "before_cursor_execute", on_cursor)
    try:
        with store.engine.begin() as connection:
            run(connection, ADD, row(group.id, "e1", NOW))
            run(connection, COUNTED, {"since": NOW, "group": group.id})
    finally:
        event.remove(store.engine, "before_execute", on_execute)
        event.remove(store.engine, "before_cursor_execute", on_cursor)
    assert executed == []
    placeholder = "$1" if store.engine.dialect.name == "postgresql" else "?"
    sent = [said for said in sent if not said.startswith("BEGIN")]
    assert [said.split()[0] for said in sent] == ["INSERT", "SELECT"]
    assert all(placeholder in said for said in sent)


READ_BACK = select(MARKS.c.id, MARKS.c.at, MARKS.c.text, MARKS.c.score, MARKS.c.member_id,
                   (MARKS.c.score > bindparam("bar")).label("over")).where(
    MARKS.c.group_id == bindparam("group")).order_by(MARKS.c.id)  # fmt: skip


def test_rows_run_processed_are_the_rows_execute_reads(store: Store) -> None:
    """With `processed`, what `run` reads back goes through each column's type as
    `Connection.execute`'s rows do: times aware in UTC, texts, numbers, nulls, a test."""
    community = store.ensure_community("c", "C")
    group = store.add_group(community.id, "G", "fake", "g")
    with store.engine.begin() as connection:
        for n in range(3):
            run(connection, ADD, row(group.id, f"e{n}", NOW - timedelta(hours=n, microseconds=7)))
        params = {"group": group.id, "bar": 0.4}
        rows = run(connection, READ_BACK, params, processed=True).all()
        assert [tuple(r) for r in rows] == [
            tuple(r) for r in connection.execute(READ_BACK, params).all()
        ]
    assert rows[1][1] == NOW - timedelta(hours=1, microseconds=7)
    assert rows[0][1].tzinfo is UTC and rows[0][4] is None and rows[0][5] is True


def test_a_statement_run_again_and_again_counts_what_is_stored_each_time(store: Store) -> None:
    """More runs than psycopg's threshold for preparing a statement on the server (5): the
    prepared statement reads and writes as the first runs did."""
    community = store.ensure_community("c", "C")
    group = store.add_group(community.id, "G", "fake", "g")
    counts = []
    with store.engine.begin() as connection:
        for n in range(8):
            at = NOW - timedelta(hours=n % 2)
            run(connection, ADD, row(group.id, f"e{n}", at))
            counted = run(connection, COUNTED, {"since": NOW - timedelta(minutes=30),
                                                "group": group.id})  # fmt: skip
            counts.append(tuple(counted.one()))
    assert counts == [(1, 1), (1, 2), (2, 3), (2, 4), (3, 5), (3, 6), (4, 7), (4, 8)]


def test_an_engine_with_named_placeholders_runs_the_statement_as_execute_does(
    store: Store,
) -> None:
    """An engine not made by `build_engine` (psycopg's own `%(name)s` on PostgreSQL, `:name`
    on SQLite): the statement still runs, through `Connection.execute`."""
    community = store.ensure_community("c", "C")
    group = store.add_group(community.id, "G", "fake", "g")
    postgresql = store.engine.dialect.name == "postgresql"
    named = create_engine(store.engine.url, paramstyle="pyformat" if postgresql else "named")
    try:
        with named.begin() as connection:
            run(connection, ADD, row(group.id, "e1", NOW))
            counted = run(connection, COUNTED, {"since": NOW - timedelta(minutes=1),
                                                "group": group.id})  # fmt: skip
            assert tuple(counted.one()) == (1, 1)
    finally:
        named.dispose()
