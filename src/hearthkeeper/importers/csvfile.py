"""The generic CSV: `timestamp,group,sender,text` plus optional `sender_name,kind,reply_to,id`.

UTF-8 (a BOM is fine), comma-separated, quoted the way Python's and spreadsheet programs'
CSV writers quote. Timestamps are ISO 8601 (with an offset or Z; naive ones are read in the
time zone given) or Unix seconds. `id` gives each message a stable id (one per message of a group:
a second row with an id the file gave that group already is a bad row naming the first's
line) and `reply_to` names the `id` of the message answered; without `id` a message's id is a hash of its group, time,
sender, text and how many identical messages came before it in the file. A quote never
closed is refused before anything is imported, naming the line it opened on (the reader
would otherwise take the rest of the file as one field).
"""

from __future__ import annotations

import codecs
import csv
import io
import sys
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import IO

from hearthkeeper.importers.base import (
    INVISIBLE_GROUP,
    GroupRef,
    ImportedMessage,
    ImportFileError,
    Item,
    Occurrences,
    SenderRef,
    Source,
    group_name,
    parse_time,
    text_kind,
)
from hearthkeeper.importers.encoding import not_utf8
from hearthkeeper.store.records import MessageKind

REQUIRED = ("timestamp", "group", "sender", "text")
OPTIONAL = ("sender_name", "kind", "reply_to", "id")
_KINDS = {kind.value: kind for kind in MessageKind}
_KEY_LENGTH = 255  # what the store keeps of an id
_STRICT_PREFIX = 1 << 20  # bytes decoded strictly, so a file in another encoding is refused

_SCAN_CHUNK = 1 << 20  # characters read at a time when checking the quotes

csv.field_size_limit(min(sys.maxsize, 1 << 26))  # a long message is not a broken file


def unclosed_quote_line(chunks: Iterable[str]) -> int | None:
    """The line (from 1) of a quoted field the text never closes, read the way the `csv`
    module's default dialect reads quotes; None when every quoted field closes."""
    inside = after_quote = False  # in a quoted field / just read a quote in one
    previous = "\n"  # the character before the next one outside quotes (start of the file)
    lines_before = 0  # line breaks in earlier chunks
    opened: tuple[int, str, int] | None = None  # lines before its chunk, the chunk, position
    for chunk in chunks:
        at = 0
        while at < len(chunk):
            if after_quote:
                after_quote = False
                if chunk[at] == '"':  # "" inside quotes: a quote, and still inside
                    inside = True
                    at += 1
                    continue
                previous = '"'  # closed; what follows belongs to the same field
            if inside:
                found = chunk.find('"', at)
                if found < 0:
                    break
                inside, after_quote, at = False, True, found + 1
                continue
            found = chunk.find('"', at)
            if found < 0:
                previous = chunk[-1]
                break
            before = chunk[found - 1] if found > at else previous
            if before in ",\r\n":  # a quote at the start of a field opens it
                inside = True
                opened = (lines_before, chunk, found)
            previous = '"'
            at = found + 1
        lines_before += chunk.count("\n")
    if not inside or opened is None:
        return None
    before_chunk, chunk, position = opened
    return before_chunk + chunk.count("\n", 0, position) + 1


