"""A struck or muted member appeals with `/appeal` (`/申诉`): staff see it in the inbox with
what the rule matched, uphold or pardon it, and the member is told; one appeal per decision."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import pytest

from hearthkeeper.capabilities.appeals import decisions
from hearthkeeper.capabilities.appeals.repository import SqlAppeals
from hearthkeeper.capabilities.moderation import staff
from hearthkeeper.clock import FrozenClock
from hearthkeeper.engine.actions import Action, ActionKind
from hearthkeeper.playbook import parse_playbook
from hearthkeeper.playbook.positioning import Language
from hearthkeeper.store import SanctionKind, Store
from hearthkeeper.text.scan import Scanner
from tests.engine_setup import RULES, Community, community
from tests.playbook_samples import MINIMAL

DAY = datetime(2026, 5, 1, 8, 0, tzinfo=UTC)
AD = "加我微信 abc12345 低价出货"
ACCEPTED = "joining:\n  ceremony:\n    accept_rules: false\n"


def start(store: Store, clock: FrozenClock, language: str = "en", extra: str = "") -> Community:
    text = MINIMAL.replace("language: en", f"language: {language}") + RULES + extra + ACCEPTED
    clock.set(DAY)
    c = community(store, clock, parse_playbook(text).playbook)
    c.events.now = DAY
    group = store.add_group(c.runtime.community_id, "g1", "fake", "g1")
    for user, role in (("boss", "manager"), ("bob", None), ("mei", None)):
        member = store.member_for("fake", user, user)
        store.join(member.id, group.id, role=role, at=DAY - timedelta(days=30))
    return c


def say(c: Community, user: str, text: str) -> list[Action]:
    c.clock.advance(timedelta(minutes=1))
    c.events.now = c.clock.now()
    return [a for p in c.engine.process([c.events.message(user, text)]) for a in p.actions]


def answers(actions: list[Action]) -> list[str]:
    return [a.text or "" for a in actions if a.kind in (ActionKind.REPLY, ActionKind.WARN)]


def sent(c: Community) -> list[Action]:
    """What the carrier performed since the last look."""
    asyncio.run(c.engine.drain())
    done = [p.action for p in c.carrier.performed]
    c.carrier.performed.clear()
    return done


def audit(c: Community) -> list[str]:
    return [e.action for e in reversed(c.store.audit_log(c.runtime.community_id))]


def test_a_struck_member_appeals_staff_pardon_and_the_member_is_told(
    store: Store, store_clock: FrozenClock
) -> None:
    c = start(store, store_clock)
    [warning] = answers(say(c, "bob", AD))
    # the notice says how to appeal and names the rule, never what matched
    assert "/appeal" in warning and "advertising" in warning and "微信" not in warning
    sent(c)
    bob = c.member_id("bob")
    [strike] = store.strikes(member_id=bob)
    acted = say(c, "bob", "/appeal I was only sharing my own shop, sorry")
    assert answers(acted) == [
        "bob, your appeal against your strike for advertising is with staff; you will be told "
        "what they decide."
    ]
    # staff are alerted, and the inbox holds it: the sanction named, and what the rule matched
    [alert] = store.staff_alerts(c.runtime.community_id)
    assert alert.handler == "appeals" and alert.member_id == bob
    assert "appeals against your strike for advertising" in alert.text
    assert "I was only sharing my own shop" in alert.text
    assert strike.explanation in alert.text and alert.reason == strike.explanation
    [appeal] = SqlAppeals.on(store).waiting(c.runtime.community_id)
    assert appeal.strike_id == strike.id
    # a second appeal against the same strike is only answered
    assert answers(say(c, "bob", "/申诉 please")) == [
        "bob, your appeal against your strike for advertising is already with staff; please "
        "wait for their answer."
    ]
    assert len(store.staff_alerts(c.runtime.community_id)) == 1
    sent(c)
    decisions.pardon(store, appeal.id, "console:ops", c.clock.now())
    [after] = store.strikes(member_id=bob)
    assert after.pardoned_by == "console:ops"
    assert store.live_strikes(c.runtime.community_id, bob, c.clock.now()) == 0
    [told] = sent(c)
    assert (told.kind, told.member) == (ActionKind.SEND, "bob")
    assert (
        told.text == "bob, staff reviewed your appeal: your strike for advertising is taken back."
    )
    assert store.staff_alerts(c.runtime.community_id) == []  # handled with the decision
    assert SqlAppeals.on(store).waiting(c.runtime.community_id) == []
    assert [
        a for a in audit(c) if a in ("appeal", "pardon", "appeal.pardoned", "appeal.upheld")
    ] == ["appeal", "pardon", "appeal.pardoned"]
    # decided: a new appeal against it is refused, and stored nowhere
    assert answers(say(c, "bob", "/appeal again")) == [
        "bob, you have had no strike or mute in the last 7 days, so there is nothing to appeal. "
        "If something is wrong, just ask staff."
    ]


def test_a_muted_member_can_still_appeal_and_a_pardon_lifts_the_mute(
    store: Store, store_clock: FrozenClock
) -> None:
    c = start(store, store_clock, "zh-CN")
    say(c, "bob", AD)
    acted = say(c, "bob", AD + " 2")  # the ladder's second rung: muted for an hour
    mute = next(a for a in acted if a.kind is ActionKind.MUTE)
    assert "/申诉" in (mute.text or "")
    sent(c)
    bob = c.member_id("bob")
    assert [s.kind for s in store.active_sanctions(member_id=bob)] == [SanctionKind.MUTE]
    # while muted, the appeal reaches staff (and, as everything else, leaves the group)
    acted = say(c, "bob", "/申诉 第二条是转发朋友的，我已经知道错了")
    assert [a.handler for a in acted if a.kind is ActionKind.DELETE] == ["appeals"]
    assert answers(acted) == [
        "bob，你对「发广告的违规记录」的申诉已转给管理员，处理后会告诉你结果。"
    ]
    [alert] = store.staff_alerts(c.runtime.community_id)
    assert "第二条是转发朋友的" in alert.text
    # moderation did not read the appeal: no third strike for quoting nothing, no removal
    assert store.live_strikes(c.runtime.community_id, bob, c.clock.now()) == 2
    [appeal] = SqlAppeals.on(store).waiting(c.runtime.community_id)
    sent(c)
    decided = decisions.pardon(
        store, appeal.id, "console:ops", c.clock.now(), language=Language.ZH_CN
    )
    assert decided.lifted
    assert store.active_sanctions(member_id=bob, now=c.clock.now()) == []
    done = sent(c)
    assert ActionKind.UNMUTE in [a.kind for a in done]
    [told] = [a for a in done if a.kind is ActionKind.SEND]
    assert told.text == "bob，管理员复核了你的申诉：发广告的违规记录已撤销，禁言已解除。"
    assert store.live_strikes(c.runtime.community_id, bob, c.clock.now()) == 1


def test_an_appeal_upheld_keeps_the_strike_and_says_so(
    store: Store, store_clock: FrozenClock
) -> None:
    c = start(store, store_clock)
    say(c, "bob", AD)
    say(c, "bob", "/appeal it was not an ad")
    [appeal] = SqlAppeals.on(store).waiting(c.runtime.community_id)
    sent(c)
    decisions.uphold(store, appeal.id, "console:ops", c.clock.now())
    [told] = sent(c)
    assert told.text == "bob, staff reviewed your appeal and upheld the decision (your strike " \
        "for advertising)."  # fmt: skip
    assert store.live_strikes(c.runtime.community_id, c.member_id("bob"), c.clock.now()) == 1
    assert "appeal.upheld" in audit(c)
    # one appeal per decision
    assert answers(say(c, "bob", "/appeal please look again")) == [
        "bob, your appeal against your strike for advertising was already decided (upheld); "
        "a decision can be appealed once."
    ]


def test_an_appeal_without_a_sanction_is_answered_kindly_and_not_stored(
    store: Store, store_clock: FrozenClock
) -> None:
    c = start(store, store_clock)
    assert answers(say(c, "mei", "/appeal why was I muted?")) == [
        "mei, you have had no strike or mute in the last 7 days, so there is nothing to appeal. "
        "If something is wrong, just ask staff."
    ]
    assert SqlAppeals.on(store).waiting(c.runtime.community_id) == []
    assert store.staff_alerts(c.runtime.community_id) == []
    assert "appeal" not in audit(c)
    # a strike older than `rules.appeals.within` is past appealing
    say(c, "bob", AD)
    c.clock.advance(timedelta(days=8))
    assert "nothing to appeal" in answers(say(c, "bob", "/appeal that was last week"))[0]
    assert SqlAppeals.on(store).waiting(c.runtime.community_id) == []


def test_an_appeal_against_a_staff_mute(store: Store, store_clock: FrozenClock) -> None:
    c = start(store, store_clock)
    say(c, "boss", "/mute @bob 2h rude")
    sent(c)
    acted = say(c, "bob", "/appeal I was quoting someone")
    assert answers(acted) == [
        "bob, your appeal against your mute is with staff; you will be told what they decide."
    ]
    [alert] = store.staff_alerts(c.runtime.community_id)
    assert "muted by chat:boss" in alert.text and "rude" in alert.text
    [appeal] = SqlAppeals.on(store).waiting(c.runtime.community_id)
    assert appeal.sanction_id is not None and appeal.strike_id is None
    decisions.pardon(store, appeal.id, "console:ops", c.clock.now())
    assert store.active_sanctions(member_id=c.member_id("bob"), now=c.clock.now()) == []
    told = [a.text for a in sent(c) if a.kind is ActionKind.SEND]
    assert told == ["bob, staff reviewed your appeal: your mute is taken back."]


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)  # a decision, not a query
def test_a_community_without_appeals_says_nothing_of_them(
    store: Store, store_clock: FrozenClock
) -> None:
    c = start(store, store_clock, extra="  appeals: {enabled: false}\n")
    [warning] = answers(say(c, "bob", AD))
    assert "/appeal" not in warning
    assert answers(say(c, "bob", "/appeal it was not an ad")) == [
        "bob, this community takes no appeals by command: please ask staff."
    ]
    assert SqlAppeals.on(store).waiting(c.runtime.community_id) == []
    assert store.staff_alerts(c.runtime.community_id) == []


def sends(done: list[Action]) -> list[str]:
    """What the member was told in the group, apart from answers to commands."""
    return [a.text or "" for a in done if a.kind is ActionKind.SEND]


def test_an_in_chat_pardon_decides_the_appeal_against_the_strike_and_tells_once(
    store: Store, store_clock: FrozenClock
) -> None:
    c = start(store, store_clock)
    say(c, "bob", AD)
    say(c, "bob", "/appeal it was my own shop")
    [appeal] = SqlAppeals.on(store).waiting(c.runtime.community_id)
    sent(c)
    [told] = answers(say(c, "boss", "/pardon @bob"))
    assert told == "bob: latest strike taken back (0 left)."
    assert sends(sent(c)) == []  # the answer in the chat is all bob reads, once
    # staff's inbox no longer offers Pardon/Uphold: the appeal is decided with the pardon
    assert store.staff_alerts(c.runtime.community_id) == []
    assert SqlAppeals.on(store).waiting(c.runtime.community_id) == []
    decided = SqlAppeals.on(store).get(appeal.id)
    assert decided is not None
    assert decided.outcome == "pardoned" and (decided.decided_by or "").startswith("chat:boss")
    # the member's page lists it, decided
    cid, bob = c.runtime.community_id, c.member_id("bob")
    assert SqlAppeals.on(store).member_appeals(cid, bob) == [decided]
    assert SqlAppeals.on(store).member_appeals(cid, c.member_id("mei")) == []
    assert [a for a in audit(c) if a in ("pardon", "appeal.pardoned")] == [
        "pardon",
        "appeal.pardoned",
    ]
    # a click on the old alert is refused, and tells bob nothing again
    try:
        decisions.pardon(store, appeal.id, "console:ops", c.clock.now())
    except decisions.StoreError as refused:
        assert "already pardoned by chat:boss" in str(refused)
    else:
        raise AssertionError("a decided appeal was decided again")
    assert sends(sent(c)) == []


def test_a_console_pardon_of_the_strike_decides_the_appeal_and_tells_its_outcome_once(
    store: Store, store_clock: FrozenClock
) -> None:
    c = start(store, store_clock)
    say(c, "bob", AD)
    say(c, "bob", "/appeal it was my own shop")
    [strike] = store.strikes(member_id=c.member_id("bob"))
    sent(c)
    staff.pardon(store, strike.id, "console:ops", c.clock.now())
    # one message, the appeal's outcome, in place of the pardon's own notice
    assert sends(sent(c)) == [
        "bob, staff reviewed your appeal: your strike for advertising is taken back."
    ]
    assert store.staff_alerts(c.runtime.community_id) == []
    assert SqlAppeals.on(store).waiting(c.runtime.community_id) == []
    assert [a for a in audit(c) if a in ("pardon", "appeal.pardoned")] == [
        "pardon",
        "appeal.pardoned",
    ]


def test_a_pardon_without_an_appeal_still_sends_the_pardons_notice(
    store: Store, store_clock: FrozenClock
) -> None:
    c = start(store, store_clock)
    say(c, "bob", AD)
    [strike] = store.strikes(member_id=c.member_id("bob"))
    sent(c)
    staff.pardon(store, strike.id, "console:ops", c.clock.now())
    [notice] = sends(sent(c))
    assert "appeal" not in notice
    assert "appeal.pardoned" not in audit(c)


def test_lifting_an_appealed_mute_decides_the_appeal_and_tells_once(
    store: Store, store_clock: FrozenClock
) -> None:
    c = start(store, store_clock)
    say(c, "boss", "/mute @bob 2h rude")
    say(c, "bob", "/appeal I was quoting someone")
    [appeal] = SqlAppeals.on(store).waiting(c.runtime.community_id)
    assert appeal.sanction_id is not None
    sent(c)
    staff.lift(store, appeal.sanction_id, "console:ops", c.clock.now())
    done = sent(c)
    assert ActionKind.UNMUTE in [a.kind for a in done]
    assert sends(done) == ["bob, staff reviewed your appeal: your mute is taken back."]
    assert store.staff_alerts(c.runtime.community_id) == []
    decided = SqlAppeals.on(store).get(appeal.id)
    assert decided is not None and decided.outcome == "pardoned"
    assert "appeal.pardoned" in audit(c)


def test_an_in_chat_pardon_of_an_appealed_mute_answers_once(
    store: Store, store_clock: FrozenClock
) -> None:
    c = start(store, store_clock)
    say(c, "boss", "/mute @bob 2h rude")
    say(c, "bob", "/appeal I was quoting someone")
    [appeal] = SqlAppeals.on(store).waiting(c.runtime.community_id)
    sent(c)
    [told] = answers(say(c, "boss", "/pardon @bob"))
    assert told.startswith("bob")
    done = sent(c)
    assert ActionKind.UNMUTE in [a.kind for a in done]
    assert sends(done) == []
    assert store.staff_alerts(c.runtime.community_id) == []
    decided = SqlAppeals.on(store).get(appeal.id)
    assert decided is not None and (decided.decided_by or "").startswith("chat:boss")


def test_an_appeal_never_leaves_an_ad_in_the_group(store: Store, store_clock: FrozenClock) -> None:
    """Moderation does not read a struck member's appeal (it may quote what was struck), so
    the appeal is taken out of the group: staff read it in the inbox. Else `/appeal` would be
    a way past moderation for every message a struck member sends."""
    c = start(store, store_clock)
    say(c, "bob", AD)
    sent(c)
    bob = c.member_id("bob")
    for words in ("I was only sharing my shop", f"{AD} 私聊", f"{AD} 包邮"):
        c.clock.advance(timedelta(minutes=1))
        c.events.now = c.clock.now()
        appeal = c.events.message("bob", f"/appeal {words}")
        acted = [a for p in c.engine.process([appeal]) for a in p.actions]
        deleted = [a for a in acted if a.kind is ActionKind.DELETE]
        assert [(a.member, a.target) for a in deleted] == [("bob", appeal.event_id)], words
    # the first is with staff, the others answered so; one strike still, none for appealing
    [appeal] = SqlAppeals.on(store).waiting(c.runtime.community_id)
    assert "I was only sharing my shop" in appeal.text
    assert len(store.strikes(member_id=bob)) == 1


def test_an_appeal_from_a_member_with_nothing_to_appeal_is_no_way_past_the_scorer(
    store: Store, store_clock: FrozenClock
) -> None:
    """The learned scorer reads no command: `/appeal <an ad only it catches>` from a member
    with no strike stood in the group, answered "nothing to appeal" (a real server showed
    it). Every member's appeal is taken out of the group; a rule still strikes one."""
    c = start(store, store_clock)
    ad = "需要代购韩国化妆品的姐妹找我"  # the shipped scorer's alone: spam 1.00
    [plain] = Scanner.from_rules(c.runtime.playbook.rules).scan(ad)
    assert plain.score is not None

    appeal = c.events.message("mei", f"/appeal {ad}", at=c.clock.now() + timedelta(minutes=1))
    acted = [a for p in c.engine.process([appeal]) for a in p.actions]

    assert [(a.member, a.target) for a in acted if a.kind is ActionKind.DELETE] == [
        ("mei", appeal.event_id)
    ]
    assert "nothing to appeal" in answers(acted)[0]
    assert store.live_strikes(c.runtime.community_id, c.member_id("mei"), c.clock.now()) == 0
    staff_said = say(c, "boss", "/appeal testing the command")  # staff's own: left alone
    assert not [a for a in staff_said if a.kind is ActionKind.DELETE]
    ruled = say(c, "mei", f"/appeal {AD}")  # a rule's finding: struck, as any message
    assert ActionKind.STRIKE in {a.kind for a in ruled}


