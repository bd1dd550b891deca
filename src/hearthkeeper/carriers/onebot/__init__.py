"""QQ groups through OneBot v11 (NapCat, Lagrange): the implementation connects to
Hearthkeeper's reverse WebSocket; group messages, joins and leaves come in as engine events,
join requests are screened by the door, and actions go out as API calls."""

from __future__ import annotations

from typing import TYPE_CHECKING

from hearthkeeper.lazy import exports

if TYPE_CHECKING:
    from hearthkeeper.carriers.onebot.carrier import OneBotCarrier
    from hearthkeeper.carriers.onebot.settings import OneBotSettings


__all__ = ["OneBotCarrier", "OneBotSettings"]

# Imported on first use: the plug-in is imported by every `hearth` command (hearthkeeper/lazy.py).
__getattr__ = exports(
    __name__,
    {
        "OneBotCarrier": ".carrier",
        "OneBotSettings": ".settings",
    },
)
