"""Moderation through the engine: the ladder, expiry, blacklists across groups, staff, dry-run."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import pytest

from hearthkeeper.assembly import runtime_for
from hearthkeeper.clock import FrozenClock
from hearthkeeper.engine.actions import ActionKind
from hearthkeeper.playbook import parse_playbook
from hearthkeeper.store import Store
from tests.engine_setup import RULES, community, playbook, up_the_ladder
from tests.playbook_samples import MINIMAL

AD = "加我微信 abc12345 低价出货"


def kinds_of(processed: list) -> list[list[ActionKind]]:  # type: ignore[type-arg]
    return [[a.kind for a in p.actions] for p in processed]


def test_the_default_ladder_warns_then_mutes_then_removes(
    store: Store, store_clock: FrozenClock
) -> None:
    c = community(store, store_clock)
    results = c.engine.process([c.events.message("spam", f"{AD} {i}") for i in range(3)])
    first, second, while_muted = kinds_of(results)
    assert {ActionKind.STRIKE, ActionKind.DELETE, ActionKind.WARN} <= set(first)
    assert ActionKind.MUTE in second and ActionKind.KICK not in second
    # sent while muted (before the platform applied it): deleted, no new strike
    assert ActionKind.DELETE in while_muted and ActionKind.STRIKE not in while_muted
    later = c.events.now + timedelta(hours=1, minutes=1)  # the mute is over
    [third] = kinds_of(c.engine.process([c.events.message("spam", f"{AD} 3", at=later)]))
    assert {ActionKind.KICK, ActionKind.BLACKLIST} <= set(third)
    warn = next(a for a in results[0].actions if a.kind is ActionKind.WARN)
    assert "Strike 1" in (warn.text or "") and "muted for 1 hour" in (warn.text or "")


def test_strikes_expire(store: Store, store_clock: FrozenClock) -> None:
    c = community(store, store_clock)
    c.engine.process([c.events.message("spam", AD)])
    c.events.now += timedelta(days=31)  # the first strike has expired (default 30 days)
    [again] = c.engine.process([c.events.message("spam", AD + " again")])
    assert ActionKind.MUTE not in [a.kind for a in again.actions]
    assert ActionKind.WARN in [a.kind for a in again.actions]


def test_a_pardoned_strike_no_longer_counts(store: Store, store_clock: FrozenClock) -> None:
    c = community(store, store_clock)
    c.engine.process([c.events.message("spam", AD)])
    [strike] = store.strikes(member_id=c.member_id("spam"))
    store.pardon_strike(strike.id, "manager", store_clock.now())
    c.restart()
    [again] = c.engine.process([c.events.message("spam", AD + " 2")])
    assert ActionKind.MUTE not in [a.kind for a in again.actions]


def test_a_blacklisted_member_is_banned_in_every_group_and_refused_on_joining(
    store: Store, store_clock: FrozenClock
) -> None:
    c = community(store, store_clock)
    c.engine.process([c.events.join("spam", group="g2"), c.events.join("spam", group="g1")])
    up_the_ladder(c, "spam", AD)
    asyncio.run(c.engine.drain())
    bans = {p.action.group for p in c.carrier.performed if p.action.kind is ActionKind.BAN}
    assert bans == {"g1", "g2"}
    c.restart()
    [joined] = c.engine.process([c.events.join("spam", group="g3")])
    assert ActionKind.BAN in [a.kind for a in joined.actions]
    assert store.is_blacklisted(c.runtime.community_id, c.member_id("spam"))


def test_staff_are_never_punished_automatically(store: Store, store_clock: FrozenClock) -> None:
    c = community(store, store_clock)
    c.manager("boss")
    results = c.engine.process([c.events.message("boss", f"{AD} {i}") for i in range(4)])
    assert all(ActionKind.STRIKE not in [a.kind for a in r.actions] for r in results)
    assert store.live_strikes(c.runtime.community_id, c.member_id("boss"), store_clock.now()) == 0


def test_insults_alert_staff_instead_of_punishing(store: Store, store_clock: FrozenClock) -> None:
    c = community(store, store_clock)
    [result] = c.engine.process([c.events.message("angry", "你就是个傻逼")])
    kinds = [a.kind for a in result.actions]
    assert ActionKind.ALERT_STAFF in kinds and ActionKind.STRIKE not in kinds


def test_the_staff_notice_quotes_the_part_of_a_long_message_that_broke_the_rule(
    store: Store, store_clock: FrozenClock
) -> None:
    """The notice quoted the first 60 characters of the message: an insult at the end of a
    long one was not in it, and staff read a thank-you under "insults"."""
    c = community(store, store_clock)
    thanks = "Thanks everyone for the meetup last week, it was really great and the food was lovely"
    text = f"{thanks}, but honestly Tom you are an idiot for leaving early and missing the cake"
    [result] = c.engine.process([c.events.message("angry", text)])
    [alert] = [a for a in result.actions if a.kind is ActionKind.ALERT_STAFF]
    assert alert.text is not None
    assert alert.text.endswith("…Tom you are an idiot for leaving early and missing the cake")
    [short] = c.engine.process([c.events.message("angry", "you are an idiot, Tom")])[0:1]
    [notice] = [a.text for a in short.actions if a.kind is ActionKind.ALERT_STAFF]
    assert notice is not None and notice.endswith(": you are an idiot, Tom")


def test_every_decision_is_explained_in_the_audit_log(
    store: Store, store_clock: FrozenClock
) -> None:
    c = community(store, store_clock)
    c.engine.process([c.events.message("spam", "加 微 信 abc12345")])
    entries = store.audit_log(c.runtime.community_id)
    strike = next(e for e in entries if e.action == "strike")
    assert strike.detail["reason"] == (
        "advertising: '加 微 信' (keyword '加微信') — in \"加 微 信 abc12345\"; "
        "the member's 1st strike"
    )
    assert strike.detail["violation"] == "advertising"


def test_the_audit_log_says_a_decisions_reason_once(store: Store, store_clock: FrozenClock) -> None:
    """The strike, the deletion, the warning (and the mute) of one message each repeated the
    full reason: the strike says it, the others point to it by the message's event."""
    c = community(store, store_clock)
    c.engine.process([c.events.message("spam", f"{AD} {i}") for i in range(2)])
    entries = store.audit_log(c.runtime.community_id)
    for event in {e.detail["event"] for e in entries if e.detail.get("event")}:
        of_it = [e for e in entries if e.detail.get("event") == event]
        told = [e for e in of_it if "低价出" in str(e.detail["reason"])]
        assert [e.action for e in told] == ["strike"], of_it
        assert {e.action for e in of_it} >= {"strike", "delete"}  # and a warning or a mute
        for entry in of_it:
            assert entry.detail["violation"] == "advertising"
            if entry is not told[0]:
                assert entry.detail["reason"] == "see the strike entry for this event"
    muted = [e for e in entries if e.action == "mute"]
    assert muted and muted[0].detail["reason"] == "see the strike entry for this event"


