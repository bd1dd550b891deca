"""`hearth serve` says when a community's staff alerts reach nobody outside the console's
Inbox (web chat only, no staff channel): staff would otherwise never know to look there."""

from __future__ import annotations

from pathlib import Path

import pytest

from hearthkeeper.cli.serve_cmd import show
from hearthkeeper.clock import FrozenClock
from tests.serve_setup import build, project


def test_a_web_chat_only_community_without_a_staff_channel_is_told_to_read_the_inbox(
    tmp_path: Path, store_clock: FrozenClock, capsys: pytest.CaptureFixture[str]
) -> None:
    playbook = project(tmp_path / "site")
    host = build(playbook, f"sqlite:///{tmp_path / 'site' / 'data.db'}", store_clock)
    try:
        show(host)  # what hearth serve prints at start
    finally:
        host.close()
    [line] = [s for s in capsys.readouterr().out.splitlines() if s.startswith("Staff alerts")]
    assert line == (
        "Staff alerts of 颜学院护肤社 (yan-academy-skincare) reach only the console's Inbox, "
        "http://127.0.0.1:8470/console/c/yan-academy-skincare/inbox: no staff channel "
        "(alerts.staff_group: a group's name), and webchat sends no direct messages"
    )


def test_a_staff_channel_on_the_web_chat_reaches_staff_so_nothing_is_said(
    tmp_path: Path, store_clock: FrozenClock
) -> None:
    playbook = project(tmp_path / "site")
    text = playbook.read_text(encoding="utf-8")
    playbook.write_text(text.replace("alerts:\n", "alerts:\n  staff_group: 颜学院护肤社 1群\n", 1))
    host = build(playbook, f"sqlite:///{tmp_path / 'site' / 'data.db'}", store_clock)
    try:
        assert host.alerts_unsaid() == []
    finally:
        host.close()


def test_a_carrier_the_playbook_names_but_this_server_does_not_run_is_said_not_running(
    tmp_path: Path, store_clock: FrozenClock, capsys: pytest.CaptureFixture[str]
) -> None:
    """The playbook names Telegram, which sends direct messages, but this server runs no
    Telegram bot: the line said "telegram, webchat send no direct messages", untrue of
    Telegram. Only the carriers running here are said to lack them; the others are said not
    to be running here."""
    playbook = project(tmp_path / "site")
    text = playbook.read_text(encoding="utf-8")
    playbook.write_text(text.replace("    - kind: webchat ", "    - kind: telegram\n    - kind: webchat ", 1),
                        encoding="utf-8")  # fmt: skip
    host = build(playbook, f"sqlite:///{tmp_path / 'site' / 'data.db'}", store_clock)
    try:
        assert "telegram" not in host.carriers
        show(host)
    finally:
        host.close()
    [line] = [s for s in capsys.readouterr().out.splitlines() if s.startswith("Staff alerts")]
    assert line.endswith(
        "no staff channel (alerts.staff_group: a group's name), and webchat sends no direct "
        "messages (telegram is not running here)"
    )
