"""The skincare community on the fake OneBot implementation and a SQLite store, for the QQ
tests that need no other playbook (a module that does defines its own fixture)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
import pytest_asyncio

from hearthkeeper.carriers.onebot import carrier as onebot_carrier
from hearthkeeper.clock import FrozenClock
from tests.carriers.onebot.fake_onebot import WAIT_S
from tests.carriers.onebot.onebot_setup import QQ, qq_community, real_now
from tests.webchat_setup import sqlite_store


@pytest.fixture(autouse=True)
def patient_name_lookups(monkeypatch: pytest.MonkeyPatch) -> None:
    """The carrier waits for a joiner's name as long as a test waits for the welcome naming
    them. Serving QQ it waits 3 s (`LOOKUP_TIMEOUT`), then welcomes the QQ number: the fake
    answers in milliseconds, but on a loaded host its answer can come later than that (shown
    with a 3.5 s delay), and the welcome a test waited for (`欢迎 小美`) never came."""
    monkeypatch.setattr(onebot_carrier, "LOOKUP_TIMEOUT", WAIT_S)


@pytest_asyncio.fixture
async def qq(tmp_path: Path, migrated_sqlite: Path) -> AsyncIterator[QQ]:
    """The skincare community admitting everyone."""
    clock = FrozenClock(real_now())
    with sqlite_store(tmp_path, migrated_sqlite, clock) as store:
        async with qq_community(store, clock, tmp_path / "data") as found:
            yield found
