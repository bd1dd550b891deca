"""Fun titles: claimed by command up to the holders limit, released, listed, and the duty
reminder that @-mentions the holders when Engine.tick() finds it due."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from hearthkeeper.capabilities.roles.titles import next_reminder
from hearthkeeper.clock import FrozenClock
from hearthkeeper.engine.actions import Action, ActionKind
from hearthkeeper.engine.executor import Processed
from hearthkeeper.playbook import parse_playbook
from hearthkeeper.store import Store
from tests.engine_setup import Community, community, playbook
from tests.playbook_samples import MINIMAL

DAY = datetime(2026, 5, 1, 8, 0, tzinfo=UTC)  # 09:00 in London
TITLES = """\
mechanisms:
  titles:
    - {name: Tea Master, duty: remind everyone to drink tea, reminder: every day 10:00}
    - {name: Kettle Keeper, holders: 2}
"""


def said(processed: Sequence[Processed]) -> list[str]:
    return [a.text for p in processed for a in p.actions
            if a.kind in (ActionKind.REPLY, ActionKind.SEND) and a.text]  # fmt: skip


def say(c: Community, user: str, text: str, at: datetime) -> str:
    return said(c.engine.process([c.events.message(user, text, at=at)]))[0]


def sent(c: Community) -> list[Action]:
    asyncio.run(c.engine.drain())
    return [p.action for p in c.carrier.performed if p.action.kind is ActionKind.SEND]


def test_a_title_is_claimed_until_its_places_are_taken(
    store: Store, store_clock: FrozenClock
) -> None:
    c = community(store, store_clock, playbook(TITLES))
    assert say(c, "mei", "/claim tea master", DAY) == (
        "🎖 mei is now the Tea Master! Duty: remind everyone to drink tea"
    )
    assert say(c, "mei", "/claim Tea Master", DAY + timedelta(minutes=1)) == (
        "mei, you already are the Tea Master."
    )
    assert say(c, "bob", "/claim Tea Master", DAY + timedelta(minutes=2)) == (
        "The Tea Master is taken (mei); 1 place(s). Still open: Kettle Keeper"
    )
    assert say(c, "bob", "/claim Kettle Keeper", DAY + timedelta(minutes=3)) == (
        "🎖 bob is now the Kettle Keeper!"
    )
    assert say(c, "mei", "/titles", DAY + timedelta(minutes=4)).splitlines() == [
        "🎖 Titles",
        "· Tea Master (1/1): mei — remind everyone to drink tea",
        "· Kettle Keeper (1/2): bob",
    ]


def test_a_released_title_can_be_claimed_by_someone_else(
    store: Store, store_clock: FrozenClock
) -> None:
    c = community(store, store_clock, playbook(TITLES))
    say(c, "mei", "/claim Tea Master", DAY)
    assert say(c, "mei", "/release", DAY + timedelta(minutes=1)) == (
        "mei stepped down as the Tea Master. Thank you!"
    )
    assert say(c, "mei", "/release", DAY + timedelta(minutes=2)) == "mei, you hold no title."
    assert "bob is now the Tea Master" in say(
        c, "bob", "/claim Tea Master", DAY + timedelta(minutes=3)
    )
    assert say(c, "mei", "/release Tea Master", DAY + timedelta(minutes=4)) == (
        "mei, you hold no title."
    )


def test_unknown_titles_are_explained(store: Store, store_clock: FrozenClock) -> None:
    c = community(store, store_clock, playbook(TITLES))
    assert say(c, "mei", "/claim Emperor", DAY) == (
        "/claim: there is no such title. Titles: Tea Master, Kettle Keeper"
    )
    assert say(c, "mei", "/claim", DAY + timedelta(minutes=1)).startswith("Usage: /claim <title>.")


def test_the_duty_reminder_mentions_the_holder_on_schedule(
    store: Store, store_clock: FrozenClock
) -> None:
    c = community(store, store_clock, playbook(TITLES))
    say(c, "mei", "/claim Tea Master", DAY)
    store_clock.set(DAY + timedelta(minutes=59))
    c.engine.tick()
    assert sent(c) == [], "10:00 in London is 09:00 UTC"
    store_clock.set(DAY + timedelta(hours=1, minutes=1))
    assert c.engine.tick() == 1
    [reminder] = sent(c)
    assert reminder.text == "@mei Tea Master reminder: remind everyone to drink tea"
    assert reminder.extra["mentions"] == ["mei"]
    assert reminder.extra["mention_names"] == {"mei": "mei"}, "the name the text @-s her by"
    store_clock.set(DAY + timedelta(days=1, hours=1, minutes=1))
    assert c.engine.tick() == 1, "each reminder plans the next"
    assert len(sent(c)) == 2
    say(c, "mei", "/release", DAY + timedelta(days=1, hours=2))
    store_clock.set(DAY + timedelta(days=2, hours=1, minutes=1))
    c.engine.tick()
    assert len(sent(c)) == 2, "nobody holds it: no reminder"


def test_reminders_follow_the_community_clock_in_chinese() -> None:
    pb = parse_playbook(MINIMAL.replace("Europe/London", "Asia/Shanghai")).playbook
    after = datetime(2026, 5, 1, 2, 30, tzinfo=UTC)  # 10:30 in Shanghai
    due = next_reminder("每天 10:00", after, pb.community.timezone)
    assert due == datetime(2026, 5, 2, 2, 0, tzinfo=UTC)
    assert next_reminder("0 10,15 * * *", after, "Asia/Shanghai") == datetime(
        2026, 5, 1, 7, 0, tzinfo=UTC
    )


@pytest.mark.parametrize(("zone", "reminder", "day", "said"), [
    # the clocks go back: 02:30 (Berlin) and 01:30 (New York) come twice that night
    ("Europe/Berlin", "every day 02:30", date(2026, 10, 25), ["10-25 02:30 CEST", "10-26 02:30 CET"]),
    ("America/New_York", "every day 01:30", date(2026, 11, 1), ["11-01 01:30 EDT", "11-02 01:30 EST"]),
    # the clocks go forward: 02:30 never comes that night; said when the clocks reach it
    ("Europe/Berlin", "every day 02:30", date(2026, 3, 29), ["03-29 03:00 CEST", "03-30 02:30 CEST"]),
    ("America/New_York", "every day 02:30", date(2026, 3, 8), ["03-08 03:00 EDT", "03-09 02:30 EDT"]),
])  # fmt: skip
def test_a_duty_reminder_is_said_once_a_night_across_a_dst_change(
    zone: str, reminder: str, day: date, said: list[str]
) -> None:
    """The reminder was walked with plain croniter while the calendar walks DST-aware: the
    night the clocks went back it was said twice, the second time an hour off. It follows
    the calendar's walk now, as each reminder plans the next from the moment it ran."""
    claimed = datetime.combine(day - timedelta(days=1), time(12), tzinfo=ZoneInfo(zone))
    due, times = next_reminder(reminder, claimed, zone), []
    while due < claimed + timedelta(days=2, hours=12):
        times.append(due.astimezone(ZoneInfo(zone)).strftime("%m-%d %H:%M %Z"))
        ran = due + timedelta(minutes=1)  # the engine's tick after it was due
        due = next_reminder(reminder, ran, zone)
    assert times == said


