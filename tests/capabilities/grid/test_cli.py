"""`hearth grid`: the matrix and its warnings in a terminal, and putting staff in charge."""

from __future__ import annotations

import re
from functools import partial
from pathlib import Path

import pytest
from typer.testing import CliRunner

from hearthkeeper.cli import app
from hearthkeeper.clock import FrozenClock
from tests.capabilities.grid.generated import NOW, Grid


def test_show_assign_and_unassign(
    grid: Grid, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    store, made = grid.store, grid.made
    env = {"HEARTH_DATABASE_URL": grid.url}
    runner = CliRunner()
    shown = runner.invoke(app, ["grid", "show"], env=env, terminal_width=400)
    assert shown.exit_code == 0, shown.output
    # 41 of 200: 20.5%, half up as the report and the console say (not "20%", to even)
    assert "Orange 1: 41/200 (21%)" in shown.stdout and "in charge: Li Wei" in shown.stdout
    assert "Li Wei is in charge of 12 groups" in shown.stdout
    assert "Orange 3 holds 186 of 200 members (93%)" in shown.stdout
    assert re.search(r"\n\d+ warnings:\n", shown.stdout) and "warning(s)" not in shown.stdout

    refused = runner.invoke(app, ["grid", "assign", "Orange 30", "fake:u30-1"], env=env)
    assert refused.exit_code == 1 and "holds no staff role" in refused.stderr
    unknown = runner.invoke(app, ["grid", "assign", "Orange 99", "fake:li"], env=env)
    assert unknown.exit_code == 1 and "no group 'Orange 99'" in unknown.stderr
    given = runner.invoke(app, ["grid", "assign", "Orange 30", "fake:li", "--as", "mei"], env=env)
    assert given.exit_code == 0 and "fake:li is in charge of Orange 30." in given.stdout
    # Li is not in Orange 30: in charge of it on the matrix, he could not moderate there
    assert (
        "note: fake:li is not in Orange 30 yet: they can look after it once they join it (send "
        "them its invite link from the Groups page), and their staff role follows them there\n"
    ) in given.stderr
    within = runner.invoke(app, ["grid", "assign", "Orange 13", "fake:wang"], env=env)
    assert within.exit_code == 0 and "not in" not in within.stderr  # Wang is in Orange 13
    again = runner.invoke(app, ["grid", "show"], env=env, terminal_width=400)
    assert "Li Wei is in charge of 13 groups" in again.stdout
    taken = runner.invoke(app, ["grid", "unassign", "g30", "fake:li"], env=env)
    assert taken.exit_code == 0 and "no longer in charge of Orange 30" in taken.stdout
    assert [e.actor for e in store.audit_entries(made.community_id)
            if e.action.startswith("group.")] == ["cli", "cli", "mei"]  # fmt: skip


def test_show_narrows_to_a_stage_or_a_name_and_sorts_by_health(
    grid: Grid, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """At 300 groups `hearth grid show` printed 300 lines in opening order: the dying were
    found by reading them all. It says how many groups are at each stage, and --stage,
    --find and --sort narrow and order the lines (and the warnings follow the lines). The
    command runs on the day the groups were generated for (run on a later day, every
    generated group had gone quiet and was dying, and nothing was left to narrow); the test
    checks what is shown against what each line says."""
    monkeypatch.chdir(tmp_path)
    env = {"HEARTH_DATABASE_URL": grid.url}
    hearth = partial(CliRunner().invoke, app, obj=FrozenClock(NOW))  # on the generated day

    def groups(output: str) -> list[str]:
        return [line for line in output.splitlines() if line.startswith("Orange")]

    every = hearth(["grid", "show"], env=env, terminal_width=400)
    counts = re.search(r"\n50 groups: ((\d+ (dying|declining|new|growing|mature)(, )?)+)\.\n",
                       every.stdout)  # fmt: skip
    assert counts, every.stdout
    dying_count = sum(" · dying · " in line for line in groups(every.stdout))
    assert dying_count and f"{dying_count} dying" in counts.group(1)

    dying = hearth(["grid", "show", "--stage", "dying", "--sort", "health"],
                          env=env, terminal_width=400)  # fmt: skip
    assert dying.exit_code == 0, dying.output
    shown = groups(dying.stdout)
    assert len(shown) == dying_count and all(" · dying · " in line for line in shown)
    health = [int(re.findall(r"health (\d+)", line)[0]) for line in shown]
    assert health == sorted(health), "the lowest health first"
    assert f"Shown: {dying_count} of them (stage dying)." in dying.stdout
    assert "Orange 3 holds" not in dying.stdout or "Orange 3:" in "".join(shown)

    found = hearth(["grid", "show", "--find", "orange 4"], env=env,
                          terminal_width=400)  # fmt: skip
    assert [line.split(":")[0] for line in groups(found.stdout)] == [
        "Orange 4", *(f"Orange {n}" for n in range(40, 50))]  # fmt: skip
    assert "Shown: 11 of them (“orange 4” in the name or carrier id)." in found.stdout
    assert "Li Wei is in charge of 12 groups" in found.stdout, "the community's own warnings"

    wrong = hearth(["grid", "show", "--stage", "doomed"], env=env)
    assert wrong.exit_code == 2 and "'doomed' is not one of" in wrong.stderr


def test_one_command_puts_a_staff_member_in_charge_of_several_groups(
    grid: Grid, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`hearth grid assign` took one group: a monitor given eight groups was eight commands.
    It takes several (a shell's {31..38} writes the series); a name it does not know, or a
    closed group (which takes nobody in charge), refuses them all, nothing written."""
    monkeypatch.chdir(tmp_path)
    env = {"HEARTH_DATABASE_URL": grid.url}
    runner = CliRunner()
    names = [f"Orange {n}" for n in range(31, 39)]
    refused = runner.invoke(app, ["grid", "assign", *names, "Orange 99", "fake:li"], env=env)
    assert refused.exit_code == 1 and "no group 'Orange 99'" in refused.stderr
    grid.store.close_group(grid.made.groups[40], "cli")
    closed = runner.invoke(app, ["grid", "assign", *names, "Orange 40", "fake:li"], env=env)
    assert closed.exit_code == 1 and " ".join(closed.stderr.split()) == (
        "error: Orange 40 is closed: a closed group takes nobody in charge: reopen it first "
        "(`hearth groups reopen`); nobody was put in charge"
    )
    given = runner.invoke(app, ["grid", "assign", *names, "Orange 31", "fake:li"], env=env)
    assert given.exit_code == 0, given.output
    assert given.stdout == ("fake:li is in charge of 8 groups (Orange 31, Orange 32, Orange 33, "
                            "Orange 34, Orange 35 and 3 more).\n")  # fmt: skip
    assert "note: fake:li is not in 8 groups (Orange 31" in " ".join(given.stderr.split())
    shown = runner.invoke(app, ["grid", "show", "--find", "Orange 3"], env=env,
                          terminal_width=400)  # fmt: skip
    lines = [line for line in shown.stdout.splitlines() if line.startswith(tuple(names))]
    assert len(lines) == 8 and all("in charge: Li Wei" in line for line in lines), shown.stdout
    again = runner.invoke(app, ["grid", "assign", "Orange 31", "Orange 39", "fake:li"], env=env)
    assert again.stdout == ("fake:li is in charge of Orange 39.\n"
                            "fake:li is in charge of Orange 31 already.\n")  # fmt: skip
    taken = runner.invoke(app, ["grid", "unassign", *names[:2], "fake:li"], env=env)
    assert taken.stdout == "fake:li is no longer in charge of 2 groups (Orange 31, Orange 32).\n"
    audited = sorted(e.action for e in grid.store.audit_entries(grid.made.community_id)
                     if e.action.startswith("group."))  # fmt: skip
    assert audited == ["group.assign"] * 9 + ["group.unassign"] * 2


@pytest.mark.parametrize("grid", ["sqlite"], indirect=True)  # the store work: test_across.py
def test_a_poll_and_a_check_in_prompt_across_groups_say_where_and_ask_first(
    grid: Grid, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Forty groups, one playbook: a poll was typed in each group. `hearth grid poll` says
    which groups it goes to and which not (and why), asks, and starts it in all at once;
    `hearth grid checkin` likewise; asked again the same day, it reaches none twice."""
    monkeypatch.chdir(tmp_path)
    store, made = grid.store, grid.made
    store.close_group(made.groups[44], "cli")
    env = {"HEARTH_DATABASE_URL": grid.url}
    hearth = partial(CliRunner().invoke, app, obj=FrozenClock(NOW))  # on the generated day
    poll = ["grid", "poll", "Which deck first?", "pitch", "quarterly", "--find", "orange 4"]
    declined = hearth(poll, env=env, input="n\n", terminal_width=400)
    assert declined.exit_code == 1, declined.output
    assert ("Start the poll 'Which deck first?' (pitch, quarterly; single choice; until "
            in declined.stdout)  # fmt: skip
    assert "in 10 groups (Orange 4, Orange 40, Orange 41, Orange 42, Orange 43 and 5 more)." \
        in declined.stdout  # fmt: skip
    assert "Not in 1 group:\n  Orange 44: closed\n" in declined.stdout
    assert "Nothing was done." in declined.stdout
    assert not [e for e in store.audit_entries(made.community_id) if e.action == "grid.poll"]

    started = hearth([*poll, "--yes", "--as", "mei"], env=env, terminal_width=400)
    assert started.exit_code == 0, started.output
    assert "Started in 10 groups; the engine sends it" in started.stdout
    again = hearth([*poll, "--yes"], env=env, terminal_width=400)
    assert again.exit_code == 1
    assert "this poll was started there today already" in again.stdout
    assert "no chosen group can take the poll 'Which deck first?': nothing was done" in again.stderr
    [entry] = [e for e in store.audit_entries(made.community_id) if e.action == "grid.poll"]
    assert (entry.actor, entry.detail["groups"]) == ("mei", 10)

    pushed = hearth(["grid", "checkin", "Post today's slide!", "--group", "Orange 1",
                                 "--group", "g2", "--yes"], env=env, terminal_width=400)  # fmt: skip
    assert pushed.exit_code == 0, pushed.output
    assert "Push the check-in prompt in 2 groups (Orange 1, Orange 2)." in pushed.stdout

    refusals = {
        ("grid", "poll", "Q", "a", "b", "--all", "--group", "Orange 1"): "--all picks every group",
        ("grid", "poll", "Q", "a", "b"): "say which groups",
        ("grid", "checkin", "--group", "Orange 99"): "no group 'Orange 99'",
        ("grid", "skip", "morning", "--all"): "there is no scheduled post 'morning'",
        ("grid", "skip", "morning", "--all", "--on", "2026-13-01"): "--on '2026-13-01' is not a date",
    }  # fmt: skip
    for words, said in refusals.items():
        refused = hearth(list(words), env=env, terminal_width=400)
        assert refused.exit_code == 1 and said in refused.stderr, (words, refused.output)