@dataclass
class CsvSource(Source):
    format = "csv"
    carrier = "import:csv"

    _size: int = field(default=0, init=False)
    _raw: IO[bytes] | None = field(default=None, init=False)
    _group_refs: dict[str, GroupRef] = field(default_factory=dict, init=False)
    _sender_refs: dict[tuple[str, str], SenderRef] = field(default_factory=dict, init=False)

    def __post_init__(self) -> None:
        try:
            self._size = self.path.stat().st_size
            with self.path.open("rb") as handle:
                head = handle.read(_STRICT_PREFIX)
            # Not final: a character cut in two at the end of the prefix is fine.
            codecs.getincrementaldecoder("utf-8-sig")().decode(head)
        except OSError as exc:
            raise ImportFileError(f"cannot read {self.path}: {exc.strerror or exc}") from None
        except UnicodeDecodeError as exc:
            raise ImportFileError(not_utf8(self.path, head, exc)) from None
        self._header = self._read_header()
        opened = self._unclosed_quote()
        if opened is not None:
            raise ImportFileError(
                f"{self.path}:{opened}: a quote opened on this line is never closed, so "
                "everything after it would be read as one field; close it (a quote inside a "
                'quoted field is written twice: "") and import again'
            )

    @property
    def total(self) -> int:
        return self._size

    def done(self) -> int:
        return self._size if self._raw is None or self._raw.closed else self._raw.tell()

    def _read_header(self) -> dict[str, int]:
        with self.path.open(encoding="utf-8-sig", errors="replace", newline="") as handle:
            for row in csv.reader(handle):
                if any(cell.strip() for cell in row):
                    return self._columns(row)
        raise ImportFileError(f"{self.path} is empty: a CSV needs the header {','.join(REQUIRED)}")

    def _unclosed_quote(self) -> int | None:
        """The line where a quoted field opens and the file ends before it closes, if one
        does. Python's reader would take the rest of the file as that one field, silently, so
        this pass reads the quotes the way it does (a quote opens a field only at its start;
        "" inside is a quote) before anything is imported."""
        with self.path.open(encoding="utf-8-sig", errors="replace", newline="") as handle:
            return unclosed_quote_line(iter(lambda: handle.read(_SCAN_CHUNK), ""))

    def _columns(self, row: list[str]) -> dict[str, int]:
        names = [cell.strip().lower() for cell in row]
        doubled = sorted({name for name in names if names.count(name) > 1 and name})
        if doubled:
            raise ImportFileError(f"{self.path}:1: column {doubled[0]!r} appears twice")
        missing = [name for name in REQUIRED if name not in names]
        if missing and names[0].startswith(("{", "[")):
            raise ImportFileError(
                f"{self.path}:1: this is JSON, not CSV: a Telegram Desktop export is read by "
                f"`hearth import telegram {self.path}`; a CSV needs the header "
                f"{','.join(REQUIRED)}"
            )
        separator = _other_separator(names) if missing else None
        if separator is not None:
            raise ImportFileError(
                f"{self.path}:1: the columns are separated by {separator}, not commas: save it "
                f'as comma-separated CSV (Excel: "CSV UTF-8 (Comma delimited)"); the header '
                f"needs {','.join(REQUIRED)}"
            )
        if missing:
            raise ImportFileError(
                f"{self.path}:1: the header lacks {', '.join(missing)}; a CSV needs "
                f"{','.join(REQUIRED)} (optional: {','.join(OPTIONAL)}), "
                f"found {','.join(names) or 'nothing'}"
            )
        unknown = [name for name in names if name not in REQUIRED + OPTIONAL]
        if unknown:
            self.notes.append(f"{self.path}:1: ignored the columns {', '.join(unknown)}")
        if "reply_to" in names and "id" not in names:
            self.notes.append(f"{self.path}:1: reply_to needs an id column; replies not linked")
        return {name: index for index, name in enumerate(names)}

    def items(self) -> Iterator[Item]:
        columns = self._header
        width = len(columns)
        at = {name: columns.get(name) for name in REQUIRED + OPTIONAL}
        ids = Occurrences()
        given = GivenIds()
        with self.path.open("rb") as raw:
            self._raw = raw
            text = io.TextIOWrapper(raw, encoding="utf-8-sig", errors="replace", newline="")
            reader = csv.reader(text)
            header_seen = False
            end = 0
            while True:
                start = end + 1
                try:
                    row = next(reader)
                except StopIteration:
                    break
                except csv.Error as exc:
                    end = reader.line_num
                    self.bad(start, f"not readable as CSV: {exc}")
                    continue
                end = reader.line_num
                if not "".join(row).strip():
                    continue  # an empty line (or one of blank cells)
                if not header_seen:
                    header_seen = True
                    continue
                if len(row) != width:
                    hint = "quote a field that holds commas" if len(row) > width else (
                        "is a quote left open, or a field missing?")  # fmt: skip
                    self.bad(start, f"{len(row)} fields where the header has {width}: {hint}")
                    continue
                item = self._item(row, at, start, ids, given)
                if item is not None:
                    yield item

    def _item(self, row: list[str], at: dict[str, int | None], line: int,
              ids: Occurrences, given: GivenIds) -> ImportedMessage | None:  # fmt: skip
        # The hot loop of a large import: cells by index, the group and sender records
        # shared by every row that names them alike.
        group = row[at["group"]].strip()  # type: ignore[index]
        sender = row[at["sender"]].strip()  # type: ignore[index]
        text = row[at["text"]]  # type: ignore[index]
        if not group:
            self.bad(line, "missing group")
            return None
        if not sender:
            self.bad(line, "missing sender")
            return None
        group_ref = self._group_refs.get(group)
        if group_ref is None:  # named as shown; the key stays as written: the same group again
            group_ref = self._group_refs[group] = GroupRef(group, group_name(group))
        if not group_ref.name:
            self.bad(line, f"{INVISIBLE_GROUP}: write it in the group column")
            return None
        if not self.wanted(group_ref.name):
            return None
        raw_time = row[at["timestamp"]].strip()  # type: ignore[index]
        try:
            sent_at = self.in_zone(parse_time(raw_time, None))
        except ValueError as exc:
            self.bad(line, str(exc))
            return None
        index = at["kind"]
        kind_name = "" if index is None else row[index].strip().lower()
        if kind_name and kind_name not in _KINDS:
            self.bad(line, f"unknown kind {kind_name!r}; the kinds are {', '.join(_KINDS)}")
            return None
        index = at["id"]
        message_id = "" if index is None else row[index].strip()
        index = at["reply_to"]
        reply_to = "" if index is None or at["id"] is None else row[index].strip()
        if len(message_id) > _KEY_LENGTH or len(reply_to) > _KEY_LENGTH:
            self.bad(line, f"an id longer than {_KEY_LENGTH} characters")
            return None
        if not message_id:
            message_id = ids.event_id(group, raw_time, sender, text)
        else:
            first = given.first_line(group, message_id, line)
            if first is not None:  # the store would keep the first and drop this one's text
                self.bad(line, f"the id {message_id!r} is on line {first} already, in the group "
                               f"{group_ref.name!r}: each message of a group needs an id of "
                               "its own; this row was skipped")  # fmt: skip
                return None
        index = at["sender_name"]
        name = (row[index].strip() if index is not None else "") or sender
        sender_ref = self._sender_refs.get((sender, name))
        if sender_ref is None:
            sender_ref = self._sender_refs[sender, name] = SenderRef(sender, name)
        return ImportedMessage(
            group=group_ref,
            event_id=message_id,
            sender=sender_ref,
            kind=_KINDS[kind_name] if kind_name else text_kind(text),
            text=text,
            sent_at=sent_at,
            reply_to=reply_to or None,
            line=line,
        )


