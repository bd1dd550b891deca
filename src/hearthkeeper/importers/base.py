"""What every importer produces: messages and joins/leaves, plus the rows it had to skip.

A source reads one export file and yields `ImportedMessage` and `ImportedStay` items in file
order; whatever it cannot use becomes a `BadRow` (`FILE:LINE: reason`) and is skipped. A
file that cannot be read at all raises `ImportFileError` before anything is yielded.
"""

from __future__ import annotations

import hashlib
import re
from abc import ABC, abstractmethod
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, tzinfo
from pathlib import Path

from hearthkeeper.store.records import MessageKind
from hearthkeeper.text.controls import shown_line

_URL = re.compile(r"https?://\S", re.IGNORECASE)


class ImportFileError(Exception):
    """The file cannot be imported at all (missing, not UTF-8, not the format); nothing stored."""


# The most characters of a group's name an import keeps: the column's, as `--group` allows.
GROUP_NAME = 200
INVISIBLE_GROUP = ("the group's name has nothing visible once its line breaks, control, "
                   "text-direction and invisible characters are taken out")  # fmt: skip


def group_name(name: str) -> str:
    """A group's name as an export file writes it, as it is kept and shown: one visible line
    of at most `GROUP_NAME` characters, like members' names ("": nothing visible left)."""
    return shown_line(name, GROUP_NAME)


@dataclass(frozen=True, slots=True)
class GroupRef:
    """A chat group as the file names it: `key` is stable across imports (as written),
    `name` is shown (`group_name`)."""

    key: str
    name: str


@dataclass(frozen=True, slots=True)
class SenderRef:
    """A person as the file names them: `key` identifies them, `name` is their display name."""

    key: str
    name: str


@dataclass(frozen=True, slots=True)
class ImportedMessage:
    group: GroupRef
    event_id: str  # stable: the same message in the same file gets the same id every time
    sender: SenderRef
    kind: MessageKind
    text: str
    sent_at: datetime
    reply_to: str | None  # the event id of the message it answers
    line: int


@dataclass(frozen=True, slots=True)
class ImportedStay:
    """A member joining (`joined`) or leaving a group, from a service or system message."""

    group: GroupRef
    event_id: str
    member: SenderRef
    joined: bool
    at: datetime
    line: int


Item = ImportedMessage | ImportedStay


@dataclass(frozen=True, slots=True)
class BadRow:
    path: str
    line: int
    reason: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.reason}"


@dataclass(frozen=True)
class ImportOptions:
    """How to read a file: `tz` for times written without an offset, the day/month order
    of a WhatsApp export (None: infer it), and one group to import (None: every group; for
    WhatsApp, the name of the group the file is)."""

    tz: tzinfo = UTC
    date_order: str | None = None
    group: str | None = None


@dataclass
class Source(ABC):
    """One export file being read. `carrier` names the identities it creates; members are
    global on that carrier (`global_members`, Telegram user ids) or only within the
    community the file is imported into (names in WhatsApp and CSV files)."""

    path: Path
    options: ImportOptions
    bad_rows: list[BadRow] = field(default_factory=list, init=False)
    notes: list[str] = field(default_factory=list, init=False)
    zoneless: int = field(default=0, init=False)  # times read without a zone, put in `tz`

    format = ""
    carrier = ""
    global_members = False

    @abstractmethod
    def items(self) -> Iterator[Item]:
        """The messages and stays of the file, in file order (read once)."""

    @property
    @abstractmethod
    def total(self) -> int:
        """The size of the work in progress units (bytes or characters)."""

    @abstractmethod
    def done(self) -> int:
        """How many progress units are read so far."""

    def in_zone(self, moment: datetime) -> datetime:
        """`moment`, put in `--tz` when it was written without a zone (and counted, so the
        summary says so only when it happened). ValueError when it is no moment in UTC (its
        offset moves it past the year 9999 or before the year 1): the store keeps UTC."""
        placed = moment if moment.tzinfo is not None else moment.replace(tzinfo=self.options.tz)
        try:
            placed.astimezone(UTC)
        except OverflowError:
            raise ValueError(f"the time {placed.isoformat()} is out of range: in UTC it falls "
                             "outside the years 1 to 9999") from None  # fmt: skip
        if moment.tzinfo is None:
            self.zoneless += 1
        return placed

    def bad(self, line: int, reason: str) -> None:
        """Report a row that is skipped."""
        self.bad_rows.append(BadRow(str(self.path), line, reason))

    def wanted(self, name: str) -> bool:
        """Whether `--group` lets this group in (`name`: as shown, `group_name`)."""
        return self.options.group is None or self.options.group == name


class Occurrences:
    """Stable ids for messages a file gives no id: a hash of what they say plus how many
    identical ones came before in the file, so two identical "+1"s in the same minute stay
    two messages, and importing the file again finds both."""

    def __init__(self) -> None:
        self._seen: dict[bytes, int] = {}

    def event_id(self, *parts: str) -> str:
        material = "\x1f".join(parts).encode("utf-8", "surrogatepass")
        short = hashlib.blake2b(material, digest_size=8).digest()
        count = self._seen.get(short, 0)
        self._seen[short] = count + 1
        return "h:" + hashlib.blake2b(material + b"\x1e%d" % count, digest_size=16).hexdigest()


_LINK, _TEXT = MessageKind.LINK, MessageKind.TEXT  # an enum member looked up once, not per row


def text_kind(text: str) -> MessageKind:
    """The kind of a plain message: a link when it carries a URL, else text."""
    return _LINK if _URL.search(text) else _TEXT


def parse_time(raw: str, tz: tzinfo | None) -> datetime:
    """An ISO 8601 time (a naive one is in `tz`; left naive without one) or Unix seconds (milliseconds when the
    number is too large to be seconds); ValueError with what was wrong."""
    value = raw.strip()
    if not value:
        raise ValueError("missing timestamp")
    if value.lstrip("-").replace(".", "", 1).isdigit():
        seconds = float(value)
        if abs(seconds) >= 1e11:  # 5138 AD in seconds: this is milliseconds
            seconds /= 1000
        try:
            return datetime.fromtimestamp(seconds, UTC)
        except (OverflowError, OSError, ValueError):
            raise ValueError(f"timestamp {value!r} is out of range") from None
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise ValueError(
            f"bad timestamp {value!r}: use ISO 8601 (2024-03-01T09:30:00+08:00) or Unix seconds"
        ) from None
    return moment.replace(tzinfo=tz) if moment.tzinfo is None and tz is not None else moment
