"""One action across many groups (`capabilities/grid/across.py`) through the engine with the fake
carrier, on SQLite and PostgreSQL: a poll started in every open group, a check-in prompt pushed
to some, a post's firing skipped in all; each reaching a group once however often it is asked
or the engine restarts, and naming the groups it did not reach and why."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import pytest
from typer.testing import CliRunner

from hearthkeeper.capabilities.grid.across import (
    AcrossError,
    Choice,
    choose,
    plan_polls,
    poll_key,
    prompt_asked,
    prompt_key,
    push_prompts,
    read_poll_asked,
    skip_posts,
    start_polls,
)
from hearthkeeper.capabilities.polls.repository import SqlPolls
from hearthkeeper.cli import app
from hearthkeeper.clock import FrozenClock
from hearthkeeper.engine.actions import ActionKind
from hearthkeeper.store import Store
from tests.capabilities.calendar.test_calendar_posting import (
    calendar_community,
    group,
    performed,
    records,
    sends,
)
from tests.capabilities.calendar.test_calendar_staff import FIRST, SECOND, TWO_POSTS
from tests.engine_setup import RULES, Community, playbook
from tests.playbook_samples import MINIMAL

GROUPS = ("g1", "g2", "g3", "g4")


def _four(store: Store, clock: FrozenClock) -> Community:
    """Four groups the engine has seen; g4 closed, g2 with a poll of its own open."""
    c = calendar_community(store, clock, TWO_POSTS, groups=GROUPS)
    performed(c)
    store.close_group(group(c, "g4").id, "cli")
    SqlPolls.on(store).open_poll(c.runtime.community_id, group(c, "g2").id, "Lunch?", ["tea", "rice"],
                                 multiple=False, anonymous=False,
                                 deadline=clock.now() + timedelta(hours=2), created_by=None,
                                 at=clock.now())  # fmt: skip
    return c


def _every(c: Community) -> list:  # type: ignore[type-arg]
    return choose(c.store, c.runtime.community_id, c.runtime.playbook, Choice(every=True),
                  c.clock.now())  # fmt: skip


def test_a_poll_across_groups_opens_once_in_each_group_that_can_take_it(
    store: Store, store_clock: FrozenClock
) -> None:
    c = _four(store, store_clock)
    pb, now = c.runtime.playbook, store_clock.now()
    poll = read_poll_asked(pb, "Next tasting? | oolong | pu-erh | [until 21:00]", now)
    reach = start_polls(store, pb, _every(c), poll, "console:ann", now)
    assert [g.name for g in reach.reached] == ["g1", "g3"]
    assert [(m.group.name, m.why) for m in reach.missed] == [
        ("g2", "a poll is open there: 'Lunch?'"), ("g4", "closed")]  # fmt: skip
    assert sends(c) == [], "nothing is sent before the engine runs the work"

    c.engine.tick()
    posted = [a for a in performed(c) if a.kind is ActionKind.SEND]
    assert sorted(a.group for a in posted) == ["g1", "g3"]  # type: ignore[type-var]
    assert all(a.text and a.text.startswith("📊 Poll: Next tasting?\n1. oolong\n2. pu-erh")
               for a in posted)  # fmt: skip
    # members vote as in any poll
    c.engine.process([c.events.message("u1", "2", group="g3", at=store_clock.now())])
    [voted] = [a.text for a in performed(c) if a.kind is ActionKind.REPLY]
    assert voted is not None and "pu-erh" in voted

    # asked again (a retry, a second click), after a restart: no group gets it twice
    again = start_polls(store, pb, _every(c), poll, "console:ann", store_clock.now())
    assert again.reached == []
    assert {m.group.name: m.why for m in again.missed}["g1"].startswith("a poll is open there")
    c.restart()
    c.engine.tick()
    assert sends(c) == []
    assert [e.action for e in store.audit_entries(c.runtime.community_id)
            if e.action.startswith("grid.")] == ["grid.poll"]  # fmt: skip


def test_a_poll_asked_while_one_opened_meanwhile_is_passed_over_without_a_word(
    store: Store, store_clock: FrozenClock
) -> None:
    """The operator was told g1 could take it; a staff member's /poll got there first: the
    group is not told "a poll is still open" by a bot nobody there asked."""
    c = _four(store, store_clock)
    pb, now = c.runtime.playbook, store_clock.now()
    poll = read_poll_asked(pb, "Next tasting? | oolong | pu-erh", now)
    chosen = [group(c, "g1")]
    assert plan_polls(store, pb, chosen, poll, now).reached == chosen
    start_polls(store, pb, chosen, poll, "cli", now)
    SqlPolls.on(store).open_poll(c.runtime.community_id, chosen[0].id, "Mine", ["a", "b"],
                                 multiple=False, anonymous=False, deadline=now + timedelta(hours=1),
                                 created_by=None, at=now)  # fmt: skip
    c.engine.tick()
    assert performed(c) == []
    assert SqlPolls.on(store).current(chosen[0].id).question == "Mine"  # type: ignore[union-attr]


def test_a_check_in_prompt_reaches_the_chosen_groups_once(
    store: Store, store_clock: FrozenClock
) -> None:
    c = _four(store, store_clock)
    pb, now = c.runtime.playbook, store_clock.now()
    chosen = choose(store, c.runtime.community_id, pb, Choice(names=("g1", "g4"), find="g3"), now)
    assert [g.name for g in chosen] == ["g1", "g3", "g4"]
    prompt = prompt_asked(pb, "Day 3 of the tea diary: what did you brew?", now)
    reach = push_prompts(store, pb, chosen, prompt, "cli", now)
    assert ([g.name for g in reach.reached], [m.group.name for m in reach.missed]) == (
        ["g1", "g3"], ["g4"])  # fmt: skip
    c.engine.tick()
    texts = {a.group: a.text for a in sends(c)}
    assert texts == dict.fromkeys(("g1", "g3"), "📌 Day 3 of the tea diary: what did you brew?\n"
                                  "Send '打卡' to check in (a short note may follow).")  # fmt: skip
    repeat = push_prompts(store, pb, chosen, prompt, "cli", store_clock.now())
    assert repeat.reached == [] and {m.why for m in repeat.missed} == {
        "this prompt was pushed there today already", "closed"}  # fmt: skip
    c.restart()
    c.engine.tick()
    assert sends(c) == []
    # members check in as ever
    c.engine.process([c.events.message("u1", "打卡", group="g1", at=store_clock.now())])
    assert any("checked in" in (a.text or "") for a in performed(c))


def test_what_the_engine_reaches_too_late_says_nothing(
    store: Store, store_clock: FrozenClock
) -> None:
    """The server was down when the operator asked: a poll whose deadline has passed is not
    opened (to close at once), a prompt calling to check in "today" is not sent the next day."""
    c = _four(store, store_clock)
    pb, now = c.runtime.playbook, store_clock.now()
    chosen = [group(c, "g1")]
    poll = read_poll_asked(pb, "Tea at five? | yes | no | until 12:00", now)  # 10:00 London
    start_polls(store, pb, chosen, poll, "cli", now)
    push_prompts(store, pb, chosen, prompt_asked(pb, "", now), "cli", now)
    store_clock.set(now + timedelta(days=1))
    c.engine.tick()
    assert not [a for a in sends(c) if (a.text or "")[:1] in ("📊", "📌")]
    assert SqlPolls.on(store).current(chosen[0].id) is None
    assert all(store.scheduled(k).status == "done"  # type: ignore[union-attr]
               for k in (poll_key(chosen[0], pb, poll, now),
                         prompt_key(chosen[0], pb, prompt_asked(pb, "", now), now)))  # fmt: skip


def test_a_post_skipped_across_groups_is_not_sent_there_and_the_series_goes_on(
    store: Store, store_clock: FrozenClock
) -> None:
    c = calendar_community(store, store_clock, TWO_POSTS, groups=("g1", "g2", "g3"))
    pb = c.runtime.playbook
    chosen = choose(store, c.runtime.community_id, pb, Choice(names=("g1", "g2")),
                    store_clock.now())  # fmt: skip
    reach = skip_posts(store, pb, chosen, "morning", None, "console:ann", "ann", store_clock.now())
    assert ([g.name for g in reach.reached], reach.instants) == (["g1", "g2"], [FIRST])
    again = skip_posts(store, pb, chosen, "morning", None, "cli", "cli", store_clock.now())
    assert [m.why for m in again.missed] == ["skipped already (by ann)"] * 2
    # the third day, a firing not yet planned anywhere, skipped ahead in every group
    third = skip_posts(store, pb, [group(c, n) for n in ("g1", "g2", "g3")], "morning",
                       date(2026, 5, 4), "cli", "cli", store_clock.now())  # fmt: skip
    assert len(third.reached) == 3
    store_clock.set(FIRST)
    c.engine.tick()
    assert [a.group for a in sends(c)] == ["g3"]
    c.restart()  # a new engine plans every group again: the skips hold
    store_clock.set(SECOND)
    c.engine.tick()
    assert sorted(a.group for a in sends(c)) == ["g1", "g2", "g3"]  # type: ignore[type-var]
    store_clock.set(SECOND + timedelta(days=1))
    c.engine.tick()
    assert sends(c) == [], "the 4 May firing was skipped in every group"
    store_clock.set(SECOND + timedelta(days=2))
    c.engine.tick()
    assert len(sends(c)) == 3, "the series went on past a firing claimed before it was planned"
    states = [(r.scheduled_for, r.status) for r in records(c) if r.group_id == group(c, "g1").id]
    assert states[:3] == [(FIRST, "cancelled"), (SECOND, "posted"),
                          (SECOND + timedelta(days=1), "cancelled")]  # fmt: skip


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)  # the store work: above
def test_hearth_grid_skip_says_which_firing_it_called_off_where_and_the_skip_holds(
    store: Store, store_clock: FrozenClock, database_url: str, tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:  # fmt: skip
    """A successful `hearth grid skip` was tested through the store and the console, not the
    command: the operator reads which firing, in the community's time, was called off in
    which groups; the engine then sends it only in the group not named, and the next day's
    everywhere. The command runs at the store's time (its clock injected): on the wall
    clock's day it would have called off another day's firing."""
    monkeypatch.chdir(tmp_path)
    c = calendar_community(store, store_clock, TWO_POSTS, groups=("g1", "g2", "g3"))
    store.add_playbook_version(c.runtime.community_id, MINIMAL + RULES + TWO_POSTS, {}, "ops")
    skipped = CliRunner().invoke(app, ["grid", "skip", "morning", "--group", "g1", "--group", "g2"],
                                 env={"HEARTH_DATABASE_URL": database_url}, obj=store_clock)  # fmt: skip
    assert skipped.exit_code == 0, skipped.output
    assert " ".join(skipped.stdout.split()) == (
        "Skipped 'morning' (Sat 2026-05-02 08:00) in 2 groups (g1, g2). It will not be sent "
        "there; the firing after it will."
    )
    store_clock.set(FIRST)
    c.engine.tick()
    assert [a.group for a in sends(c)] == ["g3"]
    store_clock.set(SECOND)
    c.engine.tick()
    assert sorted(a.group for a in sends(c)) == ["g1", "g2", "g3"]  # type: ignore[type-var]


def test_what_picks_no_group_or_cannot_be_done_is_refused_with_nothing_done(
    store: Store, store_clock: FrozenClock
) -> None:
    c = _four(store, store_clock)
    pb, cid, now = c.runtime.playbook, c.runtime.community_id, store_clock.now()
    refusals = {
        "no group 'g9'": lambda: choose(store, cid, pb, Choice(names=("g1", "g9")), now),
        "--all picks every group": lambda: choose(store, cid, pb,
                                                  Choice(every=True, find="g"), now),
        "say which groups": lambda: choose(store, cid, pb, Choice(), now),
        "no group matches 'tokyo'": lambda: choose(store, cid, pb, Choice(find="tokyo"), now),
        "there is no scheduled post 'evening' (calendar.posts ids: morning, guest-talk)":
            lambda: skip_posts(store, pb, _every(c), "evening", None, "cli", "cli", now),
        "Write the question first": lambda: read_poll_asked(pb, "  ", now),
        "at most 500": lambda: prompt_asked(pb, "x" * 501, now),
    }  # fmt: skip
    for said, asked in refusals.items():
        with pytest.raises(AcrossError, match=said.replace("(", r"\(").replace(")", r"\)")):
            asked()
    off = playbook("mechanisms:\n  polls: {enabled: false}\n  check_in: {enabled: false}\n")
    with pytest.raises(AcrossError, match="polls are off"):
        read_poll_asked(off, "Q | a | b", now)
    with pytest.raises(AcrossError, match="check-ins are off"):
        prompt_asked(off, "", now)
    assert [e for e in store.audit_entries(cid) if e.actor == "cli"] == []
