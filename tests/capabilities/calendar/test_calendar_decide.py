"""The calendar's pure decisions, without a database: what a firing that fell due does, what
planning schedules, whether `/confirm` may send, and the requests scheduled work stores."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from hearthkeeper.capabilities.calendar.confirm import Refusal, Waiting, decide_confirm
from hearthkeeper.capabilities.calendar.content import PostContent
from hearthkeeper.capabilities.calendar.firings import AnniversaryFiring
from hearthkeeper.capabilities.calendar.library import ContentItem, ContentLibrary
from hearthkeeper.capabilities.calendar.planning import CalendarPlanner, group_plan
from hearthkeeper.capabilities.calendar.posts import PostFiring, decide_post, find_post
from hearthkeeper.capabilities.calendar.records import PostRecord
from hearthkeeper.capabilities.calendar.requests import (
    CalendarAnniversary,
    CalendarPost,
    CalendarSession,
    CalendarWelcome,
)
from hearthkeeper.capabilities.calendar.rituals import decide_anniversary, welcome_plan
from hearthkeeper.capabilities.calendar.series import Due, Lapsed, due
from hearthkeeper.capabilities.calendar.sessions import (
    decide_moment,
    digest_text,
    find_session,
    top_speakers,
)
from hearthkeeper.engine.actions import ActionKind
from hearthkeeper.engine.handler import Context, GroupView, MemberView
from hearthkeeper.playbook.output import ContentKind
from hearthkeeper.playbook.positioning import Language
from hearthkeeper.store import Group
from hearthkeeper.testing import EventBuilder
from tests.engine_setup import playbook

LONDON = ZoneInfo("Europe/London")
AT = datetime(2026, 5, 2, 7, tzinfo=UTC)  # 08:00 in London

CALENDAR = playbook("""\
calendar:
  posts:
    - id: morning
      schedule: every day 08:00
      content: {text: "Good morning, tea friends."}
    - id: evening
      schedule: every day 20:00
      groups: [g2]
      mode: remind
      content: {text: Evening tea?}
    - id: tips
      schedule: every day 08:00
      content: {library: content/tips, order: next}
  live_sessions:
    - id: brew
      title: Brewing oolong
      speaker: Mei
      schedule: every day 20:00
      duration: 30m
      remind_before: [1h]
