"""`hearth moderate` and `hearth replay` as an operator runs them."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from hearthkeeper.cli import app
from tests.engine_setup import RULES
from tests.playbook_samples import MINIMAL


@pytest.fixture
def playbook_file(tmp_path: Path) -> Path:
    path = tmp_path / "pb.yaml"
    path.write_text(MINIMAL + RULES)
    return path


def invoke(*args: str, stdin: str | None = None) -> tuple[int, str, str]:
    result = CliRunner().invoke(app, list(args), input=stdin)
    return result.exit_code, result.stdout, result.stderr


def test_moderate_gives_one_verdict_per_message(playbook_file: Path) -> None:
    lines = "\n".join([
        "good morning, the tea arrived",
        "加 微 信 abc12345 低价出货",
        json.dumps({"text": "ｖｘ：ab1234 私聊我", "sender": "bob"}),
        json.dumps({"text": "second ad: 加\u200b微\u200b信 abc12345"}),
        "you idiot",
    ])  # fmt: skip
    code, out, _ = invoke("moderate", "--playbook", str(playbook_file), stdin=lines)
    assert code == 0
    verdicts = [json.loads(line) for line in out.splitlines()]
    assert [v["verdict"] for v in verdicts] == ["allow", "delete", "delete", "delete", "flag"]
    assert verdicts[1]["violations"] == ["advertising"] and verdicts[1]["action"] == "delete+warn"
    assert "加 微 信" in verdicts[1]["explanation"]
    assert verdicts[2]["action"] == "delete+warn", "bob's first strike"
    assert verdicts[3]["action"] == "delete+mute 1h", "the anonymous sender's second strike"
    assert verdicts[4]["violations"] == ["insults"] and verdicts[4]["action"] == "alert_staff"


def test_moderate_reports_bad_lines_and_goes_on(playbook_file: Path, tmp_path: Path) -> None:
    source = tmp_path / "in.jsonl"
    source.write_text('{"text": 5}\n{not json\nhello\n')
    code, out, err = invoke("moderate", "--playbook", str(playbook_file), str(source))
    assert code == 0
    assert [json.loads(line)["verdict"] for line in out.splitlines()] == ["allow"]
    assert f"{source}:1: skipped" in err and f"{source}:2: skipped: not JSON" in err


def events(*rows: dict[str, object]) -> str:
    return "\n".join(json.dumps(row, ensure_ascii=False) for row in rows) + "\n"


CONVERSATION = events(
    {"type": "join", "group": "tea-1", "sender": "mei", "ts": "2026-10-01T08:00:00+01:00"},
    {"type": "message", "group": "tea-1", "sender": "mei", "text": "agree", "ts": "2026-10-01T08:01:00+01:00"},
    {"type": "message", "group": "tea-1", "sender": "spam", "text": "加我薇信 abc123 低价", "ts": "2026-10-01T08:02:00+01:00"},
    {"type": "message", "group": "tea-2", "sender": "spam", "text": "加我薇信 abc123 低价!!", "ts": "2026-10-01T08:03:00+01:00"},
    {"type": "message", "group": "tea-1", "sender": "boss", "role": "manager", "text": "https://shop.example.com sale", "ts": "2026-10-01T08:04:00+01:00"},
)  # fmt: skip


def test_replay_reports_what_the_playbook_would_have_done(
    playbook_file: Path, tmp_path: Path
) -> None:
    source = tmp_path / "october.jsonl"
    source.write_text(CONVERSATION)
    code, out, _ = invoke(
        "replay", str(source), "--playbook", str(playbook_file), "--format", "jsonl"
    )
    assert code == 0
    actions = [json.loads(line) for line in out.splitlines()]
    types = [a["type"] for a in actions]
    assert types.count("strike") == 2 and "mute" in types
    welcome = next(a for a in actions if a["type"] == "send")
    assert welcome["group"] == "tea-1" and "mei" in welcome["text"]
    mute = next(a for a in actions if a["type"] == "mute")
    assert mute["group"] == "tea-2" and mute["member"] == "spam" and mute["duration_s"] == 3600
    assert not [a for a in actions if a["member"] == "boss"], "staff are not punished"


def test_replay_text_is_readable_and_skips_bad_lines(playbook_file: Path, tmp_path: Path) -> None:
    source = tmp_path / "october.jsonl"
    source.write_text(CONVERSATION + "garbage\n" + events({"type": "wave", "sender": "x"}))
    code, out, err = invoke("replay", str(source), "--playbook", str(playbook_file))
    assert code == 0
    assert "2026-10-01 08:02:00  tea-1  spam [message]: 加我薇信 abc123 低价" in out
    assert "→ delete" in out and "→ mute 60 min" in out
    assert "5 event(s) replayed" in out
    assert "october.jsonl:6: skipped: not JSON" in err and "unknown type 'wave'" in err


def test_replay_and_moderate_refuse_a_broken_playbook(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("community: {slug: x}\n")
    code, out, _ = invoke("replay", str(bad), "--playbook", str(bad))
    assert code == 1 and "bad.yaml:1:" in out


def test_replay_runs_scheduled_work_when_the_recording_crosses_it(
    playbook_file: Path, tmp_path: Path
) -> None:
    source = tmp_path / "poll.jsonl"
    source.write_text(events(
        {"type": "message", "group": "tea-1", "sender": "boss", "role": "manager",
         "text": "/poll Next tasting? | oolong | pu-erh | until 09:00", "ts": "2026-10-01T08:00:00+01:00"},
        {"type": "message", "group": "tea-1", "sender": "mei", "text": "2", "ts": "2026-10-01T08:05:00+01:00"},
        {"type": "message", "group": "tea-1", "sender": "mei", "text": "good night", "ts": "2026-10-01T09:30:00+01:00"},
    ))  # fmt: skip
    code, out, _ = invoke("replay", str(source), "--playbook", str(playbook_file))
    assert code == 0, out
    lines = out.splitlines()
    closing = next(i for i, line in enumerate(lines) if "[scheduled: poll.close]" in line)
    assert lines[closing].startswith("2026-10-01 09:00:00")
    assert "pu-erh" in "\n".join(lines[closing:])
    assert closing > next(i for i, line in enumerate(lines) if "08:05:00" in line)


def test_a_time_out_of_reach_is_a_skipped_line_not_a_replay_that_never_ends(
    playbook_file: Path, tmp_path: Path
) -> None:
    """A typo'd year or a timestamp in milliseconds used to send the replay through every
    scheduled firing up to the year 9999 (it never ended), or crash the engine on the line;
    `ts: 1e300` ended the whole command with a message about database ids."""
    source = tmp_path / "typos.jsonl"
    source.write_text(CONVERSATION + events(
        {"type": "message", "group": "tea-1", "sender": "mei", "text": "y", "ts": "9999-10-01T08:05:00+01:00"},
        {"type": "message", "group": "tea-1", "sender": "mei", "text": "ms", "ts": 1790000000000},
        {"type": "message", "group": "tea-1", "sender": "mei", "text": "huge", "ts": 1e300},
        {"type": "message", "group": "tea-1", "sender": "mei", "text": "leap", "ts": "2029-10-01T08:05:00+01:00"},
        {"type": "message", "group": "tea-1", "sender": "mei", "text": "fine", "ts": "2026-10-02T08:05:00+01:00"},
    ))  # fmt: skip
    code, out, err = invoke("replay", str(source), "--playbook", str(playbook_file))
    assert code == 0, err
    assert "6 event(s) replayed" in out, "the conversation and the last line, dated sanely"
    for line in (6, 7, 8):
        assert f"typos.jsonl:{line}: skipped: `ts`" in err
    assert "is not between 1970 and 2199" in err
    assert "typos.jsonl:9: skipped: `ts` '2029-10-01T08:05:00+01:00' is 1096 days after" in err
    assert "database" not in err + out


def test_replay_gives_its_times_on_the_communitys_clock_and_says_whose(tmp_path: Path) -> None:
    """A welcome at 08:00 in Shanghai: the jsonl said `"at": "2026-10-01T00:00:00+00:00"` (UTC)
    and the text its reminder "at 2026-10-01T06:00+00:00", where the event lines are local."""
    playbook = tmp_path / "pb.yaml"
    playbook.write_text(MINIMAL.replace("Europe/London", "Asia/Shanghai") + RULES
                        + "joining:\n  ceremony:\n    intro_deadline: 12h\n")  # fmt: skip
    source = tmp_path / "october.jsonl"
    source.write_text(
        events(
            {"type": "join", "group": "tea-1", "sender": "mei", "ts": "2026-10-01T08:00:00+08:00"}
        )
    )
    code, out, err = invoke("replay", str(source), "--playbook", str(playbook), "--format", "jsonl")
    assert code == 0, out + err
    sends = [json.loads(line) for line in out.splitlines()]
    assert [a["at"] for a in sends] == ["2026-10-01T08:00:00+08:00", "2026-10-01T14:00:00+08:00"]
    code, out, err = invoke("replay", str(source), "--playbook", str(playbook))
    assert code == 0, out + err
    lines = out.splitlines()
    assert lines[0] == "Times in Asia/Shanghai (the community's time zone).", out
    assert lines[1].startswith("2026-10-01 08:00:00  tea-1  mei [join]"), out
    assert any(line.endswith(" at 2026-10-01 14:00:00") for line in lines), out
    assert "+00:00" not in out
