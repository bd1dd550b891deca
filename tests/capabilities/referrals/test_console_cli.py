"""The referral leaderboards where staff look: the console's referrals page and
`hearth referrals top`."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from hearthkeeper.apply import apply_playbook
from hearthkeeper.capabilities.referrals.repository import SqlReferrals, Status
from hearthkeeper.cli import app
from hearthkeeper.clock import FrozenClock
from hearthkeeper.playbook import parse_playbook
from hearthkeeper.playbook.templates import template_text
from hearthkeeper.store import Store
from tests.console_setup import BASE, SCRIPT, open_console


def credit(store: Store, community_id: int, group_id: int, inviter: int, invitee: int,
           at: datetime) -> None:  # fmt: skip
    made = SqlReferrals.on(store).record(community_id, inviter, invitee, group_id,
                                         at - timedelta(days=7), at)  # fmt: skip
    assert made is not None
    SqlReferrals.on(store).settle(made.id, Status.CREDITED, at)


def test_the_console_page_shows_the_leaderboards_with_links(
    migrated_sqlite: Path, tmp_path: Path, store_clock: FrozenClock
) -> None:
    console = open_console(migrated_sqlite, tmp_path, store_clock)
    try:
        store, cid, gid = console.store, console.community_id, console.group_id
        mei, spam, angry = (console.member_id(u) for u in ("mei", "spam", "angry"))
        now = store_clock.now()
        credit(store, cid, gid, spam, mei, now - timedelta(days=62))
        credit(store, cid, gid, mei, angry, now)
        page = console.get("/referrals")
        assert page.status_code == 200
        text = page.text
        assert "Off: <code>mechanisms.referrals.enabled</code> is false" in text
        token = SqlReferrals.on(store).link_of(cid, mei, now).token
        assert f"http://chat.example/ref/{token}" in text
        assert SCRIPT not in text and "&lt;script&gt;" in text  # a member's name, escaped
        month = text.split('id="top-month"')[1].split("</table>")[0]
        assert "美美" in month and "&lt;script&gt;" not in month  # spam's credit was in March
        assert 'href="/console/c/yan-academy-skincare/referrals" aria-current="page"' in text
        stranger = TestClient(console.client.app).get(BASE + "/referrals", follow_redirects=False)
        assert stranger.status_code == 303
    finally:
        console.store.engine.dispose()


def test_hearth_referrals_top(store: Store, database_url: str) -> None:
    tea = store.ensure_community("tea", "Tea Friends")
    group = store.add_group(tea.id, "g1", "fake", "g1")
    ann, bob, *friends = (store.member_for("fake", n, n).id for n in ("ann", "bob", "f1", "f2"))
    now = datetime.now(UTC)
    # The command's month is the one it is in by its clock: the credit's moment here, so a
    # month ending between the credit and the command (CI at midnight) cannot empty it.
    credit(store, tea.id, group.id, ann, friends[0], now)
    credit(store, tea.id, group.id, bob, friends[1], now - timedelta(days=400))
    result = CliRunner().invoke(
        app, ["referrals", "top"], env={"HEARTH_DATABASE_URL": database_url}, obj=FrozenClock(now)
    )
    assert result.exit_code == 0, result.output
    month, ever = result.output.split("all time")
    assert f"Tea Friends: this month in UTC (since {now:%Y-%m-01})" in month, "whose month"
    assert "1. ann (member" in month and "bob" not in month
    assert "1. bob" in ever and "2. ann" in ever  # a tie: who got there first
    store.ensure_community("coffee", "Coffee")
    several = CliRunner().invoke(
        app, ["referrals", "top"], env={"HEARTH_DATABASE_URL": database_url}
    )
    assert several.exit_code != 0 and "--community" in several.output


def top_with_a_referrer_named(store: Store, database_url: str, name: str) -> str:
    """What `hearth referrals top` prints when the member who referred a friend is `name`."""
    tea = store.ensure_community("tea", "Tea Friends")
    group = store.add_group(tea.id, "g1", "matrix", "!g1:example.org")
    referrer = store.member_for("matrix", "@eve:example.org", name).id
    friend = store.member_for("matrix", "@f:example.org", "f").id
    credit(store, tea.id, group.id, referrer, friend, datetime.now(UTC))
    result = CliRunner().invoke(
        app, ["referrals", "top"], env={"HEARTH_DATABASE_URL": database_url}
    )
    assert result.exit_code == 0, result.output
    return result.output


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)  # a decision, not a query
def test_hearth_referrals_top_prints_no_terminal_escapes_from_a_members_name(
    store: Store, database_url: str
) -> None:
    """A display name from another platform (a Matrix name is the member's to choose) must not
    retitle or clear the operator's terminal when a command prints it."""
    output = top_with_a_referrer_named(store, database_url, "\x1b]0;pwned\x07\x1b[2J\x9b31meve")
    assert "]0;pwned[2J31meve (member" in output
    assert not any(c in output for c in "\x1b\x07\x9b")


def test_hearth_referrals_top_shows_a_name_in_the_order_it_is_written(
    store: Store, database_url: str
) -> None:
    """A right-to-left override in a display name reversed the rest of the printed line (the
    name read 'exe.png', the invite counts after it swapped), and zero-width characters hid
    that two names differ; an emoji family's joiners stay."""
    tricky = "\u202egnp.exe\u2066\u200b\u2069 \u200f\ufeffadmin\u00ad 👨\u200d👩\u200d👧"
    output = top_with_a_referrer_named(store, database_url, tricky)
    assert "gnp.exe admin 👨\u200d👩\u200d👧 (member" in output
    hidden = "\u202e\u2066\u2069\u200b\u200f\ufeff\u00ad"
    assert not any(c in output for c in hidden)


def test_the_console_names_the_reward_item_as_members_know_it(
    migrated_sqlite: Path, tmp_path: Path, store_clock: FrozenClock
) -> None:
    """The page said "the reward item travel-kit", the playbook's id, not its name."""
    console = open_console(migrated_sqlite, tmp_path, store_clock)
    try:
        text = template_text("skincare").replace(
            "mechanisms:\n",
            "mechanisms:\n  referrals: {enabled: true, reward: {reward: travel-kit}}\n", 1)  # fmt: skip
        apply_playbook(console.store, parse_playbook(text, str(tmp_path / "playbook.yaml")), "t")
        page = console.get("/referrals").text
        assert "the reward item “精华旅行装小样”" in page and "travel-kit" not in page
        assert "<strong>7 days</strong> and post at least 1 message meanwhile earns" in page
    finally:
        console.store.engine.dispose()


def test_the_console_says_a_task_that_rewards_nothing_and_no_points_while_points_are_off(
    migrated_sqlite: Path, tmp_path: Path, store_clock: FrozenClock
) -> None:
    """The page read "earns, once: ." for a task with no reward, and "20 points" for points
    the bot does not give while mechanisms.points is off."""
    console = open_console(migrated_sqlite, tmp_path, store_clock)
    try:
        base = template_text("skincare")
        for added, points_off, said in (
            ("{enabled: true}", False, "earns, once: nothing (<code>mechanisms.referrals.reward</code> gives none)."),
            ("{enabled: true, reward: {points: 20, title: 拉新达人}}", True,
             "earns, once: the title “拉新达人”. Members"),
        ):  # fmt: skip
            text = base.replace("mechanisms:\n", f"mechanisms:\n  referrals: {added}\n", 1)
            if points_off:
                text = text.replace("\n  points:\n", "\n  points:\n    enabled: false\n", 1)
            apply_playbook(console.store, parse_playbook(text, str(tmp_path / "p.yaml")), "t")
            page = " ".join(console.get("/referrals").text.split())
            assert said in page, page[page.find('id="task"') :][:400]
    finally:
        console.store.engine.dispose()
