"""The skincare community on the fake OneBot implementation and a SQLite store, for the QQ
tests that need no other playbook (a module that does defines its own fixture)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest_asyncio

from hearthkeeper.clock import FrozenClock
from tests.carriers.onebot.onebot_setup import QQ, qq_community, real_now
from tests.webchat_setup import sqlite_store


@pytest_asyncio.fixture
async def qq(tmp_path: Path, migrated_sqlite: Path) -> AsyncIterator[QQ]:
    """The skincare community admitting everyone."""
    clock = FrozenClock(real_now())
    with sqlite_store(tmp_path, migrated_sqlite, clock) as store:
        async with qq_community(store, clock, tmp_path / "data") as found:
            yield found
