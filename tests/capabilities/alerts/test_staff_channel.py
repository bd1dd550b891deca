"""The staff channel (`alerts.staff_group`) is staff's own, on SQLite and PostgreSQL: nobody
is moderated or welcomed there, it gets no scheduled posts, it is not counted in the
figures, and newcomers are never routed into it, unless `alerts.staff_group_as_members`."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from hearthkeeper.analytics.activity import members_joined
from hearthkeeper.analytics.member_groups import counted_groups
from hearthkeeper.apply import apply_playbook
from hearthkeeper.capabilities.calendar.planning import plan_calendar
from hearthkeeper.capabilities.grid.load import load_matrix
from hearthkeeper.carriers.naming import next_group_name
from hearthkeeper.carriers.webchat.groups import open_next_group
from hearthkeeper.clock import FrozenClock
from hearthkeeper.engine.actions import Action, ActionKind
from hearthkeeper.playbook import parse_playbook
from hearthkeeper.playbook.groups import group_playbook
from hearthkeeper.store import Store
from tests.engine_setup import RULES, Community, community, playbook
from tests.playbook_samples import MINIMAL

STAFF = "alerts:\n  staff_group: staff\n"
POSTS = """\
calendar:
  posts:
    - id: morning
      schedule: every day 08:00
      content: {text: "Good morning, tea friends!"}
"""
LINK = "buy cheap followers at http://spam.example.com now"


def performed(c: Community) -> list[Action]:
    asyncio.run(c.engine.drain())
    done = [p.action for p in c.carrier.performed]
    c.carrier.performed.clear()
    return done


def in_group(actions: list[Action], group: str) -> list[tuple[ActionKind, str | None]]:
    return [(a.kind, a.handler) for a in actions if a.group == group and a.handler != "alerts"]


def run(c: Community, *events: object) -> list[Action]:
    c.engine.process(list(events))  # type: ignore[arg-type]
    return performed(c)


def test_the_staff_channel_is_not_moderated_welcomed_or_posted_to(
    store: Store, store_clock: FrozenClock
) -> None:
    c = community(store, store_clock, playbook(STAFF + POSTS))
    done = run(c, c.events.join("ann", group="g1"), c.events.join("mei", group="staff"))
    assert in_group(done, "g1") != [] and in_group(done, "staff") == []  # ann welcomed only
    done = run(c, c.events.message("ann", LINK, group="g1"),
               c.events.message("mei", LINK, group="staff"))  # fmt: skip
    assert ActionKind.DELETE in [k for k, _ in in_group(done, "g1")]
    assert in_group(done, "staff") == []  # staff may share links among themselves
    assert len(store.messages(store.group_for_carrier("fake", "staff").id)) == 1  # type: ignore[union-attr]
    store_clock.set(datetime(2026, 5, 2, 7, 30, tzinfo=UTC))  # 08:30 in London
    c.engine.tick()
    posted = performed(c)
    assert [a.group for a in posted if a.handler == "calendar"] == ["g1"]


def test_an_operator_may_run_the_staff_channel_as_a_member_group(
    store: Store, store_clock: FrozenClock
) -> None:
    c = community(store, store_clock,
                  playbook("alerts:\n  staff_group: staff\n  staff_group_as_members: true\n"))  # fmt: skip
    run(c, c.events.join("mei", group="staff"))
    done = run(c, c.events.message("mei", LINK, group="staff"))
    assert ActionKind.DELETE in [k for k, _ in in_group(done, "staff")]
    pb = c.runtime.playbook
    assert [g.name for g in counted_groups(store, c.runtime.community_id, playbook=pb)] == ["staff"]


def test_the_figures_leave_the_staff_channel_out_unless_asked_for(
    store: Store, store_clock: FrozenClock
) -> None:
    loaded = parse_playbook(MINIMAL + RULES + STAFF)
    apply_playbook(store, loaded, "test")  # the figures read the playbook the store keeps
    c = community(store, store_clock, loaded.playbook)
    run(c, c.events.join("ann", group="g1"), c.events.join("mei", group="staff"),
        c.events.join("bob", group="staff"))  # fmt: skip
    cid = c.runtime.community_id
    ids = {g.name: g.id for g in store.list_groups(cid)}
    assert [g.name for g in counted_groups(store, cid)] == ["g1"]
    assert sorted(members_joined(store, cid)) == [c.member_id("ann")]  # not the two staff
    asked = members_joined(store, cid, group_ids=[ids["staff"]])
    assert sorted(asked) == sorted([c.member_id("mei"), c.member_id("bob")])
    lines = load_matrix(store, cid, loaded.playbook, ZoneInfo("Europe/London"), store_clock.now())
    assert [line.name for line in lines.lines] == ["g1"]  # no grid warnings about staff


def test_the_staff_channel_uses_no_group_number_up(store: Store, store_clock: FrozenClock) -> None:
    """Groups are named `copy.naming` with a running number; the staff channel is no member
    group, so the first member group beside it is No. 1 and the next No. 2 (web chat opened
    by the console or a live code, Matrix rooms the bot opens)."""
    pb = parse_playbook(MINIMAL + "alerts:\n  staff_group: Tea staff\n").playbook
    community_id = store.ensure_community(pb.community.slug, pb.community.name).id
    store.add_group(community_id, "Tea staff", "webchat", "tea-staff")
    first = open_next_group(store, community_id, pb)
    second = open_next_group(store, community_id, pb)
    assert [first.name, second.name] == ["Tea Friends #1", "Tea Friends #2"]
    store.add_group(community_id, "Tea staff", "matrix", "!staff:example.org")
    rooms = [g for g in store.list_groups(community_id) if g.carrier == "matrix"]
    assert next_group_name(rooms, pb, "matrix") == "Tea Friends #1"


def test_a_community_whose_only_web_chat_group_is_the_staff_channel_gets_a_member_group(
    store: Store, store_clock: FrozenClock
) -> None:
    """A community whose staff channel is its only web chat group still gets a group to
    invite members to when the server adopts it (No. 1): before, it had none, and the join
    links could only lead into the staff channel, which they never do."""
    from hearthkeeper.carriers.webchat.groups import ensure_webchat_group

    pb = parse_playbook(MINIMAL + "alerts:\n  staff_group: Tea staff\n").playbook
    community_id = store.ensure_community(pb.community.slug, pb.community.name).id
    store.add_group(community_id, "Tea staff", "webchat", "tea-staff")
    made = ensure_webchat_group(store, community_id, pb)
    assert made is not None and made.name == "Tea Friends #1"
    assert ensure_webchat_group(store, community_id, pb) is None, "one is enough"
    names = sorted(g.name for g in store.list_groups(community_id))
    assert names == ["Tea Friends #1", "Tea staff"]


SESSION = """\
calendar:
  live_sessions:
    - id: salon
      title: Tea salon
      speaker: Mei
      schedule: every day 09:00
      duration: 20m
      remind_before: [10m]
