"""Live sessions through the engine: reminders, "starting now" and the digest at the right
local times, once each across double ticks and restarts (SQLite and PostgreSQL)."""

from __future__ import annotations

from datetime import timedelta

from hearthkeeper.capabilities.calendar.repository import SqlPosts
from hearthkeeper.capabilities.calendar.sessions import TEXTS
from hearthkeeper.capabilities.calendar.skips import skip_reason
from hearthkeeper.clock import FrozenClock
from hearthkeeper.engine.actions import Action, ActionKind
from hearthkeeper.playbook.positioning import Language
from hearthkeeper.store import Store
from tests.capabilities.calendar.test_calendar_posting import (
    calendar_community,
    group,
    performed,
    records,
    sends,
    utc,
)

SESSIONS = """\
calendar:
  live_sessions:
    - id: brew
      title: Brewing oolong
      speaker: Mei
      schedule: every day 20:00
      duration: 30m
      remind_before: [1h, 10m]
"""


def test_reminders_start_and_digest_fire_at_local_times_once_each(
    store: Store, store_clock: FrozenClock
) -> None:
    c = calendar_community(store, store_clock, SESSIONS)  # 2026-05-01 10:00 BST
    c.engine.process([c.events.message("mei", "I am here", name="Mei", at=store_clock.now())])
    moments = [utc(2026, 5, 1, 18), utc(2026, 5, 1, 18, 50), utc(2026, 5, 1, 19),
               utc(2026, 5, 1, 19, 30)]  # fmt: skip
    said: list[Action] = []
    for at in moments:
        store_clock.set(at)
        if at == moments[2]:
            c.engine.process([
                c.events.message("u1", "How hot should the water be?", at=at),
                c.events.message("u2", "Lovely leaves", at=at + timedelta(minutes=5)),
                c.events.message("u1", "Thanks!", at=at + timedelta(minutes=6)),
            ])  # fmt: skip
        assert c.engine.tick() == 1
        assert c.engine.tick() == 0
        got = sends(c)
        assert len(got) == 1
        said.append(got[0])
    assert "In 1h" in str(said[0].text) and "@Mei" in str(said[0].text)
    assert said[0].extra["mentions"] == ["mei"]
    assert said[0].extra["mention_names"] == {"mei": "Mei"}, "the name the text @-s"
    assert "In 10 min" in str(said[1].text)
    assert "Starting now" in str(said[2].text) and "Brewing oolong" in str(said[2].text)
    digest = str(said[3].text)
    assert "Brewing oolong" in digest and "3 message(s) from 2 member(s)" in digest
    assert "How hot should the water be?" in digest and "Lovely leaves" not in digest
    c.restart()
    c.engine.process([c.events.message("u2", "bye", at=moments[3])])  # plans again: no repeat
    assert c.engine.tick() == 0
    assert sends(c) == []
    claims = [
        (r.post_id, r.scheduled_for)
        for r in SqlPosts.on(c.store).post_records(c.runtime.community_id)
    ]
    assert claims == [
        ("live:brew:reminder-3600", moments[0]), ("live:brew:reminder-600", moments[1]),
        ("live:brew:start", moments[2]), ("live:brew:digest", moments[3]),
    ]  # fmt: skip
    assert all(r.group_id == group(c).id for r in records(c, "live:brew:start"))
    store_clock.set(utc(2026, 5, 2, 18))
    assert c.engine.tick() == 1
    assert "In 1h" in str(sends(c)[0].text)


def test_a_session_nobody_spoke_in_posts_no_recap_to_members_and_tells_staff(
    store: Store, store_clock: FrozenClock
) -> None:
    """A recap of "0 messages from 0 members" was posted in the group for all to see: now
    nothing is posted and staff get one alert (in the inbox) saying nobody spoke."""
    c = calendar_community(store, store_clock, SESSIONS)  # 2026-05-01 10:00 BST
    c.engine.process([c.events.message("mei", "I am here", name="Mei", at=store_clock.now())])
    for at in (utc(2026, 5, 1, 18), utc(2026, 5, 1, 18, 50), utc(2026, 5, 1, 19)):
        store_clock.set(at)
        assert c.engine.tick() == 1
        sends(c)
    store_clock.set(utc(2026, 5, 1, 19, 30))  # the recap's moment; nobody said a word
    assert c.engine.tick() == 1
    assert c.engine.tick() == 0
    done = performed(c)
    assert [a for a in done if a.kind is ActionKind.SEND] == []  # nothing in the group
    told = [a for a in done if a.kind is ActionKind.ALERT_STAFF]
    assert len(told) == 1 and "nobody spoke" in str(told[0].text)
    assert "Brewing oolong" in str(told[0].text)
    inbox = store.staff_alerts(c.runtime.community_id)
    assert [a.text for a in inbox] == [told[0].text]
    [recap] = records(c, "live:brew:digest")
    assert recap.status == "skipped"
    assert skip_reason(recap, store, {}) == "nobody spoke in the session"  # as `hearth posts`


def test_a_speaker_who_is_not_a_member_is_named_and_groups_are_chosen(
    store: Store, store_clock: FrozenClock
) -> None:
    calendar = SESSIONS.replace("speaker: Mei", "speaker: Dr. Tea") + "      groups: [g2]\n"
    c = calendar_community(store, store_clock, calendar, groups=("g1", "g2"))
    store_clock.set(utc(2026, 5, 1, 18))
    assert c.engine.tick() == 1
    [reminder] = sends(c)
    assert reminder.group == "g2" and "Dr. Tea" in str(reminder.text)
    assert "mentions" not in reminder.extra


def test_a_speakers_name_two_members_carry_mentions_only_the_staff_one_or_nobody(
    store: Store, store_clock: FrozenClock
) -> None:
    """A member renamed themselves "Mei" before the speaker spoke: the reminder @-mentioned
    the first member found with the name, the impostor, as the session's speaker. Now a name
    several members carry is mentioned only when exactly one of them is staff in the group;
    otherwise the reminder names the speaker without mentioning anyone."""
    c = calendar_community(store, store_clock, SESSIONS)  # 2026-05-01 10:00 BST
    now = store_clock.now()
    c.engine.process([c.events.message("u9", "hi", name="Mei", at=now)])
    c.engine.process([c.events.message("mei", "I am here", name="Mei", at=now)])
    store_clock.set(utc(2026, 5, 1, 18))
    assert c.engine.tick() == 1
    [reminder] = sends(c)
    assert "Mei" in str(reminder.text) and "@Mei" not in str(reminder.text)
    assert "mentions" not in reminder.extra
    real = store.member_for("fake", "mei", "Mei")
    store.set_role(real.id, group(c).id, "moderator")
    store_clock.set(utc(2026, 5, 1, 18, 50))
    assert c.engine.tick() == 1
    [reminder] = sends(c)
    assert "@Mei" in str(reminder.text) and reminder.extra["mentions"] == ["mei"]


def test_session_texts_exist_in_both_languages() -> None:
    for key in ("reminder", "start", "digest", "empty", "active", "questions", "hours", "minutes"):
        zh = TEXTS.say(key, Language.ZH_CN, before="1 小时", title="t", speaker="s", count=1,
                       speakers=1, active="", questions="", names="a", lines="q", n=1,
                       group="g")  # fmt: skip
        en = TEXTS.say(key, Language.EN, before="1h", title="t", speaker="s", count=1,
                       speakers=1, active="", questions="", names="a", lines="q", n=1,
                       group="g")  # fmt: skip
        assert zh and en and zh != en
