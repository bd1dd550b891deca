"""Members report a message with `/report` (`/举报`) sent as a reply: staff get one inbox
alert per message, counting every report; enough members in good standing hide it until
staff look; staff delete it and strike its author, or dismiss the reports. Through the
engine with the fake carrier, on SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

import pytest

from hearthkeeper.capabilities.reports import decisions
from hearthkeeper.capabilities.reports.repository import SqlReports
from hearthkeeper.clock import FrozenClock
from hearthkeeper.engine.actions import IN_GROUP, OPTIONAL, Action, ActionKind
from hearthkeeper.playbook import Playbook, parse_playbook
from hearthkeeper.store import ExampleSource, StaffAlert, Store, StoreError
from tests.engine_setup import Community, community
from tests.playbook_samples import MINIMAL

DAY = datetime(2026, 5, 1, 8, 0, tzinfo=UTC)
AD = "加我微信 abc12345 低价出货"
ACCEPTED = "joining:\n  ceremony:\n    accept_rules: false\n"
RULES = """\
rules:
  texts:
    - No advertising.
  violations:
    advertising:
      learned:
        standing:
          messages: 1
  reports:
    hide_after: 2
    per_day: 3
"""
MEMBERS = ("bob", "mei", "ann", "joe", "kim")


def start(store: Store, clock: FrozenClock, language: str = "en",
          alerts: str = "") -> tuple[Community, Playbook]:  # fmt: skip
    """`boss` (manager) and five members, each with a message: in good standing but `kim`,
    who has never posted. With `alerts`, the staff channel `staff` too."""
    text = MINIMAL.replace("language: en", f"language: {language}") + RULES + ACCEPTED + alerts
    clock.set(DAY)
    pb = parse_playbook(text).playbook
    c = community(store, clock, pb)
    c.events.now = DAY
    group = store.add_group(c.runtime.community_id, "g1", "fake", "g1")
    if alerts:
        store.add_group(c.runtime.community_id, "staff", "fake", "staff")
    for user in ("boss", *MEMBERS):
        member = store.member_for("fake", user, user)
        store.join(member.id, group.id, role="manager" if user == "boss" else None,
                   at=DAY - timedelta(days=30))  # fmt: skip
    for user in ("boss", *MEMBERS[:-1]):
        say(c, user, f"morning, I am {user}", event_id=f"hi-{user}")
    sent(c)
    return c, pb


def say(c: Community, user: str, text: str, **extra: object) -> list[Action]:
    c.clock.advance(timedelta(minutes=1))
    c.events.now = c.clock.now()
    event = replace(c.events.message(user, text), **extra)  # type: ignore[arg-type]
    return [a for p in c.engine.process([event]) for a in p.actions]


def answers(actions: list[Action]) -> list[str]:
    return [a.text or "" for a in actions
            if a.kind in (ActionKind.REPLY, ActionKind.SEND, ActionKind.WARN)]  # fmt: skip


def sent(c: Community) -> list[Action]:
    asyncio.run(c.engine.drain())
    done = [p.action for p in c.carrier.performed]
    c.carrier.performed.clear()
    return done


def deleted(c: Community) -> list[str]:
    """The carrier's ids of the messages deleted since the last look."""
    return [a.target or "" for a in sent(c) if a.kind is ActionKind.DELETE]