def test_a_violation_worth_two_strikes_says_its_reason_on_the_first_strike_entry(
    store: Store, store_clock: FrozenClock
) -> None:
    """The second strike entry of a violation worth two said `see the strike entry for this
    event`, pointing at itself as much as at the first."""
    c = community(store, store_clock, playbook("  violations:\n    links: {strikes: 2}\n"))
    c.engine.process([c.events.message("spam", "look at http://spam.example.com now")])
    entries = sorted(store.audit_log(c.runtime.community_id), key=lambda e: e.id)
    strikes = [e for e in entries if e.action == "strike"]
    assert len(strikes) == 2
    assert "spam.example.com" in str(strikes[0].detail["reason"])
    assert strikes[1].detail["reason"] == "see the first strike entry for this event"
    others = [e for e in entries if e.action != "strike"]
    assert others and {e.detail["reason"] for e in others} == {
        "see the strike entry for this event"
    }


def test_a_decision_without_a_strike_says_its_reason_on_its_own_entry(
    store: Store, store_clock: FrozenClock
) -> None:
    """An insult only alerts staff: its one entry, the staff alert, carries the reason."""
    c = community(store, store_clock)
    c.engine.process([c.events.message("angry", "你就是个傻逼")])
    [entry] = store.audit_log(c.runtime.community_id)
    assert entry.action == "alert_staff" and entry.detail["violation"] == "insults"
    assert "傻逼" in str(entry.detail["reason"])


def test_staff_read_which_of_the_members_strikes_a_violation_is_in_words(
    store: Store, store_clock: FrozenClock
) -> None:
    """Beside the strike badge, `; strike 1` read like the strike's id; a violation worth two
    strikes said only the last of them."""
    c = community(store, store_clock, playbook("  violations:\n    links: {strikes: 2}\n"))
    c.engine.process([c.events.message("spam", "加 微 信 abc12345")])
    c.engine.process([c.events.message("spam", "look at http://spam.example.com now")])
    first, *heavier = sorted(store.strikes(member_id=c.member_id("spam")), key=lambda s: s.id)
    assert first.explanation.endswith("; the member's 1st strike")
    assert [s.explanation.rsplit("; ", 1)[1] for s in heavier] == [
        "the member's 2nd and 3rd strikes"
    ] * 2


def test_newcomers_on_probation_cannot_post_links(store: Store, store_clock: FrozenClock) -> None:
    pb = playbook("  violations:\n    links: {enabled: false}\n")
    c = community(store, store_clock, pb)
    c.engine.process([c.events.join("newbie"), c.events.message("newbie", "agree")])
    [posted] = c.engine.process([c.events.message("newbie", "look https://example.com/x")])
    kinds = [a.kind for a in posted.actions]
    assert ActionKind.DELETE in kinds and ActionKind.STRIKE not in kinds
    c.events.now += timedelta(hours=25)
    [later] = c.engine.process([c.events.message("newbie", "look https://example.com/y")])
    assert ActionKind.DELETE not in [a.kind for a in later.actions]


