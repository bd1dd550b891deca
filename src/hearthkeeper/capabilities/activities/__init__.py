"""Offline events (seed 004: dinners, night runs, sharing sessions): the playbook's
`activities` (one-off or recurring, each occurrence an event) and events staff make; sign-up
in the group with capacity and a waitlist, a fee tied to the orders ledger where priced
(an unpaid place held for a payment window, then given to the next in line), reminders, a door check-in by each member's own QR code, attendance and no-show rates, and a
photo and feedback round after.

Pure: `catalogue` (occurrences, which event words name), `decide` (places, waitlist,
payment, the door, rates), `render`, `texts`. Effects: `effects` (members' commands),
`moments` (reminders, the round), `holds` (a priced event's payment window: the reminder to
pay, the lapse, the first waiting moving up). Storage: `repository` (+ `records`). Staff: `staff`
(create, cancel, the door), `fees` (the one link to billing's ledger), `cli`, `console`,
`web` (a member's ticket page). `departures`: a member paid membership removed (billing
calls it) or moderation put out (the ladder's blacklisting, through `Registry.add_removed`;
staff's ban or blacklisting) lets their unpaid places go and keeps their paid ones; messages
for them go to the staff inbox. Figures: `stats`.
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


class Activities(CapabilityBase):
    name = "activities"

    def register(self, registry: Registry, setup: Setup) -> None:
        """The commands and effects (always: staff may make events without a playbook one)."""
        from hearthkeeper.capabilities.activities import handlers

        handlers.register(registry, setup.book)
        from hearthkeeper.capabilities.activities.departures import member_removed

        registry.add_removed(member_removed)

    def cli(self, app: typer.Typer) -> None:
        from hearthkeeper.cli.lazy import add_lazy_group

        add_lazy_group(
            app,
            "events",
            "hearthkeeper.capabilities.activities.cli:events_app",
            help="Offline events: make, list, cancel; record a fee, refund it; check a member in at "
            "the door.",
        )

    def console(self, pages: Pages) -> APIRouter | None:
        from hearthkeeper.capabilities.activities import console

        return console.router(pages)

    def routes(self, web: Web) -> APIRouter | None:
        from hearthkeeper.capabilities.activities import web as tickets

        return tickets.router(web)


CAPABILITY = Activities()