class GivenIds:
    """The ids the `id` column gave, per group, in the file being read, with the line of
    each: a second row with the same id in the same group is a bad row naming both lines
    (the store keeps one message per id and group). Each id is kept as a 64-bit hash of
    group and id, an int, with its line: about 100 bytes an id (25 MB more peak memory for the
    258,145 messages of the import benchmark's corpus), for this file only, freed when it is
    read. Two different ids of a group sharing a hash (odds about 2e-9 for that corpus) would
    show the later as a bad row."""

    def __init__(self) -> None:
        self._lines: dict[int, int] = {}

    def first_line(self, group: str, message_id: str, line: int) -> int | None:
        """The line that gave `group` the id `message_id` before, else None (and `line`
        is remembered as the one that gave it)."""
        key = hash((group, message_id))  # this process's 64-bit hash: for this file only
        found = self._lines.get(key)
        if found is None:
            self._lines[key] = line
        return found


def _other_separator(names: list[str]) -> str | None:
    """How a header read as one column is separated, when that is by semicolons (Excel's
    "CSV" where the decimal mark is a comma) or tabs (Excel's "Text") into columns of which
    one at least is a required one; else None."""
    if len(names) != 1:
        return None
    for mark, said in ((";", "';'"), ("\t", "tabs")):
        cells = {cell.strip() for cell in names[0].split(mark)}
        if len(cells) > 1 and not cells.isdisjoint(REQUIRED):
            return said
    return None
