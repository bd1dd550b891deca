"""Referrals (fission, 裂变): each member's own invite link (`/invite`), the invite task
"bring N friends who stay D days" with its reward, leaderboards (`/invites`, the console,
`hearth referrals top`) and the `task` joining threshold.

Pure: `decide` (tokens, what a join or a stay check settles, texts). Effects: `effects`
(`requests` names them). Storage: `repository` on `referral_links` and `referrals`. Web:
`links` (`/ref/<token>` → a group's join page with `?via=ref:<token>`), `console`.
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


class Referrals(CapabilityBase):
    name = "referrals"

    def register(self, registry: Registry, setup: Setup) -> None:
        from hearthkeeper.capabilities.referrals import effects, handlers, threshold
        from hearthkeeper.playbook.joining import ThresholdKind

        effects.register(registry)
        registry.add_threshold(ThresholdKind.TASK, threshold.check_task)
        if setup.playbook.mechanisms.referrals.enabled:
            handlers.register(registry, setup.book)

    def cli(self, app: typer.Typer) -> None:
        from hearthkeeper.cli.lazy import add_lazy_group

        add_lazy_group(
            app,
            "referrals",
            "hearthkeeper.capabilities.referrals.cli:referrals_app",
            help="Referrals (裂变): members' invite links and the invite task.",
        )

    def console(self, pages: Pages) -> APIRouter | None:
        from hearthkeeper.capabilities.referrals import console

        return console.router(pages)

    def routes(self, web: Web) -> APIRouter | None:
        from hearthkeeper.capabilities.referrals import links

        return links.router(web)


CAPABILITY = Referrals()
