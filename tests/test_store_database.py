"""Where the data lives: URLs, SQLite settings, and errors a user can read."""

from __future__ import annotations

import socket
import sqlite3
from pathlib import Path

import pytest
from sqlalchemy import delete, insert
from sqlalchemy.exc import IntegrityError

from hearthkeeper.store import Store, StoreError, create_engine_for, sqlite_url
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
