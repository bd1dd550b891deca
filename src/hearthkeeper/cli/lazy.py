"""Command groups whose commands are imported the first time they are needed.

`hearth --help` lists every group with its one-line help, and `hearth playbook validate` runs one
command of one group: neither should import what billing's, Matrix's or the server's commands
need (SQLAlchemy, FastAPI, aiogram …), which made every command start seconds late. So a group
is added by name, help and where its commands live (`"package.module:attribute"`, a Typer
holding them); that module is imported when the group's commands are first asked for — to run
one, to list them in the group's own help, or to complete a name.
"""

from __future__ import annotations

import importlib
from collections.abc import MutableMapping
from typing import TYPE_CHECKING

import typer
from typer.main import get_group_from_info
from typer.models import TyperInfo

from hearthkeeper.cli.commands import HearthGroup, conventional

if TYPE_CHECKING:
    from typer._click import Command


class LazyGroup(HearthGroup):
    """A group whose commands are the ones of the Typer `source` names, imported on first use."""

    source = ""  # "package.module:attribute"
    _loaded = False

    @property
    def commands(self) -> MutableMapping[str, Command]:
        """The group's commands, importing their module the first time."""
        if not self._loaded:
            self._loaded = True
            self._commands.update(self._load())
        return self._commands

    @commands.setter
    def commands(self, value: MutableMapping[str, Command]) -> None:
        self._commands = value

    def _load(self) -> MutableMapping[str, Command]:
        module, _, attribute = self.source.partition(":")
        sub_app = getattr(importlib.import_module(module), attribute)
        if not isinstance(sub_app, typer.Typer):
            raise TypeError(f"{self.source} is not a Typer application")
        conventional(sub_app)  # usage lines and bad numbers as an operator reads them
        # As the enclosing application would have built them had it held the Typer itself:
        # with its help formatting (plain, no Rich markup), not the sub-application's default.
        group = get_group_from_info(
            TyperInfo(sub_app),
            pretty_exceptions_short=True,
            rich_markup_mode=self.rich_markup_mode,
            suggest_commands=self.suggest_commands,
        )
        return group.commands


def lazy_typer(source: str, help: str) -> typer.Typer:
    """A command group whose commands are those of the Typer at `source`
    (`"package.module:attribute"`), imported only when one of them is needed; `help` is the
    group's help, shown by `hearth --help` without importing anything."""
    group_class = type(f"LazyGroup[{source}]", (LazyGroup,), {"source": source})
    return typer.Typer(cls=group_class, help=help, no_args_is_help=True)


def add_lazy_group(app: typer.Typer, name: str, source: str, help: str) -> None:
    """Add `hearth NAME …`: the group of the Typer at `source`, imported when first needed."""
    app.add_typer(lazy_typer(source, help), name=name)
