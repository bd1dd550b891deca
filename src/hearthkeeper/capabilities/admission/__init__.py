"""Who may join: the joining thresholds `open`, `invite_code`, `application` and
`min_level`, checked by the server's `Admission` (engine/admission.py) when a carrier asks
whether someone may come in (the web chat's join page, a Matrix knock).

`checks` are the threshold checks (load → `decide` → write); `codes` and `review` are what
staff do (make and revoke invite codes; approve or refuse applications, which asks the
applicant's carrier to `ADMIT` or `DECLINE` them); `cli` is `hearth codes` and `hearth
applications`; `console` the Applications and Invite codes pages.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from hearthkeeper.capabilities.base import CapabilityBase, Setup

if TYPE_CHECKING:
    import typer
    from fastapi import APIRouter

    from hearthkeeper.engine.registry import Registry
    from hearthkeeper.web.console.pages import Pages


class AdmissionCapability(CapabilityBase):
    name = "admission"

    def register(self, registry: Registry, setup: Setup) -> None:
        # The threshold kinds this capability checks (`paid` and `task` belong to billing and
        # referrals).
        from hearthkeeper.capabilities.admission.checks import (
            check_application,
            check_code,
            check_min_level,
        )
        from hearthkeeper.engine.admission import admit_all
        from hearthkeeper.playbook.joining import ThresholdKind

        checks = {
            ThresholdKind.OPEN: admit_all,
            ThresholdKind.INVITE_CODE: check_code,
            ThresholdKind.APPLICATION: check_application,
            ThresholdKind.MIN_LEVEL: check_min_level,
        }
        for kind, check in checks.items():
            registry.add_threshold(kind, check)

    def cli(self, app: typer.Typer) -> None:
        from hearthkeeper.cli.lazy import add_lazy_group

        add_lazy_group(
            app,
            "codes",
            "hearthkeeper.capabilities.admission.cli:codes_app",
            help="Invite codes of a community: create, list, revoke.",
        )
        add_lazy_group(
            app,
            "applications",
            "hearthkeeper.capabilities.admission.cli:applications_app",
            help="Applications to join a community: list, approve, refuse.",
        )

    def console(self, pages: Pages) -> APIRouter | None:
        from hearthkeeper.capabilities.admission.console import router

        return router(pages)


CAPABILITY = AdmissionCapability()
