"""The content calendar in the groups: scheduled posts, live sessions, rituals, `/confirm`."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from hearthkeeper.capabilities.base import CapabilityBase, Setup
from hearthkeeper.engine.registry import Registry
from hearthkeeper.handlers import calendar_posts
from hearthkeeper.playbook import Playbook
from hearthkeeper.store import Store

if TYPE_CHECKING:
    import typer


class Calendar(CapabilityBase):
    name = "calendar"

    def register(self, registry: Registry, setup: Setup) -> None:
        calendar_posts.register(registry, setup.playbook, setup.book, setup.content_root)

    def plan(self, store: Store, community_id: int, playbook: Playbook, now: datetime) -> None:
        calendar_posts.plan_calendar(store, community_id, playbook, now)

    def cli(self, app: typer.Typer) -> None:
        from hearthkeeper.cli import calendar_cmd, posts_cmd

        posts_cmd.register(app)
        calendar_cmd.register(app)


CAPABILITY = Calendar()
