"""Sign-up lists and group-buys (接龙): stock, waitlist, deadlines, export."""

from __future__ import annotations

from typing import TYPE_CHECKING

from hearthkeeper.capabilities.base import CapabilityBase, Setup
from hearthkeeper.engine.registry import Registry
from hearthkeeper.handlers import signups

if TYPE_CHECKING:
    import typer


class SignUps(CapabilityBase):
    name = "signups"

    def register(self, registry: Registry, setup: Setup) -> None:
        signups.register(registry, setup.playbook, setup.book)

    def cli(self, app: typer.Typer) -> None:
        from hearthkeeper.cli import signup_cmds

        signup_cmds.register(app)


CAPABILITY = SignUps()
