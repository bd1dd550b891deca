"""Moderation: detectors and the learned scorer, the violation ladder, probation; what staff
undo or decide by hand (`staff.py`): in the console, with `hearth strikes` / `hearth
sanctions`, or in the chat with `/warn`, `/mute`, `/ban` and `/pardon` (`commands.py`).

The strikes, sanctions and examples it reads stay in the store's core: the engine writes them
for every batch.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from hearthkeeper.capabilities.base import CapabilityBase, Setup

if TYPE_CHECKING:
    import typer
    from fastapi import APIRouter

    from hearthkeeper.engine.registry import Registry
    from hearthkeeper.web.console.pages import Pages


class Moderation(CapabilityBase):
    name = "moderation"

    def register(self, registry: Registry, setup: Setup) -> None:
        # The command book is filled by the capabilities after this one: moderation reads it
        # when deciding, so the community's own commands are never taken for repeated text.
        from hearthkeeper.capabilities.moderation import chat_effects, commands
        from hearthkeeper.capabilities.moderation.handler import Moderation as ModerationHandler
        from hearthkeeper.engine.registry import Stage

        registry.add(ModerationHandler(setup.playbook, setup.scorer, setup.book), Stage.MODERATION)
        chat_effects.register(registry)
        commands.register(setup.book)

    def cli(self, app: typer.Typer) -> None:
        """`hearth strikes` and `hearth sanctions`."""
        from hearthkeeper.cli.lazy import add_lazy_group

        add_lazy_group(
            app,
            "strikes",
            "hearthkeeper.capabilities.moderation.cli:strikes_app",
            help="List and pardon strikes.",
        )
        add_lazy_group(
            app,
            "sanctions",
            "hearthkeeper.capabilities.moderation.cli:sanctions_app",
            help="List and lift mutes, bans, blacklistings and kicks under way.",
        )

    def console(self, pages: Pages) -> APIRouter | None:
        """The moderation queue and the pardon, lift, delete and ban forms."""
        from hearthkeeper.capabilities.moderation import console

        return console.router(pages)


CAPABILITY = Moderation()
