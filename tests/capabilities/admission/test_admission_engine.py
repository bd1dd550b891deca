"""The door through the engine: a carrier asks `Admission`, staff decide, the engine's
outbound queue asks the carrier to admit — each exactly once, across a restart."""

from __future__ import annotations

import asyncio
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from hearthkeeper.capabilities.admission import review
from hearthkeeper.capabilities.admission.applications_repository import SqlApplications
from hearthkeeper.capabilities.admission.codes import create_code, revoke_code
from hearthkeeper.capabilities.admission.codes_repository import SqlInviteCodes
from hearthkeeper.clock import FrozenClock
from hearthkeeper.engine.actions import ActionKind
from hearthkeeper.engine.admission import Admission, Entry, JoinRequest
from hearthkeeper.engine.registry import Registry
from hearthkeeper.store import Store, StoreError
from hearthkeeper.store.join_sources import SqlJoinSources
from tests.capabilities.admission.door_setup import APPLICATION, CODE
from tests.engine_setup import Community, community, playbook


def door(tea: Community) -> Admission:
    """The server's Admission, as a (re)started server builds it."""
    return Admission(tea.store, tea.clock, {tea.runtime.community_id: tea.runtime}.get)


def asking(tea: Community, user: str, **brought: object) -> JoinRequest:
    [group] = tea.store.list_groups(tea.runtime.community_id)
    return JoinRequest(carrier="fake", group_id=group.id, user_id=user, display_name=user.title(),
                       **brought)  # type: ignore[arg-type]  # fmt: skip


def tea_with(store: Store, clock: FrozenClock, threshold: str) -> Community:
    tea = community(store, clock, playbook(threshold))
    store.add_group(tea.runtime.community_id, "Tea room", "fake", "g1")
    return tea


def test_an_approved_application_admits_the_applicant_once_across_a_restart(
    store: Store, store_clock: FrozenClock
) -> None:
    tea = tea_with(store, store_clock, APPLICATION)
    asked = door(tea).screen(asking(tea, "mei"))
    assert asked.entry is Entry.REFUSE and asked.questions == ("Who invited you?",
                                                               "What do you brew?")  # fmt: skip
    answers = ("Lan", "Oolong")
    assert door(tea).screen(asking(tea, "mei", answers=answers)).entry is Entry.PENDING
    assert door(tea).screen(asking(tea, "mei", answers=answers)).entry is Entry.PENDING
    [application] = SqlApplications.on(store).applications(tea.runtime.community_id)
    review.approve(store, application.id, "console:li", store_clock.now(), "Welcome!")

    asyncio.run(tea.engine.drain())
    assert tea.carrier.kinds().count(ActionKind.ADMIT) == 1
    [admit] = [p.action for p in tea.carrier.performed if p.action.kind is ActionKind.ADMIT]
    assert (admit.group, admit.member, admit.reason) == ("g1", "mei", "Welcome!")
    assert ActionKind.ALERT_STAFF in tea.carrier.kinds(), "staff were alerted of it"

    tea.restart()
    asyncio.run(tea.engine.drain())
    assert tea.carrier.performed == []
    assert door(tea).screen(asking(tea, "mei")).entry is Entry.ADMIT
    assert len(store.staff_alerts(tea.runtime.community_id, open_only=False)) == 1


def test_a_refused_application_declines_the_request_and_says_why(
    store: Store, store_clock: FrozenClock
) -> None:
    tea = tea_with(store, store_clock, APPLICATION)
    door(tea).screen(asking(tea, "spam", answers=("Buy my tea",)))
    [application] = SqlApplications.on(store).applications(tea.runtime.community_id)
    review.refuse(store, application.id, "cli", store_clock.now(), "Not a tea community for ads")
    asyncio.run(tea.engine.drain())
    assert tea.carrier.kinds().count(ActionKind.DECLINE) == 1
    refused = door(tea).screen(asking(tea, "spam"))
    assert refused.entry is Entry.REFUSE
    assert refused.reason == "Your application was not accepted: Not a tea community for ads"