def _violations(results: list) -> list[str]:  # type: ignore[type-arg]
    return [a.violation for r in results for a in r.actions if a.violation]


def test_a_command_staff_retry_is_no_repeated_text(store: Store, store_clock: FrozenClock) -> None:
    c = community(store, store_clock)
    c.manager("boss")
    poll = "/poll 周六茶会几点 | 下午两点 | 下午四点"
    results = c.engine.process([c.events.message("boss", poll) for _ in range(5)])
    results += c.engine.process([c.events.message("boss", "/list") for _ in range(5)])
    assert "repeated_text" not in _violations(results)
    assert store.staff_alerts(c.runtime.community_id) == []


def test_a_members_repeated_commands_are_no_repeated_text_but_a_burst_is_flooding(
    store: Store, store_clock: FrozenClock
) -> None:
    c = community(store, store_clock)
    asked = c.engine.process([c.events.message("ann", "/rank") for _ in range(5)])
    assert _violations(asked) == []
    # An unknown "command" is ordinary text, and twenty known ones in seconds are a flood.
    typed = c.engine.process([c.events.message("bob", "/newtea please") for _ in range(5)])
    assert "repeated_text" in _violations(typed)
    c.events.step = timedelta(seconds=1)
    burst = c.engine.process([c.events.message("carl", "/rank") for _ in range(20)])
    assert "flooding" in _violations(burst)


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)  # a decision, not a query
def test_a_members_own_words_repeated_in_a_command_are_repeated_text_its_names_are_not(
    store: Store, store_clock: FrozenClock
) -> None:
    """Every command was skipped by the repeated-text rule, so `/vote 2 <the same ad>` posted
    again and again was never repetition. A member's own words after a command are read as a
    message's text now (with whatever option number); the command's name (`/rank`), the
    option voted (`/vote 2`, `/vote 下午四点`) and staff's commands are not."""
    c = community(store, store_clock, scorer=None)  # the rules alone: no ad found in the words
    c.manager("boss")
    c.engine.process([c.events.message("boss", "/poll 周六茶会几点 | 下午两点 | 下午四点")])
    said = "周末来我店里坐坐看看新到的货"
    spammed = c.engine.process([c.events.message("spam", f"/vote {n % 2 + 1} {said}")
                                for n in range(5)])  # fmt: skip
    assert "repeated_text" in _violations(spammed)
    noted = c.engine.process([c.events.message("mei", f"/打卡 {said}") for _ in range(5)])
    assert "repeated_text" in _violations(noted)
    voted = [*(c.events.message("ann", "/vote 2") for _ in range(5)),
             *(c.events.message("bob", "/vote 下午四点") for _ in range(5)),
             *(c.events.message("carl", "/rank") for _ in range(5)),
             *(c.events.message("boss", f"/rank {said}") for _ in range(5))]  # fmt: skip
    assert _violations(c.engine.process(voted)) == []


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)  # a decision, not a query
def test_the_same_words_after_a_join_with_another_quantity_are_repeated_text(
    store: Store, store_clock: FrozenClock
) -> None:
    """The repeat window dropped short numbers from a member's command but not its own forms:
    `/参加 西兰花 2份 <an ad>`, `… x3 <an ad>`, `… 4个 <an ad>` were three texts, so the ad
    repeated unseen. What the command reads as its own (the quantity) is left out of the
    text compared, as it is of what the scorer judges; members joining again and again with
    other quantities, and other members joining alike, name only the list's item."""
    c = community(store, store_clock, scorer=None)  # the rules alone: no ad found in the words
    c.manager("boss")
    c.engine.process([c.events.message("boss", "/signup 周末团购 | 西兰花 ¥12 | 氨基酸洁面 ¥69")])
    said = "周末来我店里坐坐看看新到的货"
    quantities = ["2份", "x3", "4个", "1500份", "2 boxes"]
    spammed = c.engine.process([c.events.message("spam", f"/参加 西兰花 {q} {said}")
                                for q in quantities])  # fmt: skip
    assert "repeated_text" in _violations(spammed)
    joined = [c.events.message(name, f"/参加 西兰花 {q}")
              for name in ("ann", "bob", "carl") for q in quantities]  # fmt: skip
    assert _violations(c.engine.process(joined)) == []


