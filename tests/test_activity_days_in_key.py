"""Migration 0044: on SQLite `activity_days` is stored in its key, (group, day, member), with
no row id and no per-group index beside it; PostgreSQL keeps its table as it was. The rows,
the counts a batch adds to them and the refusal of a second row for one member's day hold
on both databases, before and after the migration and after it goes back down."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from alembic import command
from sqlalchemy import Engine, inspect, text
from sqlalchemy.exc import IntegrityError

from hearthkeeper.clock import FrozenClock
from hearthkeeper.store import Store, create_engine_for, upgrade
from hearthkeeper.store.database import WRITE, build_engine, connect
from hearthkeeper.store.migrate import _config, current_revision
from hearthkeeper.store.rollups import RollupTally

AT = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
MAY_1, MAY_2 = date(2026, 5, 1), date(2026, 5, 2)
PER_GROUP = "ix_activity_days_group_id_day"


def _indexes(engine: Engine) -> set[str]:
    engine.dispose()  # the inspector's cache: read the indexes afresh
    return {i["name"] for i in inspect(engine).get_indexes("activity_days") if i["name"]}


def _table(engine: Engine) -> str:
    with engine.connect() as db:
        sql = db.execute(text(
            "SELECT sql FROM sqlite_master WHERE type = 'table' AND name = 'activity_days'"
        )).scalar_one()  # fmt: skip
    return " ".join(str(sql).split())


def _down_to_0043(url: str) -> None:
    down = build_engine(url, foreign_keys=False)
    try:
        with connect(down.execution_options(**{WRITE: True})) as connection, connection.begin():
            command.downgrade(_config(connection), "0043")
    finally:
        down.dispose()


def _rows(store: Store, groups: list[int]) -> list[tuple[int, int, date, int, int]]:
    rows = store.activity_days(groups, MAY_1, MAY_2)
    return sorted((r.group_id, r.member_id, r.day, r.messages, r.questions) for r in rows)


def _second_row_refused(engine: Engine, group: int, member: int) -> None:
    """A plain INSERT of a member's day already there is refused by the key."""
    with pytest.raises(IntegrityError), engine.begin() as db:
        db.execute(text(
            "INSERT INTO activity_days (group_id, member_id, day, messages, questions) "
            "VALUES (:g, :m, :d, 1, 0)"), {"g": group, "m": member, "d": MAY_1})  # fmt: skip


def test_on_sqlite_the_rollup_is_stored_in_its_key_without_a_per_group_index(
    store: Store,
) -> None:
    """One group's days are read from the table itself, in order, with nothing to sort."""
    if store.engine.dialect.name != "sqlite":
        assert PER_GROUP in _indexes(store.engine)  # PostgreSQL: as it was
        return
    table = _table(store.engine)
    assert "PRIMARY KEY (group_id, day, member_id)" in table and "WITHOUT ROWID" in table, table
    assert _indexes(store.engine) == {"ix_activity_days_day"}


def test_the_migration_keeps_the_rows_and_goes_down_and_up_again(database_url: str) -> None:
    assert upgrade(database_url, to="0043")[-1] == "0043"
    engine = create_engine_for(database_url)
    try:
        store = Store(engine, FrozenClock(AT))
        tea = store.ensure_community("tea", "Tea")
        groups = [store.add_group(tea.id, f"G{n}", "fake", f"g{n}").id for n in (1, 2)]
        ann, bob = (store.member_for("fake", name, name).id for name in ("ann", "bob"))
        tally = RollupTally()
        for group, member, day, question in [(groups[0], ann, MAY_1, True),
                                             (groups[0], ann, MAY_1, False),
                                             (groups[0], bob, MAY_2, False),
                                             (groups[1], ann, MAY_2, True)]:  # fmt: skip
            tally.message(group, member, day, "text", question=question, staff=False)
        store.bump_rollups(tally)
        before = _rows(store, groups)
        assert before == [(groups[0], ann, MAY_1, 2, 1), (groups[0], bob, MAY_2, 1, 0),
                          (groups[1], ann, MAY_2, 1, 1)]  # fmt: skip

        assert upgrade(database_url, to="0044") == ["0044"]
        engine.dispose()
        assert _rows(store, groups) == before
        more = RollupTally()  # a later batch adds to a member's day; a new day is a new row
        more.message(groups[0], ann, MAY_1, "text", question=False, staff=False)
        more.message(groups[1], bob, MAY_1, "text", question=True, staff=False)
        store.bump_rollups(more)
        after = [(groups[0], ann, MAY_1, 3, 1), (groups[0], bob, MAY_2, 1, 0),
                 (groups[1], ann, MAY_2, 1, 1), (groups[1], bob, MAY_1, 1, 1)]  # fmt: skip
        assert _rows(store, groups) == sorted(after)
        _second_row_refused(engine, groups[0], ann)

        _down_to_0043(database_url)
        assert current_revision(database_url) == "0043"
        assert PER_GROUP in _indexes(engine)
        if engine.dialect.name == "sqlite":
            table = _table(engine)
            assert "PRIMARY KEY (group_id, member_id, day)" in table, table
            assert "WITHOUT ROWID" not in table, table
        assert _rows(store, groups) == sorted(after)
        _second_row_refused(engine, groups[0], ann)

        assert upgrade(database_url, to="0044") == ["0044"]
        engine.dispose()
        assert _rows(store, groups) == sorted(after)
        _second_row_refused(engine, groups[1], bob)
    finally:
        engine.dispose()
