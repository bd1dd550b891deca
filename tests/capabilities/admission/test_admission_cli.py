"""`hearth codes` and `hearth applications` as an operator types them, and `hearth playbook
show` naming a threshold nobody checks."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from hearthkeeper.capabilities.admission.applications_repository import SqlApplications
from hearthkeeper.cli import app
from hearthkeeper.clock import FrozenClock
from hearthkeeper.engine.admission import Entry
from hearthkeeper.playbook import CarrierKinds, parse_playbook
from hearthkeeper.playbook.summary import summarise
from hearthkeeper.store import Store
from tests.capabilities.admission.door_setup import APPLICATION, CODE
from tests.capabilities.admission.test_admission_engine import asking, door, tea_with
from tests.playbook_samples import MINIMAL


def test_codes_are_created_listed_and_revoked_from_the_command_line(
    store: Store, store_clock: FrozenClock, database_url: str, tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:  # fmt: skip
    monkeypatch.chdir(tmp_path)
    store.ensure_community("tea", "Tea Friends")
    env, runner = {"HEARTH_DATABASE_URL": database_url}, CliRunner()
    made = runner.invoke(app, ["codes", "create", "--community", "tea", "--label", "poster",
                               "--max-uses", "30", "--code", "spring26"], env=env)  # fmt: skip
    assert made.exit_code == 0, made.output
    assert "SPRING26  poster  up to 30 people" in made.output
    again = runner.invoke(app, ["codes", "create", "--community", "tea", "--code", "SPRING26"],
                          env=env)  # fmt: skip
    assert again.exit_code == 1 and "already has a code 'SPRING26'" in again.stderr
    bad = runner.invoke(app, ["codes", "create", "--community", "tea", "--expires", "June"],
                        env=env)  # fmt: skip
    assert bad.exit_code == 1 and "YYYY-MM-DD" in bad.stderr
    # the end of 9999-12-31 west of UTC is past Python's last date: 'too large for the database'
    beyond = runner.invoke(app, ["codes", "create", "--community", "tea", "--expires",
                                 "9999-12-31"], env=env)  # fmt: skip
    assert beyond.exit_code == 1
    assert "--expires '9999-12-31' is out of range: give a day from 1970-01-01" in beyond.stderr
    listed = runner.invoke(app, ["codes", "list"], env=env)  # the one community: no --community
    assert "SPRING26  active  0/30 used  poster" in listed.output
    revoked = runner.invoke(app, ["codes", "revoke", "spring26"], env=env)
    assert revoked.exit_code == 0 and "Revoked SPRING26" in revoked.output
    assert "SPRING26  revoked" in runner.invoke(app, ["codes", "list", "--community", "tea"],
                                                env=env).output  # fmt: skip


def test_applications_are_listed_and_approved_from_the_command_line(
    store: Store, store_clock: FrozenClock, database_url: str, tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:  # fmt: skip
    monkeypatch.chdir(tmp_path)
    tea = tea_with(store, store_clock, APPLICATION)
    door(tea).screen(asking(tea, "mei", answers=("Lan", "Oolong")))
    env, runner = {"HEARTH_DATABASE_URL": database_url}, CliRunner()
    listed = runner.invoke(app, ["applications", "list"], env=env)  # the one community
    [application] = SqlApplications.on(store).applications(tea.runtime.community_id)
    assert f"#{application.id}  pending  Mei" in listed.output
    assert "What do you brew?" in listed.output and "→ Oolong" in listed.output
    [tea_room] = store.list_groups(tea.runtime.community_id)  # which group: it was not said
    assert f"applied {application.created_at:%Y-%m-%d %H:%M} to join {tea_room.name}\n" in (
        listed.output
    ), listed.output
    approved = runner.invoke(app, ["applications", "approve", str(application.id)], env=env)
    assert approved.exit_code == 0 and "approved" in approved.output
    # the decision's time is its own, not the application's (which read as the decision's)
    [decided] = SqlApplications.on(store).applications(tea.runtime.community_id)
    assert decided.reviewed_at is not None and decided.reviewed_at != application.created_at
    shown = runner.invoke(app, ["applications", "list"], env=env).output
    assert (f"#{application.id}  approved by cli on {decided.reviewed_at:%Y-%m-%d %H:%M}  Mei  "
            f"applied {application.created_at:%Y-%m-%d %H:%M}") in shown, shown  # fmt: skip
    twice = runner.invoke(app, ["applications", "refuse", str(application.id), "-m", "no"],
                          env=env)  # fmt: skip
    assert twice.exit_code == 1 and "approved already by cli" in twice.stderr
    assert door(tea).screen(asking(tea, "mei")).entry is Entry.ADMIT
    door(tea).screen(asking(tea, "lan", answers=("Lan", "Pu-erh")))
    lan = next(a.id for a in SqlApplications.on(store).applications(tea.runtime.community_id)
               if a.user_id == "lan")  # fmt: skip
    assert runner.invoke(app, ["applications", "refuse", str(lan)], env=env).exit_code == 0
    assert door(tea).screen(asking(tea, "lan")).entry is Entry.REFUSE
    plain = runner.invoke(app, ["applications", "approve", str(lan)], env=env)
    assert plain.exit_code == 1 and "refused already by cli" in plain.stderr
    after_all = runner.invoke(app, ["applications", "approve", str(lan), "--reconsider"], env=env)
    assert after_all.exit_code == 0 and "approved" in after_all.output
    assert door(tea).screen(asking(tea, "lan")).entry is Entry.ADMIT


def test_playbook_show_names_a_threshold_no_installed_capability_checks(tmp_path: Path) -> None:
    paid = parse_playbook(MINIMAL + "joining:\n  threshold:\n    kind: task\n"
                          "    invite_friends: 3\n").playbook  # fmt: skip
    here = CarrierKinds(frozenset({"webchat"}), thresholds=frozenset({"open", "invite_code"}))
    gaps = [g.message for element in summarise(paid, here) for g in element.gaps]
    assert any("no installed capability checks 'task'" in g and "invite_code, open" in g
               for g in gaps)  # fmt: skip
    path = tmp_path / "playbook.yaml"
    path.write_text(MINIMAL + "joining:\n  threshold:\n    kind: invite_code\n", encoding="utf-8")
    shown = CliRunner().invoke(app, ["playbook", "show", str(path)])
    assert shown.exit_code == 0 and "Joining: invite_code" in shown.output
    assert "no installed capability checks" not in shown.output


@pytest.mark.parametrize(
    "command",
    [["applications", "approve"], ["applications", "refuse"], ["signups", "export"],
     ["strikes", "pardon"], ["token", "revoke"]],
)  # fmt: skip
def test_an_id_too_large_for_the_database_is_refused_saying_so_not_called_a_bug(
    store: Store, database_url: str, command: list[str]
) -> None:
    """SQLite cannot bind 2**63 (OverflowError), PostgreSQL refuses it: either was 'This is a
    bug in Hearthkeeper' (exit 2). The argument is refused before the store is asked."""
    huge = CliRunner().invoke(app, [*command, "9" * 25], env={"HEARTH_DATABASE_URL": database_url})
    assert huge.exit_code == 2 and "This is a bug" not in huge.output
    assert "is too large: it must be at most 9223372036854775807" in huge.output


