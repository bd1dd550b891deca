"""QQ groups through OneBot v11 (NapCat, Lagrange): the implementation connects to
Hearthkeeper's reverse WebSocket; group messages, joins and leaves come in as engine events,
join requests are screened by the door, and actions go out as API calls."""

from hearthkeeper.carriers.onebot.carrier import OneBotCarrier
from hearthkeeper.carriers.onebot.settings import OneBotSettings

__all__ = ["OneBotCarrier", "OneBotSettings"]
