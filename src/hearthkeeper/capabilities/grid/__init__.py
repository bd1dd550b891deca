"""A matrix of groups (ISOOC: Copy): every group of a community side by side — size and fill,
activity, health, the staff in charge and its stage — with the warnings that keep copying
within what managers can look after (too many groups for one manager, a group near capacity,
talk living in a small circle, a dying group), alerted to staff once per condition.

Pure: `stage` (a group's stage), `decide` (the warnings and their texts). Store: `load` (the
lines, in a fixed number of queries), `repository` (who is in charge, open conditions,
capacity overrides), `capacities` (per-group capacity overrides onto groups). Scheduled:
`watch`. Web and CLI: `console` (`/console/c/{slug}/matrix`), `cli` (`hearth grid`),
`report` (the report's `matrix` section), `export` (the matrix as CSV: `hearth grid export`, the
page's Download CSV). `across` (with `across_cli`, `across_console`): one
poll, check-in prompt or skip of a scheduled post across the groups chosen. Per-group overrides of the playbook themselves are
in `playbook/groups.py`, honoured by the engine (`Runtime.playbook_for`).
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from hearthkeeper.capabilities.base import CapabilityBase, Setup

if TYPE_CHECKING:
    import typer
    from fastapi import APIRouter

    from hearthkeeper.engine.registry import Registry
    from hearthkeeper.playbook import Playbook
    from hearthkeeper.store import Store
    from hearthkeeper.web.console.pages import Pages


class Grid(CapabilityBase):
    name = "grid"

    def register(self, registry: Registry, setup: Setup) -> None:
        """Add the hourly watch (planned at start, `plan`)."""
        from hearthkeeper.capabilities.grid import watch

        registry.add_effect(watch.GridWatch, watch.watch, prepare=watch.prepare)

    def plan(self, store: Store, community_id: int, playbook: Playbook, now: datetime) -> None:
        """Write per-group capacity overrides onto the groups; plan the next watch."""
        from hearthkeeper.capabilities.grid.capacities import sync_capacities
        from hearthkeeper.capabilities.grid.watch import plan_grid_watch

        with store.transaction() as tx:
            sync_capacities(tx, community_id, playbook, by="playbook")
            plan_grid_watch(tx, community_id, now)

    def cli(self, app: typer.Typer) -> None:
        from hearthkeeper.cli.lazy import add_lazy_group

        add_lazy_group(
            app,
            "grid",
            "hearthkeeper.capabilities.grid.cli:grid_app",
            help="The matrix of groups: every group side by side, its warnings, who is in charge; "
            "a poll, a check-in prompt or a skip across many groups at once.",
        )

    def console(self, pages: Pages) -> APIRouter | None:
        from hearthkeeper.capabilities.grid import console

        return console.router(pages)


CAPABILITY = Grid()
