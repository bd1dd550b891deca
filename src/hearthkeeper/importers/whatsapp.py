"""WhatsApp's "Export chat" (without media): one text file per chat, one group.

Each message starts with a line `DATE, TIME - Name: text` (Android) or `[DATE, TIME] Name:
text` (iPhone); lines that do not start so continue the message before. The date's order
(day/month or month/day) is not written in the file: it is taken from `--date-order`, or
inferred (a number above 12 decides; else the order that keeps the messages in time order)
and said in the notes. System lines (`Alice joined using this group's invite link`, `Bob
left`, `Carol added Dan`) become joins and leaves; other system lines are skipped. The file
is read twice (once to infer the date order), line by line.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import IO

from hearthkeeper.importers.base import (
    INVISIBLE_GROUP,
    GroupRef,
    ImportedMessage,
    ImportedStay,
    ImportFileError,
    Item,
    Occurrences,
    SenderRef,
    Source,
    group_name,
    text_kind,
)
from hearthkeeper.importers.whatsapp_lines import (
    MARKS,
    ORDERS,
    Header,
    header,
    infer_order,
    is_marked_system,
    media_kind,
    moment,
    split_sender,
    stays,
)

_CHAT_WITH = re.compile(r"^WhatsApp Chat (?:with|-) (?P<name>.+)$", re.IGNORECASE)


@dataclass
class _Pending:
    header: Header
    sender: str
    lines: list[str]
    line: int


@dataclass
class WhatsAppSource(Source):
    format = "whatsapp"
    carrier = "import:whatsapp"

    _size: int = field(default=0, init=False)
    _raw: IO[bytes] | None = field(default=None, init=False)

    def __post_init__(self) -> None:
        key = self.options.group or _group_name(self.path.stem)  # as before: the same group
        name = group_name(key)
        if not name:
            raise ImportFileError(f"{self.path}: {INVISIBLE_GROUP} (the group is named after "
                                  "the file): name it with --group")  # fmt: skip
        self.group = GroupRef(key, name)
        if self.options.group is None:
            self.notes.append(f"the group is named {name!r} after the file (choose with --group)")
        try:
            self._size = self.path.stat().st_size
            self.order = self._date_order()
        except OSError as exc:
            raise ImportFileError(f"cannot read {self.path}: {exc.strerror or exc}") from None

    @property
    def total(self) -> int:
        return self._size

    def done(self) -> int:
        return self._size if self._raw is None or self._raw.closed else self._raw.tell()

    def _lines(self) -> Iterator[str]:
        with self.path.open("rb") as raw:
            self._raw = raw
            for data in raw:
                yield data.decode("utf-8", "replace").rstrip("\r\n")

    def _date_order(self) -> str:
        found = [h for h in map(header, self._strict_lines()) if h is not None]
        if not found:
            raise ImportFileError(
                f"{self.path}: no line looks like a WhatsApp message (expected lines such as "
                "'31/12/2023, 21:41 - Name: text' or '[31/12/2023, 21:41:05] Name: text')"
            )
        if self.options.date_order is not None:
            return self.options.date_order
        order, why = infer_order(found)
        self.notes.append(f"dates read as {ORDERS[order]}: {why}")
        return order

    def _strict_lines(self) -> Iterator[str]:
        with self.path.open("rb") as raw:
            for number, data in enumerate(raw, 1):
                try:
                    yield data.decode("utf-8").rstrip("\r\n")
                except UnicodeDecodeError:
                    if number <= 2:
                        raise ImportFileError(
                            f"{self.path}:{number}: not UTF-8 text; WhatsApp exports are UTF-8"
                        ) from None
                    yield data.decode("utf-8", "replace").rstrip("\r\n")

    def items(self) -> Iterator[Item]:
        if not self.wanted(self.group.name):
            return
        ids = Occurrences()
        pending: _Pending | None = None
        seen_any = False  # after a bad header its continuation lines go with it, silently
        skipped = 0
        for number, line in enumerate(self._lines(), 1):
            h = header(line)
            if h is None:
                if pending is not None:
                    pending.lines.append(line)
                elif not seen_any and line.strip():
                    self.bad(number, "not a WhatsApp message line (no date and time at its start)")
                continue
            seen_any = True
            if pending is not None:
                yield from self._finish(pending, ids)
                pending = None
            try:
                at = self.in_zone(moment(h, self.order))
            except ValueError as exc:
                self.bad(number, str(exc))
                continue
            parts = split_sender(h.rest)
            if parts is None or is_marked_system(parts[1]):
                text = h.rest if parts is None else parts[1]
                found = list(self._stays(text, h, at, number, ids))
                skipped += not found
                yield from found
                continue
            sender, text = parts
            if not sender:
                self.bad(number, "missing sender (nothing before ': ')")
                continue
            pending = _Pending(h, sender, [text], number)
        if pending is not None:
            yield from self._finish(pending, ids)
        if skipped:
            self.notes.append(f"skipped {skipped} system lines (encryption notice, subject, …)")

    def _finish(self, p: _Pending, ids: Occurrences) -> Iterator[ImportedMessage]:
        text = "\n".join(p.lines).strip(MARKS).rstrip("\n ")
        at = moment(p.header, self.order).replace(tzinfo=self.options.tz)
        kind = media_kind(text)
        yield ImportedMessage(
            group=self.group,
            event_id=ids.event_id(self.group.key, p.header.stamp, p.sender, text),
            sender=SenderRef(p.sender, p.sender),
            kind=text_kind(text) if kind is None else kind,
            text=text,
            sent_at=at,
            reply_to=None,
            line=p.line,
        )

    def _stays(self, text: str, h: Header, at: datetime, line: int,
               ids: Occurrences) -> Iterator[ImportedStay]:  # fmt: skip
        for name, joined in stays(text):
            yield ImportedStay(
                group=self.group,
                event_id=ids.event_id(
                    self.group.key, h.stamp, name, "joined" if joined else "left"
                ),
                member=SenderRef(name, name),
                joined=joined,
                at=at,
                line=line,
            )


def _group_name(stem: str) -> str:
    found = _CHAT_WITH.match(stem.strip())
    return found["name"].strip() if found else stem
