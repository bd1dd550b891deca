"""`hearth grid`: the matrix and its warnings in a terminal, and putting staff in charge."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from hearthkeeper.cli import app
from tests.capabilities.grid.generated import Grid


def test_show_assign_and_unassign(
    grid: Grid, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    store, made = grid.store, grid.made
    env = {"HEARTH_DATABASE_URL": grid.url}
    runner = CliRunner()
    shown = runner.invoke(app, ["grid", "show"], env=env, terminal_width=400)
    assert shown.exit_code == 0, shown.output
    assert "Orange 1: 41/200 (20%)" in shown.stdout and "in charge: Li Wei" in shown.stdout
    assert "Li Wei is in charge of 12 groups" in shown.stdout
    assert "Orange 3 holds 186 of 200 members (93%)" in shown.stdout
    assert re.search(r"\n\d+ warnings:\n", shown.stdout) and "warning(s)" not in shown.stdout

    refused = runner.invoke(app, ["grid", "assign", "Orange 30", "fake:u30-1"], env=env)
    assert refused.exit_code == 1 and "holds no staff role" in refused.stderr
    unknown = runner.invoke(app, ["grid", "assign", "Orange 99", "fake:li"], env=env)
    assert unknown.exit_code == 1 and "no group 'Orange 99'" in unknown.stderr
    given = runner.invoke(app, ["grid", "assign", "Orange 30", "fake:li", "--as", "mei"], env=env)
    assert given.exit_code == 0 and "fake:li is in charge of Orange 30." in given.stdout
    again = runner.invoke(app, ["grid", "show"], env=env, terminal_width=400)
    assert "Li Wei is in charge of 13 groups" in again.stdout
    taken = runner.invoke(app, ["grid", "unassign", "g30", "fake:li"], env=env)
    assert taken.exit_code == 0 and "no longer in charge of Orange 30" in taken.stdout
    assert [e.actor for e in store.audit_entries(made.community_id)
            if e.action.startswith("group.")] == ["cli", "mei"]  # fmt: skip