def test_a_code_is_counted_once_per_person_across_a_restart(
    store: Store, store_clock: FrozenClock
) -> None:
    tea = tea_with(store, store_clock, CODE)
    cid = tea.runtime.community_id
    create_code(store, cid, "cli", store_clock.now(), code="SPRING", max_uses=2)
    assert door(tea).screen(asking(tea, "mei", code="spring")).admitted
    tea.restart()
    assert door(tea).screen(asking(tea, "mei", code="SPRING")).admitted
    assert door(tea).screen(asking(tea, "lan", code="SPRING")).admitted
    used_up = door(tea).screen(asking(tea, "ann", code="SPRING"))
    assert used_up.entry is Entry.REFUSE and used_up.asks_code
    found = SqlInviteCodes.on(store).code_named(cid, "SPRING")
    assert found is not None and found.uses == 2
    revoke_code(store, cid, "spring", "cli", store_clock.now())
    assert "withdrawn" in door(tea).screen(asking(tea, "mei", code="SPRING")).reason


def test_a_refused_application_keeps_no_link_to_credit_a_later_join(
    store: Store, store_clock: FrozenClock
) -> None:
    """Mei applied through the poster's code (the join page kept it for each room she asked
    for, to credit her join on approval); staff refuse her. Nothing of it is kept: if she is
    let in later by other means (staff invite her by hand, or the threshold opens and she
    comes by the room's plain link), her join is not credited to the poster she was refused
    from. Another applicant's kept link is untouched."""
    tea = tea_with(store, store_clock, APPLICATION)
    answers = ("Lan", "Oolong")
    sources = SqlJoinSources.on(store)
    for room in ("g1", "g2"):
        sources.remember("fake", room, "mei", "code:poster", store_clock.now())
    sources.remember("fake", "g1", "lan", "code:flyer", store_clock.now())
    for person in ("mei", "lan"):
        assert door(tea).screen(asking(tea, person, answers=answers)).entry is Entry.PENDING
    store.add_group(tea.runtime.community_id, "Tea garden", "fake", "g2")  # asked there too
    [mei] = [a for a in SqlApplications.on(store).applications(tea.runtime.community_id)
             if a.user_id == "mei"]  # fmt: skip
    review.refuse(store, mei.id, "console:li", store_clock.now(), "Not now")

    later = store_clock.now()
    assert sources.take("fake", "g1", "mei", "$join-1", later) is None
    assert sources.take("fake", "g2", "mei", "$join-2", later) is None
    assert sources.kept("fake", "g1", "lan") == "code:flyer"


def test_letting_a_refused_applicant_in_after_all_keeps_the_link_they_came_by_again(
    store: Store, store_clock: FrozenClock
) -> None:
    """Mei applied through the poster's live code (kept for each room she asked for); staff
    refuse her, and three weeks later (past the two weeks a link is kept) let her in after
    all. Her join credits the poster again, in each room, as an approval at first would
    have; a second reconsidering click changes nothing. Lan, refused and never reconsidered,
    has nothing kept for a later join. Before, the refusal lost Mei's link for good."""
    tea = tea_with(store, store_clock, APPLICATION)
    answers = ("Lan", "Oolong")
    sources = SqlJoinSources.on(store)
    for room in ("g1", "g2"):
        sources.remember("fake", room, "mei", "code:poster", store_clock.now())
    sources.remember("fake", "g1", "lan", "code:flyer", store_clock.now())
    applied: dict[str, int] = {}
    for person in ("mei", "lan"):
        assert door(tea).screen(asking(tea, person, answers=answers)).entry is Entry.PENDING
        found = SqlApplications.on(store).application_of(tea.runtime.community_id, "fake", person)
        assert found is not None
        applied[person] = found.id
    store.add_group(tea.runtime.community_id, "Tea garden", "fake", "g2")  # asked there too
    for person in ("mei", "lan"):
        review.refuse(store, applied[person], "console:li", store_clock.now(), "Not now")
    assert sources.kept("fake", "g1", "mei") is None

    store_clock.advance(timedelta(days=21))
    review.approve(store, applied["mei"], "console:li", store_clock.now(), reconsider=True)
    with pytest.raises(StoreError, match="approved already"):
        review.approve(store, applied["mei"], "console:li", store_clock.now(), reconsider=True)
    later = store_clock.now() + timedelta(days=1)
    assert sources.take("fake", "g1", "mei", "$join-1", later) == "code:poster"
    assert sources.take("fake", "g2", "mei", "$join-2", later) == "code:poster"
    assert sources.take("fake", "g1", "lan", "$join-3", later) is None


