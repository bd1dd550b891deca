"""Reading the lines of a WhatsApp export: message headers, dates in their local orders,
media placeholders and the system lines that say who joined and left (English exports)."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time

from hearthkeeper.store.records import MessageKind

ORDERS = {"dmy": "day/month/year", "mdy": "month/day/year", "ymd": "year-month-day"}

# `12/31/23, 9:41 PM - Name: text`, `31/12/2023, 21:41 - Name: text`, `31.12.23, 21:41 - …`,
# `[31/12/2023, 21:41:05] Name: text`, `2023-12-31 21:41 - Name: text`; the space before
# AM/PM may be a narrow no-break space (U+202F), as newer phones write it.
HEADER = re.compile(
    r"^\[?(?P<date>\d{1,4}[./-]\d{1,2}[./-]\d{1,4})\.?,?\s+"
    r"(?P<time>\d{1,2}[:.]\d{2}(?:[:.]\d{2})?)"
    r"(?:[\s\u202f\u00a0]?(?P<ampm>[AaPp]\.?\s?[Mm]\.?))?"
    r"(?:\]\s?|\s[-–]\s)(?P<rest>.*)$"
)
MARKS = "\u200e\u200f\ufeff"  # direction marks WhatsApp puts before system lines and media
_APOSTROPHE = "['’]"
_JOINED = [
    re.compile(rf"^(?P<who>.+?) joined using this group{_APOSTROPHE}s invite link$"),
    re.compile(r"^(?P<who>.+?) joined from the community$"),
    re.compile(r"^(?P<who>.+?) joined$"),
    re.compile(r'^(?P<who>.+?) created (?:group ".*"|this group)$'),
]
_ADDED = re.compile(r"^(?P<actor>.+?) added (?P<who>.+)$")
_LEFT = re.compile(r"^(?P<who>.+?) left$")
_REMOVED = re.compile(r"^(?P<actor>.+?) removed (?P<who>.+)$")
_MEDIA = {
    "image": MessageKind.PICTURE,
    "photo": MessageKind.PICTURE,
    "video": MessageKind.VIDEO,
    "gif": MessageKind.VIDEO,
    "audio": MessageKind.VOICE,
    "sticker": MessageKind.STICKER,
    "document": MessageKind.FILE,
}
_OMITTED = re.compile(r"^(?:.*\s)?(?P<what>\w+) omitted$", re.IGNORECASE)
_ATTACHED = re.compile(r"^(?P<file>\S.*\.(?P<ext>\w+)) \(file attached\)", re.IGNORECASE)
_ATTACHED_IOS = re.compile(r"^<attached: (?P<file>.+\.(?P<ext>\w+))>$", re.IGNORECASE)
_EXTENSIONS = {
    **dict.fromkeys(("jpg", "jpeg", "png", "webp", "heic"), MessageKind.PICTURE),
    **dict.fromkeys(("mp4", "mov", "3gp", "gif"), MessageKind.VIDEO),
    **dict.fromkeys(("opus", "ogg", "m4a", "mp3", "aac"), MessageKind.VOICE),
}


@dataclass(frozen=True, slots=True)
class Header:
    raw_date: str
    date: tuple[str, str, str]
    time: str
    ampm: str | None
    rest: str

    @property
    def stamp(self) -> str:
        """The header's time as written, for stable ids."""
        return f"{self.raw_date} {self.time}" + (f" {self.ampm}" if self.ampm else "")


def header(line: str) -> Header | None:
    """The header of a message line, or None for a continuation line."""
    found = HEADER.match(line.lstrip(MARKS))
    if found is None:
        return None
    parts = re.split(r"[./-]", found["date"])
    return Header(found["date"], (parts[0], parts[1], parts[2]), found["time"], found["ampm"],
                  found["rest"])  # fmt: skip