"""


def test_the_staff_channel_holds_no_members_live_session(
    store: Store, store_clock: FrozenClock
) -> None:
    """`hearth serve` opens the web chat's staff channel; it was reminded of each of the
    members' sessions, told it had started, then staff were alerted that nobody spoke in
    their own room (seen on a real server). A session whose `groups` name it is held there."""
    c = community(store, store_clock, playbook(STAFF + SESSION))
    run(c, c.events.join("ann", group="g1"), c.events.join("mei", group="staff"))
    # as `hearth serve` plans every group at start, the staff channel it opened included
    plan_calendar(store, c.runtime.community_id, c.runtime.playbook, store_clock.now())
    for hour, minute in ((7, 52), (8, 2), (8, 22)):  # the reminder, the start, the end
        store_clock.set(datetime(2026, 5, 2, hour, minute, tzinfo=UTC))  # 09:00 in London
        c.engine.tick()
    done = performed(c)

    calendar = [a for a in done if a.handler == "calendar"]
    assert calendar and {a.group for a in calendar} == {"g1"}, [(a.group, a.text) for a in done]
    alerts = [a.text for a in store.staff_alerts(c.runtime.community_id)]
    assert any("nobody spoke" in t and "g1" in t for t in alerts), alerts
    assert not any("staff" in t for t in alerts), alerts
    named = SESSION.replace("      duration: 20m\n", "      duration: 20m\n      groups: [staff]\n")
    [held] = group_playbook(playbook(STAFF + named), "staff", "staff").calendar.live_sessions
    assert held.id == "salon"
