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

from hearthkeeper.capabilities.admission.checks import (
    check_application,
    check_code,
    check_min_level,
)
from hearthkeeper.capabilities.base import CapabilityBase, Setup
from hearthkeeper.engine.admission import admit_all
from hearthkeeper.engine.registry import Registry
from hearthkeeper.playbook.joining import ThresholdKind

if TYPE_CHECKING:
    import typer
    from fastapi import APIRouter

    from hearthkeeper.web.console.pages import Pages

# The threshold kinds this capability checks (`paid` and `task` belong to billing and referrals).
CHECKS = {
    ThresholdKind.OPEN: admit_all,
    ThresholdKind.INVITE_CODE: check_code,
    ThresholdKind.APPLICATION: check_application,
    ThresholdKind.MIN_LEVEL: check_min_level,
}


class AdmissionCapability(CapabilityBase):
    name = "admission"

    def register(self, registry: Registry, setup: Setup) -> None:
        for kind, check in CHECKS.items():
            registry.add_threshold(kind, check)

    def cli(self, app: typer.Typer) -> None:
        from hearthkeeper.capabilities.admission import cli

        cli.register(app)

    def console(self, pages: Pages) -> APIRouter | None:
        from hearthkeeper.capabilities.admission.console import router

        return router(pages)


CAPABILITY = AdmissionCapability()
