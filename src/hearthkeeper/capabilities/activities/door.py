"""What the door says to staff about a code, pure: the verdict's heading and the sentence
under it (when the code was used, what became of the sign-up, when the door opens), the
same on the console's door page and from `hearth events checkin`."""

from __future__ import annotations

from datetime import datetime, timedelta, tzinfo

from hearthkeeper.capabilities.activities import decide as d
from hearthkeeper.capabilities.activities.records import Event, SignUp

DOOR_TEXT = {
    d.DoorVerdict.IN: "Welcome in",
    d.DoorVerdict.AGAIN: "Code used already",
    d.DoorVerdict.UNKNOWN: "Unknown code",
    d.DoorVerdict.NOT_CONFIRMED: "No confirmed place",
    d.DoorVerdict.CANCELLED: "Event cancelled",
    d.DoorVerdict.NOT_NOW: "Not this event's door time",
}
_STAMP = "%a %Y-%m-%d %H:%M"


def _hours(delta: timedelta) -> str:
    hours = int(delta.total_seconds() // 3600)
    return f"{hours} hour{'s' if hours != 1 else ''}"


def door_detail(verdict: d.DoorVerdict, event: Event | None, signup: SignUp | None,
                code: str, zone: tzinfo, now: datetime) -> str:  # fmt: skip
    """The sentence under a refused code's heading, in the community's time ("" for none)."""
    if verdict is d.DoorVerdict.UNKNOWN:
        return f"No sign-up of this community has the code {code}: check it and try again."
    if verdict is d.DoorVerdict.AGAIN and signup is not None and signup.attended_at:
        by = f" by {signup.checked_in_by}" if signup.checked_in_by else ""
        return f"Checked in at {signup.attended_at.astimezone(zone):{_STAMP}}{by}."
    if verdict is d.DoorVerdict.NOT_CONFIRMED and signup is not None:
        return f"Their sign-up is {signup.status.value}."
    if verdict is d.DoorVerdict.NOT_NOW and event is not None:
        opens = event.starts_at - d.DOOR_OPENS
        closes = event.starts_at + d.DOOR_CLOSES
        if now < opens:
            return (f"The door opens at {opens.astimezone(zone):{_STAMP}}, "
                    f"{_hours(d.DOOR_OPENS)} before the start.")  # fmt: skip
        return (f"The door closed at {closes.astimezone(zone):{_STAMP}}, "
                f"{_hours(d.DOOR_CLOSES)} after the start.")  # fmt: skip
    return ""
