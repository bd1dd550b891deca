"""Appeals' typed effect: a member's `/appeal`."""

from __future__ import annotations

from typing import ClassVar

from hearthkeeper.engine.effects import Request


class FileAppeal(Request, effect="appeals.file"):
    """The sender appeals against their latest strike or mute, for `why`."""

    why: str
    settles_strikes: ClassVar[bool] = True  # a strike given earlier in this batch is appealable
