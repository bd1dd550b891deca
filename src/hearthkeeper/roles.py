"""What one `hearth serve` process does (`--role`): kept apart from `serve/`, whose imports are
heavy, so that the command line can name the roles without loading the server."""

from __future__ import annotations

from enum import StrEnum


class Role(StrEnum):
    """What one `hearth serve` process does."""

    ALL = "all"  # the web and the engine in one process (the only role on SQLite)
    WEB = "web"  # console, REST API, web chat pages and sockets; no engine
    ENGINE = "engine"  # decides events, performs actions, runs scheduled work; no port
