"""The console's live-code page in the real application: make a channel, see its link and QR
image, download it, follow it, retire it."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from hearthkeeper.capabilities.livecodes.records import ChannelKind
from hearthkeeper.capabilities.livecodes.repository import SqlLiveCodes
from hearthkeeper.clock import FrozenClock
from hearthkeeper.store import database
from hearthkeeper.store.database import SQLITE_FILE
from hearthkeeper.text.qr import read_qr_codes
from tests.console_setup import open_console


def test_staff_make_show_follow_and_retire_a_live_code(
    migrated_sqlite: Path, tmp_path: Path, store_clock: FrozenClock
) -> None:
    console = open_console(migrated_sqlite, tmp_path, store_clock)
    made = console.post("/livecodes", {"code": "zhihu-article", "label": "知乎文章",
                                       "kind": "self_media", "notes": "<b>March</b>"})  # fmt: skip
    assert made.status_code == 303
    page = console.get("/livecodes")
    assert page.status_code == 200
    assert "http://chat.example/go/zhihu-article" in page.text and "知乎文章" in page.text
    assert 'src="/go/zhihu-article.svg"' in page.text and "&lt;b&gt;March" in page.text
    png = console.client.get("/go/zhihu-article.png")
    assert read_qr_codes(png.content) == ["http://chat.example/go/zhihu-article"]
    sent = console.client.get("/go/zhihu-article", follow_redirects=False)
    assert sent.status_code == 303 and sent.headers["location"].startswith("/join/")
    assert sent.headers["location"].endswith("?via=code%3Azhihu-article")

    again = console.post("/livecodes", {"code": "zhihu-article"})
    assert again.status_code == 409 and "exists already" in again.text
    bad = console.post("/livecodes", {"code": "Not A Slug", "label": "知乎回答",
                                      "kind": "partner", "notes": "三月"})  # fmt: skip
    assert bad.status_code == 400 and "lower-case letters" in bad.text
    assert 'value="Not A Slug"' in bad.text and 'value="知乎回答"' in bad.text  # kept
    assert 'value="三月"' in bad.text and 'value="partner" selected' in bad.text

    assert console.post("/livecodes/zhihu-article/retire").status_code == 303
    assert "retired" in console.get("/livecodes").text
    assert console.client.get("/go/zhihu-article", follow_redirects=False).status_code == 410
    assert console.post("/livecodes/nothing/retire").status_code == 404
    actions = [e.action for e in console.store.audit_log(console.community_id)]
    assert "livecode.create" in actions and "livecode.retire" in actions


def test_a_live_code_for_a_carrier_that_does_not_run_is_refused_or_said_to_be_not_ready(
    migrated_sqlite: Path, tmp_path: Path, store_clock: FrozenClock
) -> None:
    """Staff cannot make one in the console; one made when the carrier ran (or straight in
    the store) tells newcomers the link is not ready, not that every group is full, and the
    console page says it is not routing."""
    console = open_console(migrated_sqlite, tmp_path, store_clock)
    refused = console.post("/livecodes", {"code": "qq-poster", "carrier": "qq"})
    assert refused.status_code == 400
    assert "this server does not run the qq carrier" in refused.text
    assert "a carrier it runs: webchat" in refused.text
    assert SqlLiveCodes.on(console.store).channel("qq-poster") is None

    with console.store.transaction() as tx:
        SqlLiveCodes.on(tx).add_channel(console.community_id, "old-matrix", "Old", ChannelKind.POSTER,
                                        notes="", carrier="matrix", by="test", at=store_clock.now())  # fmt: skip
    sent = console.client.get("/go/old-matrix", follow_redirects=False)
    assert sent.status_code == 503
    assert "还没准备好" in sent.text and "满员" not in sent.text
    assert "This server runs no matrix carrier" in console.get("/livecodes").text


def test_a_matrix_live_code_shows_its_figures_like_a_web_chat_one(
    migrated_sqlite: Path, tmp_path: Path, store_clock: FrozenClock
) -> None:
    """A Matrix join by the join page's invitation says which link brought the newcomer: a
    Matrix channel shows arrived, stayed, spoke and paid as a web chat channel does."""
    console = open_console(migrated_sqlite, tmp_path, store_clock)
    with console.store.transaction() as tx:
        repo = SqlLiveCodes.on(tx)
        repo.add_channel(console.community_id, "room-poster", "Room", ChannelKind.POSTER,
                         notes="", carrier="matrix", by="test", at=store_clock.now())  # fmt: skip
        repo.add_channel(console.community_id, "web-poster", "Web", ChannelKind.POSTER,
                         notes="", carrier="webchat", by="test", at=store_clock.now())  # fmt: skip
    page = console.get("/livecodes").text
    matrix_row = page[page.index('id="code-room-poster"') :].split("</tr>")[0]
    web_row = page[page.index('id="code-web-poster"') :].split("</tr>")[0]
    assert '<td class="num">0</td>' in matrix_row and "not available" not in matrix_row
    assert '<td class="num">0</td>' in web_row and "not available" not in web_row


def test_a_newcomer_following_a_code_while_the_database_is_away_reads_it_in_chinese(
    migrated_sqlite: Path, tmp_path: Path, store_clock: FrozenClock,
    monkeypatch: pytest.MonkeyPatch,
) -> None:  # fmt: skip
    """A poster's QR code scanned while a backup holds the SQLite file: a 503 page the
    newcomer of a Chinese community can read (the page cannot know the community's language
    then: the browser's comes first), and the code works once the file is free."""
    monkeypatch.setattr(database, "BUSY_TIMEOUT_MS", 100)  # the lock is met at once
    console = open_console(migrated_sqlite, tmp_path, store_clock)
    assert console.post("/livecodes", {"code": "poster"}).status_code == 303
    other = sqlite3.connect(tmp_path / "data" / SQLITE_FILE, isolation_level=None)
    other.execute("BEGIN EXCLUSIVE")
    try:
        zh = {"Accept": "text/html", "Accept-Language": "zh-CN,zh;q=0.9,en;q=0.8"}
        page = console.client.get("/go/poster", headers=zh, follow_redirects=False)
        assert page.status_code == 503 and page.headers["retry-after"]
        assert page.text.index("请稍后再试") < page.text.index("Try again in a moment")
        en = console.client.get("/go/poster", headers={"Accept": "text/html"},
                                follow_redirects=False)  # fmt: skip
        assert en.status_code == 503
        assert en.text.index("Try again in a moment") < en.text.index("请稍后再试")
    finally:
        other.execute("ROLLBACK")
        other.close()
    assert console.client.get("/go/poster", follow_redirects=False).status_code == 303
