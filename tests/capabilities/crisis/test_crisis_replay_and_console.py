"""A recorded panic through `hearth replay` raises one staff alert; the console's Crisis page,
`hearth crisis episodes` and `hearth report` show the episode with its messages."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

import pytest
from typer.testing import CliRunner

from hearthkeeper.cli import app
from hearthkeeper.store import Store
from tests.console_setup import SCRIPT, Console
from tests.engine_setup import RULES
from tests.playbook_samples import MINIMAL

ORDINARY = ["good morning everyone", "thanks for sharing, very useful", "see you on Saturday",
            "haha that's great", "count me in"]  # fmt: skip
PANIC = [("emma", "My face broke out in a rash after the new serum!!!"),
         ("olivia", "Same here, I think I'm allergic, it's burning"),
         ("wei", "Is this a scam? I want a refund"),
         ("hannah", "Mine is swollen, going to the hospital"),
         ("emma", "Refund now please, this is awful")]  # fmt: skip


def recording() -> str:
    rows: list[dict[str, str]] = []
    members = ["emma", "olivia", "wei", "hannah", "sam"]
    for n in range(10):
        rows.append({"type": "message", "sender": members[n % 5], "text": ORDINARY[n % 5],
                     "ts": f"2026-10-01T09:{n:02d}:00+01:00"})  # fmt: skip
    for n, (who, text) in enumerate(PANIC):
        rows.append({"type": "message", "sender": who, "text": text,
                     "ts": f"2026-10-01T10:{2 * n:02d}:00+01:00"})  # fmt: skip
    return "\n".join(json.dumps(r) for r in rows) + "\n"


def test_a_replayed_panic_raises_one_alert_naming_the_messages(tmp_path: Path) -> None:
    playbook = tmp_path / "pb.yaml"
    playbook.write_text(MINIMAL + RULES)
    source = tmp_path / "panic.jsonl"
    source.write_text(recording())
    result = CliRunner().invoke(app, ["replay", str(source), "--playbook", str(playbook),
                                      "--format", "jsonl"])  # fmt: skip
    assert result.exit_code == 0, result.stdout
    actions = [json.loads(line) for line in result.stdout.splitlines()]
    [alert] = [a for a in actions if a["type"] == "alert_staff"]
    assert alert["text"].startswith("A spike of negative or panicked messages in group-1:")
    assert "10:00 emma: My face broke out in a rash after the new serum!!!" in alert["text"]
    assert "10:08 emma: Refund now please, this is awful" in alert["text"]


PANIC_ZH = [("lu", "用了昨天团的精华，今天烂脸了！！！" + SCRIPT), ("qing", "我也红肿刺痛，是不是过敏了"),
            ("tang", "我也起疹子了"), ("may", "群主在吗？我要退款"), ("mumu", "要不要一起去投诉维权")]  # fmt: skip


def test_the_console_and_the_report_show_the_episode(console: Console) -> None:
    start = console.clock.now()
    for n, (who, text) in enumerate(PANIC_ZH):
        at = start + timedelta(minutes=n)
        console.clock.set(at)
        console.engine.process([console.events.message(who, text, at=at)])
    page = console.get("/crisis")
    assert page.status_code == 200
    assert 'aria-current="page">Crisis' in page.text
    assert "我也红肿刺痛，是不是过敏了" in page.text
    assert SCRIPT not in page.text, "members' words are escaped"
    assert "烂脸" in page.text and "退款" in page.text
    inbox = console.get("/inbox")
    assert "负面/恐慌消息激增" in inbox.text

    env = {"HEARTH_DATABASE_URL": console.store.engine.url.render_as_string(hide_password=False)}
    shown = CliRunner().invoke(app, ["crisis", "episodes", "--community", "yan-academy-skincare", "--days", "3650"],
                               env=env)  # fmt: skip
    assert shown.exit_code == 0, shown.output
    assert "5 of" in shown.stdout and "我也起疹子了" in shown.stdout
    # its times are the community's, as on the console; before, the list never said whose
    assert shown.stdout.splitlines()[0] == "Times in Asia/Shanghai (the community's time zone)."
    report = CliRunner().invoke(app, ["report", "--community", "yan-academy-skincare",
                                      "--format", "json"], env=env)  # fmt: skip
    assert report.exit_code == 0, report.stdout
    [episode] = json.loads(report.stdout)["crisis"]
    assert [q["author"] for q in episode["quotes"]][:2] == ["lu", "qing"]
    assert episode["alarming"] == 5 and episode["authors"] == 5


@pytest.mark.parametrize("days", ["3000000", "99999999999"])
def test_days_further_back_than_dates_go_are_refused_by_the_option(
    store: Store, database_url: str, days: str
) -> None:
    """Both overflowed (a date before year 1, an int too large for C) and were called 'a
    number too large for the database'."""
    shown = CliRunner().invoke(app, ["crisis", "episodes", "--community", "tea", "--days", days],
                               env={"HEARTH_DATABASE_URL": database_url})  # fmt: skip
    assert shown.exit_code == 2
    assert f"Invalid value for '--days': {days} is too large: it must be at most 36500" in (
        shown.output
    )
