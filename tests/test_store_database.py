"""Where the data lives: URLs, SQLite settings, and errors a user can read."""

from __future__ import annotations

import socket
import sqlite3
from pathlib import Path

import pytest
from sqlalchemy import Engine, delete, insert
from sqlalchemy.exc import IntegrityError

from hearthkeeper.store import Store, StoreError, create_engine_for, database, sqlite_url
from hearthkeeper.store.database import parse_url
from hearthkeeper.store.models import CommunityRow, GroupRow


def test_sqlite_lives_in_the_data_directory_which_is_created(tmp_path: Path) -> None:
    url = sqlite_url(tmp_path / "state" / "hearth")

    assert (tmp_path / "state" / "hearth").is_dir()
    assert url == f"sqlite:///{tmp_path}/state/hearth/hearth.db"


@pytest.mark.parametrize("url", ["postgres://u@h/db", "postgresql://u@h/db"])
def test_postgresql_urls_use_psycopg_3(url: str) -> None:
    assert parse_url(url).drivername == "postgresql+psycopg"


def test_sqlite_runs_in_wal_mode_so_readers_do_not_block_the_writer(tmp_path: Path) -> None:
    url = sqlite_url(tmp_path)
    engine = create_engine_for(url)
    engine.dispose()

    # WAL is a property of the file: any later connection, even a plain one, sees it.
    with sqlite3.connect(tmp_path / "hearth.db") as plain:
        assert plain.execute("PRAGMA journal_mode").fetchone() == ("wal",)


def _fill(engine: Engine, transactions: int, rows: int) -> None:
    """`transactions` commits of `rows` rows of 1,200 characters each (~3 to a page)."""
    with engine.begin() as connection:
        connection.exec_driver_sql("CREATE TABLE IF NOT EXISTS filler (text TEXT)")
    for _ in range(transactions):
        with engine.begin() as connection:
            connection.exec_driver_sql(
                "INSERT INTO filler (text) VALUES (?)", [("x" * 1200,)] * rows
            )


def test_a_busy_writer_commits_without_checkpointing_every_few_batches(tmp_path: Path) -> None:
    # Five commits of ~400 pages each, as large as an engine batch's: SQLite's default
    # copied the log into the database (and waited for the disk) once it passed 1,000 pages,
    # then started it again; now every page stays in the log until it holds 10,000.
    engine = create_engine_for(sqlite_url(tmp_path))
    _fill(engine, transactions=5, rows=1200)
    with engine.connect() as connection:
        _, in_log, _ = connection.exec_driver_sql("PRAGMA wal_checkpoint(PASSIVE)").one()
    engine.dispose()

    assert in_log >= 1900


def test_the_log_file_is_cut_back_after_a_checkpoint(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Smaller than the real 10,000 pages and 64 MiB, to the same effect: a log that grew
    # past the limit (one large transaction) keeps no more than the limit on disk once
    # checkpointed and started again.
    monkeypatch.setattr(database, "WAL_CHECKPOINT_PAGES", 100)
    monkeypatch.setattr(database, "WAL_LIMIT_BYTES", 256 * 1024)
    engine = create_engine_for(sqlite_url(tmp_path))
    _fill(engine, transactions=1, rows=3000)  # ~1,000 pages: 4 MiB of log
    grown = (tmp_path / "hearth.db-wal").stat().st_size
    _fill(engine, transactions=1, rows=1)  # starts the checkpointed log again
    kept = (tmp_path / "hearth.db-wal").stat().st_size
    engine.dispose()

    assert grown > 3 * 1024 * 1024
    assert kept <= 256 * 1024


def test_foreign_keys_are_enforced(store: Store) -> None:
    community = store.ensure_community("skincare", "Skin care")
    store.add_group(community.id, "Morning pack", "wechat", "g-1")

    with store.engine.connect() as connection:
        with pytest.raises(IntegrityError):
            connection.execute(delete(CommunityRow).where(CommunityRow.id == community.id))
        connection.rollback()
        with pytest.raises(IntegrityError):
            connection.execute(
                insert(GroupRow).values(
                    community_id=community.id + 1000,
                    name="Orphan",
                    carrier="wechat",
                    carrier_group_id="g-2",
                    created_at=community.created_at,
                )
            )
    with pytest.raises(StoreError, match="no community with id"):
        store.add_group(community.id + 1000, "Orphan", "wechat", "g-3")


def test_a_malformed_url_is_explained_without_its_password() -> None:
    with pytest.raises(StoreError, match="is not a database URL; expected sqlite") as info:
        create_engine_for("postgresql//admin:s3cret@host/db")
    assert "s3cret" not in str(info.value)


def test_an_unsupported_database_is_named() -> None:
    with pytest.raises(StoreError, match=r"'mysql'.*SQLite or PostgreSQL") as info:
        create_engine_for("mysql://admin:s3cret@localhost/hearth")
    assert "s3cret" not in str(info.value)


def test_an_unreachable_server_is_reported_with_what_to_check() -> None:
    with socket.socket() as sock:  # a port on which nothing listens
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]

    with pytest.raises(
        StoreError, match=r"cannot reach the database.*Is the server running"
    ) as info:
        create_engine_for(f"postgresql://hearth:s3cret@127.0.0.1:{port}/hearth")
    assert "s3cret" not in str(info.value)


def test_a_sqlite_file_that_cannot_be_created_is_reported(tmp_path: Path) -> None:
    with pytest.raises(StoreError, match="cannot open the SQLite database"):
        create_engine_for(f"sqlite:///{tmp_path}/missing/dir/hearth.db")
