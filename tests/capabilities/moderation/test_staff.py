"""Staff undo moderation by hand: pardons and lifts reach the engine and the carriers once."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from typer.testing import CliRunner

from hearthkeeper.capabilities.moderation import staff
from hearthkeeper.cli import app
from hearthkeeper.clock import FrozenClock
from hearthkeeper.engine.actions import ActionKind
from hearthkeeper.store import SanctionKind, Store
from tests.engine_setup import community, playbook, up_the_ladder

AD = "加我微信 abc12345 低价出货"


def test_a_pardon_from_another_process_reaches_the_running_engine(
    store: Store, store_clock: FrozenClock
) -> None:
    c = community(store, store_clock)
    c.engine.process([c.events.message("spam", AD)])
    [strike] = store.strikes(member_id=c.member_id("spam"))
    staff.pardon(store, strike.id, "manager", store_clock.now())  # e.g. from the console
    store_clock.advance(timedelta(minutes=2))
    c.events.now = store_clock.now()
    [again] = c.engine.process([c.events.message("spam", AD + " 2")])
    kinds = [a.kind for a in again.actions]
    assert ActionKind.WARN in kinds and ActionKind.MUTE not in kinds
    assert any(e.action == "pardon" for e in store.audit_log(c.runtime.community_id))


def test_lifting_a_blacklist_unbans_everywhere_once_and_lets_the_member_back(
    store: Store, store_clock: FrozenClock
) -> None:
    c = community(store, store_clock)
    c.engine.process([c.events.join("spam", group="g2"), c.events.join("spam", group="g1")])
    up_the_ladder(c, "spam", AD)
    asyncio.run(c.engine.drain())
    [blacklist] = store.active_sanctions(member_id=c.member_id("spam"), kind=SanctionKind.BLACKLIST)
    _, queued = staff.lift(store, blacklist.id, "manager", store_clock.now())
    assert queued == 2
    c.carrier.performed.clear()
    asyncio.run(c.engine.drain())
    assert sorted(p.action.group or "" for p in c.carrier.performed
                  if p.action.kind is ActionKind.UNBAN) == ["g1", "g2"]  # fmt: skip
    asyncio.run(c.engine.drain())
    assert len(c.carrier.performed) == 2, "each unban is performed once"
    store_clock.advance(timedelta(minutes=2))
    c.events.now = store_clock.now()
    c.restart()
    [back] = c.engine.process([c.events.join("spam", group="g3")])
    assert ActionKind.BAN not in [a.kind for a in back.actions]


def test_a_console_pardon_counts_in_the_running_engine_at_its_next_message(
    store: Store, store_clock: FrozenClock
) -> None:
    """The engine trusts what it read of strikes for a minute; a pardon from the console (or
    another worker) no longer waits that minute: the member's next offence, seconds later, is
    their first again (a warning, not the mute a second strike brings)."""
    c = community(store, store_clock)
    c.engine.process([c.events.message("spam", AD)])
    [strike] = store.strikes(member_id=c.member_id("spam"))
    store_clock.advance(timedelta(seconds=10))
    staff.pardon(store, strike.id, "manager", store_clock.now())
    store_clock.advance(timedelta(seconds=10))
    c.events.now = store_clock.now()
    [again] = c.engine.process([c.events.message("spam", AD + " 2")])
    kinds = [a.kind for a in again.actions]
    assert ActionKind.WARN in kinds and ActionKind.MUTE not in kinds


def test_a_blacklist_lifted_from_the_console_lets_the_member_back_at_once(
    store: Store, store_clock: FrozenClock
) -> None:
    c = community(store, store_clock)
    c.engine.process([c.events.join("spam", group="g1")])
    up_the_ladder(c, "spam", AD)
    [blacklist] = store.active_sanctions(member_id=c.member_id("spam"), kind=SanctionKind.BLACKLIST)
    store_clock.advance(timedelta(seconds=10))
    staff.lift(store, blacklist.id, "manager", store_clock.now())
    store_clock.advance(timedelta(seconds=10))
    c.events.now = store_clock.now()
    [back] = c.engine.process([c.events.join("spam", group="g3")])
    assert ActionKind.BAN not in [a.kind for a in back.actions]


def test_a_kind_can_reach_a_higher_rung_at_once(store: Store, store_clock: FrozenClock) -> None:
    pb = playbook("  violations:\n    invites: {strikes: 3}\n")
    c = community(store, store_clock, pb)
    [result] = c.engine.process(
        [c.events.message("spam", "进群领红包 https://t.me/joinchat/abcdef")]
    )
    kinds = [a.kind for a in result.actions]
    assert {ActionKind.KICK, ActionKind.BLACKLIST} <= set(kinds)
    assert kinds.count(ActionKind.STRIKE) == 3


def test_strikes_and_sanctions_commands(
    store: Store, store_clock: FrozenClock, database_url: str, tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:  # fmt: skip
    monkeypatch.chdir(tmp_path)
    c = community(store, store_clock)
    c.engine.process([c.events.message("spam", f"{AD} {i}") for i in range(2)])
    env = {"HEARTH_DATABASE_URL": database_url}
    runner = CliRunner()
    listed = runner.invoke(app, ["strikes", "list", "--all", "--member", "fake:spam"], env=env)
    assert listed.exit_code == 0
    assert listed.stdout.count("  advertising  ") == 2
    spammer = store.get_member(c.member_id("spam"))
    assert spammer is not None and spammer.display_name
    named = f"  {spammer.display_name} (member {spammer.id})  "  # not only "member 15"
    assert listed.stdout.count(named) == 2, listed.stdout
    store.add_sanction(SanctionKind.BLACKLIST, spammer.id, "ads", store_clock.now(),
                       community_id=c.runtime.community_id)  # in force whatever the day  # fmt: skip
    in_force = runner.invoke(app, ["sanctions", "list", "--member", "fake:spam"], env=env)
    assert in_force.exit_code == 0 and named in in_force.stdout, in_force.stdout
    [first, _] = store.strikes(member_id=c.member_id("spam"))
    pardoned = runner.invoke(app, ["strikes", "pardon", str(first.id), "--as", "mei"], env=env)
    assert pardoned.exit_code == 0 and "pardoned" in pardoned.stdout
    # The pardoned message is kept once, as ham, for the community's learned scorer.
    [example] = store.moderation_examples(community_id=c.runtime.community_id)
    assert (example.text, example.is_spam, example.actor) == (f"{AD} 0", False, "mei")
    again = runner.invoke(app, ["strikes", "pardon", str(first.id)], env=env)
    assert again.exit_code == 1
    assert len(store.moderation_examples()) == 1
    [mute] = store.active_sanctions(member_id=c.member_id("spam"), kind=SanctionKind.MUTE,
                                    now=store_clock.now())  # fmt: skip
    lifted = runner.invoke(app, ["sanctions", "lift", str(mute.id)], env=env)
    assert lifted.exit_code == 0 and "1 undo action(s) queued" in lifted.stdout
    missing = runner.invoke(app, ["sanctions", "lift", "99999"], env=env)
    assert missing.exit_code == 1 and "99999" in missing.stderr
    bad = runner.invoke(app, ["strikes", "list", "--member", "nobody"], env=env)
    assert bad.exit_code == 1 and "CARRIER:USER_ID" in bad.stderr


def test_strikes_and_sanctions_are_listed_in_the_communitys_time_zone_named_once(
    store: Store, store_clock: FrozenClock, database_url: str, tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:  # fmt: skip
    """Before, both lists printed UTC (09:00) where the console shows the community's 17:00."""
    monkeypatch.chdir(tmp_path)
    c = community(store, store_clock)
    store.add_playbook_version(c.runtime.community_id, "community: {timezone: Asia/Shanghai}\n",
                               {"community": {"timezone": "Asia/Shanghai"}}, "test")  # fmt: skip
    c.engine.process([c.events.message("spam", f"{AD} {i}") for i in range(2)])  # warn, mute
    env = {"HEARTH_DATABASE_URL": database_url}
    runner = CliRunner()
    strikes = runner.invoke(app, ["strikes", "list", "--all"], env=env).stdout
    assert strikes.splitlines()[0] == "Times in Asia/Shanghai (the community's time zone).", strikes
    assert strikes.count("  2026-05-01 17:00  expires 2026-05-31") == 2, strikes
    assert "09:00" not in strikes
    spammer, [group, *_] = c.member_id("spam"), store.list_groups(c.runtime.community_id)
    store.add_sanction(SanctionKind.MUTE, spammer, "ads", store_clock.now(), group_id=group.id,
                       until=datetime(2030, 1, 1, tzinfo=UTC))  # in force whatever the day  # fmt: skip
    store.add_sanction(SanctionKind.BLACKLIST, spammer, "ads", store_clock.now(),
                       community_id=c.runtime.community_id)  # fmt: skip
    held = runner.invoke(app, ["sanctions", "list"], env=env).stdout
    assert held.splitlines()[0] == "Times in Asia/Shanghai (the community's time zone).", held
    assert "since 2026-05-01 17:00 until 2030-01-01 08:00 — ads" in held, held
    assert held.count("since 2026-05-01 17:00") == 2, held


