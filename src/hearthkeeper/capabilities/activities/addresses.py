"""Where tickets' links start. The engine decides replies without knowing where browsers
reach the server; the web side does. When this process serves the web side (`hearth
serve`), `Activities.routes` remembers the public URL for the database it serves, and a
ticket is a full link; otherwise (the engine alone, a replay) it is the path."""

from __future__ import annotations

from hearthkeeper.store.scope import StoreBase

_PUBLIC: dict[str, str] = {}  # database URL -> the public URL of the web side serving it
TICKET_PATH = "/ticket/"


def _database(scope: StoreBase) -> str:
    return scope.engine.url.render_as_string(hide_password=True)


def serve_tickets(store: StoreBase, public_url: str) -> None:
    """Remember that browsers reach the server serving `store`'s database at `public_url`."""
    _PUBLIC[_database(store)] = public_url.rstrip("/")


def ticket_link(scope: StoreBase, code: str) -> str:
    """A member's ticket (their QR code): full when this process serves the web side."""
    return _PUBLIC.get(_database(scope), "") + TICKET_PATH + code


def door_path(slug: str, code: str) -> str:
    """The console page that checks a code in (what a ticket's QR code opens)."""
    return f"/console/c/{slug}/door/{code}"