""")
MORNING = find_post(CALENDAR, "morning")
EVENING = find_post(CALENDAR, "evening")
TIPS = find_post(CALENDAR, "tips")
LIBRARY = ContentLibrary(folder=Path("content/tips"), items=(
    ContentItem("01-water.md", "Water", ContentKind.TEXT, "Use soft water."),
    ContentItem("02-cups.md", "Cups", ContentKind.TEXT, "Warm the cups first."),
))  # fmt: skip


def test_a_firing_whose_post_is_gone_or_no_longer_goes_to_the_group_ends_its_series() -> None:
    assert decide_post(None, "g1", LONDON, AT, AT, None, []) is Lapsed.ENDED
    assert EVENING is not None
    assert decide_post(EVENING, "g1", LONDON, AT, AT, None, []) is Lapsed.ENDED


def test_a_firing_that_is_no_longer_on_the_schedule_is_planned_again() -> None:
    moved = AT + timedelta(hours=1)  # the post fired at 09:00 before its schedule changed
    assert decide_post(MORNING, "g1", LONDON, moved, moved, None, []) is Lapsed.MOVED


def test_a_firing_within_its_grace_posts_and_one_beyond_it_is_skipped() -> None:
    on_time = decide_post(MORNING, "g1", LONDON, AT, AT + timedelta(minutes=40), None, [])
    assert on_time == PostFiring("posted", PostContent("Good morning, tea friends.", "text"),
                                 Due(False, AT + timedelta(seconds=1)))  # fmt: skip
    days_late = AT + timedelta(days=5, minutes=30)
    late = decide_post(MORNING, "g1", LONDON, AT, days_late, None, [])
    assert isinstance(late, PostFiring)
    assert (late.status, late.content, late.due.late) == ("skipped", None, True)
    assert late.due.after == days_late - timedelta(hours=1)  # the series jumps the missed days
    assert late.due.skipped_some(AT)


def test_a_remind_post_is_offered_to_staff() -> None:
    at = datetime(2026, 5, 1, 19, tzinfo=UTC)
    firing = decide_post(EVENING, "g2", LONDON, at, at, None, [])
    assert isinstance(firing, PostFiring) and firing.status == "reminded"


def test_a_library_post_takes_the_next_unused_item_and_skips_when_none_is_left() -> None:
    first = decide_post(TIPS, "g1", LONDON, AT, AT, LIBRARY, ["01-water.md"])
    assert isinstance(first, PostFiring) and first.content is not None
    assert (first.status, first.content.item_id) == ("posted", "02-cups.md")
    empty = decide_post(TIPS, "g1", LONDON, AT, AT, LIBRARY, ["01-water.md", "02-cups.md"])
    assert isinstance(empty, PostFiring)
    assert (empty.status, empty.content, empty.due.late) == ("skipped", None, False)


def test_due_is_late_only_beyond_the_grace() -> None:
    grace = timedelta(hours=1)
    assert due(AT, AT + grace, grace) == Due(False, AT + timedelta(seconds=1))
    assert due(AT, AT + grace + timedelta(seconds=1), grace).late


def test_planning_a_group_keeps_each_series_next_firing_once() -> None:
    now = datetime(2026, 5, 1, 9, tzinfo=UTC)
    planned, series = group_plan(CALENDAR, 7, "g1", now)
    assert series == 3  # morning, tips and the session; evening goes to g2 only
    assert [p.key for p in planned] == [
        f"post:7:morning:{AT.isoformat()}",
        f"post:7:tips:{AT.isoformat()}",
        "live:7:brew:reminder-3600:2026-05-01T18:00:00+00:00",
    ]
    assert planned[0].request == CalendarPost(post="morning", at=AT) and planned[0].at == AT
    assert planned[2].request == CalendarSession(
        session="brew", moment="reminder-3600", at=datetime(2026, 5, 1, 18, tzinfo=UTC),
        starts=datetime(2026, 5, 1, 19, tzinfo=UTC))  # fmt: skip
    assert group_plan(CALENDAR, 7, "g1", now) == (planned, series)


def test_a_session_moment_holds_only_while_it_is_still_on_the_schedule() -> None:
    session = find_session(CALENDAR, "brew")
    start = datetime(2026, 5, 1, 19, tzinfo=UTC)
    assert decide_moment(None, "g1", LONDON, "start", start, start) is Lapsed.ENDED
    assert decide_moment(session, "g1", LONDON, "digest", start, start) is Lapsed.MOVED
    assert decide_moment(session, "g1", LONDON, "start", start, start) == Due(
        False, start + timedelta(seconds=1))  # fmt: skip
    late = decide_moment(session, "g1", LONDON, "start", start, start + timedelta(hours=1))
    assert isinstance(late, Due) and late.late


def test_the_digest_names_the_most_active_and_the_questions() -> None:
    session = find_session(CALENDAR, "brew")
    assert session is not None
    said = [(1, "hi"), (2, "How hot should the water be?"), (1, "90 degrees"), (3, "thanks")]
    assert top_speakers(said) == [1, 2, 3]
    text = digest_text(Language.EN, session, said, ["Mei", "Lin", "Bo"])
    assert text.startswith("📝 'Brewing oolong' recap: 4 message(s) from 3 member(s).")
    assert "Most active: Mei, Lin, Bo" in text and "• How hot should the water be?" in text


def test_an_anniversary_holds_while_the_next_one_falls_at_its_instant() -> None:
    at = datetime(2026, 5, 18, 19, tzinfo=UTC)
    assert decide_anniversary(None, at, at) is Lapsed.MOVED
    assert decide_anniversary(AnniversaryFiring(at + timedelta(days=1), 4), at, at) is Lapsed.MOVED
    assert decide_anniversary(AnniversaryFiring(at, 4), at, at + timedelta(hours=3)) == Due(
        True, at + timedelta(hours=1))  # fmt: skip
    assert CalendarAnniversary(at=at).to_payload() == {"at": at.isoformat()}


def test_a_newcomer_gets_the_welcome_week_digest_planned_a_week_later() -> None:
    member = MemberView(id=5, user_id="lin", display_name="Lin")
    planned = welcome_plan(7, member, AT, LONDON)
    assert (planned.key, planned.at) == ("welcome:7:5", AT + timedelta(days=7))
    assert planned.request == CalendarWelcome(member=5, user="lin", name="Lin", joined=AT)


def test_the_welcome_week_digest_is_said_in_the_communitys_daytime() -> None:
    """A member who joined at 00:30 was greeted by name in the group at 00:30 a week later."""
    member = MemberView(id=5, user_id="lin", display_name="Lin")
    shanghai = ZoneInfo("Asia/Shanghai")
    for joined_local, said_local in (
        (datetime(2026, 11, 1, 0, 30), datetime(2026, 11, 8, 8, 0)),  # small hours: that morning
        (datetime(2026, 11, 1, 22, 15), datetime(2026, 11, 9, 8, 0)),  # late: the next morning
        (datetime(2026, 11, 1, 21, 59), datetime(2026, 11, 8, 21, 59)),  # daytime: as it falls
        (datetime(2026, 11, 1, 8, 0), datetime(2026, 11, 8, 8, 0)),
    ):
        joined = joined_local.replace(tzinfo=shanghai).astimezone(UTC)
        planned = welcome_plan(7, member, joined, shanghai)
        assert planned.at.astimezone(shanghai).replace(tzinfo=None) == said_local, joined_local


def test_requests_read_back_the_payloads_that_scheduled_work_already_holds() -> None:
    stored = {"post": "morning", "at": AT.isoformat()}
    assert CalendarPost.from_payload(json.loads(json.dumps(stored))) == CalendarPost(
        post="morning", at=AT)  # fmt: skip
    assert CalendarPost(post="morning", at=AT).to_payload() == stored
    welcome = {"member": 5, "user": "lin", "name": "Lin", "joined": AT.isoformat()}
    assert CalendarWelcome.from_payload(welcome).to_payload() == welcome
    session = {"session": "brew", "moment": "start", "at": AT.isoformat(),
               "starts": AT.isoformat()}  # fmt: skip
    assert CalendarSession.from_payload(session).to_payload() == session


def _record(status: str = "reminded", community_id: int = 1) -> PostRecord:
    return PostRecord(id=3, community_id=community_id, group_id=2, post_id="evening",
                      scheduled_for=AT, item_id=None, content_kind="text", mode="remind",
                      status=status, posted_at=None)  # fmt: skip


def test_confirm_sends_only_a_reminded_post_of_this_community_that_still_exists() -> None:
    content = PostContent("Evening tea?", "text")
    group = Group(id=2, community_id=1, name="g2", carrier="fake", carrier_group_id="g2",
                  capacity=None, created_at=AT)  # fmt: skip
    assert decide_confirm(1, None, EVENING, content, group) is Refusal.NOTHING
    assert decide_confirm(1, _record("confirmed"), EVENING, content, group) is Refusal.NOTHING
    assert decide_confirm(1, _record(community_id=9), EVENING, content, group) is Refusal.NOTHING
    assert decide_confirm(1, _record(), None, None, group) is Refusal.GONE
    assert decide_confirm(1, _record(), EVENING, content, None) is Refusal.GONE
    assert EVENING is not None
    assert decide_confirm(1, _record(), EVENING, content, group) == Waiting(
        _record(), EVENING, content, group)  # fmt: skip


def test_the_planner_plans_a_group_once_until_it_forgets() -> None:
    planner = CalendarPlanner()
    events = EventBuilder(AT)
    event = events.message("u1", "hello", group="g1", at=AT)
    group = GroupView(id=1, name="g1", carrier="fake", carrier_group_id="g1", capacity=None,
                      community_id=1, community_slug="tea")  # fmt: skip
    member = MemberView(id=1, user_id="u1", display_name="u1")
    no_state: Any = None  # the planner asks nothing of the community's state
    ctx = Context(playbook=CALENDAR, group=group, member=member, now=AT, state=no_state)
    assert planner.check(event, ctx)
    [action] = planner.handle(event, ctx).actions
    assert (action.kind, action.effect, action.group) == (ActionKind.EFFECT, "calendar.plan", "g1")
    assert not planner.check(event, ctx)
    planner.forget()  # a rolled-back batch took the plan with it
    assert planner.check(event, ctx)