def test_a_blacklist_from_every_community_says_whose_clock_its_time_is_on(
    store: Store, store_clock: FrozenClock, database_url: str, tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:  # fmt: skip
    """A blacklist from every community belongs to none: with communities in two zones its
    time is in UTC, and the list says why rather than calling UTC 'the community's'."""
    monkeypatch.chdir(tmp_path)
    for slug, zone in (("tea", "Asia/Shanghai"), ("run", "Europe/London")):
        made = store.ensure_community(slug, slug)
        store.add_playbook_version(made.id, f"community: {{timezone: {zone}}}\n",
                                   {"community": {"timezone": zone}}, "test")  # fmt: skip
    spammer = store.member_for("fake", "spam", "Spam")
    store.add_sanction(SanctionKind.BLACKLIST, spammer.id, "ads", store_clock.now())
    env = {"HEARTH_DATABASE_URL": database_url}
    held = CliRunner().invoke(app, ["sanctions", "list"], env=env).stdout
    assert held.splitlines()[0] == "Times in UTC (the communities' time zones differ).", held
    assert "all communities  since 2026-05-01 09:00 — ads" in held, held


def test_strikes_and_sanctions_list_one_community_with_community(
    store: Store, store_clock: FrozenClock, database_url: str, tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:  # fmt: skip
    """`strikes list` and `sanctions list` took no `--community`: on a server with several
    communities staff could only read every community's rows together."""
    monkeypatch.chdir(tmp_path)
    now = store_clock.now()
    tea, run = store.ensure_community("tea", "Tea"), store.ensure_community("run", "Run")
    store.add_playbook_version(tea.id, "community: {timezone: Asia/Shanghai}\n",
                               {"community": {"timezone": "Asia/Shanghai"}}, "test")  # fmt: skip
    store.add_playbook_version(run.id, "community: {timezone: Europe/London}\n",
                               {"community": {"timezone": "Europe/London"}}, "test")  # fmt: skip
    ann, bob = store.member_for("fake", "ann", "Ann"), store.member_for("fake", "bob", "Bob")
    tea_group = store.add_group(tea.id, "tea-1", "fake", "t1")
    store.join(ann.id, tea_group.id)
    run_group = store.add_group(run.id, "run-1", "fake", "r1")
    store.add_strike(tea.id, ann.id, "advertising", "ad in tea", now, None)
    store.add_strike(run.id, bob.id, "flooding", "flood in run", now, None)
    store.add_sanction(SanctionKind.MUTE, bob.id, "flood", now, group_id=run_group.id,
                       until=datetime(2030, 1, 1, tzinfo=UTC))  # fmt: skip
    store.add_sanction(SanctionKind.BLACKLIST, ann.id, "ads everywhere", now)  # a tea member
    env = {"HEARTH_DATABASE_URL": database_url}
    runner = CliRunner()

    strikes = runner.invoke(app, ["strikes", "list", "--community", "tea"], env=env)
    assert strikes.exit_code == 0, strikes.output
    assert "ad in tea" in strikes.stdout and "flood in run" not in strikes.stdout
    assert strikes.stdout.splitlines()[0].startswith("Times in Asia/Shanghai"), strikes.stdout
    both = runner.invoke(app, ["strikes", "list"], env=env).stdout  # default: every community
    assert "ad in tea" in both and "flood in run" in both, both

    run_held = runner.invoke(app, ["sanctions", "list", "--community", "run"], env=env)
    assert run_held.exit_code == 0, run_held.output
    assert "flood" in run_held.stdout and "ads everywhere" not in run_held.stdout, run_held.stdout
    assert run_held.stdout.splitlines()[0].startswith("Times in Europe/London"), run_held.stdout
    held = runner.invoke(app, ["sanctions", "list", "--community", "tea"], env=env).stdout
    assert "ads everywhere" in held and "— flood" not in held, held  # its member's blacklist
    assert held.splitlines()[0].startswith("Times in Asia/Shanghai"), held
    held = runner.invoke(app, ["sanctions", "list", "--community", "tea", "--member",
                               "fake:bob"], env=env).stdout  # fmt: skip
    assert "No mutes, bans, blacklistings or kicks in force." in held, held

    for command in ("strikes", "sanctions"):
        wrong = runner.invoke(app, [command, "list", "--community", "chess"], env=env)
        assert wrong.exit_code == 1 and "no community 'chess'" in wrong.stderr, wrong.output