def test_words_naming_no_title_are_never_repeated_to_the_group(
    store: Store, store_clock: FrozenClock
) -> None:
    """`/claim` and `/release` repeated up to 40 characters of what a member typed, in the
    bot's name: `/认领 问问 8823` put the member's words in the group again. The answer
    names the command and the titles there are, or the ones the member holds."""
    c = community(store, store_clock, playbook(TITLES))
    for n, words in enumerate(("\u202erorepmE\u200b", "ask me 8823", "x" * 90)):
        assert say(c, "mei", f"/claim {words}", DAY + timedelta(minutes=n)) == (
            "/claim: there is no such title. Titles: Tea Master, Kettle Keeper"
        )
    say(c, "mei", "/claim Tea Master", DAY + timedelta(minutes=5))
    released = say(c, "mei", "/release ask me 8823", DAY + timedelta(minutes=6))
    assert released == "mei, you hold no such title. Yours: Tea Master (e.g. /release Tea Master)"


def test_a_reminder_moved_by_a_new_playbook_version_is_said_once_at_the_new_time(
    store: Store, store_clock: FrozenClock
) -> None:
    """A reminder moved from 10:00 to 18:00 was said at 10:00 (planned by the old version)
    and again at 18:00 the day after the change: twice, once at a time nobody set any more."""
    from hearthkeeper.assembly import plan_community, runtime_for

    c = community(store, store_clock, playbook(TITLES))
    say(c, "mei", "/claim Tea Master", DAY)
    store_clock.set(DAY + timedelta(hours=1, minutes=1))  # 10:01 London: the 10:00 reminder
    c.engine.tick()
    assert len(sent(c)) == 1  # and the next one planned for tomorrow 10:00
    moved = playbook(TITLES.replace("every day 10:00", "every day 18:00"))
    c.runtime = runtime_for(store, moved)  # the operator applies the new version:
    c.restart()  # the server runs it and plans it (serve/host.py)
    plan_community(store, c.runtime.community_id, moved, store_clock.now())
    said_at, seen = [], 1
    for hour in range(2, 50):  # the next two days, hour by hour
        store_clock.set(DAY + timedelta(hours=hour, minutes=2))
        c.engine.tick()
        now_sent = len(sent(c))
        said_at += [store_clock.now().hour + 1] * (now_sent - seen)  # London is UTC+1
        seen = now_sent
    assert said_at == [18, 18], "once a day, at 18:00 London only, from the day of the change"