def test_reports_of_a_message_make_one_alert_hide_it_and_staff_strike_its_author(
    store: Store, store_clock: FrozenClock
) -> None:
    c, pb = start(store, store_clock)
    cid = c.runtime.community_id
    say(c, "bob", "honestly\u202e this group\nis useless, nobody here ever answers",
        event_id="m-bob")  # fmt: skip
    sent(c)
    # taken: the reporter's command leaves the group, and nothing said there names them; the
    # receipt is for their eyes alone, where a carrier can (the web chat), else not said
    acted = say(c, "mei", "/report he posts this in every group", reply_to="m-bob",
                event_id="r-mei")  # fmt: skip
    [receipt] = [a for a in acted if a.kind is ActionKind.SEND]
    # it quotes the message reported (one visible line, cut): before, it replied to the
    # `/report`, gone from the group, and the web chat quoted "an earlier message"
    assert receipt.text == ("mei, your report of bob's message “honestly this group is "
                            "useless, nobody…” is with staff; they will look at it.")  # fmt: skip
    assert receipt.target is None
    assert receipt.member == "mei" and receipt.extra[IN_GROUP] == ""
    done = sent(c)  # this carrier cannot show a message to one member: nothing said
    assert [a.target for a in done if a.kind is ActionKind.DELETE] == ["r-mei"]
    assert [a for a in done if a.kind in (ActionKind.REPLY, ActionKind.SEND)] == []
    [alert] = reports_alerts(store, cid)
    assert alert.handler == "reports" and alert.member_id == c.member_id("bob")
    assert "[Report] g1: bob's message, reports: 1\n" in alert.text
    assert "Message: honestly this group is useless" in alert.text
    assert "mei: he posts this in every group" in alert.text
    # one report per member and message
    assert answers(say(c, "mei", "/report again!", reply_to="m-bob")) == [
        "mei, you reported bob's message “honestly this group is useless, nobody…” "
        "already; staff will look at it."
    ]
    assert [a for a in sent(c) if a.kind is ActionKind.SEND] == [], "it would name mei"
    # a newcomer's report is kept for staff and does not count toward hiding
    assert answers(say(c, "kim", "/举报", reply_to="m-bob")) == [
        "kim, your report of bob's message “honestly this group is useless, nobody…” is "
        "with staff; they will look at it."
    ]
    sent(c)
    [alert] = reports_alerts(store, cid)  # the same alert, said afresh
    assert "reports: 2\n" in alert.text and "kim: (no reason given) [not counted: too new or " \
        "too quiet]" in alert.text  # fmt: skip
    assert store.get_message(_message(store, c, "m-bob")).deleted_at is None
    # the second member in good standing hides it until staff look
    say(c, "ann", "/report <b>scam</b>", reply_to="m-bob", event_id="r-ann")
    assert sorted(deleted(c)) == ["m-bob", "r-ann"]
    assert store.get_message(_message(store, c, "m-bob")).deleted_at is not None
    [alert] = reports_alerts(store, cid)
    assert "reports: 3 (hidden by reports until staff look)" in alert.text
    assert "ann: <b>scam</b>" in alert.text  # kept as typed; the page escapes it
    [reported] = SqlReports.on(store).waiting(cid)
    assert reported.hidden_at is not None
    # staff delete it and strike bob on a rule of the playbook: the ladder's first step
    decisions.uphold(store, reported.id, "advertising", "console:ops", c.clock.now(),
                     playbook=pb)  # fmt: skip
    [strike] = store.strikes(member_id=c.member_id("bob"))
    assert (strike.violation, strike.explanation) == (
        "advertising",
        "warned by console:ops: your reported message: advertising",
    )
    done = sent(c)
    assert [a.kind for a in done] == [ActionKind.WARN]  # hidden already: not deleted twice
    # bob reads what for: the message reported, and the rule (before, only "warned you")
    assert done[0].member == "bob" and (done[0].text or "").startswith(
        "bob, a moderator warned you (your reported message: advertising). Strike 1"
    )
    assert reports_alerts(store, cid) == []
    [example] = store.moderation_examples(community_id=cid)
    assert example.source is ExampleSource.STAFF_DELETE and "useless" in example.text
    actions = [e.action for e in store.audit_log(cid)]
    assert actions.count("report") == 3 and "report.upheld" in actions
    # what bob's and kim's member pages list
    [against] = SqlReports.on(store).against(cid, c.member_id("bob"))
    assert (against.reports, against.counting) == (3, 2) and "useless" in against.text
    assert against.reported.outcome == "upheld"
    [made] = SqlReports.on(store).made_by(cid, c.member_id("kim"))
    assert (made.report.not_counted, made.reported.id) == ("new", reported.id)
    assert SqlReports.on(store).against(cid, c.member_id("kim")) == []
    try:
        decisions.dismiss(store, reported.id, "console:ops", c.clock.now())
    except StoreError as e:
        assert "already upheld by console:ops" in str(e)
    else:
        raise AssertionError("a decided report was decided again")
    # decided: a later report is only answered
    assert answers(say(c, "joe", "/report", reply_to="m-bob")) == [
        "joe, staff have already looked at reports of bob's message “honestly this group is "
        "useless, nobody…”."
    ]


