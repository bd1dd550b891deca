"""The skincare community on the fake Bot API and a SQLite store, for the Telegram tests that
need no other playbook (a module that does defines its own `community`)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest_asyncio

from hearthkeeper.clock import FrozenClock
from tests.carriers.telegram.telegram_setup import Hearth, fake_api, hearth, real_now
from tests.webchat_setup import sqlite_store


@pytest_asyncio.fixture
async def community(tmp_path: Path, migrated_sqlite: Path) -> AsyncIterator[Hearth]:
    clock = FrozenClock(real_now())
    async with fake_api(clock) as api:
        with sqlite_store(tmp_path, migrated_sqlite, clock) as store:
            async with hearth(api, store, clock, tmp_path / "data") as found:
                yield found
