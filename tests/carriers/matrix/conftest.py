"""The skincare community on a real Synapse and a SQLite store, for the Matrix tests that
need no other playbook (a module that does defines its own fixture)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest_asyncio

from hearthkeeper.clock import FrozenClock
from tests.carriers.matrix.matrix_setup import Hearth, hearth, real_now
from tests.integration.synapse import SynapseServer
from tests.webchat_setup import sqlite_store


@pytest_asyncio.fixture
async def community(synapse: SynapseServer, tmp_path: Path,
                    migrated_sqlite: Path) -> AsyncIterator[Hearth]:  # fmt: skip
    clock = FrozenClock(real_now())
    with sqlite_store(tmp_path, migrated_sqlite, clock) as store:
        async with hearth(synapse, store, clock, tmp_path / "data") as found:
            yield found
