"""The scheduled work of staff alerts."""

from __future__ import annotations

from datetime import datetime

from hearthkeeper.engine.effects import Request


class ReleaseHeld(Request, effect="alerts.release"):
    """Quiet hours ended at `release_at`: send the community's held alerts together."""

    release_at: datetime
