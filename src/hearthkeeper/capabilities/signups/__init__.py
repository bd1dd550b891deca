"""Sign-up lists and group-buys (接龙): stock, waitlist, deadlines, export.

`handlers` reads members' replies and staff commands into requests (`requests`); `effects`
load from the repository, let `decide` choose and write; `parse`, `command` and `render` are
the pure readers and writers of text; `cli` is `hearth signups`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from hearthkeeper.capabilities.base import CapabilityBase, Setup
from hearthkeeper.capabilities.signups import handlers
from hearthkeeper.engine.registry import Registry

if TYPE_CHECKING:
    import typer


class SignUps(CapabilityBase):
    name = "signups"

    def register(self, registry: Registry, setup: Setup) -> None:
        handlers.register(registry, setup.playbook, setup.book)

    def cli(self, app: typer.Typer) -> None:
        from hearthkeeper.capabilities.signups import cli

        cli.register(app)


CAPABILITY = SignUps()
