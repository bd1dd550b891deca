"""The console's directory and live numbers, on SQLite and PostgreSQL, against hand-counted
expectations."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import Engine

from hearthkeeper.capabilities.faq.repository import SqlQuestions
from hearthkeeper.capabilities.points.levels_repository import SqlLevels
from hearthkeeper.store import MessageDeletion, NewStaffAlert, SanctionKind, Store
from tests.sql_plans import statements_run

T0 = datetime(2026, 5, 1, 8, 0, tzinfo=UTC)  # the store clock is at 09:00
NOW = datetime(2026, 5, 1, 9, 0, tzinfo=UTC)


@dataclass
class World:
    community: int
    other: int
    g1: int
    g2: int
    h1: int
    alice: int
    bob: int
    carol: int
    dave: int
    eve: int


def _world(store: Store) -> World:
    """Community A (groups g1, g2) and B (group h1):

    alice: in g1 since T0-2d, was in g2 (left), 3 messages in A, tag skin, level member,
           points 10 + 5, one live strike, one expired, one pardoned.
    bob:   joined g1 at T0-1d, left at T0+10min; one message in A yesterday; tag skin.
    carol: never joined; spoke once in g2 (members who were there before the bot).
    dave:  only in community B (must never show in A).
    eve:   in g1, named 'Eve <b>'; nothing else.
    """
    a = store.ensure_community("a", "A").id
    b = store.ensure_community("b", "B").id
    g1 = store.add_group(a, "G one", "webchat", "g1").id
    g2 = store.add_group(a, "G two", "webchat", "g2").id
    h1 = store.add_group(b, "H one", "webchat", "h1").id
    alice = store.member_for("webchat", "u-alice", "Alice Smith").id
    bob = store.member_for("webchat", "u-bob", "bob").id
    carol = store.member_for("webchat", "u-carol", "Carol 小红").id
    dave = store.member_for("webchat", "u-dave", "Dave").id
    eve = store.member_for("webchat", "u-eve", "Eve <b>").id
    store.join(alice, g1, at=T0 - timedelta(days=2))
    store.join(alice, g2, at=T0 - timedelta(days=1))
    store.leave(alice, g2, at=T0 - timedelta(hours=20))
    store.join(bob, g1, at=T0 - timedelta(days=1))
    store.leave(bob, g1, at=T0 + timedelta(minutes=10))
    store.join(eve, g1, at=T0 - timedelta(days=3))
    store.join(dave, h1, at=T0)
    for n, (group, member, at) in enumerate([
        (g1, alice, T0 + timedelta(minutes=1)),
        (g1, alice, T0 + timedelta(minutes=2)),
        (g2, alice, T0 - timedelta(hours=21)),
        (g1, bob, T0 - timedelta(hours=3)),
        (g2, carol, T0 + timedelta(minutes=5)),
        (h1, dave, T0 + timedelta(minutes=6)),
    ]):  # fmt: skip
        store.record_message(group, f"m{n}", member, "text", f"text {n}", at)
    store.add_tag(alice, "skin", "staff")
    store.add_tag(bob, "skin", "staff")
    store.add_tag(dave, "skin", "staff")
    SqlLevels.on(store).change_level(a, alice, None, "member", "active", T0)
    store.award_points(a, alice, 10, "share", T0)
    store.award_points(a, alice, 5, "share", T0)
    store.award_points(b, alice, 100, "elsewhere", T0)
    store.add_strike(a, alice, "ads", "an ad", T0, T0 + timedelta(days=30), group_id=g1)
    store.add_strike(a, alice, "ads", "old ad", T0 - timedelta(days=40), T0 - timedelta(days=10))
    pardoned = store.add_strike(a, alice, "rude", "rude", T0 + timedelta(minutes=3), None)
    store.pardon_strike(pardoned.id, "staff", T0 + timedelta(minutes=4))
    store.add_strike(b, dave, "ads", "an ad in B", T0, None)
    return World(a, b, g1, g2, h1, alice, bob, carol, dave, eve)


def test_search_lists_members_of_the_community_only_by_name(store: Store) -> None:
    w = _world(store)
    found = store.search_members(w.community, now=NOW)
    assert [m.display_name for m in found] == ["Alice Smith", "bob", "Carol 小红", "Eve <b>"]
    alice, bob, carol, eve = found
    assert alice.groups == ("G one",)  # left G two
    assert alice.level == "member"
    assert alice.points == 15  # not the 100 of community B
    assert alice.live_strikes == 1  # expired and pardoned ones do not count
    assert alice.last_message_at == T0 + timedelta(minutes=2)
    assert alice.first_joined_at == T0 - timedelta(days=2)
    assert bob.groups == () and bob.level is None and bob.points == 0
    assert carol.first_joined_at is None and carol.last_message_at == T0 + timedelta(minutes=5)
    assert eve.last_message_at is None and eve.groups == ("G one",)
    assert store.count_members(w.community) == 4
    assert len(store.search_members(w.community, "  ")) == 4  # a blank search finds everyone


def test_search_by_name_is_a_substring_in_any_case_and_by_tag(store: Store) -> None:
    w = _world(store)
    assert [m.display_name for m in store.search_members(w.community, "SMITH")] == ["Alice Smith"]
    assert [m.display_name for m in store.search_members(w.community, "小红")] == ["Carol 小红"]
    assert [m.display_name for m in store.search_members(w.community, tag="skin")] == [
        "Alice Smith",
        "bob",
    ]  # dave has the tag too, but is not in community A
    assert store.search_members(w.community, "b", tag="skin")[0].display_name == "bob"
    assert store.count_members(w.community, "b", tag="skin") == 1
    # LIKE wildcards in the query are plain characters
    assert store.search_members(w.community, "%") == []
    assert store.search_members(w.community, "_") == []


def test_search_keeps_one_group_s_members_who_ever_stayed_or_spoke_there(store: Store) -> None:
    """The console's Members page filtered by group: on hundreds of groups an operator asks
    who was in one of them. Alice left G two and Carol only spoke there: both were in it;
    another community's group finds nobody of this one."""
    w = _world(store)

    def names(group: int, query: str | None = None) -> list[str]:
        return [m.display_name for m in store.search_members(w.community, query, group_id=group)]

    assert names(w.g2) == ["Alice Smith", "Carol 小红"]
    assert store.count_members(w.community, group_id=w.g2) == 2
    assert names(w.g1) == ["Alice Smith", "bob", "Eve <b>"]
    assert names(w.g1, "EVE") == ["Eve <b>"]
    assert store.count_members(w.community, "eve", group_id=w.g1) == 1
    assert names(w.h1) == [] and store.count_members(w.community, group_id=w.h1) == 0


