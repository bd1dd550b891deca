"""Sign-up lists and group-buys (接龙): stock, waitlist, deadlines, export.

`handlers` reads members' replies and staff commands into requests (`requests`); `effects`
load from the repository, let `decide` choose and write; `parse`, `command` and `render` are
the pure readers and writers of text; `cli` is `hearth signups`, `console` the console's
*Sign-ups* page, `export` the CSV both write; `departures`: a member
moderation puts out of the community (the ladder's blacklisting, staff's ban) is taken off
the open lists, the waitlist moving up.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from hearthkeeper.capabilities.base import CapabilityBase, Setup

if TYPE_CHECKING:
    import typer
    from fastapi import APIRouter

    from hearthkeeper.engine.registry import Registry
    from hearthkeeper.web.console.pages import Pages


class SignUps(CapabilityBase):
    name = "signups"

    def register(self, registry: Registry, setup: Setup) -> None:
        from hearthkeeper.capabilities.signups import handlers

        handlers.register(registry, setup.playbook, setup.book)
        from hearthkeeper.capabilities.signups.departures import member_removed

        registry.add_removed(member_removed)

    def console(self, pages: Pages) -> APIRouter | None:
        from hearthkeeper.capabilities.signups.console import router

        return router(pages)

    def cli(self, app: typer.Typer) -> None:
        from hearthkeeper.cli.lazy import add_lazy_group

        add_lazy_group(
            app,
            "signups",
            "hearthkeeper.capabilities.signups.cli:signups_app",
            help="Sign-up lists and group-buys (接龙): list them, export one as CSV.",
        )


CAPABILITY = SignUps()
