"""The join form's store writes (its count against the join limit, a newcomer's identity, a
seat) wait for SQLite's write lock
in a worker thread, never on the event loop: while another writer holds the database (the
engine's batch, an import), the rest of the web keeps answering."""

from __future__ import annotations

import asyncio
import sqlite3
import threading
from collections.abc import Callable
from typing import Any

import httpx
import pytest

from hearthkeeper.carriers.webchat.limits import ChatLimits
from hearthkeeper.store.database import SQLITE_FILE
from hearthkeeper.store.misses import SqlMisses
from tests.webchat_setup import _CSRF, _HIDDEN, Chat

GUARD_S = 60.0  # only against a hang: no assertion depends on how long anything takes


def held_at(owner: object, method: str, monkeypatch: pytest.MonkeyPatch) -> threading.Event:
    """An event set when `owner`'s store method `method` is called (just before it asks
    SQLite for the write lock)."""
    reached = threading.Event()
    original: Callable[..., Any] = getattr(owner, method)

    def noted(*args: Any, **kwargs: Any) -> Any:
        reached.set()
        return original(*args, **kwargs)

    monkeypatch.setattr(owner, method, noted)
    return reached


async def form(client: httpx.AsyncClient, code: str) -> dict[str, str]:
    page = await client.get(f"/join/{code}")
    found = _CSRF.search(page.text)
    assert found is not None, page.text
    return {**dict(_HIDDEN.findall(page.text)), "csrf_token": found[1]}


@pytest.mark.parametrize("who", ["newcomer", "member joining another group", "join counted"])
def test_the_join_form_waiting_for_the_database_does_not_stop_the_other_pages(
    chat: Chat, who: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    db_file = chat.store.engine.url.database
    assert db_file is not None and db_file.endswith(SQLITE_FILE)

    async def scenario() -> tuple[int, str]:
        transport = httpx.ASGITransport(app=chat.app)
        async with httpx.AsyncClient(transport=transport, base_url="http://chat.test") as browser:
            if who != "newcomer":  # seated in the Tea room; now joins the Garden
                fields = await form(browser, chat.codes[0])
                joined = await browser.post(f"/join/{chat.codes[0]}",
                                            data={**fields, "nickname": "Mei"})  # fmt: skip
                assert joined.status_code == 303
            fields = await form(browser, chat.codes[1])
            if who == "join counted":  # the join's first write: its count (store/misses.py)
                writing = held_at(SqlMisses, "take", monkeypatch)
            else:  # the writes after it: the count let through, so the seat's is the first
                monkeypatch.setattr(ChatLimits, "join", lambda *_: None)
                # a newcomer's identity is written with their seat, in one transaction
                writing = (held_at(chat.carrier, "_seat", monkeypatch) if who == "newcomer"
                           else held_at(chat.carrier.platform, "take_seat", monkeypatch))  # fmt: skip
            other = sqlite3.connect(db_file, isolation_level=None)
            other.execute("BEGIN IMMEDIATE")  # another writer holds the database
            try:
                joining = asyncio.create_task(browser.post(
                    f"/join/{chat.codes[1]}", data={**fields, "nickname": "Mei"}))  # fmt: skip
                deadline = asyncio.get_running_loop().time() + GUARD_S
                while not writing.is_set() and asyncio.get_running_loop().time() < deadline:
                    await asyncio.sleep(0.01)
                assert writing.is_set(), "the join form never reached its write"
                async with httpx.AsyncClient(transport=transport,
                                             base_url="http://chat.test") as someone:  # fmt: skip
                    page = await asyncio.wait_for(someone.get(f"/join/{chat.codes[0]}"), GUARD_S)
                held = not joining.done()  # answered while the join still waited for SQLite
            finally:
                other.execute("ROLLBACK")
                other.close()
            joined = await asyncio.wait_for(joining, GUARD_S)
            assert held, "the page was answered only once the join had given up"
            return page.status_code, f"{joined.status_code} {joined.headers.get('location')}"

    page, joined = asyncio.run(scenario())
    assert page == 200
    assert joined == f"303 /chat/{chat.codes[1]}"
    seated = [s.nickname for s in chat.carrier.platform.seated(chat.groups[1].id)]
    assert seated == ["Mei"], "seated once the other writer was done"