def test_what_cannot_be_reported_is_answered_and_abuse_is_bounded(
    store: Store, store_clock: FrozenClock
) -> None:
    c, pb = start(store, store_clock)
    cid = c.runtime.community_id
    assert answers(say(c, "mei", "/report spam everywhere", event_id="r-0")) == [
        "mei, to report a message, reply to it with /report and why."
    ]
    # a carrier that cannot show it to mei alone says it in the group as a reply to her
    # `/report`, mentioning her: the group sees whom it answers (before, a plain message)
    done = sent(c)
    [told] = [a for a in done if a.kind in (ActionKind.REPLY, ActionKind.SEND)]
    assert (told.kind, told.target, told.member) == (ActionKind.REPLY, "r-0", "mei")
    assert told.extra == {"mentions": ["mei"], "mention_names": {"mei": "mei"}}
    assert [a.target for a in done if a.kind is ActionKind.DELETE] == ["r-0"]
    # the same again is answered once: a flood of reports is no flood of answers
    say(c, "mei", "/report spam everywhere")
    assert answers(sent(c)) == []
    assert answers(say(c, "mei", "/report", reply_to="hi-mei")) == [
        "mei, you cannot report your own message; you can delete it yourself."
    ]
    assert answers(say(c, "mei", "/report", reply_to="bot-said-this")) == [
        "mei, that message cannot be reported: only members' messages can (not the bot's, "
        "nor one from before it was here)."
    ]
    # staff's `/report` stays in the group (the gate leaves it): answered by a reply to it
    [told] = [a for a in say(c, "boss", "/report", reply_to="hi-bob", event_id="r-boss")
              if a.kind in (ActionKind.REPLY, ActionKind.SEND)]  # fmt: skip
    assert (told.kind, told.target) == (ActionKind.REPLY, "r-boss")
    assert told.text == "boss, you are staff: reply /warn to it, or delete it in the console."
    assert "r-boss" not in deleted(c)
    assert reports_alerts(store, cid) == []
    # a reason quoting an ad reaches staff only: moderation does not read the report
    say(c, "mei", f"/report he sent me {AD}", reply_to="hi-joe", event_id="r-1")
    assert deleted(c) == ["r-1"]
    assert store.strikes(member_id=c.member_id("mei")) == []
    # a report against staff goes to staff, and never hides their message
    for user in ("bob", "ann", "joe"):
        acted = say(c, user, "/report rude", reply_to="hi-boss")
        assert answers(acted) == [
            f"{user}, boss is staff: your report of boss's message “morning, I am boss” goes "
            "to the other staff, and a staff member's message is not hidden by reports."
        ]
    assert "hi-boss" not in deleted(c)
    assert len(reports_alerts(store, cid)) == 2
    boss = next(a for a in reports_alerts(store, cid) if "boss's message" in a.text)
    assert "(its author is staff: never hidden)" in boss.text
    # nor is staff struck through reports (as /warn refuses them): only dismissed
    against = next(r for r in SqlReports.on(store).waiting(cid)
                   if r.author_id == c.member_id("boss"))  # fmt: skip
    with pytest.raises(decisions.StaffAuthor, match="staff are not struck through reports"):
        decisions.uphold(store, against.id, "insults", "console:ops", c.clock.now(),
                         playbook=pb)  # fmt: skip
    assert store.strikes(member_id=c.member_id("boss")) == []
    # a struck member's report is kept, not counted: two of them hide nothing
    say(c, "joe", AD)
    say(c, "kim", "hello all", event_id="hi-kim")
    say(c, "joe", "/report", reply_to="hi-ann")
    say(c, "kim", "/report", reply_to="hi-ann")  # kim: one message, new too
    sent(c)
    ann = next(a for a in reports_alerts(store, cid) if "ann's message" in a.text)
    assert "joe: (no reason given) [not counted: a live strike]" in ann.text
    assert "hidden" not in ann.text
    # at most `per_day` reports a member a day, refused and not stored past it
    say(c, "mei", "/report", reply_to="hi-bob")
    say(c, "mei", "/report", reply_to="hi-ann")
    assert answers(say(c, "mei", "/report", reply_to="hi-kim")) == [
        "mei, you have made 3 reports today; report again tomorrow, or ask staff directly "
        "if it is urgent."
    ]
    assert not any("hi-kim" in a.text or "kim's message" in a.text
                   for a in reports_alerts(store, cid))  # fmt: skip
    for _ in range(3):
        say(c, "mei", "/report", reply_to="hi-kim")
    capped = answers(sent(c))
    assert len(capped) == 1 and "3 reports today" in (capped[0] or "")  # once a day
    c.clock.advance(timedelta(days=1))
    assert answers(say(c, "mei", "/report", reply_to="hi-kim")) == [
        "mei, your report of kim's message “hello all” is with staff; they will look at it."
    ]
    assert any("kim's message" in a.text for a in reports_alerts(store, cid))


