"""What a capability is: one package that registers its handlers, effects and commands, plans
its scheduled work at start, and may add `hearth` commands and console pages.

A capability is listed once, in `installed.CAPABILITIES`; nothing is discovered. Its package
holds everything of it — the playbook section it reads, pure parse/decide/render modules,
effects, its repository and records, CLI commands and console routes — so that adding one
touches its own folder and that list.

Every `hearth` command imports every capability package to add its commands (`cli`), so a
package's `__init__` imports its handlers, repositories and the engine only inside `register`
and `plan`: listing the commands then costs no SQLAlchemy, FastAPI or text models.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    import typer
    from fastapi import APIRouter

    from hearthkeeper.capabilities.command_book import CommandBook
    from hearthkeeper.engine.registry import Registry
    from hearthkeeper.playbook import Playbook
    from hearthkeeper.store import Store
    from hearthkeeper.text.scan import ScorerChoice
    from hearthkeeper.web.console.pages import Pages
    from hearthkeeper.web.context import Web


@dataclass(frozen=True)
class Setup:
    """What a capability builds its handlers from: the community's playbook, the command book
    every capability adds its in-chat commands to, where content libraries are read from, and
    the learned spam scorer moderation starts from; `inspecting`: built only to be read (the
    gaps `hearth playbook show` names), so models a handler prepares for messages wait."""

    playbook: Playbook
    book: CommandBook
    content_root: Path
    scorer: ScorerChoice = "shipped"
    inspecting: bool = False


class Capability(Protocol):
    """One capability of the engine (moderation, FAQ, sign-ups, the calendar ...)."""

    name: str

    def register(self, registry: Registry, setup: Setup) -> None:
        """Add this capability's handlers, effects and in-chat commands for one playbook."""
        ...

    def plan(self, store: Store, community_id: int, playbook: Playbook, now: datetime) -> None:
        """Schedule the work this capability needs at start (or after a new playbook version);
        planning twice schedules nothing new."""
        ...

    def cli(self, app: typer.Typer) -> None:
        """Add this capability's `hearth` commands."""
        ...

    def console(self, pages: Pages) -> APIRouter | None:
        """This capability's console pages, if it has any."""
        ...

    def routes(self, web: Web) -> APIRouter | None:
        """Pages and endpoints of its own outside the console (a live code's link, a
        payment provider's webhook), if it has any."""
        ...


class CapabilityBase:
    """Defaults for the optional parts: nothing to plan, no commands, no console pages."""

    name = "capability"

    def register(self, registry: Registry, setup: Setup) -> None:
        """Add this capability's handlers, effects and in-chat commands for one playbook."""

    def plan(self, store: Store, community_id: int, playbook: Playbook, now: datetime) -> None:
        """Nothing to schedule at start."""

    def cli(self, app: typer.Typer) -> None:
        """No `hearth` commands of its own."""

    def console(self, pages: Pages) -> APIRouter | None:
        """No console pages of its own."""

    def routes(self, web: Web) -> APIRouter | None:
        """No pages outside the console."""
        return None
