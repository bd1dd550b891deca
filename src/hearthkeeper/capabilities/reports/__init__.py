"""Reports: a member flags a message to staff with `/report [why]` (`/举报 [理由]`) sent as a
reply to it; staff get one inbox alert per message (later reports update it), delete it and
strike its author on one of the playbook's rules, or dismiss the reports (`decisions.py`),
in the console's inbox, with `hearth reports` or the REST API. Enough members in good
standing (`rules.reports.hide_after`) hide it until staff look."""

from __future__ import annotations

from typing import TYPE_CHECKING

from hearthkeeper.capabilities.base import CapabilityBase, Setup

if TYPE_CHECKING:
    import typer
    from fastapi import APIRouter

    from hearthkeeper.engine.registry import Registry
    from hearthkeeper.web.console.pages import Pages


class Reports(CapabilityBase):
    name = "reports"

    def register(self, registry: Registry, setup: Setup) -> None:
        from hearthkeeper.capabilities.reports import effects
        from hearthkeeper.capabilities.reports.handler import COMMAND, ReportGate
        from hearthkeeper.engine.registry import Stage

        # after the hold on muted members' messages and the appeal gate, before moderation
        registry.add(ReportGate(), Stage.GATE + 2)
        setup.book.add(COMMAND)
        effects.register(registry)

    def cli(self, app: typer.Typer) -> None:
        """`hearth reports`."""
        from hearthkeeper.cli.lazy import add_lazy_group

        add_lazy_group(
            app,
            "reports",
            "hearthkeeper.capabilities.reports.cli:reports_app",
            help="List messages members reported; uphold or dismiss their reports.",
        )

    def console(self, pages: Pages) -> APIRouter | None:
        """Uphold or dismiss a reported message from its alert in the inbox."""
        from hearthkeeper.capabilities.reports import console

        return console.router(pages)


CAPABILITY = Reports()