def test_a_kind_no_installed_capability_checks_is_refused(
    store: Store, store_clock: FrozenClock
) -> None:
    tea = tea_with(store, store_clock, CODE)
    bare = replace(tea.runtime, registry=Registry())  # a server without the admission capability
    refused = Admission(store, store_clock, {bare.community_id: bare}.get).screen(
        asking(tea, "mei")
    )
    assert refused.entry is Entry.REFUSE
    assert refused.reason.startswith("This community admits by 'invite_code', which this server")


def staffed(store: Store, clock: FrozenClock, more: str) -> Community:
    """Tea admitting by application (the playbook's `APPLICATION`, then `more`) with a Tea
    room and a staff group: Mei the manager, Bob a partner, Ann in acquisition; restarted."""
    c = community(store, clock, playbook(APPLICATION + more))
    c.engine.process([c.events.join(u, name=u.title(), group="staff")
                      for u in ("mei", "bob", "ann")])  # fmt: skip
    store.add_group(c.runtime.community_id, "Tea room", "fake", "g1")
    staff = store.group_for_carrier("fake", "staff")
    tea_room = store.group_for_carrier("fake", "g1")
    assert staff is not None and tea_room is not None
    for user, role in (("mei", "manager"), ("bob", "partner"), ("ann", "acquisition")):
        store.set_role(c.member_id(user), staff.id, role)
    c.restart()
    return c


def lin_applies(c: Community) -> None:
    """Lin asks to join the Tea room with both questions answered: held for review."""
    tea_room = c.store.group_for_carrier("fake", "g1")
    assert tea_room is not None
    asked = door(c).screen(JoinRequest(carrier="fake", group_id=tea_room.id, user_id="lin",
                                       display_name="Lin", answers=("Mei", "Oolong")))  # fmt: skip
    assert asked.entry is Entry.PENDING


@pytest.mark.parametrize(("reviewers", "told"), [("    reviewers: [partner]\n", ["bob"]),
                                                 ("", ["ann", "mei"])])  # fmt: skip
def test_an_application_is_announced_to_the_roles_that_review_applications(
    store: Store, store_clock: FrozenClock, reviewers: str, told: list[str]
) -> None:
    """`joining.threshold.reviewers` names who is told of an application (by direct message
    and in the staff channel); left out, the roles holding `review_applications` are (here the
    manager and acquisition). Before, both were ignored: the roles that hear every alert
    (`receive_alerts`: the manager) were told, reviewers or not."""
    c = staffed(store, store_clock, reviewers + "alerts:\n  staff_group: staff\n")
    lin_applies(c)
    asyncio.run(c.engine.drain())
    alerts = [p.action for p in c.carrier.performed if p.action.handler == "alerts"]
    [room] = [a for a in alerts if a.kind is ActionKind.SEND]
    assert room.group == "staff" and room.text is not None and "Lin applied to join" in room.text
    assert sorted(room.extra["mentions"]) == told
    assert sorted(a.member or "" for a in alerts if a.kind is ActionKind.DIRECT) == told