def test_search_pages(store: Store) -> None:
    w = _world(store)
    first = store.search_members(w.community, limit=3)
    second = store.search_members(w.community, limit=3, offset=3)
    assert [m.display_name for m in first + second] == [
        "Alice Smith",
        "bob",
        "Carol 小红",
        "Eve <b>",
    ]


def test_member_in_community(store: Store) -> None:
    w = _world(store)
    assert store.member_in_community(w.community, w.bob)  # left, but was there
    assert store.member_in_community(w.community, w.carol)  # spoke only
    assert not store.member_in_community(w.community, w.dave)
    assert store.member_in_community(w.other, w.dave)


def test_recent_messages_newest_first_in_the_community(store: Store) -> None:
    w = _world(store)
    messages = store.recent_messages(w.alice, w.community, limit=2)
    assert [(m.text, m.group_name) for m in messages] == [("text 1", "G one"), ("text 0", "G one")]
    assert [m.text for m in store.recent_messages(w.alice, w.community)] == [
        "text 1",
        "text 0",
        "text 2",
    ]
    assert store.recent_messages(w.dave, w.community) == []


def test_recent_messages_say_which_were_deleted_and_by_whom(store: Store) -> None:
    w = _world(store)
    [one] = [m for m in store.recent_messages(w.alice, w.community) if m.text == "text 1"]
    assert (one.deleted_at, one.deleted_by) == (None, None)
    store.delete_messages([MessageDeletion(one.group_id, "m1", "moderation", NOW)])
    texts = {m.text: m for m in store.recent_messages(w.alice, w.community)}
    assert (texts["text 1"].deleted_at, texts["text 1"].deleted_by) == (NOW, "moderation")
    assert texts["text 0"].deleted_at is None  # the others are as they were


