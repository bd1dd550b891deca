"""The static files' addresses carry a version of their content,
`/static/chat/chat.js?v=3f9c2a81d0`: after an upgrade a page names the new version, so a
browser holding the old script fetches the new one instead of running the old against the new
server (an old `chat.js` ignored the `restored` frame). A versioned address is cached for a
year (its content never changes under it); any other — no version, or an outdated one, as a
page loaded before the upgrade asks — is checked with the server before each use
(`no-cache`: a 304 while unchanged).

Every page that links a static file takes its address from `static_url` — the console's
templates, the web chat's, the Matrix join page, the live codes' pages, the API docs — and
`/static` is served by `VersionedStaticFiles`."""

from __future__ import annotations

import hashlib
import os
import threading
from pathlib import Path, PurePath

from starlette.datastructures import QueryParams
from starlette.responses import Response
from starlette.staticfiles import PathLike, StaticFiles
from starlette.types import Scope

STATIC = Path(__file__).parent / "static"
PREFIX = "/static/"
VERSION = "v"  # the query parameter holding the version
CACHED_FOR_GOOD = "public, max-age=31536000, immutable"
CHECKED = "no-cache"  # kept, but asked again (If-None-Match) before each use


class StaticAssets:
    """The files under `directory`, each known by a version of its content: the first 10 hex
    digits of its SHA-256, read once per process (a file is not changed under a running
    server; an upgrade restarts it)."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self._versions: dict[str, str] = {}
        self._lock = threading.Lock()

    def version(self, name: str) -> str:
        """The version of the file `name` (a path under the directory, `chat/chat.js`);
        FileNotFoundError when there is none."""
        known = self._versions.get(name)
        if known is None:
            digest = hashlib.sha256((self.directory / name).read_bytes()).hexdigest()[:10]
            with self._lock:
                known = self._versions.setdefault(name, digest)
        return known

    def url(self, name: str) -> str:
        """The address a page links the file `name` by: `/static/<name>?v=<version>`."""
        return f"{PREFIX}{name}?{VERSION}={self.version(name)}"


ASSETS = StaticAssets(STATIC)


def static_url(name: str) -> str:
    """The versioned address of the packaged static file `name` (`{{ static('chat/chat.js') }}`
    in every template)."""
    return ASSETS.url(name)


class VersionedStaticFiles(StaticFiles):
    """`/static`: a file asked for by its current version is cached for good; otherwise the
    browser checks it again before each use."""

    def __init__(self, assets: StaticAssets = ASSETS) -> None:
        super().__init__(directory=assets.directory)
        self.assets = assets

    def file_response(self, full_path: PathLike, stat_result: os.stat_result, scope: Scope,
                      status_code: int = 200) -> Response:  # fmt: skip
        response = super().file_response(full_path, stat_result, scope, status_code)
        asked = QueryParams(scope.get("query_string", b"")).get(VERSION)
        name = PurePath(self.get_path(scope)).as_posix()
        current = asked is not None and asked == self.assets.version(name)
        response.headers["Cache-Control"] = CACHED_FOR_GOOD if current else CHECKED
        return response
