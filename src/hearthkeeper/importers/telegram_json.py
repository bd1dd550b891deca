"""Walking a Telegram Desktop `result.json` one message at a time, knowing each one's line.

The outer structure (the chat, or the full export's `chats.list` and `left_chats.list`) is
walked by hand; each message is decoded on its own with `json.JSONDecoder.raw_decode`. So a
broken message is reported at its line and skipped (reading resumes at the next message
indented like it), and a file cut off mid-way keeps every message before the cut. The file
is held in memory as one string (the standard library has no streaming JSON reader, and
Telegram Desktop splits nothing): about its size again in Python objects at a time.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

_DECODER = json.JSONDecoder()
_SPACE = " \t\r\n"
_CUT_OFF = "; the next message was not found, nothing after it was read (is the file cut off?)"


class JsonBroken(Exception):
    """The file's structure is broken at `line` and cannot be walked further."""

    def __init__(self, line: int, reason: str) -> None:
        super().__init__(f"line {line}: {reason}")
        self.line = line
        self.reason = reason


@dataclass(frozen=True, slots=True)
class Chat:
    meta: dict[str, Any]  # every key of the chat before its messages (name, type, id)
    line: int
    top_level: bool  # a single-chat export, rather than one chat of a full export


@dataclass(frozen=True, slots=True)
class Entry:
    value: Any
    line: int


@dataclass(frozen=True, slots=True)
class Broken:
    line: int
    reason: str


class JsonWalk:
    """A cursor over the export's text."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.pos = 0
        self._counted = (0, 1)  # (position, its line): lines are counted once, forwards

    def line_at(self, pos: int) -> int:
        last, line = self._counted if pos >= self._counted[0] else (0, 1)
        line += self.text.count("\n", last, pos)
        self._counted = (pos, line)
        return line

    def chats(self) -> Iterator[Chat | Entry | Broken]:
        """Each chat's start, then its messages (or the broken ones), in file order."""
        self._space()
        if self._peek() != "{":
            raise JsonBroken(self.line_at(self.pos), "not a JSON object: a Telegram Desktop "
                             "export (result.json) starts with '{'")  # fmt: skip
        start = self.pos
        meta: dict[str, Any] = {}
        for key in self._object():
            if key == "messages":
                yield Chat(meta, self.line_at(start), top_level=True)
                yield from self._messages()
            elif key in ("chats", "left_chats"):
                yield from self._chat_lists()
            else:
                meta[key] = self._value()

    def _chat_lists(self) -> Iterator[Chat | Entry | Broken]:
        for key in self._object():
            if key != "list":
                self._value()
                continue
            for _ in self._array():
                start = self.pos
                meta: dict[str, Any] = {}
                for chat_key in self._object():
                    if chat_key == "messages":
                        yield Chat(meta, self.line_at(start), top_level=False)
                        yield from self._messages()
                    else:
                        meta[chat_key] = self._value()

    def _messages(self) -> Iterator[Entry | Broken]:
        self._expect("[")
        self._space()
        if self._peek() == "]":
            self.pos += 1
            return
        while True:
            self._space()
            start = self.pos
            try:
                value, self.pos = _DECODER.raw_decode(self.text, start)
            except json.JSONDecodeError as exc:
                reason = f"broken JSON in this message: {_where(exc)}"
                if not self._resync(start):
                    raise JsonBroken(self.line_at(start), reason + _CUT_OFF) from None
                yield Broken(self.line_at(start), reason)
                continue
            yield Entry(value, self.line_at(start))
            self._space()
            after = self._next()
            if after == "]":
                return
            if after != ",":
                reason = f"expected ',' after this message, found {after!r}"
                if not self._resync(start):
                    raise JsonBroken(self.line_at(start), reason + _CUT_OFF)
                yield Broken(self.line_at(start), reason)

    def _resync(self, start: int) -> bool:
        """Move to the next message indented like the one at `start`; False if none."""
        line_start = self.text.rfind("\n", 0, start) + 1
        indent = self.text[line_start:start]
        found = self.text.find("\n" + indent + "{", start + 1)
        if found < 0 or indent.strip(" \t"):
            return False
        self.pos = found + 1 + len(indent)
        return True

    def _object(self) -> Iterator[str]:
        """The keys of the object at the cursor; the caller reads each value."""
        self._expect("{")
        self._space()
        if self._peek() == "}":
            self.pos += 1
            return
        while True:
            self._space()
            if self._peek() != '"':
                raise self._broken("expected a key in quotes")
            key = self._value()
            self._space()
            self._expect(":")
            self._space()
            yield str(key)
            self._space()
            after = self._next()
            if after == "}":
                return
            if after != ",":
                raise self._broken(f"expected ',' or '}}', found {after!r}")

    def _array(self) -> Iterator[None]:
        """Stops at each element of the array at the cursor; the caller reads it."""
        self._expect("[")
        self._space()
        if self._peek() == "]":
            self.pos += 1
            return
        while True:
            self._space()
            yield None
            self._space()
            after = self._next()
            if after == "]":
                return
            if after != ",":
                raise self._broken(f"expected ',' or ']', found {after!r}")

    def _value(self) -> Any:
        try:
            value, self.pos = _DECODER.raw_decode(self.text, self.pos)
        except json.JSONDecodeError as exc:
            if not self.text[exc.pos :].strip():
                raise self._broken("") from None
            raise JsonBroken(self.line_at(exc.pos), f"broken JSON: {_where(exc)}") from None
        return value

    def _space(self) -> None:
        text, pos = self.text, self.pos
        while pos < len(text) and text[pos] in _SPACE:
            pos += 1
        self.pos = pos

    def _peek(self) -> str:
        return self.text[self.pos] if self.pos < len(self.text) else ""

    def _next(self) -> str:
        char = self._peek()
        self.pos += 1
        return char

    def _expect(self, char: str) -> None:
        if self._peek() != char:
            found = self._peek()
            raise self._broken(f"expected {char!r}, found {found!r}" if found else
                               f"the file ends where {char!r} was expected (is it cut off?)")  # fmt: skip
        self.pos += 1

    def _broken(self, reason: str) -> JsonBroken:
        if not self.text[self.pos :].strip():
            reason = "the file ends too early (is it cut off?)"
        return JsonBroken(self.line_at(min(self.pos, len(self.text))), reason)


def _where(exc: json.JSONDecodeError) -> str:
    return f"{exc.msg.removesuffix(' at')} at line {exc.lineno}, column {exc.colno}"
