"""The QQ events the OneBot implementation pushed, kept on disk until the engine recorded them.

OneBot v11 sends an event once and never again: what a process held in memory when it died
(`kill -9`, out of memory, a power cut) was gone — a burst of 100 messages killed half a
second after it arrived lost 75. So each message, notice and join request is appended to a
journal file under `data_dir` as it arrives, before it is handed on, and a line marking it done
is appended once the engine has recorded it (`OneBotCarrier.handled`), or, for a join request,
once it is screened: answered, or kept for staff. The next start reads again, first, what was
not marked done; the engine records an event once per group and id, so one recorded just
before the kill is not handled twice. The door's answer to a join request is written down
(`answering`) before it goes to QQ: one answered in the instant before the kill is not screened
again after it (the door might say otherwise the second time), its answer is read back with it
(`answer`) and the carrier settles it (`carrier.py`). Opening rewrites the file with only those, and so does marking
done once the file has grown past `COMPACT_AT` (with what is still undone: usually nothing, or
the few events in flight), so it stays small however long the server runs.

Lines are written without `fsync`: a killed process loses nothing the operating system was
given; a power cut may lose the last lines. A line that is not one the journal writes (the
last one cut by a kill, a hand edit, a damaged disk) is set aside, appended to
`onebot-events.jsonl.unreadable` beside it, and the log says which lines went there; the rest
is read as ever. A journal that cannot be read or written (its path a directory, a folder
without write permission, a full disk) is said in the log and the service goes on without it:
QQ events are handled as they come, only not kept across a crash until it can be written. Meta
events are not kept. One process at a time owns the file: the worker holding the QQ connection
(docs/deploy.md).
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

log = logging.getLogger(__name__)

# the post types that become the engine's events, and join requests (screened on the way)
KEPT = ("message", "notice", "request")
COMPACT_AT = 1 << 20  # bytes: rewritten with only what is undone once it is this big


class Journal:
    """Events appended as they come, marked done once recorded."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._file: IO[str] | None = None
        self._next = 1
        self._open: dict[int, dict[str, Any]] = {}  # undone: number → event
        self._answers: dict[int, Answer] = {}  # undone join requests' answers, as they went

    def open(self) -> list[tuple[int, dict[str, Any]]]:
        """The events a process before this one left undone, in order (numbered anew), the
        file rewritten with only them and ready for more."""
        numbered: list[tuple[int, dict[str, Any]]] = []
        try:
            read = self._read()
            numbered = [(at, raw) for at, (raw, _) in enumerate(read, start=1)]
            self._open = dict(numbered)
            self._answers = {at: said for at, (_, said) in enumerate(read, start=1) if said}
            self._next = len(numbered) + 1
            self._rewrite()
        except OSError as exc:
            self._unusable(exc)
        if numbered:
            log.info("qq: %d event(s) received before the last stop and not yet recorded are "
                     "read again", len(numbered))  # fmt: skip
        return numbered

    def add(self, raw: dict[str, Any]) -> int | None:
        """Keep `raw` (a message, a notice or a join request) until `done`; its number, or None when it is
        not kept (other post types, or the journal is closed)."""
        if self._file is None or raw.get("post_type") not in KEPT:
            return None
        number = self._next
        self._next += 1
        self._write({"n": number, "event": raw})
        self._open[number] = raw
        return number

    def answering(self, number: int, answer: Answer) -> None:
        """The join request `number` is about to be answered so (before the call goes): after
        a kill it is not screened again, its `answer` read back instead."""
        if self._file is None or number not in self._open:
            return
        self._answers[number] = answer
        self._write({"answered": number, **answer.entry()})

    def answer(self, number: int) -> Answer | None:
        """The answer the join request `number` was given before the last stop, if any."""
        return self._answers.get(number)

    def done(self, numbers: Iterable[int]) -> None:
        """The events `numbers` are recorded: not read again after a restart."""
        finished = [n for n in numbers if n in self._open]
        if not finished or self._file is None:
            return
        for number in finished:
            del self._open[number]
            self._answers.pop(number, None)
        self._write({"done": finished})
        if self._file.tell() >= COMPACT_AT:
            try:
                self._rewrite()
            except OSError as exc:
                self._unusable(exc)

    def close(self) -> None:
        if self._file is not None:
            self._file.close()
            self._file = None

    def _rewrite(self) -> None:
        """The file holding only what is undone (written aside, then put in its place), open
        for more."""
        self.close()
        self.path.parent.mkdir(parents=True, exist_ok=True)
        temporary = self.path.with_name(self.path.name + ".new")
        with temporary.open("w", encoding="utf-8") as out:
            for number, raw in self._open.items():
                out.write(_line({"n": number, "event": raw}))
                said = self._answers.get(number)
                if said is not None:
                    out.write(_line({"answered": number, **said.entry()}))
        temporary.replace(self.path)
        self._file = self.path.open("a", encoding="utf-8")

    def _unusable(self, exc: OSError) -> None:
        """The journal cannot be read or written: said, and the service goes on without it."""
        self.close()
        self._open = {}
        self._answers = {}
        log.warning("qq: the event journal %s cannot be used (%s): QQ events are handled as "
                    "they come but not kept across a crash; make it a file Hearthkeeper can "
                    "write and restart", self.path, exc.strerror or exc)  # fmt: skip

    def _write(self, entry: dict[str, Any]) -> None:
        assert self._file is not None
        try:
            self._file.write(_line(entry))
            self._file.flush()
        except OSError as exc:  # a full disk: the event goes on, unkept
            log.warning("qq: the event journal %s could not be written (%s)", self.path, exc)

    def _read(self) -> list[tuple[dict[str, Any], Answer | None]]:
        """The undone events in order, each with the answer a join request was given."""
        if not self.path.exists():
            return []
        kept: dict[int, dict[str, Any]] = {}
        answers: dict[int, Answer] = {}
        unreadable: list[tuple[int, str]] = []  # (line number, the line)
        with self.path.open(encoding="utf-8", errors="replace") as lines:
            for at, line in enumerate(lines, start=1):
                entry = _entry(line)
                if entry is None:  # the last line cut by a kill, or not the journal's
                    unreadable.append((at, line))
                elif "event" in entry:
                    kept[entry["n"]] = entry["event"]
                elif "answered" in entry:
                    answers[entry["answered"]] = Answer(entry["approve"], entry["reason"])
                else:
                    for number in entry["done"]:
                        kept.pop(number, None)
        if unreadable:
            self._set_aside(unreadable)
        return [(kept[number], answers.get(number)) for number in sorted(kept)]

    def _set_aside(self, unreadable: list[tuple[int, str]]) -> None:
        """Lines the journal cannot read, appended to the `.unreadable` file beside it (the
        rewrite would drop them): nothing is lost unsaid."""
        aside = self.path.with_name(self.path.name + ".unreadable")
        with aside.open("a", encoding="utf-8") as out:
            for _, line in unreadable:
                out.write(line if line.endswith("\n") else line + "\n")
        numbers = [at for at, _ in unreadable]
        if len(unreadable) == 1 and not unreadable[0][1].endswith("\n"):
            log.warning("qq: the event journal %s: its last line, cut when the server was "
                        "killed, was set aside in %s; the rest is read again", self.path,
                        aside)  # fmt: skip
            return
        shown = ", ".join(map(str, numbers[:10])) + (", …" if len(numbers) > 10 else "")
        log.warning("qq: the event journal %s: %d line(s) it did not write (line %s) were set "
                    "aside in %s; the rest is read again", self.path, len(numbers), shown,
                    aside)  # fmt: skip


