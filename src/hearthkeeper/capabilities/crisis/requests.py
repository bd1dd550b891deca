"""Crisis watch's typed effect: an alarming message to record and measure the group on."""

from __future__ import annotations

from datetime import datetime

from hearthkeeper.engine.effects import Request


class NoteAlarm(Request, effect="crisis.note"):
    """A member's message read as alarming: record it, then see whether the group spikes."""

    event_id: str  # the carrier's id of the message
    author: str
    text: str  # a short quote
    score: float  # 0 negative .. 1 positive
    markers: tuple[str, ...] = ()
    at: datetime
