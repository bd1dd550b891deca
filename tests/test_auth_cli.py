"""`hearth operator …` and `hearth token …` from a terminal."""

from __future__ import annotations

import shutil
from datetime import UTC, datetime
from pathlib import Path

import pytest
from typer.testing import CliRunner

from hearthkeeper.cli import app
from hearthkeeper.clock import FrozenClock, SystemClock
from hearthkeeper.store import Store, create_engine_for, sqlite_url
from hearthkeeper.store.database import SQLITE_FILE
from hearthkeeper.web.auth import token_hash, verify_password


@pytest.fixture
def env(migrated_sqlite: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "data").mkdir()
    shutil.copyfile(migrated_sqlite, tmp_path / "data" / SQLITE_FILE)
    return {"HEARTH_DATABASE_URL": sqlite_url(tmp_path / "data")}


def hash_of(tmp_path: Path, name: str) -> str | None:
    store = sqlite_store_at(tmp_path)
    try:
        return store.operator_password_hash(name)
    finally:
        store.engine.dispose()


def sqlite_store_at(tmp_path: Path) -> Store:
    return Store(create_engine_for(sqlite_url(tmp_path / "data")), SystemClock())


def test_operators_are_added_with_a_hidden_confirmed_password_and_listed(
    env: dict[str, str], tmp_path: Path
) -> None:
    runner = CliRunner()
    added = runner.invoke(app, ["operator", "add", "mei"], input="oolong-42\noolong-42\n", env=env)
    assert added.exit_code == 0, added.output
    assert "oolong-42" not in added.stdout, "the password is never echoed"
    assert "Operator mei added" in added.stdout
    stored = hash_of(tmp_path, "mei")
    assert stored is not None and verify_password(stored, "oolong-42")
    mismatch = runner.invoke(
        app, ["operator", "add", "li"], input="abcdefgh\nabcdefgX\nx\nx\n", env=env
    )
    assert mismatch.exit_code != 0 and hash_of(tmp_path, "li") is None
    again = runner.invoke(
        app, ["operator", "add", "mei", "--password-stdin"], input="x" * 9, env=env
    )
    assert again.exit_code == 1 and "already exists" in again.stderr
    short = runner.invoke(
        app, ["operator", "add", "li", "--password-stdin"], input="tea\n", env=env
    )
    assert short.exit_code == 1 and "at least 8 characters" in short.stderr
    bad = runner.invoke(
        app, ["operator", "add", "li lin", "--password-stdin"], input="x" * 9, env=env
    )
    assert bad.exit_code == 1 and "is not allowed" in bad.stderr
    listed = runner.invoke(app, ["operator", "list"], env=env)
    assert listed.exit_code == 0 and "mei  added" in listed.stdout and "never" in listed.stdout


def test_a_name_that_is_not_allowed_is_refused_before_the_password_is_asked(
    env: dict[str, str], tmp_path: Path
) -> None:
    """Typing a password twice only to be told the name is wrong: found walking the docs."""
    refused = CliRunner().invoke(app, ["operator", "add", "li lin"],
                                 input="oolong-42\noolong-42\n", env=env)  # fmt: skip
    assert refused.exit_code == 1 and "username 'li lin' is not allowed" in refused.stderr
    assert "Password" not in refused.output, "refused before the prompt"


def test_a_new_password_and_disabling_an_operator(env: dict[str, str], tmp_path: Path) -> None:
    runner = CliRunner()
    runner.invoke(
        app, ["operator", "add", "mei", "--password-stdin"], input="first-pass\n", env=env
    )
    changed = runner.invoke(app, ["operator", "password", "mei", "--password-stdin"],
                            input="second-pass\n", env=env)  # fmt: skip
    assert changed.exit_code == 0 and "sessions have ended" in changed.stdout
    stored = hash_of(tmp_path, "mei")
    assert stored is not None and verify_password(stored, "second-pass")
    assert not verify_password(stored, "first-pass")
    unknown = runner.invoke(app, ["operator", "password", "li", "--password-stdin"],
                            input="second-pass\n", env=env)  # fmt: skip
    assert unknown.exit_code == 1 and "no operator named 'li'" in unknown.stderr
    assert runner.invoke(app, ["operator", "disable", "mei"], env=env).exit_code == 0
    assert "DISABLED" in runner.invoke(app, ["operator", "list"], env=env).stdout
    assert runner.invoke(app, ["operator", "enable", "mei"], env=env).exit_code == 0
    assert "DISABLED" not in runner.invoke(app, ["operator", "list"], env=env).stdout


