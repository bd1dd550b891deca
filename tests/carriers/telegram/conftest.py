"""The skincare community on the fake Bot API and a SQLite store, for the Telegram tests that
need no other playbook (a module that does defines its own `community`)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
import pytest_asyncio

from hearthkeeper.carriers.telegram import carrier as telegram_carrier
from tests.carriers.telegram.telegram_setup import Hearth, on_sqlite

# Seconds between two messages of one text in the tests that use `quick_parts`: Telegram takes
# about one message a second in a chat (`PART_GAP_S`); the fake refuses faster ones only when
# a test turns its `limits()` on, and tests of what a long text's parts say, how they resume
# and what the queue counts for them only waited for it.
QUICK_PART_GAP_S = 0.05


@pytest.fixture
def quick_parts(monkeypatch: pytest.MonkeyPatch) -> None:
    """A long text's parts go 50 ms apart instead of a second: for tests about what the parts
    are, not how they are paced. The tests of the pace itself (the fake's limits on), of flood
    control, of the twenty-a-minute quota and of other groups' messages going between the
    parts keep the real gap."""
    monkeypatch.setattr(telegram_carrier, "PART_GAP_S", QUICK_PART_GAP_S)


@pytest_asyncio.fixture
async def community(tmp_path: Path, migrated_sqlite: Path) -> AsyncIterator[Hearth]:
    async with on_sqlite(tmp_path, migrated_sqlite) as found:
        yield found
