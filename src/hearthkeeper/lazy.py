"""Package names imported on first use (PEP 562), so that importing a package for one small
module does not import everything the package's `__init__` names.

Every `hearth` command imports the carrier plug-ins and a few playbook modules; with eager
`__init__`s that meant aiogram, matrix-nio and the whole playbook schema before any command
ran. A package lists its names as before (under `TYPE_CHECKING`, for the type checker and the
reader) and says where each lives:

    __getattr__ = exports(__name__, {"TelegramCarrier": ".carrier", "ChatMap": ".chats"})
"""

from __future__ import annotations

import importlib
import sys
from collections.abc import Callable, Mapping
from typing import Any


def exports(module: str, homes: Mapping[str, str]) -> Callable[[str], Any]:
    """The module `__getattr__` of `module` (a package or a module): each name of `homes`
    (name → the module it lives in, relative to `module`'s package: `".carrier"`) imported
    the first time it is asked for, then kept as an ordinary attribute."""

    def __getattr__(name: str) -> Any:
        home = homes.get(name)
        if home is None:
            raise AttributeError(f"module {module!r} has no attribute {name!r}")
        found = sys.modules[module]
        value = getattr(importlib.import_module(home, found.__package__), name)
        setattr(found, name, value)
        return value

    return __getattr__
