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


# Seconds between two messages of one text in the tests that use `quick_parts`: QQ's risk
# control needs the real second (`PART_GAP_S`); the fake has none unless a test sets its
# `min_gap`, and tests of what a long text's parts say, resume or record only waited for it.
QUICK_PART_GAP_S = 0.05


@pytest.fixture
def quick_parts(monkeypatch: pytest.MonkeyPatch) -> None:
    """A long text's parts (and a post's text after its file) go 50 ms apart instead of a
    second: for tests about what the parts are, not how they are paced. The tests of the pace
    itself, and of other groups' actions going between the parts, keep the real gap."""
    monkeypatch.setattr(onebot_carrier, "PART_GAP_S", QUICK_PART_GAP_S)


@pytest_asyncio.fixture
async def qq(tmp_path: Path, migrated_sqlite: Path) -> AsyncIterator[QQ]:
    """The skincare community admitting everyone."""
    clock = FrozenClock(real_now())
    with sqlite_store(tmp_path, migrated_sqlite, clock) as store:
        async with qq_community(store, clock, tmp_path / "data") as found:
            yield found
