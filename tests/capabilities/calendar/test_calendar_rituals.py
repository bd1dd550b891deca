"""Rituals through the engine: the monthly anniversary on the right day with the right month
count, once; the welcome-week digest once, seven days after joining (SQLite and PostgreSQL)."""

from __future__ import annotations

from datetime import timedelta

from hearthkeeper.assembly import runtime_for
from hearthkeeper.capabilities.calendar.repository import SqlPosts
from hearthkeeper.capabilities.calendar.rituals import TEXTS, welcome_key
from hearthkeeper.clock import FrozenClock
from hearthkeeper.engine.engine import Engine
from hearthkeeper.playbook import parse_playbook
from hearthkeeper.playbook.positioning import Language
from hearthkeeper.store import Store
from hearthkeeper.testing import EventBuilder, FakeCarrier
from tests.capabilities.calendar.test_calendar_posting import calendar_community, group, sends, utc
from tests.engine_setup import RULES, Community
from tests.playbook_samples import MINIMAL

ANNIVERSARY = """\
calendar:
  rituals:
    anniversary: {at: "20:00"}
"""

SESSION = """\
calendar:
  live_sessions:
    - {id: brew, title: Brewing, speaker: Mei, schedule: every Wednesday 19:00}
"""


def founded_community(store: Store, clock: FrozenClock, calendar: str) -> Community:
    """A community founded on 2026-01-18 with one group the engine has seen."""
    text = MINIMAL.replace("  timezone:", "  founded: 2026-01-18\n  timezone:") + RULES + calendar
    runtime = runtime_for(store, parse_playbook(text).playbook)
    store.add_group(runtime.community_id, "g1", "fake", "g1")
    carrier = FakeCarrier("fake")
    engine = Engine(store, clock, [runtime], {"fake": carrier},
                    adopt_groups_into=runtime.community_id)  # fmt: skip
    c = Community(store, clock, carrier, runtime, engine, EventBuilder(clock.now()))
    c.engine.process([c.events.message("u1", "hello", group="g1", at=clock.now())])
    return c


def test_the_anniversary_is_posted_on_the_founding_day_with_the_month_count_once(
    store: Store, store_clock: FrozenClock
) -> None:
    c = founded_community(store, store_clock, ANNIVERSARY)  # 2026-05-01
    store_clock.set(utc(2026, 5, 18, 18, 59))
    assert c.engine.tick() == 0
    store_clock.set(utc(2026, 5, 18, 19))  # 20:00 BST
    assert c.engine.tick() == 1
    assert c.engine.tick() == 0
    [post] = sends(c)
    assert post.text == "🎂 Tea Friends is 4 month(s) old today! Thank you all for being here."
    c.restart()
    c.engine.process([c.events.message("u2", "hi", at=store_clock.now())])
    assert c.engine.tick() == 0 and sends(c) == []
    store_clock.set(utc(2026, 6, 18, 19))
    assert c.engine.tick() == 1
    assert "5 month(s)" in str(sends(c)[0].text)
    got = SqlPosts.on(c.store).post_records(c.runtime.community_id, post_id="anniversary")
    assert [(r.scheduled_for, r.status) for r in got] == [
        (utc(2026, 5, 18, 19), "posted"), (utc(2026, 6, 18, 19), "posted"),
    ]  # fmt: skip


def test_a_custom_anniversary_text_and_day(store: Store, store_clock: FrozenClock) -> None:
    calendar = ANNIVERSARY.replace(
        '{at: "20:00"}', '{day: 3, at: "09:00", text: "{community}: {months}!"}'
    )
    c = founded_community(store, store_clock, calendar)
    store_clock.set(utc(2026, 5, 3, 8))
    assert c.engine.tick() == 1
    assert [a.text for a in sends(c)] == ["Tea Friends: 4!"]


