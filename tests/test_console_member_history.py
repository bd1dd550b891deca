"""A member's page tells what happened: a member made staff later joined as a member, and
was made staff by someone at a time (it said "joined … as secretary")."""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path

from typer.testing import CliRunner

from hearthkeeper.cli import app
from hearthkeeper.store import NewAudit
from hearthkeeper.store.database import sqlite_url
from hearthkeeper.store.records import STAFF_ROLE
from tests.console_setup import Console


def _history(page: str) -> list[str]:
    found = re.search(r'<ol class="timeline" id="history">(.*?)</ol>', page, re.S)
    assert found is not None
    lines = re.findall(r"<li>(.*?)</li>", found.group(1), re.S)
    return [re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", line)).strip() for line in lines]


def test_a_member_made_staff_later_joined_as_a_member_and_was_made_staff_by_someone(
    console: Console, tmp_path: Path
) -> None:
    env = {"HEARTH_DATABASE_URL": sqlite_url(tmp_path / "data")}
    runner = CliRunner()
    given = runner.invoke(app, ["staff", "set", "webchat:mei", "群秘书", "--as", "ann"], env=env)
    assert given.exit_code == 0, given.output
    mei = console.member_id("mei")
    history = _history(console.get(f"/members/{mei}").text)
    assert any(line.endswith("made staff secretary (群秘书) by ann") for line in history), history
    [joined] = [line for line in history if " joined " in line]
    assert joined.endswith("joined 颜学院护肤社 1群"), joined
    taken = runner.invoke(app, ["staff", "set", "webchat:mei", "none", "--as", "ann"], env=env)
    assert taken.exit_code == 0, taken.output
    history = _history(console.get(f"/members/{mei}").text)
    assert history[0].endswith("staff role taken away by ann"), history


def test_a_role_nobody_recorded_giving_is_said_as_held_now(console: Console) -> None:
    mei = console.member_id("mei")
    console.store.set_role(mei, console.group_id, "dean")
    history = _history(console.get(f"/members/{mei}").text)
    [joined] = [line for line in history if " joined " in line]
    assert joined.endswith(
        "joined 颜学院护肤社 1群 (dean (院长) now; not recorded when it was given)"
    )


def test_a_role_given_long_ago_is_still_told_after_many_later_entries_on_the_member(
    console: Console, tmp_path: Path
) -> None:
    """The page read only the member's newest 500 audit entries and looked for the role among
    them: strikes, bans, pardons and billing written later pushed the giving out, and the page
    said "(secretary now; not recorded when it was given)"."""
    env = {"HEARTH_DATABASE_URL": sqlite_url(tmp_path / "data")}
    given = CliRunner().invoke(
        app, ["staff", "set", "webchat:mei", "群秘书", "--as", "ann"], env=env
    )
    assert given.exit_code == 0, given.output
    mei = console.member_id("mei")
    target = f"member {mei}"
    [role] = console.store.audit_entries(console.community_id, target=target,
                                         actions=[STAFF_ROLE])  # fmt: skip
    later = [
        NewAudit(actor="engine", action="pardon", community_id=console.community_id,
                 target=target, detail={}, at=role.at + timedelta(seconds=n + 1))
        for n in range(501)
    ]  # fmt: skip
    console.store.audit_bulk(later)
    history = _history(console.get(f"/members/{mei}").text)
    assert any(line.endswith("made staff secretary (群秘书) by ann") for line in history), history
    [joined] = [line for line in history if " joined " in line]
    assert joined.endswith("joined 颜学院护肤社 1群"), joined