def test_a_token_is_printed_once_listed_and_revoked(env: dict[str, str], tmp_path: Path) -> None:
    runner = CliRunner()
    runner.invoke(
        app, ["operator", "add", "mei", "--password-stdin"], input="first-pass\n", env=env
    )
    made = runner.invoke(app, ["token", "create", "--operator", "mei", "--name", "weekly report"],
                         env=env)  # fmt: skip
    assert made.exit_code == 0, made.output
    token = made.stdout.strip()
    assert len(token.splitlines()) == 1 and len(token) >= 40, "stdout holds only the token"
    assert "not shown again" in made.stderr
    store = sqlite_store_at(tmp_path)
    found = store.api_token_for(token_hash(token))
    assert found is not None and found.name == "weekly report"
    listed = runner.invoke(app, ["token", "list"], env=env)
    assert f"#{found.id}  weekly report  of mei" in listed.stdout and token not in listed.stdout
    revoked = runner.invoke(app, ["token", "revoke", str(found.id)], env=env)
    assert revoked.exit_code == 0 and "revoked" in revoked.stdout
    assert store.api_token_for(token_hash(token)) is None
    assert "REVOKED" in runner.invoke(app, ["token", "list"], env=env).stdout
    again = runner.invoke(app, ["token", "revoke", str(found.id)], env=env)
    assert again.exit_code == 1 and "already revoked" in again.stderr
    nobody = runner.invoke(app, ["token", "create", "--operator", "li", "--name", "x"], env=env)
    assert nobody.exit_code == 1 and "no operator named 'li'" in nobody.stderr
    store.engine.dispose()


def _in_shanghai(store: Store, slug: str = "tea", zone: str = "Asia/Shanghai") -> None:
    tea = store.ensure_community(slug, slug.title())
    store.add_playbook_version(tea.id, f"community: {{timezone: {zone}}}\n",
                               {"community": {"timezone": zone}}, "test")  # fmt: skip


def test_operators_and_tokens_are_listed_in_the_communities_time_zone_named_once(
    env: dict[str, str], tmp_path: Path
) -> None:
    """Before, both lists printed UTC while every other list printed the community's time."""
    store = Store(create_engine_for(sqlite_url(tmp_path / "data")),
                  FrozenClock(datetime(2026, 12, 5, 17, 30, tzinfo=UTC)))  # fmt: skip
    try:
        mei = store.add_operator("mei", "x")
        token = store.add_api_token(mei.id, "weekly report", "hash")
        store.touch_api_token(token.id, datetime(2026, 12, 5, 17, 30, tzinfo=UTC))
        runner = CliRunner()
        alone = runner.invoke(app, ["token", "list"], env=env).stdout
        assert alone.splitlines()[0] == "Times in UTC (no community yet).", alone
        assert "last used 2026-12-05 17:30" in alone
        _in_shanghai(store)
        tokens = runner.invoke(app, ["token", "list"], env=env).stdout
        assert tokens.splitlines()[0] == ("Times in Asia/Shanghai (the communities' time zone)."), (
            tokens
        )
        assert "created 2026-12-06  last used 2026-12-06 01:30" in tokens, tokens
        assert "UTC" not in tokens
        operators = runner.invoke(app, ["operator", "list"], env=env).stdout
        assert operators.splitlines()[0] == "Times in Asia/Shanghai (the communities' time zone)."
        assert "mei  added 2026-12-06  last sign-in never" in operators, operators
        _in_shanghai(store, "choir", "Europe/London")
        differ = runner.invoke(app, ["token", "list"], env=env).stdout
        assert differ.splitlines()[0] == "Times in UTC (the communities' time zones differ).", (
            differ
        )
        assert "last used 2026-12-05 17:30" in differ
    finally:
        store.engine.dispose()


def test_a_password_prompt_that_meets_the_end_of_input_says_to_use_password_stdin(
    env: dict[str, str], tmp_path: Path
) -> None:
    """Without a terminal (a script, a container, a new operator's ssh session), `hearth
    operator add mei` met the end of its input at the prompt and printed only 'Aborted!'
    (session 34's walk): the error says what happened and how to give the password."""
    runner = CliRunner()
    for args in (["operator", "add", "mei"], ["operator", "password", "mei"]):
        if args[1] == "password":
            made = runner.invoke(app, ["operator", "add", "mei", "--password-stdin"],
                                 input="oolong-42\n", env=env)  # fmt: skip
            assert made.exit_code == 0, made.output
        ended = runner.invoke(app, args, input="", env=env)
        assert ended.exit_code == 1, ended.output
        assert "Aborted" not in ended.output
        said = " ".join(ended.stderr.split())
        assert "error: no password was given: standard input ended" in said
        assert f"hearth operator {args[1]} NAME --password-stdin" in said
    stored = hash_of(tmp_path, "mei")
    assert stored is not None and verify_password(stored, "oolong-42"), "kept as it was"
