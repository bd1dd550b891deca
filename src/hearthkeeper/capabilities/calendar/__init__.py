"""The content calendar in the groups: scheduled posts, live sessions, rituals, `/confirm`,
and staff's `/calendar`, `/skip` and `/postnow`, with `hearth calendar`, `hearth posts` and
the console's calendar page.

Pure: `firings` (schedules across DST), `library` (content folders), `coverage`, `agenda`,
`content`, and the `decide_*` functions of the effects. Effects (`requests` names them):
`planning`, `posts` (with `polling`: a post of kind poll opens its poll through the polls'
own `poll.start`), `sessions`, `rituals`, `confirm`, `staff`. Storage: `repository`
(+ `records`, `responses`) on the shared `posts` table.
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


class Calendar(CapabilityBase):
    name = "calendar"

    def register(self, registry: Registry, setup: Setup) -> None:
        """Add the planner, the firings, `/confirm`, `/calendar`, `/skip` and
        `/postnow`; libraries under `setup.content_root`."""
        from hearthkeeper.capabilities.calendar import (
            confirm,
            planning,
            posts,
            rituals,
            sessions,
            staff,
        )
        from hearthkeeper.capabilities.calendar.requests import CalendarPlan, CalendarPost
        from hearthkeeper.engine.registry import Stage

        playbook = setup.playbook
        rituals.register(registry, playbook)
        cal = playbook.calendar
        if not (cal.posts or cal.live_sessions or cal.rituals.anniversary is not None):
            return
        sessions.register(registry, playbook)
        registry.add_effect(CalendarPlan, planning.plan)
        registry.add_effect(CalendarPost, posts.firing_effect(setup.content_root))
        # Early and on its own stage: whatever later handlers decide (moderation may stop a
        # message), a group the engine sees gets its calendar planned.
        registry.add(planning.CalendarPlanner(), Stage.GATE + 1)
        confirm.register(registry, setup.book, setup.content_root)
        staff.register(registry, setup.book, setup.content_root)

    def plan(self, store: Store, community_id: int, playbook: Playbook, now: datetime) -> None:
        from hearthkeeper.capabilities.calendar import planning

        planning.plan_calendar(store, community_id, playbook, now)
        planning.call_off_replaced(store, community_id, playbook)

    def cli(self, app: typer.Typer) -> None:
        from hearthkeeper.capabilities.calendar import cli

        cli.register(app)

    def console(self, pages: Pages) -> APIRouter | None:
        from hearthkeeper.capabilities.calendar import console

        return console.router(pages)


CAPABILITY = Calendar()