def test_community_strikes(store: Store) -> None:
    w = _world(store)
    every = store.community_strikes(w.community)
    assert [s.explanation for s in every] == ["rude", "an ad", "old ad"]  # newest first
    live = store.community_strikes(w.community, live_only=True, now=NOW)
    assert [s.explanation for s in live] == ["an ad"]
    since = store.community_strikes(w.community, since=T0)
    assert [s.explanation for s in since] == ["rude", "an ad"]
    assert store.community_strikes(w.community, member_id=w.bob) == []


def test_community_sanctions(store: Store) -> None:
    w = _world(store)
    mute = store.add_sanction(SanctionKind.MUTE, w.alice, "ads", T0, group_id=w.g1,
                              until=T0 + timedelta(hours=2))  # fmt: skip
    old = store.add_sanction(SanctionKind.MUTE, w.bob, "ads", T0 - timedelta(days=1),
                             group_id=w.g1, until=T0 - timedelta(hours=20))  # fmt: skip
    ban = store.add_sanction(SanctionKind.BAN, w.eve, "spam", T0, group_id=w.g1)
    store.lift_sanction(ban.id, "staff", T0 + timedelta(minutes=30))
    everywhere = store.add_sanction(SanctionKind.BLACKLIST, w.carol, "fraud", T0)
    store.add_sanction(SanctionKind.BLACKLIST, w.dave, "fraud", T0)  # not in community A
    store.add_sanction(SanctionKind.BAN, w.dave, "spam", T0, group_id=w.h1)
    in_force = store.community_sanctions(w.community, now=NOW)
    assert {s.id for s in in_force} == {mute.id, everywhere.id}
    every = store.community_sanctions(w.community, in_force_only=False)
    assert {s.id for s in every} == {mute.id, old.id, ban.id, everywhere.id}
    assert [s.id for s in store.community_sanctions(w.community, False, member_id=w.bob)] == [
        old.id
    ]
    recent = store.community_sanctions(w.community, False, since=T0)
    assert {s.id for s in recent} == {mute.id, ban.id, everywhere.id}


def test_group_member_counts_and_names(store: Store) -> None:
    w = _world(store)
    assert store.group_member_counts(w.community) == {w.g1: 2, w.g2: 0}  # alice, eve
    store.join(w.eve, w.g2)
    assert store.members_now(w.community) == 2  # eve is in two groups, counted once
    assert store.members_now(w.other) == 1
    assert store.member_names([w.alice, w.eve, 999]) == {w.alice: "Alice Smith", w.eve: "Eve <b>"}


def test_live_numbers_count_since_a_moment(store: Store) -> None:
    w = _world(store)
    for n, (group, kind, member, at) in enumerate([
        (w.g1, "join", w.bob, T0 - timedelta(days=1)),
        (w.g1, "leave", w.bob, T0 + timedelta(minutes=10)),
        (w.g1, "join", w.eve, T0 + timedelta(minutes=11)),
        (w.g2, "join", w.alice, T0 + timedelta(minutes=12)),
        (w.h1, "join", w.dave, T0),
        (w.g1, "message", w.alice, T0 + timedelta(minutes=1)),
    ]):  # fmt: skip
        store.record_event(group, f"e{n}", kind, member, at)
    numbers = store.live_numbers(w.community, T0)
    # messages since T0 in A: alice x2 in g1, carol in g2 (bob's and alice's g2 were before)
    assert (numbers.messages, numbers.active_members) == (3, 2)
    assert (numbers.joins, numbers.leaves) == (2, 1)
    assert numbers.strikes == 2  # "an ad" at T0 and "rude"; the old one is from before
    assert store.group_message_counts(w.community, T0) == {w.g1: 2, w.g2: 1}
    nothing = store.live_numbers(w.community, T0 + timedelta(days=1))
    assert (nothing.messages, nothing.joins, nothing.strikes) == (0, 0, 0)