def test_a_slash_that_names_no_command_does_not_hide_an_ad(
    store: Store, store_clock: FrozenClock
) -> None:
    c = community(store, store_clock)
    ad = "/win FREE entry to our weekly prize draw, txt WIN to claim your cash prize now"
    results = c.engine.process([c.events.message("spam", ad)])
    assert "advertising" in _violations(results)


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)  # a decision, not a query
def test_a_members_words_after_a_command_are_read_as_a_message_staff_commands_are_not(
    store: Store, store_clock: FrozenClock
) -> None:
    """A command word hid an ad from the learned scorer: `/rank …` stayed in the group. A
    member's words after a command that takes none, takes free text, or is not theirs to use
    are now judged like a message; the command's own name never (`/claim` is SMS-spam talk
    to the scorer), nor the names a command takes, nor staff's commands."""
    c = community(store, store_clock)
    c.manager("boss")
    ad = "需要代购韩国化妆品的姐妹找我"
    for n, hiding in enumerate((f"/rank {ad}", f"/打卡 {ad}", f"/warn @ann {ad}")):
        [hidden] = c.engine.process([c.events.message(f"spam{n}", hiding)])
        assert {ActionKind.STRIKE, ActionKind.DELETE} <= {a.kind for a in hidden.actions}
        assert "advertising" in _violations([hidden]), hiding
    # (a group-buy's item that reads as an ad to the scorer, `/join 院长精选·秋冬保湿`, is
    # spared where the group has that list: the test of what a command's words name)
    ordinary = ["/rank", "/checkin", "/打卡 今天练了一页", "/checkin 喝了八杯水💧",
                "/claim Tea Master", "/help", "/vote 2"]  # fmt: skip
    used = c.engine.process([c.events.message(f"ann{i}", text) for i, text in enumerate(ordinary)])
    assert _violations(used) == []
    staff = c.engine.process([
        c.events.message("boss", "/poll 周六团购 | 玻尿酸面膜 89 | 氨基酸洁面 69"),
        c.events.message("boss", f"/rank {ad}"),
    ])  # fmt: skip
    assert ActionKind.STRIKE not in {a.kind for r in staff for a in r.actions}
    assert store.staff_alerts(c.runtime.community_id) == []


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)  # a decision, not a query
def test_a_name_taken_unreported_is_read_when_the_member_edits_a_message(
    store: Store, store_clock: FrozenClock
) -> None:
    """Telegram tells a bot no rename: a member who renamed to `Admin` and only edited old
    messages (`edited_message` carries her name now) was never reported — moderation read
    names on messages, joins and renames, not edits. Once per name still."""
    c = community(store, store_clock, scorer=None)  # the rules alone read a name
    c.engine.process([c.events.join("kim", name="Kim"),
                      c.events.message("kim", "hello", name="Kim", event_id="m1")])  # fmt: skip
    [edited] = c.engine.process([c.events.edit("kim", "m1", "hello!", name="Admin")])
    assert ActionKind.ALERT_STAFF in [a.kind for a in edited.actions]
    reported = _name_alerts(store, c.runtime.community_id)
    assert len(reported) == 1 and "Admin — display name impersonates staff" in reported[0]
    assert "edited a message under this name" in reported[0]
    c.engine.process([c.events.edit("kim", "m1", "hello!!", name="Admin"),
                      c.events.message("kim", "hi", name="Admin")])  # fmt: skip
    assert len(_name_alerts(store, c.runtime.community_id)) == 1, "once per name"


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)  # a decision, not a query
def test_a_member_back_to_a_reported_name_after_a_day_is_reported_again(
    store: Store, store_clock: FrozenClock
) -> None:
    """A member reported for `Admin` who took a fine name and came back to `Admin` was never
    reported again, whatever the days between (staff who marked the alert handled when she
    renamed never learnt she was back). Now again after a day; within the day the first
    alert is fresh in the inbox (a member flipping between names is told once); never for a
    name kept, however many messages and restarts."""
    c = community(store, store_clock, scorer=None)  # the rules alone read a name
    community_id = c.runtime.community_id
    c.engine.process([c.events.join("kim", name="Admin")])
    assert len(_name_alerts(store, community_id)) == 1
    c.engine.process([c.events.rename("kim", "Kim"), c.events.rename("kim", "Admin")])
    assert len(_name_alerts(store, community_id)) == 1, "back within the day: the alert is fresh"
    later = c.events.now + timedelta(days=1, hours=1)
    c.engine.process([c.events.rename("kim", "Kim", at=later),
                      c.events.rename("kim", "Admin", at=later + timedelta(minutes=5))])  # fmt: skip
    reported = _name_alerts(store, community_id)
    assert len(reported) == 2 and "Admin — display name impersonates staff" in reported[1]
    assert "just took this name" in reported[1]
    # a QQ card is per group: `Admin` here and `Bob` in another group is no coming back
    c.events.now = later + timedelta(days=2)
    c.engine.process([c.events.message("kim", "hi", name="Bob", group="g2"),
                      c.events.message("kim", "hi", name="Admin"),
                      c.events.message("kim", "hi", name="Admin", group="g3"),
                      c.events.message("kim", "hi", name="Bob", group="g2"),
                      c.events.message("kim", "hi", name="Admin")])  # fmt: skip
    assert len(_name_alerts(store, community_id)) == 2, "a name kept is not reported again"
    c.restart()
    c.events.now = later + timedelta(days=3)
    c.engine.process([c.events.message("kim", "still me", name="Admin")])
    assert len(_name_alerts(store, community_id)) == 2, "nor after a restart"


