"""Live codes (活码): one stable link and QR image per channel (a poster, a partner community,
self-media) that never expires and sends each newcomer to a group of the community with
room, opening the next group when the newest is nearly full; and which channel brought
members who stayed, spoke and paid.

`decide` chooses a group from the groups' loads (pure); `routing` runs that choice in one
locked transaction and holds the seat; `web` serves `/go/<slug>` and its QR image;
`arrivals` records, in the engine, each join whose link token is `code:<slug>` (handler at
stage 40, after every other join handler); `stats` and `paid` give the attribution;
`console` and `cli` are where staff make, show and retire channels. Operators' guide:
docs/livecodes.md.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from hearthkeeper.capabilities.base import CapabilityBase, Setup

if TYPE_CHECKING:
    import typer
    from fastapi import APIRouter

    from hearthkeeper.engine.registry import Registry
    from hearthkeeper.web.console.pages import Pages
    from hearthkeeper.web.context import Web


class LiveCodes(CapabilityBase):
    name = "livecodes"

    def register(self, registry: Registry, setup: Setup) -> None:
        from hearthkeeper.capabilities.livecodes import arrivals

        arrivals.register(registry)

    def cli(self, app: typer.Typer) -> None:
        from hearthkeeper.cli.lazy import add_lazy_group

        add_lazy_group(
            app,
            "livecodes",
            "hearthkeeper.capabilities.livecodes.cli:livecodes_app",
            help="Live codes (活码): a stable link and QR image per channel that routes newcomers to a group with room.",
        )

    def console(self, pages: Pages) -> APIRouter | None:
        from hearthkeeper.capabilities.livecodes import console

        return console.router(pages)

    def routes(self, web: Web) -> APIRouter | None:
        from hearthkeeper.capabilities.livecodes import web as public

        return public.router(web)


CAPABILITY = LiveCodes()
