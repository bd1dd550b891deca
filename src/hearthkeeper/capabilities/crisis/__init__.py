"""Crisis watch (seeds 002, 003: negative news spreads panic fast): a spike of negative or
panicked messages in a group, against the group's own usual share, alerts staff once per
episode with the messages that caused it (docs/crisis.md)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from hearthkeeper.capabilities.base import CapabilityBase, Setup

if TYPE_CHECKING:
    import typer
    from fastapi import APIRouter

    from hearthkeeper.engine.registry import Registry
    from hearthkeeper.web.console.pages import Pages


class CrisisCapability(CapabilityBase):
    name = "crisis"

    def register(self, registry: Registry, setup: Setup) -> None:
        from hearthkeeper.capabilities.crisis.effects import note_alarm
        from hearthkeeper.capabilities.crisis.handler import CrisisWatch
        from hearthkeeper.capabilities.crisis.requests import NoteAlarm
        from hearthkeeper.engine.registry import Stage

        registry.add_effect(NoteAlarm, note_alarm)
        if setup.playbook.mechanisms.crisis.enabled:
            # After every mechanism (30-39), before the fallback: it never stops the others.
            registry.add(CrisisWatch(book=setup.book), Stage.MECHANISMS + 15)

    def cli(self, app: typer.Typer) -> None:
        from hearthkeeper.cli.lazy import add_lazy_group

        add_lazy_group(
            app,
            "crisis",
            "hearthkeeper.capabilities.crisis.cli:crisis_app",
            help="Crisis watch: spikes of negative or panicked messages, per group.",
        )

    def console(self, pages: Pages) -> APIRouter | None:
        from hearthkeeper.capabilities.crisis.console import router

        return router(pages)


CAPABILITY = CrisisCapability()
