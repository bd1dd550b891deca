"""Opening a web chat group from the console's Groups page, on SQLite and PostgreSQL: a
form sent twice (a double click, a resend) opens one group, and a playbook whose next fifty
group names are all taken is a page saying why and what to do, not a server error."""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from sqlalchemy import text

from hearthkeeper.clock import FrozenClock
from hearthkeeper.store import Store
from tests.console_setup import BASE, SLUG, Console, build_console

_FORM = re.compile(r'<form method="post" action="[^"]*/groups">(.*?)</form>', re.S)
_FIELD = re.compile(r'name="([^"]+)" value="([^"]*)"')


@pytest.fixture
def console(store: Store, store_clock: FrozenClock, tmp_path: Path) -> Iterator[Console]:
    yield build_console(store, store_clock, tmp_path)


def _open_form(console: Console) -> dict[str, str]:
    """The fields of the Groups page's "Open another web chat group" form, as a browser
    would send them."""
    found = _FORM.search(console.get("/groups").text)
    assert found is not None, "the groups page offers to open a group"
    return dict(_FIELD.findall(found.group(1)))


def _names(console: Console) -> list[str]:
    return [g.name for g in console.store.list_groups(console.community_id)]


def test_the_same_open_form_sent_twice_opens_one_group(console: Console) -> None:
    form = _open_form(console)
    first = console.client.post(f"{BASE}/groups", data=form, follow_redirects=False)
    assert first.headers["location"] == f"{BASE}/groups?notice=group-opened"
    again = console.client.post(f"{BASE}/groups", data=form, follow_redirects=False)
    assert again.status_code == 303
    assert _names(console) == ["颜学院护肤社 1群", "颜学院护肤社 2群"]
    said = console.client.get(again.headers["location"]).text
    assert "no other was opened" in said
    opened = [e for e in console.store.audit_log(console.community_id, limit=20)
              if e.action == "group.open"]  # fmt: skip
    assert len(opened) == 1
    # the page as it is now opens the next one
    console.client.post(f"{BASE}/groups", data=_open_form(console), follow_redirects=False)
    assert _names(console)[-1] == "颜学院护肤社 3群"


def test_fifty_taken_group_numbers_are_a_page_saying_why(console: Console) -> None:
    for n in range(2, 52):  # the next fifty names, taken by groups on another carrier
        console.store.add_group(console.community_id, f"颜学院护肤社 {n}群", "telegram",
                                f"-100{n}")  # fmt: skip
    before = _names(console)
    answer = console.client.post(f"{BASE}/groups", data=_open_form(console),
                                 follow_redirects=False)  # fmt: skip
    assert answer.status_code == 409 and "text/html" in answer.headers["content-type"]
    assert "No group was opened" in answer.text and "between 2 and 51" in answer.text
    assert "copy.naming" in answer.text and "rename some groups" in answer.text
    assert _names(console) == before


def test_a_second_click_while_the_first_is_opening_opens_nothing_more(
    console: Console, database_url: str
) -> None:
    """Two clicks at the same moment (PostgreSQL: two connections): the second waits for the
    first's opening to commit, then sees the group it opened and opens none."""
    if not database_url.startswith("postgresql"):
        pytest.skip("row locks across connections: PostgreSQL (SQLite writers take turns)")
    form = _open_form(console)
    answers: list[httpx.Response] = []
    second = threading.Thread(target=lambda: answers.append(console.client.post(
        f"{BASE}/groups", data=form, follow_redirects=False)))  # fmt: skip
    with console.store.engine.connect() as first:  # the first click, mid-way through opening
        first.execute(text("SELECT id FROM communities WHERE id = :c FOR UPDATE"),
                      {"c": console.community_id})  # fmt: skip
        first.execute(text("INSERT INTO groups (community_id, name, carrier, carrier_group_id, "
                           "capacity, created_at) VALUES (:c, '颜学院护肤社 2群', 'webchat', "
                           ":g, 500, now())"), {"c": console.community_id, "g": f"{SLUG}-2"})  # fmt: skip
        second.start()
        with console.store.engine.connect() as look:  # until the second click waits
            while second.is_alive() and not look.execute(text(
                    "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' "
                    "AND datname = current_database()")).scalar():  # fmt: skip
                look.rollback()
                time.sleep(0.01)
        assert second.is_alive(), "the second click did not wait for the first"
        first.commit()
    second.join()
    assert _names(console) == ["颜学院护肤社 1群", "颜学院护肤社 2群"]
    assert answers[0].headers["location"] == f"{BASE}/groups?problem=group-opened-already"