def test_staff_dismiss_and_the_reports_close_without_a_strike(
    store: Store, store_clock: FrozenClock
) -> None:
    c, _ = start(store, store_clock, "zh-CN")
    cid = c.runtime.community_id
    assert answers(say(c, "mei", "/举报 广告", reply_to="hi-bob")) == [
        "mei，已收到你对 bob 的消息“morning, I am bob” 的举报，管理员会查看。"
    ]
    [alert] = reports_alerts(store, cid)
    assert alert.text.startswith("【举报】g1：bob 的消息，举报 1 次\n")
    [reported] = SqlReports.on(store).waiting(cid)
    sent(c)
    decisions.dismiss(store, reported.id, "console:ops", c.clock.now())
    assert sent(c) == [] and reports_alerts(store, cid) == []
    assert store.strikes(member_id=c.member_id("bob")) == []
    assert "report.dismissed" in [e.action for e in store.audit_log(cid)]
    assert answers(say(c, "ann", "/举报", reply_to="hi-bob")) == [
        "ann，管理员已经处理过对 bob 的消息“morning, I am bob” 的举报了。"
    ]


def test_dismissed_reports_bring_back_the_message_they_hid(
    store: Store, store_clock: FrozenClock
) -> None:
    """A message hidden by reports stayed deleted for good when staff dismissed the reports:
    now it is kept as not deleted again and shown again where the carrier can (the action is
    optional: passed over where it cannot). A message something else deleted stays deleted."""
    c, _ = start(store, store_clock)
    cid = c.runtime.community_id
    say(c, "bob", "the tasting on Friday is at 7, not 6", event_id="m-bob")
    sent(c)
    counted = _messages_today(store)
    say(c, "mei", "/report wrong time", reply_to="m-bob")
    say(c, "ann", "/report wrong", reply_to="m-bob")  # hide_after: 2
    assert "m-bob" in deleted(c)
    message_id = _message(store, c, "m-bob")
    assert store.get_message(message_id).deleted_at is not None
    assert _messages_today(store) == counted - 1  # the group's figures count it no more
    [reported] = SqlReports.on(store).waiting(cid)
    decisions.decide(store, reported.id, decisions.Decision.DISMISS, "cli", c.clock.now())
    assert store.get_message(message_id).deleted_at is None
    assert _messages_today(store) == counted  # and again
    [shown] = sent(c)
    assert (shown.kind, shown.target, shown.group) == (ActionKind.RESTORE, "m-bob", "g1")
    assert shown.extra[OPTIONAL] is True
    [entry] = [e for e in store.audit_log(cid) if e.action == "report.dismissed"]
    assert entry.detail["hidden"] is True and entry.detail["restored"] is True
    # hidden, then deleted by staff as spam meanwhile: their deletion stands
    say(c, "joe", "cheap tea at my shop", event_id="m-joe")
    say(c, "mei", "/report", reply_to="m-joe")
    say(c, "ann", "/report", reply_to="m-joe")
    sent(c)
    joe = _message(store, c, "m-joe")
    _deleted_by(store, joe, "staff:ops")  # as if staff had deleted it first
    later = next(r for r in SqlReports.on(store).waiting(cid) if r.message_id == joe)
    decisions.decide(store, later.id, decisions.Decision.DISMISS, "cli", c.clock.now())
    assert store.get_message(joe).deleted_at is not None and sent(c) == []


