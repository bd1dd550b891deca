"""The skincare community on the fake Bot API and a SQLite store, for the Telegram tests that
need no other playbook (a module that does defines its own `community`)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest_asyncio

from tests.carriers.telegram.telegram_setup import Hearth, on_sqlite


@pytest_asyncio.fixture
async def community(tmp_path: Path, migrated_sqlite: Path) -> AsyncIterator[Hearth]:
    async with on_sqlite(tmp_path, migrated_sqlite) as found:
        yield found
