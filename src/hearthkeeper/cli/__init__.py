"""The `hearth` command. `main` runs it and `app` is the Typer application, both defined in
`root.py` and reached through here on first use: a capability's command module may import
`hearthkeeper.cli.context` before the application exists, and the application adds every
capability's and carrier's commands when it is built."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from hearthkeeper.cli.root import app, main

__all__ = ["app", "main"]


def __getattr__(name: str) -> Any:
    if name in __all__:
        from hearthkeeper.cli import root

        return getattr(root, name)
    raise AttributeError(f"module 'hearthkeeper.cli' has no attribute {name!r}")
