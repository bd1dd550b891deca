"""Matrix: the bot signs in to a homeserver and serves the rooms mapped to a community's groups."""

from hearthkeeper.carriers.matrix.carrier import MatrixAccount, MatrixCarrier
from hearthkeeper.carriers.matrix.position import SyncPosition
from hearthkeeper.carriers.matrix.rooms import RoomMap

__all__ = ["MatrixAccount", "MatrixCarrier", "RoomMap", "SyncPosition"]
