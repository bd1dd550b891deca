"""Migrations: `hearth db upgrade` builds exactly the schema the models describe."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import text

from hearthkeeper.capabilities.billing.references import reference_code
from hearthkeeper.clock import FrozenClock
from hearthkeeper.store import (
    Group,
    Store,
    StoreError,
    create_engine_for,
    current_revision,
    head_revision,
    require_current,
    upgrade,
)
from hearthkeeper.store.models import Base
from tests.migrated import group_as_kept_before, migrated_sqlite, playbook_version_as_kept_before

NOW = datetime(2026, 5, 1, 9, 0, tzinfo=UTC)


def test_upgrade_builds_an_empty_database_then_has_nothing_left_to_do(database_url: str) -> None:
    assert current_revision(database_url) is None

    assert upgrade(database_url) == ["0001", "0002", "0003", "0004", "0005", "0006", "0007",
                                     "0008", "0009", "0010", "0011", "0012", "0013",
                                     "0014", "0015", "0016", "0017", "0018", "0019", "0020", "0021",
                                     "0022", "0023", "0024", "0025", "0026", "0027", "0028",
                                     "0029", "0030", "0031", "0032", "0033", "0034", "0035", "0036", "0037", "0038", "0039", "0040", "0041", "0042", "0043", "0044", "0045", "0046", "0047", "0048", "0049", "0050", "0051", "0052", "0053"]  # fmt: skip
    assert current_revision(database_url) == head_revision() == "0053"

    assert upgrade(database_url) == []
    assert current_revision(database_url) == "0053"


# SQLite cannot reflect the expression index on sanctions; the next test checks it there.
@pytest.mark.filterwarnings("ignore:.*expression-based index uq_sanctions_in_force")
@pytest.mark.filterwarnings("ignore:autogenerate skipping metadata-specified expression-based")
def test_migrated_schema_is_exactly_the_models(database_url: str) -> None:
    upgrade(database_url)
    engine = create_engine_for(database_url)
    try:
        with engine.connect() as connection:
            dialect = connection.dialect.name
            context = MigrationContext.configure(connection, opts={
                "compare_type": True, "include_object": _made_on(dialect)})  # fmt: skip
            differences = compare_metadata(context, Base.metadata)
    finally:
        engine.dispose()

    assert differences == []


def _made_on(dialect: str) -> Callable[..., bool]:
    """Autogenerate's filter: a model's index made only on some databases (`ddl_if`) is
    compared only on those (alembic does not read `ddl_if` itself)."""

    def include(item: object, name: str | None, kind: str, reflected: bool, to: object) -> bool:
        condition = getattr(item, "_ddl_if", None)
        if reflected or condition is None or condition.dialect is None:
            return True
        wanted = condition.dialect
        return dialect == wanted if isinstance(wanted, str) else dialect in wanted

    return include


def test_upgrading_a_database_with_data_keeps_the_data(database_url: str) -> None:
    assert upgrade(database_url, to="0001") == ["0001"]
    engine = create_engine_for(database_url)
    try:
        before = Store(engine, FrozenClock(NOW))
        community = before.ensure_community("skincare", "Skin care circle")
        # the group as 0001 stores it: today's `add_group` writes later columns
        group_id = group_as_kept_before(engine, community.id, "Morning pack", "wechat", "g-1", NOW)
        # read by hand too: today's model reads the columns later migrations add (0041)
        group = Group(id=group_id, community_id=community.id, name="Morning pack",
                      carrier="wechat", carrier_group_id="g-1", capacity=None, created_at=NOW)  # fmt: skip
        ann = before.member_for("wechat", "wx-ann", "Ann")
        before.join(ann.id, group.id, role="member")
        message_id, _ = before.record_message(group.id, "m-1", ann.id, "text", "早上好", NOW)
        playbook_version_as_kept_before(engine, community.id, 1, {"name": "x"}, NOW)

        assert upgrade(database_url) == [
            "0002",
            "0003",
            "0004",
            "0005",
            "0006",
            "0007",
            "0008",
            "0009",
            "0010",
            "0011",
            "0012",
            "0013",
            "0014",
            "0015",
            "0016",
            "0017",
            "0018",
            "0019",
            "0020",
            "0021",
            "0022",
            "0023",
            "0024",
            "0025",
            "0026",
            "0027",
            "0028",
            "0029",
            "0030",
            "0031",
            "0032",
            "0033",
            "0034",
            "0035",
            "0036",
            "0037",
            "0038",
            "0039",
            "0040",
            "0041",
            "0042",
            "0043",
            "0044",
            "0045",
            "0046",
            "0047",
            "0048",
            "0049",
            "0050",
            "0051",
            "0052",
            "0053",
        ]

        after = Store(engine, FrozenClock(NOW))
        require_current(engine)
        assert after.get_community("skincare") == community
        assert after.list_groups(community.id) == [group]
        assert after.find_member("wechat", "wx-ann") == ann
        with engine.connect() as connection:  # 0049: her payment reference, derived
            derived = connection.scalar(text("SELECT payment_code FROM member_identities"))
        assert derived == reference_code("wechat", "wx-ann")
        assert [m.member_id for m in after.active_members(group.id)] == [ann.id]
        kept = after.get_message(message_id)
        assert kept is not None and kept.text == "早上好"
        assert kept.deleted_at is None, "a message stored before 0025 counts as it did"
        latest = after.latest_playbook_version(community.id)
        assert latest is not None and latest.version == 1
        # The new tables work alongside the old rows.
        event_id, _ = after.record_event(group.id, "m-1", "message", ann.id, NOW)
        after.add_strike(community.id, ann.id, "flood", "", NOW, None, event_id=event_id)
        assert after.live_strikes(community.id, ann.id, NOW) == 1
    finally:
        engine.dispose()


def test_the_in_force_sanction_index_exists_on_sqlite_too(store: Store) -> None:
    with store.engine.connect() as connection:
        if connection.dialect.name == "sqlite":
            query = "SELECT sql FROM sqlite_master WHERE name = 'uq_sanctions_in_force'"
        else:
            query = "SELECT indexdef FROM pg_indexes WHERE indexname = 'uq_sanctions_in_force'"
        sql = connection.scalar(text(query))

    assert sql is not None
    assert "UNIQUE" in sql.upper() and "coalesce" in sql.lower() and "lifted_at IS NULL" in sql


def test_a_database_that_was_never_upgraded_is_refused_with_the_fix(database_url: str) -> None:
    engine = create_engine_for(database_url)
    try:
        with pytest.raises(StoreError, match="run `hearth db upgrade`"):
            require_current(engine)
        upgrade(database_url)
        require_current(engine)
    finally:
        engine.dispose()


def test_every_store_a_process_opens_is_checked_against_the_migrations_read_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Each `hearth` command checks its database is at the newest revision before opening the
    store; reading the shipped migrations to know that revision compiles all 41 files, so a
    process reads them once (a server's check, then every command of a test run, used to read
    them each time)."""
    first = migrated_sqlite(tmp_path / "first")
    head = head_revision()

    def read_again(*args: object, **kwargs: object) -> None:
        raise AssertionError("the migrations were read again")

    # the class the store's checks read the migrations with (alembic's, as migrate imports it)
    monkeypatch.setattr("hearthkeeper.store.migrate.ScriptDirectory.from_config", read_again)
    for url in (first, migrated_sqlite(tmp_path / "second")):
        engine = create_engine_for(url)
        try:
            require_current(engine)  # at the newest revision: nothing raised
        finally:
            engine.dispose()
    assert head_revision() == head
