"""A poll written in the playbook (`calendar.posts[].poll`) opens by itself at each firing in
its groups, once across restarts, and closes after `closes_after` with its results (engine
tests on SQLite and PostgreSQL); entries that cannot work are refused where they are written."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from hearthkeeper.capabilities.calendar.agenda import build_agenda
from hearthkeeper.capabilities.calendar.posts import PostFiring, decide_post
from hearthkeeper.capabilities.polls.repository import SqlPolls
from hearthkeeper.clock import FrozenClock
from hearthkeeper.engine.actions import ActionKind
from hearthkeeper.playbook import PlaybookError, parse_playbook
from hearthkeeper.playbook.summary import summarise
from hearthkeeper.store import Store
from tests.capabilities.calendar.test_calendar_posting import (
    LONDON,
    calendar_community,
    group,
    pending_firing,
    performed,
    records,
    utc,
)
from tests.playbook_samples import MINIMAL

WEEKLY = """\
calendar:
  posts:
    - id: weekly-poll
      schedule: Wed 20:00
      poll:
        question: Next week's topic?
        options: [Stoicism, Tea history, Book swap]
        closes_after: 24h
"""
WEDNESDAY = utc(2026, 5, 6, 19)  # 20:00 in London (BST); the clock starts on Friday 1 May


def test_a_weekly_poll_opens_at_its_time_takes_votes_and_closes_with_the_results(
    store: Store, store_clock: FrozenClock
) -> None:
    c = calendar_community(store, store_clock, WEEKLY, groups=("g1", "g2"))
    assert pending_firing(c, "weekly-poll", WEDNESDAY)
    store_clock.set(WEDNESDAY)
    assert c.engine.tick() == 2
    opened = [a for a in performed(c) if a.kind is ActionKind.SEND]
    assert sorted(a.group for a in opened) == ["g1", "g2"]
    assert opened[0].text.startswith(
        "📊 Poll: Next week's topic?\n1. Stoicism\n2. Tea history\n3. Book swap\n"
    )
    assert "single choice · named · closes" in opened[0].text
    polls = SqlPolls.on(store)
    poll = polls.current(group(c).id)
    assert poll is not None and poll.deadline == WEDNESDAY + timedelta(hours=24)
    later = WEDNESDAY + timedelta(hours=1)
    store_clock.set(later)
    c.engine.process([c.events.message("mei", "2", at=later), c.events.message("bob", "B", at=later),
                      c.events.message("ann", "1", at=later)])  # fmt: skip
    replies = [a.text for a in performed(c) if a.kind is ActionKind.REPLY]
    assert replies == ["✅ mei voted for 2. Tea history.", "✅ bob voted for 2. Tea history.",
                       "✅ ann voted for 1. Stoicism."]  # fmt: skip

    c.restart()  # a restart, and the calendar planned again, open no second poll
    c.engine.process([c.events.message("dan", "hello", at=later)])
    assert c.engine.tick() == 0
    assert performed(c) == []
    assert [p.id for p in (polls.current(group(c).id),)] == [poll.id]

    store_clock.set(WEDNESDAY + timedelta(hours=24))
    assert c.engine.tick() == 2  # each group's poll closes
    closed = {a.group: a.text for a in performed(c) if a.kind is ActionKind.SEND}
    assert closed["g1"].startswith("📊 Poll closed: Next week's topic?")
    assert "2. Tea history  ███████ 2 (67%) — mei, bob" in closed["g1"]
    assert "3 voted" in closed["g1"] and "Most votes: Tea history" in closed["g1"]
    assert "0 voted" in closed["g2"]
    assert polls.current(group(c).id) is None
    assert [(r.scheduled_for, r.status, r.content_kind) for r in records(c, "weekly-poll")
            if r.group_id == group(c).id] == [(WEDNESDAY, "posted", "poll")]  # fmt: skip
    assert pending_firing(c, "weekly-poll", WEDNESDAY + timedelta(days=7))

    store_clock.set(WEDNESDAY + timedelta(days=7))  # and next week's opens as this one did
    assert c.engine.tick() == 2
    assert [a.text.splitlines()[0] for a in performed(c)] == ["📊 Poll: Next week's topic?"] * 2


def test_a_poll_still_open_at_the_firing_is_left_open_and_staff_are_told(
    store: Store, store_clock: FrozenClock
) -> None:
    c = calendar_community(store, store_clock, WEEKLY)
    g = group(c)
    SqlPolls.on(store).open_poll(g.community_id, g.id, "Picnic?", ["yes", "no"], multiple=False,
                                 anonymous=False, deadline=WEDNESDAY + timedelta(days=1),
                                 created_by=None, at=store_clock.now())  # fmt: skip
    store_clock.set(WEDNESDAY)
    assert c.engine.tick() == 1
    [alert] = performed(c)
    assert alert.kind is ActionKind.ALERT_STAFF
    assert alert.text == ("📊 The scheduled poll 'weekly-poll' was not opened in g1 this time: "
                          "the poll 'Picnic?' is still open there.")  # fmt: skip
    current = SqlPolls.on(store).current(g.id)
    assert current is not None and current.question == "Picnic?"
    assert [r.status for r in records(c, "weekly-poll")] == ["skipped"]
    assert pending_firing(c, "weekly-poll", WEDNESDAY + timedelta(days=7))

    store.join(store.member_for("fake", "boss", "Boss").id, g.id, role="manager")
    now = WEDNESDAY + timedelta(hours=2)
    store_clock.set(now)
    c.engine.process([c.events.message("boss", "/postnow weekly-poll", at=now)])
    assert [a.text for a in performed(c)] == [
        "'Picnic?' is still open: close it with /endpoll before starting another."
    ]
    assert SqlPolls.on(store).close(current.id, now)
    c.engine.process([c.events.message("boss", "/postnow weekly-poll", at=now)])
    done = {a.kind: a.text.splitlines()[0] for a in performed(c)}
    assert done == {ActionKind.SEND: "📊 Poll: Next week's topic?", ActionKind.REPLY:
                    "✅ Sent 'weekly-poll' now instead of on Wed 13 May 20:00. "
                    "Next: Wed 20 May 20:00."}  # fmt: skip
    opened = SqlPolls.on(store).current(g.id)
    assert opened is not None and opened.deadline == now + timedelta(hours=24)
    store_clock.set(WEDNESDAY + timedelta(days=7))  # its own time: closed, not opened again
    c.engine.tick()
    assert [a.text.split(" (")[0] for a in performed(c)] == ["📊 Poll closed: Next week's topic?"]
    assert SqlPolls.on(store).current(g.id) is None


def refused(calendar: str, polls: str = "") -> list[tuple[str, str]]:
    with pytest.raises(PlaybookError) as info:
        parse_playbook(MINIMAL + polls + calendar, "pb.yaml")
    return [(p.path, p.message) for p in info.value.problems]


def entry(poll: str, schedule: str = "Wed 20:00", more: str = "") -> str:
    return (f"calendar:\n  posts:\n    - id: weekly-poll\n      schedule: {schedule}\n{more}"
            f"      poll:\n        question: Topic?\n{poll}")  # fmt: skip


@pytest.mark.parametrize(
    ("calendar", "polls", "path", "said"),
    [
        (entry("        options: []\n"), "", "calendar.posts[0].poll.options",
         "at least two options, not 0"),
        (entry("        options: [Tea]\n"), "", "calendar.posts[0].poll.options",
         "at least two options, not 1"),
        (entry("        options: [Tea, Book swap, ' tea ']\n"), "",
         "calendar.posts[0].poll.options", "the option ' tea ' is there twice (as 'Tea')"),
        (entry("        options: [Tea, '  ']\n"), "", "calendar.posts[0].poll.options",
         "option 2 is blank"),
        (entry("        options: [Tea, Books]\n        closes_after: 8d\n"), "",
         "calendar.posts[0].poll.closes_after",
         "the poll stays open 8d, but 'Wed 20:00' fires again 7d later"),
        (entry("        options: [Tea, Books]\n", "every day 20:00"),
         "mechanisms:\n  polls:\n    default_duration: 2d\n", "calendar.posts[0].poll",
         "stays open 2d (mechanisms.polls.default_duration), but 'every day 20:00' fires again"),
        (entry("        options: [Tea, Books]\n"), "mechanisms:\n  polls:\n    enabled: false\n",
         "calendar.posts[0].poll", "a scheduled poll needs polls on"),
        (entry("        options: [Tea, Books]\n", more="      mode: remind\n"), "",
         "calendar.posts[0]", "a scheduled poll opens by itself"),
        (entry("        options: [Tea, Books]\n", more="      content: {text: Hi}\n"), "",
         "calendar.posts[0]", "give exactly one of `content` (a post) or `poll`"),
    ],
)  # fmt: skip
def test_a_scheduled_poll_that_cannot_work_is_refused_where_it_is_written(
    calendar: str, polls: str, path: str, said: str
) -> None:
    [(where, message)] = refused(calendar, polls)
    assert where == path and said in message


def test_playbook_show_says_what_the_scheduled_poll_is() -> None:
    pb = parse_playbook(MINIMAL + WEEKLY).playbook
    lines = [line for element in summarise(pb) for line in element.lines]
    assert ("Post weekly-poll: Wed 20:00 (cron 0 20 * * 3), auto, poll \"Next week's topic?\" "
            "(3 options, single choice, named, closes after 1d)") in lines  # fmt: skip


def test_the_calendar_lists_each_firing_of_the_poll_with_its_question() -> None:
    pb = parse_playbook(MINIMAL + WEEKLY).playbook
    agenda = build_agenda(pb, Path("."), utc(2026, 5, 1), utc(2026, 5, 15))
    assert [(f.at, f.post, f.kind, f.item) for f in agenda.firings] == [
        (WEDNESDAY + timedelta(days=d), "weekly-poll", "poll", "📊 Next week's topic?")
        for d in (0, 7)
    ]


def test_a_poll_firing_missed_until_its_poll_would_have_closed_opens_nothing() -> None:
    """Within its grace (1h) but past its 30 minutes open, a poll would open already closed:
    the firing is skipped as a late one is."""
    short = WEEKLY.replace("closes_after: 24h", "closes_after: 30m")
    [post] = parse_playbook(MINIMAL + short).playbook.calendar.posts
    lasts = timedelta(minutes=30)
    for late, status in ((timedelta(minutes=20), "posted"), (timedelta(minutes=40), "skipped")):
        firing = decide_post(post, "g1", LONDON, WEDNESDAY, WEDNESDAY + late, None, [], lasts)
        assert isinstance(firing, PostFiring)
        assert (firing.status, firing.due.late) == (status, status == "skipped")
