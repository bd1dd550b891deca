"""The QQ event journal (`carriers/onebot/journal.py`): what a killed process received and the
engine had not recorded is read again at the next start, once, in order; nothing else is; and
the file stays small however long the server runs."""

from __future__ import annotations

from pathlib import Path

import pytest

from hearthkeeper.carriers.onebot import journal
from hearthkeeper.carriers.onebot.journal import Journal


def _message(number: int) -> dict[str, object]:
    return {"post_type": "message", "message_id": number, "group_id": 1}


def test_what_was_not_recorded_is_read_again_in_order_once(tmp_path: Path) -> None:
    path = tmp_path / "data" / "onebot-events.jsonl"
    first = Journal(path)
    assert first.open() == []
    numbers = [first.add(_message(m)) for m in (11, 12, 13, 14)]
    assert first.add({"post_type": "meta_event"}) is None  # not kept
    assert first.add({"post_type": "request", "flag": "x"}) is not None  # kept until screened
    first.done([numbers[0], numbers[2]])
    # killed: no close; the last line cut half-way, as a kill may leave it
    with path.open("a", encoding="utf-8") as cut:
        cut.write('{"n": 99, "event": {"post_ty')

    second = Journal(path)
    left = second.open()
    assert [raw.get("message_id", raw.get("flag")) for _, raw in left] == [12, 14, "x"]
    second.done([number for number, _ in left])
    second.close()
    assert Journal(path).open() == []  # handled: not read a third time


def test_the_file_keeps_only_what_is_undone_once_it_has_grown(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(journal, "COMPACT_AT", 2000)
    path = tmp_path / "onebot-events.jsonl"
    kept = Journal(path)
    kept.open()
    never = kept.add(_message(1))  # an event never recorded (the engine failed on it)
    assert never is not None
    for m in range(2, 200):
        number = kept.add(_message(m))
        assert number is not None
        kept.done([number])
    assert path.stat().st_size < 2000  # rewritten on the way, not 200 events long
    kept.close()
    assert [raw["message_id"] for _, raw in Journal(path).open()] == [1]
