"""A public join address cut short or mangled (`/go/` with nothing after it, `/ref/`, `/join/`,
a member's `/ticket/`, a segment too many), on the web app as `hearth serve` builds it: the person who followed it
reads the same page, in Chinese and English, as for an unknown code — not the app's JSON — and
a trailing slash still leads on; the REST API keeps its JSON 404."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from hearthkeeper.capabilities.livecodes.records import ChannelKind
from hearthkeeper.capabilities.livecodes.repository import SqlLiveCodes
from hearthkeeper.clock import FrozenClock
from hearthkeeper.serve import Host
from hearthkeeper.store import sqlite_url
from tests.serve_setup import build, project

NO_CODE = ("No such code", "没有这个二维码")
NO_LINK = ("Invite link not found", "这个邀请链接无效")
NO_GROUP = ("No such group", "没有这个群")
NO_TICKET = ("There is no such door code.", "没有这个入场码。")


def _host(root: Path, clock: FrozenClock) -> Iterator[Host]:
    found = build(project(root / "site"), sqlite_url(root / "site" / "data"), clock)
    try:
        yield found
    finally:
        found.close()


@pytest.fixture
def host(tmp_path: Path, store_clock: FrozenClock) -> Iterator[Host]:
    yield from _host(tmp_path, store_clock)


@pytest.fixture(scope="module")
def unchanged_host(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Host]:
    """One server for the addresses cut short, which change nothing on it."""
    yield from _host(
        tmp_path_factory.mktemp("missing"), FrozenClock(datetime(2026, 5, 1, 9, tzinfo=UTC))
    )


@pytest.mark.parametrize(("path", "says"), [
    ("/go/", NO_CODE), ("/go", NO_CODE), ("/go/poster/more", NO_CODE), ("/go/x.png/y", NO_CODE),
    ("/ref/", NO_LINK), ("/ref", NO_LINK), ("/ref/abc/def", NO_LINK),
    ("/join/", NO_GROUP), ("/join", NO_GROUP), ("/join/abc/def", NO_GROUP),
    ("/chat/", NO_GROUP), ("/chat", NO_GROUP), ("/chat/abc/def", NO_GROUP),
    ("/ticket/", NO_TICKET), ("/ticket", NO_TICKET), ("/ticket/7KQ2M9XD/x", NO_TICKET),
])  # fmt: skip
def test_a_join_address_cut_short_shows_the_page_people_read_for_an_unknown_code(
    unchanged_host: Host, path: str, says: tuple[str, str]
) -> None:
    browser = TestClient(unchanged_host.app)
    for method in ("GET", "POST"):
        page = browser.request(method, path, follow_redirects=False)
        assert page.status_code == 404, (method, path)
        assert page.headers["content-type"].startswith("text/html")
        english, chinese = says
        assert english in page.text and chinese in page.text


def test_a_trailing_slash_still_leads_on_and_the_api_keeps_its_json(
    host: Host, store_clock: FrozenClock
) -> None:
    [running] = host.running
    SqlLiveCodes.on(host.store).add_channel(running.community.id, "poster", "Poster",
                                            ChannelKind.POSTER, notes="", carrier="webchat",
                                            by="test", at=store_clock.now())  # fmt: skip
    browser = TestClient(host.app)
    slashed = browser.get("/go/poster/?utm=x", follow_redirects=False)
    assert slashed.status_code == 307
    assert slashed.headers["location"].endswith("/go/poster?utm=x")
    assert browser.get("/go/poster", follow_redirects=False).status_code == 303
    assert browser.get("/ref/abc/", follow_redirects=False).status_code == 307
    api = browser.get("/api/v1/nothing")
    assert api.status_code == 404 and api.json() == {"detail": "Not Found"}