def _name_alerts(store: Store, community_id: int) -> list[str]:
    """The texts of the alerts about display names, oldest first."""
    alerts = store.staff_alerts(community_id, open_only=False)
    return [a.text for a in reversed(alerts) if a.violation == "nickname"]


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)  # a decision, not a query
def test_a_display_name_posing_as_staff_is_reported_once_as_it_is_taken(
    store: Store, store_clock: FrozenClock
) -> None:
    """QQ cards, Telegram and Matrix names cannot be refused as the web chat refuses `客服` or
    `[admin]`, and were not checked at all: a member named `官方客服小美` reads as staff to
    the newcomers they write to privately. Staff are told, once per member and name, when
    the member joins, renames (a carrier that says so) or first speaks under it (Telegram
    tells no rename); only told by default. Names with such a word inside a phrase, a staff
    title as an everyday word, and staff themselves are not reported."""
    c = community(store, store_clock, scorer=None)  # the rules alone read a name
    community_id = c.runtime.community_id

    def reported() -> list[str]:
        alerts = store.staff_alerts(community_id, open_only=False)
        return [a.text for a in reversed(alerts) if a.violation == "nickname"]

    [joined] = c.engine.process([c.events.join("fake", name="官方客服小美")])
    assert ActionKind.ALERT_STAFF in [a.kind for a in joined.actions]
    assert "display name impersonates staff" in reported()[0] and "just joined" in reported()[0]
    [said] = c.engine.process([c.events.message("fake", "大家好", name="官方客服小美")])
    assert ActionKind.ALERT_STAFF not in [a.kind for a in said.actions]
    assert len(reported()) == 1
    c.engine.process([c.events.join("kim", name="Kim"), c.events.message("kim", "hi", name="Kim")])
    c.engine.process([c.events.rename("kim", "Admin-2")])
    assert len(reported()) == 2 and "Admin-2" in reported()[1]
    # Telegram tells no rename: the name is read at the next message
    [bo] = c.engine.process([c.events.message("bo", "hello", name="[Manager] Bo")])
    assert ActionKind.ALERT_STAFF in [a.kind for a in bo.actions]
    assert len(reported()) == 3 and "[Manager] Bo" in reported()[2]
    for n, fine in enumerate(("System of a Down fan", "Content Creator", "时间管理达人")):
        c.engine.process([c.events.join(f"ok{n}", name=fine),
                          c.events.message(f"ok{n}", "hello", name=fine)])  # fmt: skip
    group = store.group_for_carrier("fake", "g1")
    assert group is not None
    store.set_role(c.member_id("kim"), group.id, "manager")
    c.restart()
    c.engine.process([c.events.rename("kim", "Manager Kim | 官方客服"),
                      c.events.message("kim", "welcome all", name="Manager Kim | 官方客服")])  # fmt: skip
    assert len(reported()) == 3, "staff wear titles and authority words"


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)  # a decision, not a query
def test_words_a_command_looks_up_that_name_nothing_are_judged_the_communitys_names_are_not(
    store: Store, store_clock: FrozenClock
) -> None:
    """`/报名 <an ad>` and `/tag <an ad>` stayed in the group when only the learned scorer
    would flag the words: names a command looks up were never judged. Words that name no
    event and no tag are the member's own now; `/rsvp 周六护肤沙龙` (the scorer's 0.95 on
    its own) names the community's event and is left alone, as is `/tag 肤质 油皮`."""
    extra = ("activities:\n  - {id: salon, name: 周六护肤沙龙, when: 2026-12-20 14:00}\n"
             "mechanisms:\n  tags:\n    - {name: skin_type, values: [干皮, 油皮]}\n")  # fmt: skip
    c = community(store, store_clock, playbook(extra))
    ad = "需要代购韩国化妆品的姐妹找我"
    for n, hiding in enumerate((f"/报名 {ad}", f"/rsvp {ad}", f"/tag {ad}", f"/unrsvp {ad}",
                                f"/untag skin_type {ad}")):  # fmt: skip
        [hidden] = c.engine.process([c.events.message(f"spam{n}", hiding)])
        assert {ActionKind.STRIKE, ActionKind.DELETE} <= {a.kind for a in hidden.actions}, hiding
        assert "advertising" in _violations([hidden]), hiding
    ordinary = ["/rsvp 周六护肤沙龙", "/报名 salon", "/报名 护肤沙龙", "/tag 肤质 油皮",
                "/untag skin_type", "/rsvp"]  # fmt: skip
    used = c.engine.process([c.events.message(f"ann{i}", text) for i, text in enumerate(ordinary)])
    assert _violations(used) == []
    assert store.staff_alerts(c.runtime.community_id) == []


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)  # a decision, not a query
def test_words_after_any_members_command_that_name_nothing_are_judged_its_arguments_are_not(
    store: Store, store_clock: FrozenClock
) -> None:
    """`/vote`, `/join`, `/cancel`, `/redeem`, `/claim` and `/release` left a member's words
    to the rules alone: `/vote 2 <an ad>` stood in the group with only the learned scorer to
    catch it; so did a reply to an open list, `+1 <an ad>`. What of their words names nothing
    the community has is judged like a message; a poll's option, a sign-up item with its
    quantity, a reward or a title named is not, though each reads as an ad to the scorer."""
    extra = ("mechanisms:\n  points:\n    rewards: [{id: free-shipping, name: 包邮券, cost: 5}]\n"
             "  titles: [{name: 免费体验课}]\n")  # fmt: skip
    c = community(store, store_clock, playbook(extra))
    c.manager("boss")
    staff = c.engine.process([
        c.events.message("boss", "/poll 下期活动 | 新品试用装免费领 | 满减优惠券"),
        c.events.message("boss", "/signup 周末团购 | 院长精选·秋冬保湿 ¥89 | 氨基酸洁面 ¥69"),
    ])  # fmt: skip
    assert ActionKind.STRIKE not in {a.kind for r in staff for a in r.actions}
    ad = "需要代购韩国化妆品的姐妹找我"
    hiding = [f"/vote 2 {ad}", f"/投 {ad}", f"/join {ad}", f"/参加 院长精选·秋冬保湿 x2 {ad}",
              f"/cancel {ad}", f"/redeem {ad}", f"/兑换 包邮券 {ad}", f"/claim {ad}",
              f"/release {ad}", f"/award @ann 10 {ad}", f"/points {ad}",
              # and the bare replies an open list reads: the ad was its entry's note
              f"+1 {ad}", f"+1 院长精选·秋冬保湿 {ad}", f"接龙 {ad}", f"-1 {ad}"]  # fmt: skip
    for n, text in enumerate(hiding):
        [hidden] = c.engine.process([c.events.message(f"spam{n}", text)])
        assert {ActionKind.STRIKE, ActionKind.DELETE} <= {a.kind for a in hidden.actions}, text
        assert "advertising" in _violations([hidden]), text
    ordinary = ["/vote 新品试用装免费领", "/vote 2", "/投 1", "/join 院长精选·秋冬保湿 x2",
                "/参加 院长精选·秋冬保湿 2份", "/cancel 院长精选·秋冬保湿", "/redeem 包邮券",
                "/兑换 free-shipping", "/claim 免费体验课", "/release 免费体验课",
                "+1 院长精选·秋冬保湿 2份", "接龙 院长精选·秋冬保湿", "2"]  # fmt: skip
    used = c.engine.process([c.events.message(f"ann{i}", text) for i, text in enumerate(ordinary)])
    assert _violations(used) == []
    # a join just after the list closed names its item still
    c.engine.process([c.events.message("boss", "/closelist")])
    [late] = c.engine.process([c.events.message("bob", "/参加 院长精选·秋冬保湿")])
    assert _violations([late]) == []
    assert store.staff_alerts(c.runtime.community_id) == []


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)  # a decision, not a query
def test_a_member_redeeming_or_joining_what_the_playbook_names_is_not_struck_as_an_ad(
    store: Store, store_clock: FrozenClock
) -> None:
    """`/兑换 包邮券` (the repurchase template's reward), `/兑换 院长一对一肤质诊断（15 分钟）`
    (the skincare template's) and `/报名` of an event so named were deleted with a strike
    (offer wording: the command's name 兑换 beside 一对一 or 包邮 read as a seller's line),
    and the reward was never given. Words naming the community's own reward, title or event
    are the community's; an ad written after the command, or instead of a name, still is one."""
    extra = ("activities:\n  - {id: consult, name: 院长一对一肤质诊断, when: 2026-12-20 14:00}\n"
             "mechanisms:\n  points:\n    rewards:\n"
             "      - {id: ship, name: 包邮券, cost: 10}\n"
             "      - {id: review, name: 院长一对一肤质诊断（15 分钟）, cost: 100}\n"
             "  titles:\n    - {name: 包邮委员, duty: 每周整理包邮好物}\n")  # fmt: skip
    c = community(store, store_clock, playbook(extra))
    ordinary = ["/兑换 包邮券", "/兑换 院长一对一肤质诊断（15 分钟）", "/redeem review",
                "/报名 院长一对一肤质诊断", "/认领 包邮委员"]  # fmt: skip
    used = c.engine.process([c.events.message(f"ann{i}", text) for i, text in enumerate(ordinary)])
    assert _violations(used) == []
    assert not any(a.kind is ActionKind.DELETE for r in used for a in r.actions)
    assert store.staff_alerts(c.runtime.community_id) == []
    ad = "需要代购韩国化妆品的姐妹找我"
    for n, hiding in enumerate((f"/兑换 包邮券 {AD}", f"/兑换 {ad}", f"/认领 {ad}",
                                f"/报名 院长一对一肤质诊断 {AD}")):  # fmt: skip
        [hidden] = c.engine.process([c.events.message(f"spam{n}", hiding)])
        assert {ActionKind.STRIKE, ActionKind.DELETE} <= {a.kind for a in hidden.actions}, hiding
        assert "advertising" in _violations([hidden]), hiding


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)  # a decision, not a query
def test_a_command_typed_without_its_slash_naming_the_communitys_own_is_not_struck(
    store: Store, store_clock: FrozenClock
) -> None:
    """Members in Chinese circles type `兑换 包邮券` without the slash: read as a message it is
    a seller's line (兑换 beside 包邮), and the member redeeming a reward was struck. A message
    that is a member's command word followed only by what the community names (a reward, a
    title, a sign-up's item) is spared as the slash form is, also typed again when the bot
    did not answer; an ad after the name, or instead of it, is still struck. A reward's name
    mistyped by one character (`/兑换 包邮劵`) was struck too; the member now reads that
    there is no such reward, with the rewards' list."""
    extra = ("mechanisms:\n  points:\n    rewards:\n"
             "      - {id: ship, name: 包邮券, cost: 10}\n"
             "      - {id: review, name: 院长一对一肤质诊断（15 分钟）, cost: 100}\n"
             "  titles:\n    - {name: 包邮委员, duty: 每周整理包邮好物}\n")  # fmt: skip
    c = community(store, store_clock, playbook(extra))
    ordinary = ["兑换 包邮券", "兑换包邮券", "/兑换包邮券", "兑换 院长一对一肤质诊断（15 分钟）",
                "认领 包邮委员", "redeem 包邮券", "/兑换 包邮劵"]  # fmt: skip
    used = c.engine.process([c.events.message(f"ann{i}", text) for i, text in enumerate(ordinary)])
    assert _violations(used) == []
    assert not any(a.kind is ActionKind.DELETE for r in used for a in r.actions)
    [mistyped] = [a.text for a in used[-1].actions if a.kind is ActionKind.REPLY]
    assert "no such reward" in (mistyped or "") and "包邮券" in (mistyped or "")
    again = c.engine.process([c.events.message("bob", "兑换 包邮券") for _ in range(5)])
    assert _violations(again) == []
    alerts = store.staff_alerts(c.runtime.community_id)
    assert [a for a in alerts if a.handler == "moderation"] == []
    for n, hiding in enumerate(("兑换 包邮券 加我微信 abc123", f"兑换 包邮券 {AD}",
                                "兑换 需要代购韩国化妆品的姐妹找我", "/兑换 包邮劵 加我微信 abc123")):  # fmt: skip
        [hidden] = c.engine.process([c.events.message(f"spam{n}", hiding)])
        assert {ActionKind.STRIKE, ActionKind.DELETE} <= {a.kind for a in hidden.actions}, hiding


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)  # a decision, not a query
def test_a_message_that_is_only_a_name_the_community_gave_is_not_struck_on_the_scorers_guess(
    store: Store, store_clock: FrozenClock
) -> None:
    """A member who typed just `包邮券`, the community's own reward, was struck as an ad by the
    learned scorer (0.97). A whole message that is nothing but a reward's, title's or poll
    option's name (spaces and signs aside) is spared the scorer's guess; one that says more
    beside the name is judged as before."""
    extra = ("mechanisms:\n  points:\n    rewards:\n"
             "      - {id: ship, name: 包邮券, cost: 10}\n"
             "  titles:\n    - {name: 包邮委员, duty: 每周整理包邮好物}\n")  # fmt: skip
    c = community(store, store_clock, playbook(extra))
    ordinary = ["包邮券", "包邮券！", "包邮 券", "包邮委员"]
    used = c.engine.process([c.events.message(f"ann{i}", text) for i, text in enumerate(ordinary)])
    assert _violations(used) == []
    assert not any(a.kind is ActionKind.DELETE for r in used for a in r.actions)
    assert store.staff_alerts(c.runtime.community_id) == []
    hiding_ads = ("包邮券 加V abc123", f"包邮券 {AD}", "包邮券 需要代购韩国化妆品的姐妹找我")
    for n, hiding in enumerate(hiding_ads):
        [hidden] = c.engine.process([c.events.message(f"spam{n}", hiding)])
        assert {ActionKind.STRIKE, ActionKind.DELETE} <= {a.kind for a in hidden.actions}, hiding