def test_inbox_counts_waiting_questions_and_open_alerts(store: Store) -> None:
    w = _world(store)
    asked = SqlQuestions.on(store).add_question(w.community, w.g1, w.alice, "m0", "how?", T0)
    SqlQuestions.on(store).add_question(w.community, w.g1, w.bob, "m3", "why?", T0)
    answered = SqlQuestions.on(store).add_question(w.community, w.g1, w.bob, "m9", "where?", T0)
    SqlQuestions.on(store).answer_question(answered, None, T0)
    SqlQuestions.on(store).alert_question(asked)  # alerted is still waiting
    SqlQuestions.on(store).add_question(w.other, w.h1, w.dave, "m5", "who?", T0)
    alerts = [
        NewStaffAlert(key=f"k{n}", community_id=c, group_id=g, member_id=None, violation=None,
                      handler="faq", text="look", reason="why", at=T0)
        for n, (c, g) in enumerate([(w.community, w.g1), (w.community, w.g2), (w.other, w.h1)])
    ]  # fmt: skip
    store.add_staff_alerts(alerts)
    first = store.staff_alerts(w.community)[0]
    store.handle_alert(first.id, "console:ann", NOW)
    assert store.inbox_count(w.community) == 3  # two questions, one alert
    assert store.inbox_counts() == {w.community: 3, w.other: 2}


def test_strike_sanction_and_audit_lookups(store: Store) -> None:
    w = _world(store)
    strike = store.community_strikes(w.community)[0]
    assert store.get_strike(strike.id) == strike
    assert store.get_strike(99_999) is None
    ban = store.add_sanction(SanctionKind.BAN, w.eve, "spam", T0, group_id=w.g1)
    assert store.get_sanction(ban.id) == ban
    assert store.get_sanction(99_999) is None
    for n in range(5):
        store.audit("console:ann", "pardon", w.community, target=f"member {n % 2}")
    store.audit("console:ann", "pardon", w.other, target="member 0")
    assert store.audit_count(w.community) == 5
    page = store.audit_entries(w.community, limit=2, offset=1)
    every = store.audit_entries(w.community, limit=10)
    assert len(every) == 5 and page == every[1:3]  # newest first, paged
    assert len(store.audit_entries(w.community, target="member 0")) == 3


def test_a_member_s_entries_of_some_actions_are_read_all_however_many_others(
    store: Store,
) -> None:
    """The member page tells who gave a staff role: it read the member's newest 500 entries
    and looked among them, so 600 later strikes and pardons hid the giving."""
    from hearthkeeper.store import NewAudit

    w = _world(store)
    given = store.audit("console:ann", "staff role", w.community, target="member 7",
                        detail={"role": "dean"})  # fmt: skip
    store.audit_bulk([
        NewAudit(actor="engine", action="pardon" if n % 2 else "strike",
                 community_id=w.community, target="member 7", detail={},
                 at=given.at + timedelta(seconds=n + 1))
        for n in range(600)
    ])  # fmt: skip
    taken = store.audit("console:bob", "staff role", w.community, target="member 7")
    store.audit("console:ann", "staff role", w.community, target="member 8")
    store.audit("console:ann", "staff role", w.other, target="member 7")
    roles = store.audit_entries(w.community, target="member 7", actions=["staff role"],
                                limit=None)  # fmt: skip
    assert roles == [taken, given]  # newest first; not member 8's, not community B's
    both = store.audit_entries(w.community, target="member 7",
                               actions={"staff role", "pardon"}, limit=None)  # fmt: skip
    assert len(both) == 302
    assert len(store.audit_entries(w.community, target="member 7", limit=None)) == 602