def test_a_member_who_left_is_not_told_in_the_group(store: Store, store_clock: FrozenClock) -> None:
    """The outcome is said in the group the member appealed in: once they left it, nothing
    is said there (the pardon itself still counts)."""
    c = start(store, store_clock)
    say(c, "bob", AD)
    say(c, "bob", "/appeal I was only sharing my own shop")
    sent(c)
    bob = c.member_id("bob")
    [group] = store.list_groups(c.runtime.community_id)
    store.leave(bob, group.id, at=c.clock.now())
    [appeal] = SqlAppeals.on(store).waiting(c.runtime.community_id)
    decisions.pardon(store, appeal.id, "console:ops", c.clock.now())
    assert [a for a in sent(c) if a.kind is ActionKind.SEND] == []
    assert store.live_strikes(c.runtime.community_id, bob, c.clock.now()) == 0


def test_a_flood_of_appeals_gets_one_answer_an_hour_not_a_flood_in_the_group(
    store: Store, store_clock: FrozenClock
) -> None:
    """Moderation's flood rule does not read `/appeal`, and a muted member may still send it:
    each repeat was answered in the group ("already with staff"), so a muted member made the
    bot speak as often as the chat let them (24 answers in 35 s on a real server). Each answer
    is said once an hour per member (and appeal); the appeal itself is kept once, as before."""
    c = start(store, store_clock)
    say(c, "bob", AD)
    say(c, "bob", "/appeal it was my own shop")
    sent(c)
    for n in range(5):
        say(c, "bob", f"/appeal please look {n}")
    replies = [a.text or "" for a in sent(c) if a.kind is ActionKind.REPLY]
    assert replies == [
        "bob, your appeal against your strike for advertising is already with staff; please "
        "wait for their answer."
    ]
    for n in range(3):
        say(c, "mei", f"/appeal why {n}")  # nothing to appeal: also once
    assert len([a for a in sent(c) if a.kind is ActionKind.REPLY]) == 1
    c.clock.advance(timedelta(hours=1))
    assert "already with staff" in " ".join(a.text or "" for a in (say(c, "bob", "/appeal ?"),
                                                                   sent(c))[1])  # fmt: skip
    assert len(SqlAppeals.on(store).waiting(c.runtime.community_id)) == 1