def test_a_misfit_nickname_is_reported_once_per_name_not_every_day(
    store: Store, store_clock: FrozenClock
) -> None:
    """Staff are told once about a display name that breaks the format: not again the next
    day, nor after a restart, nor after they marked it handled in the inbox (a month gave
    60 of 111 alerts for 4 members); again when the member takes another name that breaks
    it. The daily repeat this replaces was pinned here before."""
    text = (MINIMAL + RULES).replace("Europe/London", "Asia/Shanghai")
    pb = parse_playbook(text + "joining:\n  ceremony:\n    nickname_format: 城市-昵称-行业\n")
    c = community(store, store_clock, pb.playbook)
    joined = datetime(2026, 12, 6, 12, 0, tzinfo=UTC)  # 20:00 in Shanghai
    c.engine.process([c.events.join("u1", name="bob", at=joined)])
    c.engine.process([c.events.message("u1", "同意", name="bob", at=joined)])
    community_id = c.runtime.community_id

    def say(at: datetime, name: str = "bob") -> None:
        store_clock.set(at)
        c.engine.process([c.events.message("u1", "大家好", name=name, at=at)])

    def inbox() -> list[str]:
        alerts = store.staff_alerts(community_id, open_only=False)
        return [a.text for a in reversed(alerts) if a.violation == "nickname"]

    day = datetime(2026, 12, 6, 23, 30, tzinfo=UTC)  # 07:30 on the 7th in Shanghai
    say(day)
    assert len(inbox()) == 1 and "bob" in inbox()[0]
    for n in range(1, 5):  # the days after: the same name, nothing new
        say(day + timedelta(days=n))
    assert len(inbox()) == 1
    c.runtime = runtime_for(store, pb.playbook)  # a new process: the handlers' memory is gone
    c.restart()
    say(day + timedelta(days=5))
    assert len(inbox()) == 1
    [alert] = store.staff_alerts(community_id)
    store.handle_alert(alert.id, "manager", day + timedelta(days=5, hours=1))
    say(day + timedelta(days=6))
    assert len(inbox()) == 1 and store.staff_alerts(community_id) == []
    say(day + timedelta(days=7), name="bob the runner")  # another name, still no parts
    assert len(inbox()) == 2 and "bob the runner" in inbox()[1]
    say(day + timedelta(days=8), name="上海-bob-设计")  # fits: nothing
    assert len(inbox()) == 2