def test_a_month_old_message_dismissed_counts_again_on_its_own_day_alone(
    store: Store, store_clock: FrozenClock
) -> None:
    """Dismissing reports of a message hidden 30 days ago counts it again in its own day's
    figures (the Health page's messages and active members), and changes no other day's:
    before, every day since was rebuilt from the stored messages, which also counted the
    messages of an import that stopped before rebuilding them (`uncounted_imports`)."""
    c, _ = start(store, store_clock)
    say(c, "bob", "the tasting on Friday is at 7, not 6", event_id="m-bob")
    say(c, "mei", "/report wrong time", reply_to="m-bob")
    say(c, "ann", "/report wrong", reply_to="m-bob")
    sent(c)
    group = store.group_for_carrier("fake", "g1")
    assert group is not None
    store.add_imported_rows([  # an import of the group's history that stopped before its end
        (group.id, c.member_id("joe"), f"import-{n}", "text", "from the export",
         DAY + timedelta(days=10 * n), None) for n in (1, 2)
    ])  # fmt: skip
    c.clock.advance(timedelta(days=30))
    say(c, "joe", "a month on", event_id="m-joe")
    sent(c)
    first, last = DAY.date(), c.clock.now().date()
    before = _figures(store, group.id, first, last)
    assert before[first][0] == 5 and before[first][1]["bob"] == 1  # "morning", not m-bob
    [reported] = SqlReports.on(store).waiting(c.runtime.community_id)
    decisions.decide(store, reported.id, decisions.Decision.DISMISS, "cli", c.clock.now())
    after = _figures(store, group.id, first, last)
    assert after[first] == (6, {**before[first][1], "bob": 2})
    assert {d: f for d, f in after.items() if d != first} == \
        {d: f for d, f in before.items() if d != first}  # fmt: skip
    assert last in after and len(after) == 2  # the import's days still uncounted


def test_staff_are_told_once_when_reports_hide_a_message(
    store: Store, store_clock: FrozenClock
) -> None:
    """The staff channel hears a report at the first one, and once more when reports hide
    the message (the alert as it stands); the inbox keeps one alert; later reports say
    nothing more there."""
    c, _ = start(store, store_clock, alerts="alerts:\n  staff_group: staff\n")
    cid = c.runtime.community_id
    say(c, "mei", "/report rude", reply_to="hi-bob")
    assert [t.split("\n")[0] for t in staff_posts(c)] == [
        "⚠ Staff alert: [Report] g1: bob's message, reports: 1"
    ]
    say(c, "ann", "/report very rude", reply_to="hi-bob")  # the second in good standing
    [notice] = staff_posts(c)
    assert notice.startswith("⚠ Staff alert: [Report] g1: bob's message, reports: 2 (hidden by "
                             "reports until staff look)")  # fmt: skip
    assert "mei: rude; ann: very rude" in notice
    say(c, "joe", "/report", reply_to="hi-bob")
    assert staff_posts(c) == []  # hidden once, told once
    [alert] = reports_alerts(store, cid)
    assert "reports: 3 (hidden by reports until staff look)" in alert.text