def test_applications_and_codes_are_listed_in_the_communitys_time_zone_named_once(
    store: Store, store_clock: FrozenClock, database_url: str, tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:  # fmt: skip
    """Before, both lists printed UTC (09:00 UTC) where the console shows the community's
    time; a code made to run out on the community's 2030-06-30 read '2030-06-30 15:59 UTC'."""
    monkeypatch.chdir(tmp_path)
    tea = tea_with(store, store_clock, APPLICATION)
    store.add_playbook_version(tea.runtime.community_id, "community: {timezone: Asia/Shanghai}\n",
                               {"community": {"timezone": "Asia/Shanghai"}}, "test")  # fmt: skip
    door(tea).screen(asking(tea, "mei", answers=("Lan", "Oolong")))
    env, runner = {"HEARTH_DATABASE_URL": database_url}, CliRunner()
    listed = runner.invoke(app, ["applications", "list", "--community", "tea"], env=env).output
    assert listed.splitlines()[0] == "Times in Asia/Shanghai (the community's time zone).", listed
    assert "  pending  Mei  applied 2026-05-01 17:00" in listed and "UTC" not in listed, listed
    made = runner.invoke(app, ["codes", "create", "--community", "tea", "--code", "spring26",
                               "--expires", "2030-06-30"], env=env)  # fmt: skip
    assert made.exit_code == 0, made.output
    codes = runner.invoke(app, ["codes", "list", "--community", "tea"], env=env).output
    assert codes.splitlines()[0] == "Times in Asia/Shanghai (the community's time zone).", codes
    assert "until 2030-06-30 23:59" in codes and "UTC" not in codes, codes


def test_a_code_whose_last_day_has_passed_is_refused_in_the_days_of_the_communitys_clock(
    store: Store, store_clock: FrozenClock, database_url: str, tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:  # fmt: skip
    """Before, `--expires 2020-01-01` for a community in Shanghai was refused as "the expiry
    2020-01-01 15:59 UTC has passed already": a time the operator never typed, in UTC."""
    monkeypatch.chdir(tmp_path)
    tea = tea_with(store, store_clock, APPLICATION)
    store.add_playbook_version(tea.runtime.community_id, "community: {timezone: Asia/Shanghai}\n",
                               {"community": {"timezone": "Asia/Shanghai"}}, "test")  # fmt: skip
    env, runner = {"HEARTH_DATABASE_URL": database_url}, CliRunner()
    past = runner.invoke(app, ["codes", "create", "--community", "tea", "--code", "old",
                               "--expires", "2020-01-01"], env=env)  # fmt: skip
    said = " ".join(past.stderr.split())  # the error box wraps it
    assert past.exit_code == 1, past.output
    assert "--expires 2020-01-01: that day has passed already in Asia/Shanghai" in said, said
    assert "UTC" not in said and "15:59" not in said, said
    listed = runner.invoke(app, ["codes", "list", "--community", "tea"], env=env).output
    assert "OLD" not in listed, "nothing made"


def _applied(runner: CliRunner, env: dict[str, str], folder: Path, threshold: str) -> None:
    """Tea's playbook with `threshold`, applied as an operator does (`hearth apply`)."""
    path = folder / "tea.yaml"
    path.write_text(MINIMAL + threshold)
    applied = runner.invoke(app, ["apply", str(path)], env=env)
    assert applied.exit_code == 0, applied.output


def test_a_code_made_for_a_community_that_asks_for_none_says_it_lets_nobody_in(
    store: Store, store_clock: FrozenClock, database_url: str, tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:  # fmt: skip
    """`hearth codes create` for a community whose threshold is an application printed the
    code and nothing else: the operator handed it out and the join page never asked for it
    (the console's Invite codes page says so; the command line now does too)."""
    monkeypatch.chdir(tmp_path)
    env, runner = {"HEARTH_DATABASE_URL": database_url}, CliRunner()
    _applied(runner, env, tmp_path, APPLICATION)
    made = runner.invoke(app, ["codes", "create", "--code", "spring26"], env=env)
    assert made.exit_code == 0 and "SPRING26" in made.output
    said = " ".join(made.stderr.split())
    assert "joining.threshold.kind is application: its join pages do not ask for a code" in said
    listed = runner.invoke(app, ["codes", "list"], env=env)
    assert "do not ask for a code" in " ".join(listed.stderr.split())


def test_a_code_made_for_a_community_that_asks_for_codes_has_no_note(
    store: Store, store_clock: FrozenClock, database_url: str, tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:  # fmt: skip
    monkeypatch.chdir(tmp_path)
    env, runner = {"HEARTH_DATABASE_URL": database_url}, CliRunner()
    _applied(runner, env, tmp_path, CODE)
    made = runner.invoke(app, ["codes", "create", "--code", "spring26"], env=env)
    assert made.exit_code == 0 and "SPRING26" in made.output and made.stderr == ""
