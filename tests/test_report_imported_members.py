"""An imported history where some members' joins were recorded and others only posted (real
Telegram exports hold few join events): one report counts its members one way throughout."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from typer.testing import CliRunner

from hearthkeeper.cli import app
from hearthkeeper.store import Store

T0 = 1709280000  # 2024-03-01 08:00 UTC


def _export(path: Path) -> None:
    """Ann, Bo and Cy join by link; Bo is removed; the channel, Di and Ed only post."""
    messages: list[dict[str, Any]] = []

    def add(kind: str, day: int, **fields: Any) -> None:
        at = T0 + day * 86400 + len(messages) * 60
        messages.append({"id": len(messages) + 1, "type": kind, "date": "2024-03-01T08:00:00",
                         "date_unixtime": str(at), **fields})  # fmt: skip

    def say(day: int, name: str, user: str, text: str) -> None:
        add("message", day, **{"from": name, "from_id": user, "text": text})

    for name, user in (("Ann", "user1"), ("Bo", "user2"), ("Cy", "user3")):
        add("service", 0, actor=name, actor_id=user, action="join_group_by_link")
    say(0, "Club", "channel99", "welcome, this is the club's channel")
    say(1, "Ann", "user1", "hello all")
    say(1, "Bo", "user2", "hi there")
    say(2, "Di", "user4", "morning")
    say(3, "Ed", "user5", "anyone up for a run")
    add("service", 4, actor="Ann", actor_id="user1", action="remove_members", members=["Bo"])
    say(5, "Di", "user4", "see you")
    chat = {"name": "Club", "type": "private_supergroup", "id": 7, "messages": messages}
    path.write_text(json.dumps(chat), encoding="utf-8")


def _hearth(database_url: str, *args: str) -> str:
    result = CliRunner().invoke(app, list(args), env={"HEARTH_DATABASE_URL": database_url})
    assert result.exit_code == 0, result.output
    return result.stdout


def test_members_agree_across_the_report_and_speakers_never_outnumber_them(
    store: Store, database_url: str, tmp_path: Path
) -> None:
    export = tmp_path / "result.json"
    _export(export)
    _hearth(database_url, "import", "telegram", str(export), "--community", "Club")
    report = json.loads(_hearth(database_url, "report", "--community", "club", "--format",
                                "json", "--from", "2024-03-01", "--to", "2024-03-10"))  # fmt: skip
    # Members at the period's end: Ann and Cy (joined, still in) and the channel, Di and Ed
    # (posted, no join recorded); Bo was removed. Five posted in the period.
    measured = list(_periods(report["overall"]["metrics"])) + [
        m for g in report["groups"] for m in _periods(g["metrics"])]  # fmt: skip
    ends = [(m["label"], m["members"]) for m in measured
            if m["label"] in ("2024-03-01..2024-03-10", "2024-W10", "2024-03")]  # fmt: skip
    assert len(ends) == 6 and {n for _, n in ends} == {5}, ends
    assert all(m["speaker_ratio"] is None or m["speaker_ratio"] <= 1 for m in measured)
    assert report["overall"]["metrics"]["total"]["speaker_ratio"] == 1.0
    for part in (report["overall"], *report["groups"]):
        counts = part["segments"]["counts"]
        assert sum(counts.values()) - counts["churned"] == 5 and counts["churned"] == 1
        [activity] = [c for c in part["health"]["components"] if c["key"] == "activity"]
        assert "of 5 members" in activity["explanation"]
    assert [g["members"] for g in report["matrix"]["groups"]] == [5]


def _periods(metrics: dict[str, Any]) -> list[dict[str, Any]]:
    """The range's metrics and every day's, week's and month's in it."""
    found = [metrics["total"]]
    for value in metrics.values():
        if isinstance(value, list):
            found.extend(m for m in value if isinstance(m, dict) and "speaker_ratio" in m)
    return found