def test_in_quiet_hours_the_digest_says_a_message_reports_hid_once(
    store: Store, store_clock: FrozenClock
) -> None:
    """Held through quiet hours, a report's alert is said as it stands when they end (hidden,
    one line); a notice that reports hid a message, held, is dropped if staff decide first."""
    quiet = "alerts:\n  staff_group: staff\n  quiet_hours: '10:00-12:00'\n"
    c, _ = start(store, store_clock, alerts=quiet)  # 09:0x in London: not quiet yet
    cid = c.runtime.community_id
    say(c, "mei", "/report", reply_to="hi-bob")
    assert len(staff_posts(c)) == 1
    c.clock.set(DAY + timedelta(hours=1, minutes=30))  # 10:30 in London: quiet
    say(c, "ann", "/report", reply_to="hi-bob")  # hides bob's: the notice is held
    say(c, "mei", "/report", reply_to="hi-joe")  # held
    say(c, "ann", "/report", reply_to="hi-joe")  # hides joe's: said in the held alert
    assert staff_posts(c) == []
    bob = next(r for r in SqlReports.on(store).waiting(cid) if r.author_id == c.member_id("bob"))
    decisions.dismiss(store, bob.id, "console:ops", c.clock.now())
    c.clock.set(DAY + timedelta(hours=3))  # 12:00 in London
    c.engine.tick()
    [digest] = staff_posts(c)
    assert "1 staff alert(s) held during quiet hours" in digest
    assert "joe's message, reports: 2 (hidden by reports until staff look)" in digest
    assert "bob's" not in digest


def test_a_muted_member_still_reports_for_their_eyes_alone_and_it_does_not_count(
    store: Store, store_clock: FrozenClock
) -> None:
    """A member muted (harassed into silence, say) flags abuse: their `/report` passes the
    hold on their messages, leaves the group as every report does, and they read the receipt
    alone; it is kept for staff, not counted toward hiding."""
    c, _ = start(store, store_clock)
    cid = c.runtime.community_id
    say(c, "boss", "/mute 1h", reply_to="hi-mei")
    sent(c)
    assert [a.handler for a in say(c, "mei", "hello?") if a.kind is ActionKind.DELETE] == [
        "sanctioned"
    ]
    sent(c)
    acted = say(c, "mei", "/report bob keeps insulting me", reply_to="hi-bob", event_id="r-mei")
    assert [(a.target, a.handler) for a in acted if a.kind is ActionKind.DELETE] == [
        ("r-mei", "reports")
    ]
    [receipt] = [a for a in acted if a.kind is ActionKind.SEND]
    assert receipt.text == ("mei, your report of bob's message “morning, I am bob” is with "
                            "staff; they will look at it.")  # fmt: skip
    assert receipt.member == "mei" and receipt.extra[IN_GROUP] == ""
    [alert] = reports_alerts(store, cid)
    assert "mei: bob keeps insulting me [not counted: muted]" in alert.text
    say(c, "ann", "/report", reply_to="hi-bob")  # hide_after: 2, but mei's does not count
    assert "hi-bob" not in deleted(c)
    # being removed is another matter: a kicked member's report is only deleted
    say(c, "boss", "/ban spam", reply_to="hi-joe")
    sent(c)
    acted = say(c, "joe", "/report", reply_to="hi-ann", event_id="r-joe")
    assert [a.handler for a in acted if a.kind is ActionKind.DELETE] == ["sanctioned"]
    assert len(reports_alerts(store, cid)) == 1


def staff_posts(c: Community) -> list[str]:
    """What was posted in the staff channel since the last look (after the mention of `boss`,
    who hears alerts)."""
    return [(a.text or "").removeprefix("@boss\n") for a in sent(c)
            if a.kind is ActionKind.SEND and a.group == "staff"]  # fmt: skip


