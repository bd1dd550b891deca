"""The QQ event journal (`carriers/onebot/journal.py`): what a killed process received and the
engine had not recorded is read again at the next start, once, in order; nothing else is; and
the file stays small however long the server runs."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from hearthkeeper.carriers.onebot import journal
from hearthkeeper.carriers.onebot.journal import Answer, Journal


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


def test_lines_it_did_not_write_are_set_aside_said_and_the_rest_read(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """A line of valid JSON that was no journal entry (`{"done": 5}`, a hand edit) stopped
    `hearth serve` whole ("error: TypeError: 'int' object is not iterable … a bug in
    Hearthkeeper"); other strange lines were dropped without a word and erased by the
    rewrite."""
    path = tmp_path / "onebot-events.jsonl"
    first = Journal(path)
    first.open()
    numbers = [first.add(_message(m)) for m in (11, 12, 13)]
    first.done([numbers[1] or 0])
    first.close()
    strange = ['{"done": 5}', "garbage", "[1, 2]", '{"done": [[1]]}', '{"n": "1", "event": {}}']
    lines = path.read_text(encoding="utf-8").splitlines()
    path.write_text("\n".join([lines[0], *strange, *lines[1:]]) + "\n", encoding="utf-8")

    with caplog.at_level(logging.WARNING):
        left = Journal(path).open()
    assert [raw["message_id"] for _, raw in left] == [11, 13]
    assert f"the event journal {path}: 5 line(s) it did not write (line 2, 3, 4, 5, 6)" in (
        caplog.text
    )
    aside = path.with_name("onebot-events.jsonl.unreadable")
    assert f"set aside in {aside}" in caplog.text
    assert aside.read_text(encoding="utf-8").splitlines() == strange


def test_a_journal_that_cannot_be_used_is_said_and_events_still_flow(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """Its path a directory (or under a file, or a folder it may not write) stopped
    `hearth serve` whole: "error: IsADirectoryError … a bug in Hearthkeeper"."""
    for path in (tmp_path / "onebot-events.jsonl", tmp_path / "file" / "onebot-events.jsonl"):
        if path.parent == tmp_path:
            path.mkdir()
        else:
            path.parent.write_text("not a folder", encoding="utf-8")
        unusable = Journal(path)
        caplog.clear()
        with caplog.at_level(logging.WARNING):
            assert unusable.open() == []
        assert f"the event journal {path} cannot be used" in caplog.text
        assert "not kept across a crash" in caplog.text
        assert unusable.add(_message(1)) is None  # handled as it comes, not kept
        unusable.done([1])
        unusable.close()


def test_a_join_request_s_answer_is_read_back_with_it_until_it_is_done(tmp_path: Path) -> None:
    """The answer written before it went comes back with its request after a kill, and after
    a second one (the file rewritten at each start keeps it); done, neither comes back."""
    path = tmp_path / "onebot-events.jsonl"
    first = Journal(path)
    first.open()
    asked = first.add({"post_type": "request", "flag": "x"})
    other = first.add({"post_type": "request", "flag": "y"})
    assert asked is not None and other is not None
    first.answering(asked, Answer(approve=False, reason="名额已满"))
    for _ in range(2):  # killed, twice
        again = Journal(path)
        [(one, raw), (two, _)] = again.open()
        assert raw["flag"] == "x" and again.answer(one) == Answer(False, "名额已满")
        assert again.answer(two) is None  # never answered: screened after the restart
    again.done([one, two])
    again.close()
    assert Journal(path).open() == []
