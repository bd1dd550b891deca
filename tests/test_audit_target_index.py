"""The audit log's entries about one target are read through `ix_audit_log_community_id_target`
(migration 0043), on SQLite and PostgreSQL; the migration goes back down cleanly."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from alembic import command
from sqlalchemy import inspect

from hearthkeeper.clock import FrozenClock
from hearthkeeper.store import NewAudit, Store, create_engine_for, upgrade
from hearthkeeper.store.database import WRITE, build_engine, connect
from hearthkeeper.store.migrate import _config, current_revision
from tests.sql_plans import plans

AT = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
INDEX = "ix_audit_log_community_id_target"


def test_a_targets_entries_are_read_through_the_target_index(store: Store) -> None:
    """A member's page (roles given), a group's last closing, the rooms the bot created read
    one target's entries: each read went through every entry of the community."""
    tea = store.ensure_community("tea", "Tea")
    store.audit_bulk([
        NewAudit("engine", "strike", tea.id, f"member {n % 40}", {}, AT + timedelta(seconds=n))
        for n in range(400)
    ])  # fmt: skip
    store.audit("cli", "member.role", tea.id, target="member 7", detail={"role": "monitor"})
    given, read = plans(store, lambda: store.audit_entries(
        tea.id, target="member 7", actions=["member.role"], limit=None), "audit_log")  # fmt: skip
    assert [e.detail for e in given] == [{"role": "monitor"}]
    last, read_last = plans(store, lambda: store.last_audit(
        tea.id, "member 7", ["member.role"]), "audit_log")  # fmt: skip
    assert last is not None and last.detail == {"role": "monitor"}
    assert all(INDEX in plan for plan in read + read_last), "\n\n".join(read + read_last)
    # one entry by what its detail says (a closed group's unsaid kind, a Telegram chat's link)
    store.audit("engine", "member.role", tea.id, target="member 7", detail={"role": "host"})
    picked, read_picked = plans(store, lambda: store.last_audit(
        tea.id, "member 7", ["member.role"], detail={"role": "monitor"}, since=last.at), "audit_log")  # fmt: skip
    assert picked is not None and picked.detail == {"role": "monitor"}
    assert store.last_audit(tea.id, "member 7", ["member.role"], detail={"role": "monitor"},
                            since=last.at + timedelta(seconds=1)) is None  # fmt: skip
    assert all(INDEX in plan for plan in read_picked), "\n\n".join(read_picked)
    # the Groups and Matrix pages' closed groups, all at once
    lasts, read_lasts = plans(store, lambda: store.last_audits(
        tea.id, ["member 7", "member 8"], ["member.role", "strike"]), "audit_log")  # fmt: skip
    assert lasts["member 7"].detail == {"role": "host"} and set(lasts) == {
        "member 7",
        "member 8",
    }
    assert len(read_lasts) == 1 and INDEX in read_lasts[0], "\n\n".join(read_lasts)


def test_the_target_index_migration_goes_down_and_up_again(database_url: str) -> None:
    assert upgrade(database_url, to="0042")[-1] == "0042"
    engine = create_engine_for(database_url)
    try:
        Store(engine, FrozenClock(AT)).ensure_community("tea", "Tea")
        upgrade(database_url)
        assert INDEX in {i["name"] for i in inspect(engine).get_indexes("audit_log")}
        down = build_engine(database_url, foreign_keys=False)
        try:
            with connect(down.execution_options(**{WRITE: True})) as connection, \
                    connection.begin():  # fmt: skip
                command.downgrade(_config(connection), "0042")
        finally:
            down.dispose()
        assert current_revision(database_url) == "0042"
        engine.dispose()  # the inspector's cache: read the indexes afresh
        assert INDEX not in {i["name"] for i in inspect(engine).get_indexes("audit_log")}
        assert upgrade(database_url)[0] == "0043"
        store = Store(engine, FrozenClock(AT))
        tea = store.get_community("tea")
        assert tea is not None
        store.audit("cli", "member.role", tea.id, target="member 1")
        assert len(store.audit_entries(tea.id, target="member 1")) == 1
    finally:
        engine.dispose()