def infer_order(headers: Iterable[Header]) -> tuple[str, str]:
    """The date order of a file and why: a day above 12 decides; else the order in which
    the messages come out in time order; else day first (month first with AM/PM)."""
    day_first = month_first = None
    ampm = False
    dmy: list[date | None] = []
    mdy: list[date | None] = []
    for h in headers:
        a, b, c = h.date
        if len(a) == 4:
            return "ymd", f"the year comes first ({h.stamp})"
        ampm = ampm or h.ampm is not None
        if int(a) > 12 and day_first is None:
            day_first = h.stamp
        if int(b) > 12 and month_first is None:
            month_first = h.stamp
        dmy.append(_date(c, b, a))
        mdy.append(_date(c, a, b))
    if day_first and not month_first:
        return "dmy", f"{day_first} has a day above 12"
    if month_first and not day_first:
        return "mdy", f"{month_first} has a day above 12"
    if day_first and month_first:
        return "dmy", (f"unclear: {day_first} and {month_first} disagree; assumed day first, "
                       "use --date-order")  # fmt: skip
    backwards = {"dmy": _backwards(dmy), "mdy": _backwards(mdy)}
    if backwards["dmy"] != backwards["mdy"]:
        order = min(backwards, key=lambda k: backwards[k])
        return order, "only read this way do the messages come in time order"
    order = "mdy" if ampm else "dmy"
    return order, "could not tell; assumed from the clock style, use --date-order to choose"


def moment(h: Header, order: str) -> datetime:
    """The naive local time of a header read in `order`; ValueError saying what is wrong."""
    a, b, c = h.date
    year, month, day = {"dmy": (c, b, a), "mdy": (c, a, b), "ymd": (a, b, c)}[order]
    found = _date(year, month, day)
    if found is None:
        raise ValueError(f"no such date {h.raw_date!r} read as {ORDERS[order]}")
    pieces = [int(p) for p in re.split(r"[:.]", h.time)]
    hour, minute, second = pieces[0], pieces[1], pieces[2] if len(pieces) > 2 else 0
    if h.ampm is not None:
        if not 1 <= hour <= 12:
            raise ValueError(f"no such time {h.time} {h.ampm}")
        hour = hour % 12 + (12 if h.ampm.lower().startswith("p") else 0)
    if hour > 23 or minute > 59 or second > 59:
        raise ValueError(f"no such time {h.time!r}")
    return datetime.combine(found, time(hour, minute, second))


def split_sender(rest: str) -> tuple[str, str] | None:
    """(sender, text) of a message, or None for a system line (no `Name: `)."""
    sender, colon, text = rest.partition(": ")
    if not colon:
        if rest.endswith(":") and "\u200e" not in rest:
            return rest[:-1], ""
        return None
    return sender.strip(MARKS + " "), text


def media_kind(text: str) -> MessageKind | None:
    """The kind of a media placeholder (`<Media omitted>`, `image omitted`, a file
    attached), or None for an ordinary message."""
    plain = "".join(char for char in text if char not in MARKS).strip()
    if plain == "<Media omitted>":
        return MessageKind.OTHER
    attached = _ATTACHED.match(plain) or _ATTACHED_IOS.match(plain)
    if attached is not None:
        return _EXTENSIONS.get(attached["ext"].lower(), MessageKind.FILE)
    omitted = _OMITTED.match(plain)
    if omitted is not None and "\n" not in plain:
        return _MEDIA.get(omitted["what"].lower(), MessageKind.OTHER)
    return None


def stays(text: str) -> list[tuple[str, bool]]:
    """Who joined (True) or left (False) according to a system line; empty for others."""
    plain = text.strip(MARKS + " ")
    for pattern in _JOINED:
        found = pattern.match(plain)
        if found is not None:
            return [(found["who"], True)]
    for pattern, joined in ((_ADDED, True), (_REMOVED, False)):
        found = pattern.match(plain)
        if found is not None:
            return [(who, joined) for who in _names(found["who"])]
    found = _LEFT.match(plain)
    if found is not None:
        return [(found["who"], False)]
    return []


def is_marked_system(text: str) -> bool:
    """iOS writes system lines as `Group: ‎Alice joined …`: the text starts with a direction
    mark (as media placeholders do, which are messages)."""
    return text.startswith("\u200e") and media_kind(text) is None


def _names(listed: str) -> list[str]:
    parts = re.split(r",\s*|\s+and\s+", listed.strip(MARKS + " "))
    return [part.strip(MARKS + " ") for part in parts if part.strip(MARKS + " ")]


def _date(year: str, month: str, day: str) -> date | None:
    y = int(year)
    y = y + 2000 if len(year) <= 2 else y
    try:
        return date(y, int(month), int(day))
    except ValueError:
        return None


def _backwards(days: list[date | None]) -> int:
    """How often a date is earlier than the one before it (an impossible date counts)."""
    count, last = 0, None
    for day in days:
        if day is None:
            count += 1
            continue
        if last is not None and day < last:
            count += 1
        last = day
    return count
