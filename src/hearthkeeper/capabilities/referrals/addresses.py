"""Where members' invite links start. The engine decides replies without knowing where
browsers reach the server; the web side does. When this process serves the web side
(`hearth serve`), `Referrals.routes` remembers the public URL for the database it serves, and
the `/invite` reply gives the full link; otherwise (the engine alone, a replay) the reply
gives the path, to follow the site's address."""

from __future__ import annotations

from hearthkeeper.capabilities.referrals.decide import path_of
from hearthkeeper.store.scope import StoreBase

_PUBLIC: dict[str, str] = {}  # database URL -> the public URL of the web side serving it


def _database(scope: StoreBase) -> str:
    return scope.engine.url.render_as_string(hide_password=True)


def serve_links(store: StoreBase, public_url: str) -> None:
    """Remember that browsers reach the server serving `store`'s database at `public_url`."""
    _PUBLIC[_database(store)] = public_url.rstrip("/")


def link_for(scope: StoreBase, token: str) -> str:
    """The member's invite link: full when this process serves the web side, else the path."""
    return _PUBLIC.get(_database(scope), "") + path_of(token)
