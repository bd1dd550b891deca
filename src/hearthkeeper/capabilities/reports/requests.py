"""Reports' typed effect: a member's `/report` sent as a reply."""

from __future__ import annotations

from typing import ClassVar

from hearthkeeper.engine.effects import Request


class FileReport(Request, effect="reports.file"):
    """The sender reports the message `reply_to` (the carrier's id; None: not a reply), for
    `why` (their own words, maybe none)."""

    reply_to: str | None = None
    why: str = ""
    # the message replied to may be this batch's own, and a strike given in it counts
    settles_messages: ClassVar[bool] = True
    settles_strikes: ClassVar[bool] = True
