"""The public pages that take a code in their address (`/go/…`, `/ticket/…`, `/ref/…`,
`/join/…`, `/chat/…`), asked with a code nobody holds, 10,000 characters long, in another
script, percent-encoded, with a NUL or climbing out of the path: each answers its readable
404 page, on both databases, with nothing stored or counted and nothing of the code echoed."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import inspect, text

from hearthkeeper.capabilities.livecodes.records import ChannelKind
from hearthkeeper.capabilities.livecodes.repository import SqlLiveCodes
from hearthkeeper.clock import FrozenClock
from hearthkeeper.serve import Host
from hearthkeeper.store.database import create_engine_for
from tests.serve_setup import build, project

PAGES = ("/go/{}", "/go/{}.png", "/go/{}.svg", "/ticket/{}", "/ref/{}", "/join/{}", "/chat/{}",
         "/join/poster?via={}")  # fmt: skip
CODES = {
    "unknown": "nobody-holds-this",
    "overlong": "A" * 10_000,
    "other script": "二维码ü",
    "percent-encoded markup": "%3Cscript%3Ealert(1)%3C%2Fscript%3E",
    "NUL": "%00poster",
    "NUL after a real code": "poster%00",
    "a real code, overlong": "poster" + "x" * 10_000,
    "climbing out": "..%2F..%2Fetc%2Fpasswd",
    "a lone surrogate": "%ED%A0%80",
    "no UTF-8": "%FF%FE",
}
ECHOES = ("<script", "alert(1)", "passwd", "A" * 100, "x" * 100, "二维码ü")
# A real door keeps the link's token (`?via=`) for the join, escaped and cut as the join cuts it.
KEPT_ECHOES = ("<script", "A" * 201, "x" * 201)


@pytest.fixture
def host(tmp_path: Path, database_url: str, store_clock: FrozenClock) -> Iterator[Host]:
    found = build(project(tmp_path / "site"), database_url, store_clock)
    [running] = found.running
    SqlLiveCodes.on(found.store).add_channel(running.community.id, "poster", "Poster",
                                             ChannelKind.POSTER, notes="", carrier="webchat",
                                             by="test", at=store_clock.now())  # fmt: skip
    try:
        yield found
    finally:
        found.close()


def rows(database_url: str) -> dict[str, int]:
    """How many rows each table holds."""
    engine = create_engine_for(database_url)
    try:
        with engine.connect() as connection:
            return {t: connection.execute(text(f'SELECT count(*) FROM "{t}"')).scalar_one()
                    for t in inspect(connection).get_table_names()}  # fmt: skip
    finally:
        engine.dispose()


def test_a_hostile_code_answers_the_not_found_page_and_changes_nothing(
    host: Host, database_url: str
) -> None:
    browser = TestClient(host.app, raise_server_exceptions=False)
    door = browser.get("/go/poster", follow_redirects=False).headers["location"]
    real = door.split("/join/")[1].split("?")[0]  # the web chat's invite code the poster opens
    before = rows(database_url)
    asked = [(page.format(code), (page, kind)) for kind, code in CODES.items() for page in PAGES]
    asked += [(f"/join/{real}?via={code}&code={code}", ("a real door's query", kind))
              for kind, code in CODES.items()]  # fmt: skip
    ticket_misses = 0  # door codes nobody holds, counted per network against guessing
    for path, where in asked:
        for method in ("GET", "POST"):
            answer = browser.request(method, path, follow_redirects=False)
            status = answer.status_code
            ticket_misses += method == "GET" and path.startswith("/ticket/") and status == 404
            assert status in (400, 403, 404, 405) or (status == 200 and "real" in where[0]), (
                method, where, status)  # fmt: skip
            assert answer.headers["content-type"].startswith("text/"), (where, answer.text[:200])
            echoes = KEPT_ECHOES if "real" in where[0] else ECHOES
            assert not any(echo in answer.text for echo in echoes), (where, answer.text[:300])
    after = rows(database_url)
    # (a code the ticket route never reads — a `/` in it, no UTF-8 — is not one to count)
    assert 0 < after.pop("network_misses") - before.pop("network_misses") <= ticket_misses
    assert after == before, "nothing else stored or counted"
    for kind, name in {"NUL": "ad\x00min", "overlong": "A" * 10_000, "bidi": "\u202eadmin"}.items():
        form = browser.get("/console/sign-in").text
        token = form.split('name="signin_token" value="')[1].split('"')[0]
        answer = browser.post("/console/sign-in", data={"username": name, "password": "x",
                                                        "signin_token": token})  # fmt: skip
        assert answer.status_code == 401, (kind, answer.status_code, answer.text[:300])