def test_a_newcomer_has_the_grace_to_rename_before_their_nickname_counts(
    store: Store, store_clock: FrozenClock
) -> None:
    """`rules.violations.nickname.grace`: a newcomer who speaks within it (3 hours here) under
    a name that breaks the format is not reported yet; past it, staff are told."""
    text = (MINIMAL + RULES).replace("Europe/London", "Asia/Shanghai")
    graced = text.replace("rules:\n", "rules:\n  violations:\n    nickname: {grace: 3h}\n", 1)
    pb = parse_playbook(graced + "joining:\n  ceremony:\n    nickname_format: 城市-昵称-行业\n")
    c = community(store, store_clock, pb.playbook)
    joined = datetime(2026, 12, 6, 12, 0, tzinfo=UTC)
    c.engine.process([c.events.join("u1", name="bob", at=joined)])

    def reported_after(hours: float) -> int:
        at = joined + timedelta(hours=hours)
        store_clock.set(at)
        c.engine.process([c.events.message("u1", "大家好", name="bob", at=at)])
        alerts = store.staff_alerts(c.runtime.community_id, open_only=False)
        return len([a for a in alerts if a.violation == "nickname"])

    assert reported_after(2) == 0, "within the 3 hours' grace"
    assert reported_after(3.5) == 1


