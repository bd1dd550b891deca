"""The console's "make an event" form, on SQLite and PostgreSQL: a start typed with its UTC
offset is that instant (not community time), and a title or place carrying a text-direction
override or an invisible character (which members would read in their groups) is refused,
saying which character and where."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from hearthkeeper.capabilities.activities.repository import SqlActivities
from hearthkeeper.clock import FrozenClock
from hearthkeeper.store import Store
from tests.console_setup import Console, build_console


@pytest.fixture
def c(store: Store, store_clock: FrozenClock, tmp_path: Path) -> Iterator[Console]:
    yield build_console(store, store_clock, tmp_path)


def _starts(c: Console, title: str) -> datetime:
    events = SqlActivities.on(c.store).events(c.community_id)
    return next(e.starts_at for e in events if e.title == title)


def test_a_start_with_a_utc_offset_is_that_instant(c: Console) -> None:
    # the community is in Asia/Shanghai (UTC+8); 20:30 there is 12:30 UTC
    for title, at in [("local", "2026-05-06T20:30"), ("offset", "2026-05-06T20:30+08:00"),
                      ("utc", "2026-05-06T12:30Z"), ("london", "2026-05-06 13:30+01:00")]:  # fmt: skip
        made = c.post("/events/create", {"title": title, "at": at})
        assert made.status_code == 303, (at, made.text[-600:])
        assert _starts(c, title) == datetime(2026, 5, 6, 12, 30, tzinfo=UTC), at
    far = c.post("/events/create", {"title": "far", "at": "9999-12-31T23:59-05:00"})
    assert far.status_code == 400 and "out of range" in far.text


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)  # a decision, not a query
@pytest.mark.parametrize(("field", "char", "said"), [
    ("title", "\u202e", "U+202E (a right-to-left override) at character 3"),
    ("title", "\u200b", "U+200B (a zero-width space) at character 3"),
    ("place", "\u2067", "U+2067 (a text-direction control) at character 3"),
])  # fmt: skip
def test_a_title_that_would_hide_or_reorder_text_is_refused(c: Console, field: str, char: str,
                                                            said: str) -> None:  # fmt: skip
    form = {"title": "夜跑", "place": "断桥", "at": "2026-05-06T20:30"}
    form[field] = form[field][:2] + char + "gnp.exe"
    refused = c.post("/events/create", form)
    assert refused.status_code == 400 and said in refused.text and f"the {field}" in refused.text
    assert [e.title for e in SqlActivities.on(c.store).events(c.community_id)
            if e.title.startswith("夜跑")] == []  # fmt: skip
    emoji = c.post(
        "/events/create", {"title": "家庭\u200d日 👨\u200d👩\u200d👧", "at": "2026-05-06T20:30"}
    )
    assert emoji.status_code == 303  # joiners build emoji and scripts: they stay


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)  # a decision, not a query
def test_a_refused_start_or_capacity_is_quoted_cut_short(c: Console) -> None:
    # a 100 KB start was repeated whole in the page's message (the field keeps what was typed)
    long_at, long_places = "x" * 100_000, "9" * 5_000
    refused = c.post("/events/create", {"title": "夜跑", "at": long_at})
    assert refused.status_code == 400
    assert f"The start “{'x' * 40}…” is not a date and time" in refused.text
    refused = c.post("/events/create", {"title": "夜跑", "at": "2026-05-06T20:30",
                                        "capacity": long_places})  # fmt: skip
    assert refused.status_code == 400
    assert f"The capacity “{'9' * 40}…” is not a whole number" in refused.text
