"""What the in-chat staff commands ask the engine to do (typed effect requests)."""

from __future__ import annotations

from datetime import timedelta
from typing import ClassVar

from hearthkeeper.capabilities.pointing import Pointing


class StaffWarn(Pointing, effect="moderation.warn"):
    """A strike for the member pointed at, given by staff for `reason`: the ladder's next
    step follows; a message replied to is deleted and kept as spam."""

    reason: str = ""
    settles_strikes: ClassVar[bool] = True


class StaffMute(Pointing, effect="moderation.mute"):
    """Mute the member pointed at in this group for `duration`."""

    duration: timedelta
    reason: str = ""


class StaffBan(Pointing, effect="moderation.ban"):
    """Ban the member pointed at from every group of the community they are in; a message
    replied to is deleted and kept as spam."""

    reason: str = ""


class StaffPardon(Pointing, effect="moderation.pardon"):
    """Lift the mutes and bans in force on the member pointed at in this community, and take
    back their latest live strike."""

    settles_strikes: ClassVar[bool] = True