def test_an_appeal_is_kept_without_control_or_text_direction_characters(
    store: Store, store_clock: FrozenClock
) -> None:
    """Staff read an appeal in the inbox, on the member's page and through `hearth appeals`
    and the API: `/appeal` kept the member's words as typed, so a right-to-left override
    (U+202E) turned the rest of the line around on the member's page and a terminal escape
    reached the API's readers. It is kept as the banned page's appeal is: one line, without
    them; an appeal of nothing but such characters says how to appeal."""
    c = start(store, store_clock)
    say(c, "bob", AD)
    sent(c)
    acted = say(c, "bob", "/appeal \u200b\u202e \x1b\x07\u2066")
    assert answers(acted) == [
        "bob, please write why after /appeal, e.g. /appeal that link was our own event's sign-up"
    ]
    assert SqlAppeals.on(store).waiting(c.runtime.community_id) == []
    say(c, "bob", "/appeal it was \u202egnp.exe\x1b]0;x\x07 my\n\nown shop\u200b")
    [appeal] = SqlAppeals.on(store).waiting(c.runtime.community_id)
    assert appeal.text == "it was gnp.exe]0;x my own shop"
    [alert] = store.staff_alerts(c.runtime.community_id)
    assert "\u202e" not in alert.text and "\x1b" not in alert.text