def test_an_application_held_in_quiet_hours_reaches_its_reviewers_in_the_digest(
    store: Store, store_clock: FrozenClock
) -> None:
    """An application that comes during quiet hours waits for their end like any alert; then
    the reviewers (`reviewers: [partner]`: Bob) get it, in a digest of their own, and the
    roles that hear every alert (the manager, Mei) get the other alerts held meanwhile,
    without it. Before, the one digest went to Mei only: the reviewers never heard of it."""
    c = staffed(store, store_clock, "    reviewers: [partner]\n"
                "alerts:\n  staff_group: staff\n  quiet_hours: 22:00-07:00\n")  # fmt: skip
    late = datetime(2026, 5, 1, 21, 30, tzinfo=UTC)  # 22:30 in London: quiet hours
    store_clock.set(late)
    lin_applies(c)
    c.engine.process([c.events.message("lin2", "你就是个傻逼", at=late, group="g1")])
    asyncio.run(c.engine.drain())
    assert not [p for p in c.carrier.performed if p.action.handler == "alerts"], "held"

    store_clock.set(datetime(2026, 5, 2, 6, 0, tzinfo=UTC))  # 07:00: quiet hours end
    c.engine.tick()
    asyncio.run(c.engine.drain())
    alerts = [p.action for p in c.carrier.performed if p.action.handler == "alerts"]
    told = {a.member: a.text or "" for a in alerts if a.kind is ActionKind.DIRECT}
    assert sorted(told) == ["bob", "mei"]
    assert "Lin applied to join" in told["bob"] and "1 staff alert(s) held" in told["bob"]
    assert "Lin applied to join" not in told["mei"] and "lin2" in told["mei"]
    posts = {tuple(a.extra["mentions"]): a.text or "" for a in alerts if a.kind is ActionKind.SEND}
    assert sorted(posts) == [("bob",), ("mei",)] and "Lin applied to join" in posts[("bob",)]
    c.restart()  # as after a crash: nothing is sent twice
    c.engine.tick()
    asyncio.run(c.engine.drain())
    assert not [p for p in c.carrier.performed if p.action.handler == "alerts"]


def test_an_applicant_with_a_long_matrix_name_or_no_name_gets_an_application_staff_see(
    store: Store, store_clock: FrozenClock
) -> None:
    # Synapse allows 256-character display names and Matrix ids of 255; the name column keeps
    # 200, so on PostgreSQL the screening failed and the knock was never answered
    tea = tea_with(store, store_clock, APPLICATION)
    answers = ("Lan", "Oolong")
    named = replace(asking(tea, "mei", answers=answers), display_name="梅" * 256)
    unnamed = replace(asking(tea, "@" + "x" * 240 + ":example.org", answers=answers),
                      display_name="")  # fmt: skip
    assert door(tea).screen(named).entry is Entry.PENDING
    assert door(tea).screen(unnamed).entry is Entry.PENDING
    kept = SqlApplications.on(store).applications(tea.runtime.community_id)
    # a name as every page shows it (one line of at most 64); no name: the id, cut to its column
    assert sorted(a.display_name for a in kept) == sorted(["梅" * 63 + "…", unnamed.user_id[:200]])
    assert {a.user_id for a in kept} == {"mei", unnamed.user_id}  # the ids kept whole


