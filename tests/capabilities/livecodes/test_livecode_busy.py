"""A newcomer's live-code join the database is too busy to finish (SQLite's busy timeout
under load) leaves nothing behind: their identity is stored with their seat, in one
transaction, on SQLite and PostgreSQL, through the real web chat."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.exc import OperationalError

from hearthkeeper.carriers.webchat.repository import SqlWebChat
from hearthkeeper.carriers.webchat.socket import MEMBER_COOKIE
from hearthkeeper.clock import FrozenClock
from hearthkeeper.engine.admission import Admission
from hearthkeeper.store import Store
from hearthkeeper.store.models import MemberRow
from hearthkeeper.store.models.web import WebChatUserRow
from hearthkeeper.web.unavailable import install_unavailable
from tests.capabilities.livecodes.livecode_setup import build_codes, playbook_text


def count(store: Store, table: Any) -> int:
    with store.engine.connect() as connection:
        return int(connection.scalar(select(func.count()).select_from(table)) or 0)


@pytest.mark.parametrize("door", [True, False], ids=["screened", "no door"])
def test_a_join_too_busy_to_seat_leaves_no_identity_and_the_retry_joins_once(
    store: Store,
    store_clock: FrozenClock,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    door: bool,
) -> None:
    """3 of 50 simultaneous live-code joins met SQLite's busy timeout at the seat: each was
    told to try again (503) but left an identity without a seat (and without its cookie, so
    the retry made another). Now the identity is stored in the seat's transaction: the
    failed join stores nothing, sets no cookie, and trying again seats one member."""
    codes = build_codes(store, store_clock, tmp_path, playbook_text(capacity=10))
    if door:  # as `hearth serve` runs it: the community's threshold asked in the seat's transaction
        codes.carrier.admission = Admission(store, store_clock, codes.engine.runtimes.get)
    install_unavailable(codes.app)
    original = SqlWebChat.take_seat
    busy = [True]

    def take_seat(self: SqlWebChat, *args: Any, **kwargs: Any) -> Any:
        if busy and busy.pop():  # once: the write lock not had within the busy timeout
            locked = sqlite3.OperationalError("database is locked")
            raise OperationalError("INSERT INTO webchat_seats …", {}, locked)
        return original(self, *args, **kwargs)

    monkeypatch.setattr(SqlWebChat, "take_seat", take_seat)
    with TestClient(codes.app) as portal:
        browser = TestClient(codes.app, headers={"Accept": "text/html"})
        sent = browser.get("/go/poster", follow_redirects=False)
        failed = codes.follow(browser, sent, "Ann")
        assert failed.status_code == 503 and "Try again in a moment" in failed.text
        assert MEMBER_COOKIE not in failed.cookies
        assert count(store, WebChatUserRow) == 0, "no identity without a seat"
        joined = codes.follow(browser, sent, "Ann")
        assert joined.status_code == 303, joined.text
        assert MEMBER_COOKIE in joined.cookies
        codes.engine_round(portal)
    assert count(store, WebChatUserRow) == 1
    assert codes.seated() == {"Tea Friends #1": ["Ann"]}
    assert count(store, MemberRow) == 1
