"""The operator console: one module per family of pages, all behind sign-in, every form
checked against the session's CSRF token."""

from __future__ import annotations

from fastapi import APIRouter

from hearthkeeper.capabilities.installed import CAPABILITIES
from hearthkeeper.web.console import (
    audit,
    groups,
    health,
    inbox,
    members,
    overview,
    playbook,
)
from hearthkeeper.web.console.pages import Pages
from hearthkeeper.web.context import Web
from hearthkeeper.web.joined import joined


def console_router(web: Web) -> APIRouter:
    """Every console page: communities, overview, groups, members, moderation and audit,
    inbox, playbook, calendar."""
    pages = Pages(web)
    routers = [family.router(pages)
               for family in (overview, health, groups, members, audit, inbox, playbook)]  # fmt: skip
    for capability in CAPABILITIES:  # the pages a capability brings in its own package
        pages_of = capability.console(pages)
        if pages_of is not None:
            routers.append(pages_of)
    return joined(routers, include_in_schema=False)  # none is part of the REST API