def test_the_welcome_week_digest_comes_once_seven_days_after_joining(
    store: Store, store_clock: FrozenClock
) -> None:
    c = calendar_community(store, store_clock)
    joined = store_clock.now()
    c.engine.process([c.events.join("lin", name="Lin", at=joined),
                      c.events.message("lin", "agree", at=joined + timedelta(minutes=1)),
                      c.events.message("lin", "hello all", at=joined + timedelta(hours=1))])  # fmt: skip
    sends(c)
    item = c.store.scheduled(welcome_key(group(c).id, c.member_id("lin")))
    assert item is not None and item.due_at == joined + timedelta(days=7)
    store_clock.set(joined + timedelta(days=7) - timedelta(minutes=1))
    while c.engine.tick():  # the daily posts of the week
        pass
    assert not [a for a in sends(c) if "one week" in str(a.text)]
    store_clock.set(joined + timedelta(days=7))
    assert c.engine.tick() == 1
    [digest] = sends(c)
    assert digest.text is not None
    assert digest.text.startswith("🌱 Lin, one week in g1!") and "/help" in digest.text
    assert "posted 2 message(s)" in digest.text and digest.extra["mentions"] == ["lin"]
    assert digest.extra["mention_names"] == {"lin": "Lin"}, "the name it greets her by"
    c.restart()
    c.engine.process([c.events.leave("lin", at=store_clock.now()),
                      c.events.join("lin", name="Lin", at=store_clock.now())])  # fmt: skip
    store_clock.advance(timedelta(days=8))
    c.engine.tick()
    assert not [a for a in sends(c) if "one week" in str(a.text)]


def test_a_newcomer_who_joined_at_night_gets_the_digest_the_morning_a_week_later(
    store: Store, store_clock: FrozenClock
) -> None:
    """Joined at 23:30 in London: the digest waits for 08:00, and names the next session's
    time as the other posts do (Wed 6 May 19:00), not 2026-05-06 19:00."""
    joined = utc(2026, 4, 28, 22, 30)  # 23:30 BST, a Tuesday
    store_clock.set(joined)
    c = calendar_community(store, store_clock, SESSION)
    c.engine.process([c.events.join("lin", name="Lin", at=joined)])
    sends(c)
    item = c.store.scheduled(welcome_key(group(c).id, c.member_id("lin")))
    assert item is not None and item.due_at == utc(2026, 5, 6, 7)  # 08:00 BST, Wednesday
    store_clock.set(joined + timedelta(days=7))
    while c.engine.tick():
        pass
    assert not [a for a in sends(c) if "one week" in str(a.text)], "said at 23:30"
    store_clock.set(utc(2026, 5, 6, 7))
    c.engine.tick()
    [digest] = [a for a in sends(c) if "one week" in str(a.text)]
    assert "Wed 6 May 19:00" in str(digest.text)


def test_ritual_texts_exist_in_both_languages() -> None:
    for key in ("anniversary", "anniversary_plain", "welcome", "next_session"):
        args = {"community": "c", "months": 2, "name": "n", "group": "g", "count": 1,
                "next": "", "title": "t", "when": "w"}  # fmt: skip
        assert TEXTS.say(key, Language.ZH_CN, **args) != TEXTS.say(key, Language.EN, **args)


def test_a_closed_group_has_no_anniversary_until_it_is_reopened(
    store: Store, store_clock: FrozenClock
) -> None:
    c = founded_community(store, store_clock, ANNIVERSARY)
    store.add_group(c.runtime.community_id, "g2", "fake", "g2")
    store.close_group(group(c).id, "ops")  # `hearth groups close g1`
    store_clock.set(utc(2026, 5, 18, 19))
    c.engine.tick()
    assert sends(c) == []
    assert SqlPosts.on(c.store).post_records(c.runtime.community_id, post_id="anniversary") == []
    store.reopen_group(group(c).id)
    store_clock.set(utc(2026, 6, 18, 19))
    c.engine.tick()
    assert ["5 month(s)" in str(a.text) for a in sends(c)] == [True]
