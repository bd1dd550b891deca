"""Matrix: the bot signs in to a homeserver and serves the rooms mapped to a community's groups."""

from __future__ import annotations

from typing import TYPE_CHECKING

from hearthkeeper.lazy import exports

if TYPE_CHECKING:
    from hearthkeeper.carriers.matrix.carrier import MatrixAccount, MatrixCarrier
    from hearthkeeper.carriers.matrix.position import SyncPosition
    from hearthkeeper.carriers.matrix.rooms import RoomMap


__all__ = ["MatrixAccount", "MatrixCarrier", "RoomMap", "SyncPosition"]

# Imported on first use: the plug-in is imported by every `hearth` command (hearthkeeper/lazy.py).
__getattr__ = exports(
    __name__,
    {
        "MatrixAccount": ".carrier",
        "MatrixCarrier": ".carrier",
        "SyncPosition": ".position",
        "RoomMap": ".rooms",
    },
)