def test_reports_that_do_not_count_stay_in_the_inbox_until_one_that_counts(
    store: Store, store_clock: FrozenClock
) -> None:
    """Each new member may make a few reports a day, and each report of another message
    posted to the staff channel and messaged staff: N sock puppets made staff's phones ring
    N times a day each. Reports that do not count (new, struck, muted reporters) now reach
    the inbox only; the first that counts tells staff where they are, once per message."""
    c, _ = start(store, store_clock, alerts="alerts:\n  staff_group: staff\n")
    cid = c.runtime.community_id
    staff = store.group_for_carrier("fake", "staff")
    assert staff is not None
    store.join(c.member_id("boss"), staff.id, role="manager", at=DAY - timedelta(days=30))
    group = store.group_for_carrier("fake", "g1")
    assert group is not None
    for puppet in ("p1", "p2"):  # joined today, never posted: new, as kim is
        store.join(store.member_for("fake", puppet, puppet).id, group.id, at=c.clock.now())
    targets = ("bob", "mei", "ann")
    for user in targets:
        say(c, user, f"nice tea today, says {user}", event_id=f"m-{user}")
    sent(c)
    for puppet in ("kim", "p1", "p2"):
        for target in targets:
            say(c, puppet, "/report scam", reply_to=f"m-{target}")

    def pinged() -> list[Action]:
        return [a for a in sent(c) if a.handler == "alerts"]

    assert pinged() == []  # no staff channel post, no direct message
    inbox = reports_alerts(store, cid)
    assert len(inbox) == 3 and all("[not counted: too new or too quiet]" in a.text for a in inbox)
    say(c, "joe", "/report this one is real", reply_to="m-bob")
    [post] = [a for a in pinged() if a.kind is ActionKind.SEND]
    assert post.group == "staff" and "bob's message, reports: 4" in (post.text or "")
    assert "joe: this one is real" in (post.text or "")
    assert len(reports_alerts(store, cid)) == 3  # the inbox keeps one alert per message
    # the second that counts hides it (hide_after: 2): staff are told once more
    say(c, "mei", "/report me too", reply_to="m-bob")
    [hidden] = [a for a in pinged() if a.kind is ActionKind.SEND]
    assert "reports: 5 (hidden by reports until staff look)" in (hidden.text or "")
    say(c, "ann", "/report me three", reply_to="m-bob")  # later ones restate it, quietly
    assert pinged() == []
    # a first report that counts tells staff at once
    say(c, "joe", "/report and this", reply_to="m-ann")
    assert [a.group for a in pinged() if a.kind is ActionKind.SEND] == ["staff"]


def reports_alerts(store: Store, cid: int) -> list[StaffAlert]:
    return [a for a in store.staff_alerts(cid) if a.handler == "reports"]


def _messages_today(store: Store) -> int:
    """The messages g1's figures (the rollups) count on the day of the test."""
    from sqlalchemy import select

    from hearthkeeper.store.models import GroupDayRow

    with store.engine.connect() as connection:
        return int(connection.scalar(select(GroupDayRow.messages)) or 0)


def _figures(store: Store, group_id: int, first: date,
             last: date) -> dict[date, tuple[int, dict[str, int]]]:  # fmt: skip
    """The group's messages by day, and each speaker's, as the Health page reads them."""
    days = store.group_day_activity([group_id], first, last)
    names = store.member_names({m for a in days for m in a.members})
    speakers = {a.day: {names[m]: n for m, n in zip(a.members, a.messages, strict=True)}
                for a in days}  # fmt: skip
    return {d.day: (d.messages, speakers.get(d.day, {}))
            for d in store.group_days([group_id], first, last)}  # fmt: skip


def _deleted_by(store: Store, message_id: int, by: str) -> None:
    """Say who deleted the stored message (as a deletion decided by someone else records)."""
    from sqlalchemy import update

    from hearthkeeper.store.models import MessageRow

    with store.engine.begin() as connection:
        connection.execute(update(MessageRow).where(MessageRow.id == message_id)
                           .values(deleted_by=by))  # fmt: skip


def _message(store: Store, c: Community, event_id: str) -> int:
    from hearthkeeper.store.pointing import PointingQueries

    group = store.group_for_carrier("fake", "g1")
    assert group is not None
    found = PointingQueries.on(store).message_replied_to(group.id, event_id)
    assert found is not None
    return found
