"""Static files are linked by a version of their content (`web/assets.py`): a changed file
gets a new address, so a browser that cached the old one fetches it again, and only an
address naming the file's current version is cached for good."""

from __future__ import annotations

import hashlib
from pathlib import Path

from starlette.applications import Starlette
from starlette.routing import Mount
from starlette.testclient import TestClient

from hearthkeeper.web.assets import StaticAssets, VersionedStaticFiles

FOR_GOOD = "public, max-age=31536000, immutable"


def _served(assets: StaticAssets) -> TestClient:
    return TestClient(Starlette(routes=[Mount("/static", VersionedStaticFiles(assets))]))


def test_a_changed_file_gets_a_new_address_and_the_old_one_is_checked_again(
    tmp_path: Path,
) -> None:
    script = tmp_path / "chat" / "chat.js"
    script.parent.mkdir()
    script.write_text("handle('hello');\n")
    before = StaticAssets(tmp_path)
    url = before.url("chat/chat.js")
    version = hashlib.sha256(script.read_bytes()).hexdigest()[:10]
    assert url == f"/static/chat/chat.js?v={version}"
    client = _served(before)
    served = client.get(url)
    assert served.text == "handle('hello');\n"
    assert served.headers["cache-control"] == FOR_GOOD
    bare = client.get("/static/chat/chat.js")
    assert bare.headers["cache-control"] == "no-cache"
    # unchanged, the browser's copy is confirmed without sending it again
    again = client.get("/static/chat/chat.js", headers={"if-none-match": bare.headers["etag"]})
    assert again.status_code == 304 and again.headers["cache-control"] == "no-cache"

    # an upgrade: the file changes and the server starts again
    script.write_text("handle('hello'); handle('restored');\n")
    after = StaticAssets(tmp_path)
    assert after.url("chat/chat.js") != url  # pages now name the new script
    client = _served(after)
    assert client.get(after.url("chat/chat.js")).headers["cache-control"] == FOR_GOOD
    # a page loaded before the upgrade asks by the old version: given the new content, and
    # not to be kept for good under an address that named another
    stale = client.get(url)
    assert "restored" in stale.text and stale.headers["cache-control"] == "no-cache"
