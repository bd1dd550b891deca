"""Every `hearth` command's usage line names its arguments the conventional way, and a word
where a number is wanted gets a plain answer and exit status 2 (cli/commands.py)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from typer._click import Command, Context
from typer.core import TyperGroup as Group
from typer.main import get_command
from typer.testing import CliRunner

from hearthkeeper.cli import app


def _commands(command: Command, ctx: Context) -> Iterator[tuple[Command, Context]]:
    yield command, ctx
    if isinstance(command, Group):
        for name in command.list_commands(ctx):
            sub = command.get_command(ctx, name)
            if sub is not None:
                yield from _commands(sub, Context(sub, info_name=name, parent=ctx))


def test_no_usage_line_shows_an_argument_in_braces_or_lower_case() -> None:
    root = get_command(app)
    usages = [c.get_usage(ctx) for c, ctx in _commands(root, Context(root, info_name="hearth"))]
    assert len(usages) > 50
    assert [u for u in usages if "{" in u] == []
    export = next(u for u in usages if "signups export" in u)
    assert export == "Usage: hearth signups export [OPTIONS] LIST_ID"


@pytest.mark.parametrize(
    ("args", "said"),
    [
        (["signups", "export", "abc"], "Invalid value for 'LIST_ID': 'abc' is not a whole number"),
        (["strikes", "pardon", "1.5"], "Invalid value for 'STRIKE_ID': '1.5' is not a whole number"),
        (["token", "revoke", "0"], "Invalid value for 'TOKEN_ID': 0 is too small: it must be at least 1"),
    ],
)  # fmt: skip
def test_a_bad_number_is_named_in_plain_words(args: list[str], said: str) -> None:
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 2, result.output
    assert said in result.stderr
    assert "Input should be" not in result.stderr
    assert f"Usage: hearth {args[0]} {args[1]} [OPTIONS] " in result.stderr


@pytest.mark.parametrize(
    ("digits", "said"),
    [
        (300, "is too large: it must be at most 10000"),
        (5_000, "is too large: a number of 5,000 digits"),  # it said Python's 'Exceeds the limit'
    ],
)
def test_a_number_of_hundreds_of_digits_is_said_back_by_its_start(digits: int, said: str) -> None:
    """`--limit 999…9` was repeated whole in the error, every digit of it."""
    result = CliRunner().invoke(app, ["billing", "list", "--limit", "9" * digits])
    assert result.exit_code == 2, result.output
    line = next(line for line in result.stderr.splitlines() if "Invalid value" in line)
    assert f"Invalid value for '--limit': {'9' * 40}… {said}" in " ".join(result.stderr.split())
    assert len(" ".join(result.stderr.split())) < 400, line


@pytest.mark.parametrize(
    ("args", "said"),
    [
        (["strikes", "list", "--member", "--all"],
         "--member / -m is missing its value: --all after it is another option"),
        (["sanctions", "list", "-m", "--community", "tea"],
         "-m is missing its value: --community after it is another option"),
        (["strikes", "list", "--community", "--member=x:y"],
         "--community is missing its value: --member=x:y after it is another option"),
    ],
)  # fmt: skip
def test_an_option_followed_by_another_is_told_its_value_is_missing(
    args: list[str], said: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`hearth strikes list --member --all` read `--all` as the member (Click takes the next
    word as the value): "--member '--all': write CARRIER:USER_ID", and --all not applied."""
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 2, result.output
    assert said in " ".join(result.stderr.split()), result.stderr
    assert "CARRIER:USER_ID" not in result.stderr and "no hearth.toml" not in result.stderr


def test_the_form_offered_for_a_value_that_starts_with_a_dash_gives_that_value(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`hearth sanctions list -m --community` said to write `-m=VALUE`, which Click reads as the
    value `=VALUE` (a short option's value follows it directly): the operator who followed the
    advice asked for member `=--community`. The form offered is the long option's."""
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(app, ["sanctions", "list", "-m", "--community"])
    assert result.exit_code == 2, result.output
    said = " ".join(result.stderr.split())
    assert "-m=VALUE" not in said
    assert "(write --member=VALUE for a value that starts with '-')" in said, said
