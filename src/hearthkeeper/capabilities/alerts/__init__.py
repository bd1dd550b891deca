"""Staff alerts where staff are: every ALERT_STAFF the engine applies (a quarrel, a violation
to review, an unanswered question, an application, a ban evasion …) also goes to the staff
channel (`alerts.staff_group`) mentioning the recipients (`alerts.recipients`), and by direct
message on carriers that have them; in `alerts.quiet_hours` non-urgent ones wait and go out
together when the quiet hours end. The console's staff inbox keeps every alert as before.

Pure: `decide` (recipients, quiet hours, urgency, texts). Engine side: `route` (the alert
router and the `alerts.release` scheduled work). Storage: `repository` (staff and their
identities; `held_alerts`). `hearth alerts show`: `cli`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from hearthkeeper.capabilities.base import CapabilityBase, Setup

if TYPE_CHECKING:
    import typer

    from hearthkeeper.engine.registry import Registry


class StaffAlerts(CapabilityBase):
    name = "alerts"

    def register(self, registry: Registry, setup: Setup) -> None:
        from hearthkeeper.capabilities.alerts import route
        from hearthkeeper.capabilities.alerts.requests import ReleaseHeld

        registry.route_alerts(route.route)
        registry.add_effect(ReleaseHeld, route.release)

    def cli(self, app: typer.Typer) -> None:
        from hearthkeeper.cli.lazy import add_lazy_group

        add_lazy_group(
            app,
            "alerts",
            "hearthkeeper.capabilities.alerts.cli:alerts_app",
            help="Staff alerts: where they go and what waits.",
        )


CAPABILITY = StaffAlerts()