def test_a_display_name_that_advertises_is_reported_on_joining_once(
    store: Store, store_clock: FrozenClock
) -> None:
    """On carriers whose names the bot cannot refuse (QQ cards, Telegram and Matrix names), an
    ad account joins to be seen in the member list: staff are told when it joins, with what
    the rules found, and not again when it speaks under that name; a member who later takes
    an advertising name is reported at their next message. Ordinary names, and names the
    learned scorer alone would call shop ads, are not reported."""
    c = community(store, store_clock)
    community_id = c.runtime.community_id

    def reported() -> list[str]:
        alerts = store.staff_alerts(community_id, open_only=False)
        return [a.text for a in reversed(alerts) if a.violation == "nickname"]

    [arrived] = c.engine.process([c.events.join("ad", name="加V信 ab12345 领福利")])
    [alert] = [a for a in arrived.actions if a.kind is ActionKind.ALERT_STAFF]
    assert "advertising in the display name" in (alert.text or "") and "just joined" in (
        alert.text or ""
    )
    assert reported() == [alert.text]
    c.engine.process([c.events.message("ad", "大家好", name="加V信 ab12345 领福利")])
    assert len(reported()) == 1, "one alert per name, not one more when it speaks"

    c.engine.process([c.events.join("mei", name="上海-小美-美妆护肤店主")])
    c.engine.process([c.events.message("mei", "同意", name="上海-小美-美妆护肤店主")])
    assert len(reported()) == 1, "a member's `城市-昵称-行业` name is no ad"

    # a rename the carrier reports (a QQ card, a Matrix or web chat name) is judged as it
    # happens: before, a member who renamed to an ad and said nothing was never reported
    [renamed] = c.engine.process([c.events.rename("mei", "小美 vx: mei8888")])
    assert {a.kind for a in renamed.actions} == {ActionKind.ALERT_STAFF}, "staff judge a name"
    assert len(reported()) == 2 and "小美 vx: mei8888" in reported()[1]
    assert "just took this name" in reported()[1]
    c.engine.process([c.events.rename("mei", "小美 vx: mei8888", group="g2")])  # another group
    [said] = c.engine.process([c.events.message("mei", "今天好冷", name="小美 vx: mei8888")])
    assert said.actions == () and len(reported()) == 2, "once per member and name"
