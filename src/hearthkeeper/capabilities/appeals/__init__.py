"""Appeals: a struck or muted member asks staff to review the decision (`/appeal <why>`,
`/申诉 <理由>`), once per strike or mute, within `rules.appeals.within`; a banned member
appeals from the web chat's banned page (`bans.py`), or by writing `/appeal` to the Telegram
bot in private (`private.py`). Staff see it in the inbox with what the rule matched, and
uphold or pardon it (`decisions.py`) there, with `hearth appeals` or the REST API; the member
is told the outcome in the group (a banned member, on that page or in that private chat)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from hearthkeeper.capabilities.base import CapabilityBase, Setup

if TYPE_CHECKING:
    import typer
    from fastapi import APIRouter

    from hearthkeeper.engine.registry import Registry
    from hearthkeeper.web.console.pages import Pages


class Appeals(CapabilityBase):
    name = "appeals"

    def register(self, registry: Registry, setup: Setup) -> None:
        from hearthkeeper.capabilities.appeals import effects
        from hearthkeeper.capabilities.appeals.handler import COMMAND, AppealGate
        from hearthkeeper.engine.registry import Stage

        # beside the hold on muted members' messages, which passes over an appeal
        # (capabilities/gate/sanctioned.py), before moderation
        registry.add(AppealGate(), Stage.GATE + 2)
        setup.book.add(COMMAND)
        effects.register(registry)

    def cli(self, app: typer.Typer) -> None:
        """`hearth appeals`."""
        from hearthkeeper.cli.lazy import add_lazy_group

        add_lazy_group(
            app,
            "appeals",
            "hearthkeeper.capabilities.appeals.cli:appeals_app",
            help="List members' appeals; pardon or uphold one.",
        )

    def console(self, pages: Pages) -> APIRouter | None:
        """Pardon or uphold an appeal from its alert in the inbox."""
        from hearthkeeper.capabilities.appeals import console

        return console.router(pages)


CAPABILITY = Appeals()