def test_one_networks_applications_past_its_seats_are_counted_on_one_alert_a_day(
    store: Store, store_clock: FrozenClock
) -> None:
    """Applications from one client network past the three that hold seats (a script on one
    address) each alerted staff: one network could fill the inbox and the reviewers' direct
    messages as fast as the join page lets it. Now the first three are alerted one by one
    (a household, a café); the rest are counted on one alert per network and day, sent
    once, its count updated in the inbox (open again if handled meanwhile); another network's
    applicant is alerted as ever, and the next day starts a new count."""
    c = staffed(store, store_clock, "alerts:\n  staff_group: staff\n")
    tea_room = store.group_for_carrier("fake", "g1")
    assert tea_room is not None
    cid = c.runtime.community_id

    def apply(user: str, client: str) -> None:
        asked = door(c).screen(JoinRequest(carrier="fake", group_id=tea_room.id, user_id=user,
                                           display_name=user.title(), answers=("Mei", "Oolong"),
                                           client=client))  # fmt: skip
        assert asked.entry is Entry.PENDING
        store_clock.advance(timedelta(minutes=1))

    def told() -> list[str]:
        asyncio.run(c.engine.drain())
        return [p.action.text or "" for p in c.carrier.performed
                if p.action.handler == "alerts" and p.action.kind is ActionKind.DIRECT]  # fmt: skip

    for n in range(1, 9):
        apply(f"bot{n}", "203.0.113.9")
    apply("lin", "198.51.100.7")
    inbox = [a.text for a in store.staff_alerts(cid) if a.handler == "admission"]
    assert len(inbox) == 5, inbox  # bot1-3 and Lin one by one, bot4-8 on one
    [counted] = [t for t in inbox if "from one network" in t]
    assert counted.startswith("Applications from one network on 2026-05-01: 8 (the latest at "
                              "10:07: Bot8, to Tea room); only its 3 oldest pending ones hold "
                              "seats.")  # fmt: skip
    sent = told()
    assert len(sent) == 5 * 2, sent  # each of the five to Ann and Mei, the reviewers
    assert sum("from one network on 2026-05-01: 4 (" in t for t in sent) == 2

    [alert] = [a for a in store.staff_alerts(cid) if "from one network" in a.text]
    store.handle_alert(alert.id, "console:mei", store_clock.now())
    apply("bot9", "203.0.113.9")
    again = store.get_staff_alert(alert.id)
    assert again is not None and again.handled_at is None, "open again: more came"
    assert again.text.startswith("Applications from one network on 2026-05-01: 9 (")
    assert told() == sent, "nothing sent again"

    store_clock.advance(timedelta(days=1))
    apply("bot10", "203.0.113.9")
    newest = [a for a in store.staff_alerts(cid) if "from one network" in a.text]
    assert [a.text[:48] for a in newest] == [
        "Applications from one network on 2026-05-02: 1 (",
        "Applications from one network on 2026-05-01: 9 (",
    ]
    assert len(told()) == len(sent) + 2, "a new day's count is sent once"


def test_one_networks_alert_is_handled_once_its_waiting_applications_are_all_decided(
    store: Store, store_clock: FrozenClock
) -> None:
    """The alert counting one network's applications past its seats stayed open after staff
    had decided every one of them: the inbox said applications waited when none did. It is
    handled by whoever decides the last that waits, and opens again if more come past the
    seats."""
    c = staffed(store, store_clock, "")
    tea_room = store.group_for_carrier("fake", "g1")
    assert tea_room is not None
    cid = c.runtime.community_id

    def apply(user: str) -> None:
        asked = door(c).screen(JoinRequest(carrier="fake", group_id=tea_room.id, user_id=user,
                                           display_name=user.title(), answers=("Mei", "Oolong"),
                                           client="203.0.113.9"))  # fmt: skip
        assert asked.entry is Entry.PENDING
        store_clock.advance(timedelta(minutes=1))

    def counted() -> list[str]:
        return [a.text[:48] for a in store.staff_alerts(cid) if "from one network" in a.text]

    for n in range(1, 6):
        apply(f"bot{n}")
    assert counted() == ["Applications from one network on 2026-05-01: 5 ("]
    waiting = {a.user_id: a for a in SqlApplications.on(store).applications(cid, pending=True)}
    for user in ("bot1", "bot2", "bot3", "bot5"):
        decide = review.refuse if user != "bot2" else review.approve
        decide(store, waiting[user].id, "console:mei", store_clock.now())
    assert counted() == ["Applications from one network on 2026-05-01: 5 ("], "bot4 waits"
    review.refuse(store, waiting["bot4"].id, "console:ann", store_clock.now())
    assert counted() == [], "none waits: handled"
    [alert] = [a for a in store.staff_alerts(cid, open_only=False) if "from one network" in a.text]
    assert alert.handled_by == "console:ann"

    for n in range(6, 10):  # three hold seats again, the fourth is counted
        apply(f"bot{n}")
    assert counted() == ["Applications from one network on 2026-05-01: 9 ("]
