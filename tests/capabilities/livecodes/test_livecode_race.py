"""Two newcomers open the live code at the same moment for the last seat of a group: one
gets it, the other is sent to the next group; the group is never overfilled. On both
databases, through the real web chat."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from httpx import Response

from hearthkeeper.capabilities.livecodes.records import GroupLoad
from hearthkeeper.capabilities.livecodes.repository import SqlLiveCodes
from hearthkeeper.clock import FrozenClock
from hearthkeeper.store import Store
from tests.capabilities.livecodes.livecode_setup import build_codes, playbook_text


@pytest.fixture
def slow_loads(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    """Each routing dwells 0.3 s after reading the groups' loads, inside its transaction: a
    second routing not kept waiting would read the same loads meanwhile."""
    original = SqlLiveCodes.loads
    read: list[str] = []

    def loads(self: SqlLiveCodes, community_id: int, carrier: str, now: datetime,
              day_start: datetime) -> list[GroupLoad]:  # fmt: skip
        found = original(self, community_id, carrier, now, day_start)
        read.append(threading.current_thread().name)
        time.sleep(0.3)
        return found

    monkeypatch.setattr(SqlLiveCodes, "loads", loads)
    yield read


def test_two_newcomers_racing_for_the_last_seat_do_not_overfill_the_group(
    store: Store, store_clock: FrozenClock, tmp_path: Path, slow_loads: list[str]
) -> None:
    codes = build_codes(store, store_clock, tmp_path, playbook_text(capacity=2))
    with TestClient(codes.app) as portal:
        assert codes.arrive("Ann").status_code == 303
        codes.engine_round(portal)
        browsers = {"Bo": TestClient(codes.app), "Cy": TestClient(codes.app)}
        sent: dict[str, Response] = {}
        start = threading.Barrier(2)

        def open_link(name: str) -> None:
            start.wait()
            sent[name] = browsers[name].get("/go/poster", follow_redirects=False)

        threads = [threading.Thread(target=open_link, args=(n,), name=n) for n in browsers]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(30)
        assert sent["Bo"].headers["location"] != sent["Cy"].headers["location"]
        for name, browser in browsers.items():
            assert codes.follow(browser, sent[name], name).status_code == 303
        codes.engine_round(portal)
    seated = codes.seated()
    assert len(seated["Tea Friends #1"]) == 2 and seated["Tea Friends #1"][0] == "Ann"
    assert len(seated["Tea Friends #2"]) == 1
    assert sorted(seated["Tea Friends #1"][1:] + seated["Tea Friends #2"]) == ["Bo", "Cy"]
