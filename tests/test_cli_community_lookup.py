"""Every command that takes `--community` finds it the same way (cli/context.py
`pick_community`): by its slug or its name, whatever the case; an unknown one is refused
with the communities there are and the nearest name to what was typed. `hearth referrals`,
`hearth db rollups`, `hearth crisis`, `hearth signups list` took the slug only (`--community
"Tea Friends"` was "no community"), and each command had its own refusal."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner, Result

from hearthkeeper.cli import app
from hearthkeeper.store import Store
from tests.playbook_samples import MINIMAL
from tests.serve_setup import served_community

COMMANDS = [
    ("referrals", "top"),
    ("db", "rollups"),
    ("crisis", "episodes"),
    ("signups", "list"),
    ("report", "--out", "tea.json"),
    ("groups", "close", "Tea Friends #1"),
    ("groups", "reopen", "Tea Friends #1"),
    ("posts",),
    ("grid", "show"),
]


@pytest.fixture
def community_id(store: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> int:
    """Tea Friends (slug tea) with two web chat groups, and another community beside it."""
    monkeypatch.chdir(tmp_path)
    community_id = served_community(store, MINIMAL)
    store.add_group(community_id, "Tea Friends #2", "webchat", "tea-2")
    store.ensure_community("go", "Go Club")
    return community_id


def _hearth(database_url: str, *args: str) -> Result:
    return CliRunner().invoke(app, list(args), env={"HEARTH_DATABASE_URL": database_url,
                                                    "HEARTH_PUBLIC_URL": ""})  # fmt: skip


# The lookup and its refusal are one function over the communities listed (`pick_community`):
# on SQLite for every command; on PostgreSQL too for the commands no other test runs whole
# there (the others: test_report_cli, test_groups_close, calendar/test_calendar_posting,
# signups/test_signup_export, referrals/test_console_cli, grid/test_cli).
_WHOLE_ON_POSTGRESQL = {("db", "rollups"), ("crisis", "episodes")}


@pytest.mark.parametrize(
    ("database_url", "command"),
    [("sqlite", c) for c in COMMANDS]
    + [pytest.param("postgresql", c, marks=pytest.mark.postgres)
       for c in COMMANDS if c[:2] in _WHOLE_ON_POSTGRESQL],
    indirect=["database_url"],
    ids=lambda v: v if isinstance(v, str) else " ".join(v[:2]),
)  # fmt: skip
def test_a_community_is_found_by_its_name_and_a_typo_is_named(
    store: Store, community_id: int, database_url: str, command: tuple[str, ...]
) -> None:
    if command[:2] == ("groups", "reopen"):
        closed = _hearth(database_url, "groups", "close", "Tea Friends #1")
        assert closed.exit_code == 0, closed.output
    by_name = _hearth(database_url, *command, "--community", "tea friends")
    assert by_name.exit_code == 0, by_name.output

    typo = _hearth(database_url, *command, "--community", "Tea Frends")
    assert typo.exit_code == 1, typo.output
    said = " ".join(typo.stderr.split())
    assert "no community 'Tea Frends' (there are: go (Go Club), tea (Tea Friends)); did you " \
        "mean 'Tea Friends'?" in said, said  # fmt: skip


def test_a_command_needing_a_community_names_each_by_slug_and_name(
    store: Store, community_id: int, database_url: str
) -> None:
    """Left out on a server with two, --community was asked for listing the slugs only
    ('there are: go, tea'), though an operator knows a community by its name."""
    asked = _hearth(database_url, "staff", "list")
    assert asked.exit_code == 1
    said = " ".join(asked.stderr.split())
    assert "say which community with --community, its slug or its name (there are: go (Go " \
        "Club), tea (Tea Friends))" in said, said  # fmt: skip


def test_a_group_name_two_communities_share_is_refused_naming_each_as_slug_and_name(
    store: Store, community_id: int, database_url: str
) -> None:
    """`hearth groups close` listed the communities by slug only ("in go, tea")."""
    go = store.get_community("go")
    assert go is not None
    store.add_group(go.id, "Tea Friends #2", "webchat", "go-2")
    refused = _hearth(database_url, "groups", "close", "Tea Friends #2")
    said = " ".join(refused.stderr.split())
    assert refused.exit_code == 1, refused.output
    assert "2 groups are called 'Tea Friends #2' (in go (Go Club), tea (Tea Friends)): say " \
        "which with --community, its slug or its name" in said, said  # fmt: skip