@dataclass(frozen=True)
class Answer:
    """The door's answer to a join request, as it went to QQ: let in, or refused with `reason`."""

    approve: bool
    reason: str = ""

    def entry(self) -> dict[str, Any]:
        return {"approve": self.approve, "reason": self.reason}


def _entry(line: str) -> dict[str, Any] | None:
    """One line of the journal: an event (`n`, `event`), a join request's answer
    (`answered`, `approve`, `reason`) or the numbers done (`done`); None for a line it did
    not write."""
    try:
        entry = json.loads(line)
    except ValueError:
        return None
    if not isinstance(entry, dict):
        return None
    answered, approve, reason = entry.get("answered"), entry.get("approve"), entry.get("reason")
    if type(answered) is int and isinstance(approve, bool) and isinstance(reason, str):
        return {"answered": answered, "approve": approve, "reason": reason}
    number, event, done = entry.get("n"), entry.get("event"), entry.get("done")
    if type(number) is int and isinstance(event, dict) and "done" not in entry:
        return {"n": number, "event": event}
    if isinstance(done, list) and all(type(n) is int for n in done) and "n" not in entry:
        return {"done": done}
    return None


def _line(entry: dict[str, Any]) -> str:
    return json.dumps(entry, ensure_ascii=False, separators=(",", ":")) + "\n"
