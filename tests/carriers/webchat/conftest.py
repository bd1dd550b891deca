"""Fixtures of the web chat's tests: a community's web chat on a SQLite store, and a client."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from hearthkeeper.clock import FrozenClock
from tests.webchat_setup import Chat, build_chat, sqlite_store


@pytest.fixture
def chat(tmp_path: Path, migrated_sqlite: Path, store_clock: FrozenClock) -> Iterator[Chat]:
    """`build_chat` on a copy of the migrated SQLite file."""
    with sqlite_store(tmp_path, migrated_sqlite, store_clock) as store:
        yield build_chat(store, store_clock, tmp_path)


@pytest.fixture
def client(chat: Chat) -> Iterator[TestClient]:
    """The chat's app, running."""
    with TestClient(chat.app) as running:
        yield running