def test_a_group_s_last_closing_is_read_in_one_statement_newest_by_when_written(
    store: Store,
) -> None:
    """Closing a group again asks whether its platform refused the last close
    (`carriers/closing.py`): that read paged through the group's audit entries, 200 at a
    time (three reads for 450 entries); now it is one statement, and still takes the entry
    written last (by id), not the one with the latest time (a failure's time is the
    server's clock, a closing's the command's)."""
    from hearthkeeper.carriers.closing import _close_failed
    from hearthkeeper.store import NewAudit

    w = _world(store)
    target = f"group {w.g1}"
    noise = [NewAudit("console:ann", "group.assign", w.community, target, {}, T0)] * 447
    store.audit_bulk(noise)
    closed = T0 + timedelta(hours=2)
    store.audit_bulk([
        NewAudit("console:ann", "group.close", w.community, target, {}, closed),
        NewAudit("hearthkeeper", "group.close.failed", w.community, target, {}, T0),
        NewAudit("hearthkeeper", "group.close.failed", w.other, target, {}, T0),  # elsewhere
    ])  # fmt: skip
    group = store.get_group(w.g1)
    assert group is not None
    with statements_run(Engine) as sent:
        failed = _close_failed(store, group)
    reads = [s for s in sent if "audit_log" in s and s.lstrip().upper().startswith("SELECT")]
    assert failed is not None and failed.action == "group.close.failed"
    assert failed.community_id == w.community
    assert len(reads) == 1
    store.audit("console:ann", "group.close.again", w.community, target=target)
    assert _close_failed(store, group) is None  # asked again since
    assert store.last_audit(w.community, f"group {w.g2}", {"group.close"}) is None


def test_many_closed_groups_refused_closes_are_found_in_one_read(store: Store) -> None:
    """The Groups and Matrix pages ask, for every closed group, whether its platform refused
    the last close: that was one audit read a group (1,205 closed groups, 1,205 reads). Now
    one read per 1,000 groups; each group's own newest closing entry decides, as before:
    refused then asked again is not refused, reopened is not, closed again after a refusal
    is not; another community's refusal does not count."""
    from hearthkeeper.carriers.closing import refused_closes
    from hearthkeeper.store import NewAudit

    w = _world(store)
    closed = [(n, "telegram" if n % 2 else "matrix") for n in range(1, 1206)]
    entries = []
    for n, _ in closed:
        target = f"group {n}"
        entries.append(NewAudit("console:ann", "group.close", w.community, target, {}, T0))
        if n % 3 == 0:  # refused
            entries.append(NewAudit("hearthkeeper", "group.close.failed", w.community, target,
                                    {}, T0 - timedelta(minutes=1)))  # fmt: skip
        if n % 9 == 0:  # refused, then asked again
            entries.append(NewAudit("console:ann", "group.close.again", w.community, target,
                                    {}, T0))  # fmt: skip
        if n % 5 == 0:  # noise about the group after its closing
            entries.append(NewAudit("console:ann", "group.assign", w.community, target, {}, T0))
        if n % 7 == 0:  # another community's refusal of a group numbered alike
            entries.append(NewAudit("hearthkeeper", "group.close.failed", w.other, target,
                                    {}, T0))  # fmt: skip
    store.audit_bulk(entries)
    with statements_run(Engine) as sent:
        refused = refused_closes(store, w.community, closed)
    reads = [s for s in sent if "audit_log" in s and s.lstrip().upper().startswith("SELECT")]
    assert refused == {n: "Telegram" if n % 2 else "Matrix"
                       for n, _ in closed if n % 3 == 0 and n % 9 != 0}  # fmt: skip
    assert len(reads) == 2  # 1,000 groups, then 205
    assert refused_closes(store, w.community, []) == {}
    assert store.last_audits(w.community, ["group 3", "group 1"], {"group.close"}) == {
        "group 3": store.last_audit(w.community, "group 3", {"group.close"}),
        "group 1": store.last_audit(w.community, "group 1", {"group.close"}),
    }
