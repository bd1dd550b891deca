"""Staff moderate in the chat itself: `/warn`, `/mute`, `/ban`, `/pardon` (and `/警告`
`/禁言` `/封禁` `/解除`), pointed at a member by @-mention, `@name` or a reply; a member
without the permission is refused and nothing happens."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from hearthkeeper.clock import FrozenClock
from hearthkeeper.engine.actions import ActionKind
from hearthkeeper.engine.executor import Processed
from hearthkeeper.playbook import parse_playbook
from hearthkeeper.store import SanctionKind, Store
from hearthkeeper.testing.fake_carrier import Performed
from tests.engine_setup import RULES, Community, community
from tests.playbook_samples import MINIMAL

DAY = datetime(2026, 5, 1, 8, 0, tzinfo=UTC)
ACCEPTED = "joining:\n  ceremony:\n    accept_rules: false\n"  # they were here before
BOSS = "chat:boss (fake:boss)"
# how every notice of a strike or mute ends (capabilities/appeals/)
APPEAL = " If you think this is a mistake, send /appeal and why: staff will review it."
APPEAL_ZH = "如有异议，可发送「/申诉 理由」请管理员复核。"  # how the audit log names the manager who typed the command
NOT_FOUND = "I can't find the member you named: @-mention them or reply to their message."
BAD_DURATION = "Write how long after the member: 10m, 1h, 2d or 1h30m."


def said(processed: Sequence[Processed]) -> list[str]:
    return [a.text for p in processed for a in p.actions
            if a.kind in (ActionKind.REPLY, ActionKind.WARN) and a.text]  # fmt: skip


def start(store: Store, clock: FrozenClock, language: str = "en", rules: str = "") -> Community:
    """A community with managers `boss` and `mod` and members `bob` and `mei` in g1."""
    text = MINIMAL.replace("language: en", f"language: {language}") + RULES + rules + ACCEPTED
    clock.set(DAY)
    c = community(store, clock, parse_playbook(text).playbook)
    c.events.now = DAY
    group = store.add_group(c.runtime.community_id, "g1", "fake", "g1")
    for user, role in (("boss", "manager"), ("mod", "manager"), ("bob", None), ("mei", None)):
        member = store.member_for("fake", user, user)
        store.join(member.id, group.id, role=role, at=DAY - timedelta(days=30))
    return c


def say(c: Community, user: str, text: str, **extra: object) -> list[str]:
    c.clock.advance(timedelta(minutes=1))
    c.events.now = c.clock.now()
    event = replace(c.events.message(user, text), **extra)  # type: ignore[arg-type]
    return said(c.engine.process([event]))


def performed(c: Community) -> list[Performed]:
    """What the carrier did for the engine since the last look."""
    asyncio.run(c.engine.drain())
    done = list(c.carrier.performed)
    c.carrier.performed.clear()
    return done


def sanctions(c: Community, user: str) -> list[SanctionKind]:
    return [s.kind for s in c.store.active_sanctions(member_id=c.member_id(user),
                                                     now=c.clock.now())]  # fmt: skip


def audit(c: Community) -> list[tuple[str, str, str]]:
    return [(e.actor, e.action, e.target)
            for e in reversed(c.store.audit_log(c.runtime.community_id))]  # fmt: skip


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)  # a decision, not a query
def test_a_member_without_the_permission_is_refused_and_nothing_happens(
    store: Store, store_clock: FrozenClock
) -> None:
    c = start(store, store_clock)
    for command in ("/warn @bob rude", "/mute @bob 1h", "/ban @bob spam", "/pardon @bob",
                    "/禁言 @bob 10分钟", "/封禁 @bob"):  # fmt: skip
        name = command.split()[0]
        assert say(c, "mei", command) == [f"mei, only Creator, Manager can use '{name}'."]
    assert store.strikes(member_id=c.member_id("bob")) == []
    assert sanctions(c, "bob") == []
    assert [p.action.kind for p in performed(c)] == [ActionKind.REPLY] * 6
    assert audit(c) == []


def test_warn_climbs_the_ladder_as_a_broken_rule_would(
    store: Store, store_clock: FrozenClock
) -> None:
    c = start(store, store_clock)
    assert say(c, "boss", "/warn @bob posting ads") == [
        "bob, a moderator warned you (posting ads). Strike 1; next time: muted for 1 hour." + APPEAL
    ]
    [warning] = performed(c)
    assert (warning.action.kind, warning.action.member) == (ActionKind.WARN, "bob")
    assert "staff_warning" not in (warning.action.reason or "")
    # the second warning reaches the ladder's mute
    [text] = say(c, "boss", "/warn @bob again")
    assert text == "bob, a moderator warned you (again). Strike 2; next time you will be " \
        "removed.\nbob is muted for 1 hour (again)." + APPEAL  # fmt: skip
    mute = next(p.action for p in performed(c) if p.action.kind is ActionKind.MUTE)
    assert (mute.member, mute.duration) == ("bob", timedelta(hours=1))
    assert sanctions(c, "bob") == [SanctionKind.MUTE]
    # the third: removed and blacklisted, as the default ladder says
    c.clock.advance(timedelta(hours=1))
    say(c, "boss", "/警告 @bob")
    assert ActionKind.BAN in [p.action.kind for p in performed(c)]
    assert SanctionKind.BLACKLIST in sanctions(c, "bob")
    assert [(a, t) for who, a, t in audit(c) if who == BOSS][:3] == [
        ("warn", f"member {c.member_id('bob')}"),
        ("mute", f"member {c.member_id('bob')}"),
        ("warn", f"member {c.member_id('bob')}"),
    ]


def test_a_warning_and_a_pardon_count_at_once_with_the_rules_own_strikes(
    store: Store, store_clock: FrozenClock
) -> None:
    """bob has just spoken (the engine knows his strikes); straight after a staff warning his
    first advertisement is his second strike: muted. After a pardon, the next is a first."""
    c = start(store, store_clock)
    say(c, "bob", "hi all")
    say(c, "boss", "/warn @bob")
    [ad] = c.engine.process([c.events.message("bob", "加我微信 abc12345 低价出货")])
    assert ActionKind.MUTE in [a.kind for a in ad.actions]
    say(c, "mei", "hello")
    c.clock.advance(timedelta(hours=2))  # the mute is over
    say(c, "bob", "sorry")
    assert say(c, "boss", "/pardon @bob") == ["bob: latest strike taken back (1 left)."]
    [again] = c.engine.process([c.events.message("bob", "加我微信 abc12345 低价出货 2")])
    assert ActionKind.MUTE in [a.kind for a in again.actions], "strike 2 again, not 3"
    assert ActionKind.KICK not in [a.kind for a in again.actions]


def test_a_warning_in_the_same_batch_as_the_members_ad_counts_the_ads_strike(
    store: Store, store_clock: FrozenClock
) -> None:
    """bob's ad and boss's `/warn` arrive together (one batch, as on a busy group): the ad is
    strike 1, so the warning is strike 2 and brings the ladder's mute; a `/pardon` in the
    same batch as another ad takes back that ad's strike, not an older one."""
    c = start(store, store_clock)
    say(c, "bob", "hi all")
    c.clock.advance(timedelta(minutes=1))
    ad = c.events.message("bob", "加我微信 abc12345 低价出货")
    warn = replace(c.events.message("boss", "/warn @bob"), at=ad.at + timedelta(seconds=5))
    _, warned = c.engine.process([ad, warn])
    [text] = said([warned])
    assert "Strike 2" in text and "muted for 1 hour" in text
    assert ActionKind.MUTE in [p.action.kind for p in performed(c)]
    assert len(store.strikes(member_id=c.member_id("bob"))) == 2
    c.clock.advance(timedelta(hours=2))
    ad2 = replace(c.events.message("bob", "加我微信 abc12345 低价出货 2"), at=c.clock.now())
    pardon = replace(c.events.message("boss", "/pardon @bob"), at=ad2.at + timedelta(seconds=5))
    _, pardoned = c.engine.process([ad2, pardon])
    # the ad was strike 3 (removed and blacklisted): the pardon lifts that and takes it back
    assert said([pardoned]) == ["bob: taken off the blacklist; latest strike taken back (2 left)."]
    live = store.live_strikes(c.runtime.community_id, c.member_id("bob"), c.clock.now())
    assert live == 2


def test_mute_for_a_while_then_pardon(store: Store, store_clock: FrozenClock) -> None:
    c = start(store, store_clock)
    assert say(c, "boss", "/mute @bob 2h flooding") == [
        "bob is muted for 2 hours (flooding)." + APPEAL
    ]
    [mute] = [p.action for p in performed(c) if p.action.kind is ActionKind.MUTE]
    assert (mute.member, mute.duration) == ("bob", timedelta(hours=2))
    assert "flooding" in mute.reason
    # what bob posts while muted is removed
    [held] = c.engine.process([c.events.message("bob", "hello?", at=c.clock.now())])
    assert ActionKind.DELETE in [a.kind for a in held.actions]
    performed(c)
    assert say(c, "mod", "/解除 @bob") == ["bob: mute lifted."]
    assert {p.action.kind for p in performed(c)} == {ActionKind.REPLY, ActionKind.UNMUTE}
    assert sanctions(c, "bob") == []
    assert say(c, "mod", "/pardon @bob") == ["bob has no mute, ban or live strike to pardon."]
    assert [(who, action) for who, action, _ in audit(c)] == [
        (BOSS, "mute"),
        ("chat:mod (fake:mod)", "lift mute"),
    ]


def test_mute_without_a_duration_takes_the_ladders(store: Store, store_clock: FrozenClock) -> None:
    c = start(store, store_clock)
    assert say(c, "boss", "/禁言 @bob") == ["bob is muted for 1 hour." + APPEAL]
    assert say(c, "boss", "/mute @mei 30分钟") == ["mei is muted for 30 minutes." + APPEAL]


def test_a_typed_name_finds_the_member_whatever_its_case_or_width(
    store: Store, store_clock: FrozenClock
) -> None:
    """Staff type names as they come: `@xiaolu` and `@ＸＩＡＯＬＵ` (full width) for the
    member shown as "XiaoLu"; a member whose name is exactly what was typed comes first."""
    c = start(store, store_clock)
    [group] = store.list_groups(c.runtime.community_id)
    for user, shown in (("u7", "XiaoLu"), ("u8", "Lu"), ("u9", "LU")):
        store.join(store.member_for("fake", user, shown).id, group.id, at=DAY)
    assert say(c, "boss", "/mute @xiaolu 1h") == ["XiaoLu is muted for 1 hour." + APPEAL]
    assert say(c, "boss", "/warn @ＸＩＡＯＬＵ spam") == [
        "XiaoLu, a moderator warned you (spam). Strike 1; next time: muted for 1 hour." + APPEAL
    ]
    assert say(c, "boss", "/mute @LU 1h") == ["LU is muted for 1 hour." + APPEAL]
    # "Lu" and "LU" are both `@lu` once case is ignored: neither is taken for the other
    [shared] = say(c, "boss", "/mute @lu 1h")
    assert shared.startswith(
        "The name you typed is the name of 2 members here: nothing was done to anyone."
    )
    assert sanctions(c, "u8") == []
    assert sanctions(c, "u9") == [SanctionKind.MUTE]  # from `@LU`, exactly its name


def test_a_name_two_members_carry_bans_neither_and_a_reply_bans_the_one_meant(
    store: Store, store_clock: FrozenClock
) -> None:
    """A troublemaker takes an innocent member's exact name (stored names follow renames):
    `/ban @Alex` bans nobody — the newest Alex is the innocent one — and staff are told the
    name is two members', with when each last posted; `/ban` sent as a reply to the
    troublemaker's message bans them alone, and an @-mention still points at one."""
    c = start(store, store_clock)
    [group] = store.list_groups(c.runtime.community_id)
    for user, shown in (("u7", "Troll"), ("u8", "Alex")):  # Alex is the newer member
        store.join(store.member_for("fake", user, shown).id, group.id, at=DAY)
    c.engine.process([c.events.message("u8", "hello", name="Alex", at=DAY + timedelta(minutes=5))])
    c.engine.process([c.events.message("u7", "cheap followers", name="Alex", event_id="m-7",
                                       at=DAY + timedelta(minutes=10))])  # fmt: skip
    renamed = store.get_member(c.member_id("u7"))
    assert renamed is not None and renamed.display_name == "Alex"
    assert say(c, "boss", "/ban @Alex spam") == [
        "The name you typed is the name of 2 members here: nothing was done to anyone. Reply "
        "to a message of the one you mean with the command (or @-mention them by picking them "
        "in the chat).\n1. last posted 2026-05-01 09:05\n2. last posted 2026-05-01 09:10"
    ]  # the newest member first, in the community's time (London, summer time)
    [warned] = say(c, "boss", "/警告 @Alex")
    assert warned.startswith("The name you typed is the name of 2 members here: nothing was done")
    assert [p.action.kind for p in performed(c)] == [ActionKind.REPLY] * 2
    assert sanctions(c, "u7") == [] and sanctions(c, "u8") == []
    assert store.strikes(member_id=c.member_id("u8")) == []
    assert audit(c) == []
    assert say(c, "boss", "/ban", reply_to="m-7") == ["Alex is banned from g1."]
    bans = [p.action.member for p in performed(c) if p.action.kind is ActionKind.BAN]
    assert bans == ["u7"]
    assert sanctions(c, "u7") == [SanctionKind.BAN] and sanctions(c, "u8") == []
    assert say(c, "boss", "/mute @Alex 1h", mentions=("u8",)) == [
        "Alex is muted for 1 hour." + APPEAL
    ]
    assert sanctions(c, "u8") == [SanctionKind.MUTE]
    # `@` and a carrier id (the console shows it) points at that member alone too
    assert say(c, "boss", "/pardon @u7") == ["Alex: ban lifted."]
    assert sanctions(c, "u7") == [] and sanctions(c, "u8") == [SanctionKind.MUTE]


@pytest.mark.parametrize(
    ("innocent", "troll", "typed"),
    [
        ("Alex", "\u0410lex", "Alex"),  # a Cyrillic А: the innocent's name is the exact one
        ("小鹿", "小鹿\u200d", "小鹿"),  # a zero-width joiner after it, shown as 小鹿
        ("Alex", "Ａｌｅｘ", "Alex"),  # in full width, which staff cannot type
        ("alex", "\u0410lex", "Alex"),  # none exact: `alex` by case, `Аlex` by its look
    ],
)
def test_a_name_that_only_looks_the_same_bans_neither(
    innocent: str, troll: str, typed: str, store: Store, store_clock: FrozenClock
) -> None:
    """A troublemaker renames to a look-alike of an innocent member's name (a Cyrillic letter,
    an invisible character): staff type the name they read, `/ban @Alex`, and it banned the
    innocent member whose name it is exactly (or by case), never the troublemaker it was typed
    from. Now it bans neither and says two members read as that name."""
    c = start(store, store_clock)
    [group] = store.list_groups(c.runtime.community_id)
    for user, shown in (("u7", "Troll"), ("u8", innocent)):
        store.join(store.member_for("fake", user, shown).id, group.id, at=DAY)
    c.engine.process([c.events.message("u7", "cheap followers", name=troll, event_id="m-7",
                                       at=DAY + timedelta(minutes=10))])  # fmt: skip
    [answer] = say(c, "boss", f"/ban @{typed} spam")
    assert answer.startswith("The name you typed is the name of 2 members here: nothing was done")
    assert sanctions(c, "u7") == [] and sanctions(c, "u8") == []
    assert say(c, "boss", "/ban", reply_to="m-7") == [f"{troll} is banned from g1."]
    assert sanctions(c, "u7") == [SanctionKind.BAN] and sanctions(c, "u8") == []


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)  # a decision, not a query
def test_a_typed_name_the_bot_cannot_act_on_is_not_repeated_in_the_group(
    store: Store, store_clock: FrozenClock
) -> None:
    """A `@name` in a staff command may be a member's words: a Telegram @username the client
    put in, the display name of an ad account copied. When it found nobody, several members
    or not the replied-to one, the answer repeated it in the group (`I can't find
    @加微信…领福利`): the bot posted the ad under its own name. Now it says what went wrong
    without the name."""
    ad = "加微信ab12345领福利"
    c = start(store, store_clock)
    [group] = store.list_groups(c.runtime.community_id)
    for user in ("u7", "u8"):
        store.join(store.member_for("fake", user, ad).id, group.id, at=DAY)
    c.engine.process([c.events.message("bob", "hi all", event_id="m-1", at=DAY)])
    answers = [*say(c, "boss", f"/ban @{ad}"), *say(c, "boss", f"/warn @{ad}x spam"),
               *say(c, "boss", f"/mute @{ad} 1h", reply_to="m-1"),
               *say(c, "boss", f"/award @{ad}x 5")]  # fmt: skip
    assert answers[1] == NOT_FOUND and answers[3] == NOT_FOUND, answers
    assert answers[0].startswith("The name you typed is the name of 2 members here"), answers
    assert answers[2].startswith("You replied to a message of bob but typed a name"), answers
    assert len(answers) == 4 and not [a for a in answers if "ab12345" in a], answers
    assert sanctions(c, "u7") == [] and sanctions(c, "u8") == [] and sanctions(c, "bob") == []


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)  # a decision, not a query
def test_a_mute_length_that_is_a_picked_members_name_is_not_repeated(
    store: Store, store_clock: FrozenClock
) -> None:
    """A member picked in the chat (a Telegram mention of someone without a username, a
    Matrix pill) is their display name in the text, where `/mute` reads the length: the
    answer repeated it (`'加微信13812345678' is not a duration`), an ad account's name and
    number posted by the bot. The answer says what to write instead, without the word."""
    c = start(store, store_clock)
    [group] = store.list_groups(c.runtime.community_id)
    store.join(store.member_for("fake", "u7", "加微信13812345678").id, group.id, at=DAY)
    assert say(c, "boss", "/mute 加微信13812345678 1h", mentions=("u7",)) == [BAD_DURATION]
    assert say(c, "boss", "/mute 13812345678 1h", mentions=("u7",)) == [BAD_DURATION]
    assert sanctions(c, "u7") == []


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)  # a decision, not a query
def test_a_member_picked_in_the_chat_is_muted_for_the_length_typed_after_their_name(
    store: Store, store_clock: FrozenClock
) -> None:
    """Telegram (a member without a username) and Matrix (a pill) put a picked member's
    display name in the text, and `/mute Alice Smith 1h spam` was refused as "not a
    duration" (`/warn` took the name for its reason): the words the carrier says stand for
    the pick are read past; what follows is the length and the reason."""
    c = start(store, store_clock)
    [group] = store.list_groups(c.runtime.community_id)
    store.join(store.member_for("fake", "u7", "Alice Smith").id, group.id, at=DAY)
    picked = {"mentions": ("u7",), "mention_texts": ("Alice Smith",)}
    assert say(c, "boss", "/mute Alice Smith 2h flooding", **picked) == [
        "Alice Smith is muted for 2 hours (flooding)." + APPEAL
    ]
    [mute] = [p.action for p in performed(c) if p.action.kind is ActionKind.MUTE]
    assert (mute.member, mute.duration) == ("u7", timedelta(hours=2))
    assert "Alice Smith" not in mute.reason and "flooding" in mute.reason
    # a name that only starts like the pick's words is not taken for them
    store.join(store.member_for("fake", "u8", "Ann").id, group.id, at=DAY)
    assert say(c, "boss", "/mute Annabel 1h", mentions=("u8",), mention_texts=("Ann",)) == [
        BAD_DURATION
    ]


def test_a_name_reversed_by_a_right_to_left_override_bans_neither(
    store: Store, store_clock: FrozenClock
) -> None:
    """A troublemaker renames to "\u202eecilA", which chat clients show as "Alice"; it was
    kept as "ecilA" (the override taken out), so staff who typed the name they read,
    `/ban @Alice`, banned the innocent member called exactly "Alice". Now the name is kept as
    it reads, "Alice": the ban acts on nobody and staff are told two members carry it."""
    c = start(store, store_clock)
    [group] = store.list_groups(c.runtime.community_id)
    for user, shown in (("u7", "Troll"), ("u8", "Alice")):
        store.join(store.member_for("fake", user, shown).id, group.id, at=DAY)
    c.engine.process([c.events.message("u7", "cheap followers", name="\u202eecilA",
                                       event_id="m-7", at=DAY + timedelta(minutes=10))])  # fmt: skip
    [answer] = say(c, "boss", "/ban @Alice spam")
    assert sanctions(c, "u7") == [] and sanctions(c, "u8") == []
    assert answer.startswith(
        "The name you typed is the name of 2 members here: nothing was done to anyone."
    )
    assert [p.action.kind for p in performed(c)] == [ActionKind.REPLY]
    troll = store.get_member(c.member_id("u7"))
    assert troll is not None and troll.display_name == "Alice"  # staff read it as members do
    assert audit(c) == []
    assert say(c, "boss", "/ban", reply_to="m-7") == ["Alice is banned from g1."]
    assert sanctions(c, "u7") == [SanctionKind.BAN] and sanctions(c, "u8") == []


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)  # a decision, not a query
def test_a_shared_name_is_answered_in_the_communitys_language(
    store: Store, store_clock: FrozenClock
) -> None:
    c = start(store, store_clock, language="zh-CN")
    [group] = store.list_groups(c.runtime.community_id)
    for user in ("u7", "u8"):
        store.join(store.member_for("fake", user, "小鹿").id, group.id, at=DAY)
    c.engine.process([c.events.message("u7", "大家好", name="小鹿", at=DAY)])
    assert say(c, "boss", "/封禁 @小鹿") == [
        "你写的名字有 2 位成员都在用，没有对任何人执行。请回复要处理的那位成员的消息再发指令（或在聊天里"
        "选中对方来 @）。\n1. 未在本群发言\n2. 最近发言 2026-05-01 09:00"
    ]
    assert sanctions(c, "u7") == [] and sanctions(c, "u8") == []


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)  # a decision, not a query
def test_what_staff_type_on_a_phone_is_read_as_they_meant_it(
    store: Store, store_clock: FrozenClock
) -> None:
    """A reason on the next line, a full-width duration (a Chinese keyboard), a duration far
    too long; and what is echoed to the group carries nothing that reorders or hides text."""
    c = start(store, store_clock)
    assert say(c, "boss", "/warn @bob\nposting ads") == [
        "bob, a moderator warned you (posting ads). Strike 1; next time: muted for 1 hour." + APPEAL
    ]
    assert say(c, "boss", "/mute @mei １ｈ") == ["mei is muted for 1 hour." + APPEAL]
    assert say(c, "boss", "/mute @bob 9999999999h") == ["A mute lasts from 1 minute to 28 days."]
    [notice] = say(c, "boss", "/warn @mei \u202egnp.exe\u200b")
    assert "(gnp.exe)" in notice and "\u202e" not in notice and "\u200b" not in notice
    [unknown] = say(c, "boss", "/ban @" + "a" * 5000)
    assert unknown == NOT_FOUND
    assert say(c, "boss", "/mute @bob \u202eh1") == [BAD_DURATION]


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)  # a decision, not a query
def test_mute_and_ban_say_what_is_wrong(store: Store, store_clock: FrozenClock) -> None:
    c = start(store, store_clock)
    assert say(c, "boss", "/mute @bob soon") == [BAD_DURATION]
    assert say(c, "boss", "/mute @bob 30d") == ["A mute lasts from 1 minute to 28 days."]
    # Telegram would take a restriction under 30 seconds as one for ever
    assert say(c, "boss", "/mute @bob 10s") == ["A mute lasts from 1 minute to 28 days."]
    assert say(c, "boss", "/mute @bob 0m") == [BAD_DURATION]
    assert say(c, "boss", "/mute @nobody 1h") == [NOT_FOUND]
    assert say(c, "boss", "/ban @mod") == [
        "mod is Manager: staff cannot be warned, muted or banned by command."
    ]
    assert say(c, "boss", "/mute @mod 1h") == [
        "mod is Manager: staff cannot be warned, muted or banned by command."
    ]
    assert say(c, "boss", "/ban")[0].startswith("Usage: /ban @member reason")
    assert sanctions(c, "mod") == [] and sanctions(c, "bob") == []
    assert audit(c) == []


def test_ban_reaches_every_group_of_the_community_and_pardon_lifts_it(
    store: Store, store_clock: FrozenClock
) -> None:
    c = start(store, store_clock)
    g2 = store.add_group(c.runtime.community_id, "g2", "fake", "g2")
    store.join(c.member_id("bob"), g2.id, at=DAY)
    assert say(c, "boss", "/ban bob's ads", mentions=("bob",)) == [
        "bob is banned from g1, g2 (bob's ads)."
    ]
    bans = [p.action for p in performed(c) if p.action.kind is ActionKind.BAN]
    assert sorted((b.group, b.member) for b in bans) == [("g1", "bob"), ("g2", "bob")]
    assert sanctions(c, "bob") == [SanctionKind.BAN, SanctionKind.BAN]
    assert ("ban", f"member {c.member_id('bob')}") in [(a, t) for w, a, t in audit(c) if w == BOSS]
    assert say(c, "boss", "/pardon @bob") == ["bob: ban lifted."]
    unbans = [p.action.group for p in performed(c) if p.action.kind is ActionKind.UNBAN]
    assert sorted(unbans) == ["g1", "g2"]


def test_ban_as_a_reply_deletes_the_message_and_learns_it_as_spam(
    store: Store, store_clock: FrozenClock
) -> None:
    c = start(store, store_clock)
    pitch = "cheap followers, dm me"
    c.engine.process([c.events.message("bob", pitch, event_id="m-1", at=DAY)])
    assert say(c, "boss", "/封禁", reply_to="m-1") == ["bob is banned from g1."]
    done = performed(c)
    assert {(p.action.kind, p.action.target or p.action.member) for p in done} >= {
        (ActionKind.DELETE, "m-1"),
        (ActionKind.BAN, "bob"),
    }
    examples = store.moderation_examples()
    assert [(e.text, e.is_spam) for e in examples] == [(pitch, True)]


def test_warn_as_a_reply_deletes_the_message_and_says_it_in_chinese(
    store: Store, store_clock: FrozenClock
) -> None:
    c = start(store, store_clock, language="zh-CN")
    c.engine.process([c.events.message("bob", "大家好呀", event_id="m-2", at=DAY)])
    assert say(c, "boss", "/警告 别发广告", reply_to="m-2") == [
        "bob，管理员警告你（别发广告）。第 1 次违规，再次违规将被禁言 1 小时。" + APPEAL_ZH
    ]
    kinds = {(p.action.kind, p.action.target) for p in performed(c)}
    assert (ActionKind.DELETE, "m-2") in kinds
    assert [(e.text, e.is_spam) for e in store.moderation_examples()] == [("大家好呀", True)]
    assert say(c, "boss", "/禁言 @bob 一会儿")[0].startswith("成员后面要写禁言时长：请写 10m")
    assert say(c, "mei", "/解除 @bob") == ["mei，只有 创始人、管理员 可以使用「/解除」。"]
    assert say(c, "boss", "/解除 @bob") == ["bob：已撤销最近一次违规（还剩 0 次）。"]


def test_a_warning_counts_in_the_groups_violations_at_once(
    store: Store, store_clock: FrozenClock
) -> None:
    """The health figures count a staff warning as a violation of that day, live as the
    rebuild from the strikes does."""
    c = start(store, store_clock)
    group = store.group_for_carrier("fake", "g1")
    assert group is not None
    say(c, "boss", "/warn @bob")
    days = store.group_days([group.id], DAY.date(), DAY.date())
    assert [d.violations for d in days] == [1]
    store.rebuild_rollups([group.id])
    assert store.group_days([group.id], DAY.date(), DAY.date()) == days


@pytest.mark.parametrize("scope", ["community", "all"])
def test_pardon_lifts_the_communitys_blacklisting_and_says_what_is_left(
    store: Store, store_clock: FrozenClock, scope: str
) -> None:
    """Three warnings reach the default ladder's kick and blacklist; a pardon lifts the
    community's blacklisting and its bans. A blacklisting across every community stays, and
    the reply says where to lift it."""
    c = start(store, store_clock, rules=f"  blacklist_scope: {scope}\n")
    g2 = store.add_group(c.runtime.community_id, "g2", "fake", "g2")
    store.join(c.member_id("bob"), g2.id, at=DAY)
    for _ in range(3):
        c.clock.advance(timedelta(hours=2))  # each mute over before the next warning
        say(c, "boss", "/warn @bob")
    assert SanctionKind.BLACKLIST in sanctions(c, "bob")
    performed(c)
    [said] = say(c, "boss", "/pardon @bob")
    unbanned = sorted(p.action.group or "" for p in performed(c)
                      if p.action.kind is ActionKind.UNBAN)  # fmt: skip
    if scope == "community":
        assert said == "bob: taken off the blacklist; latest strike taken back (2 left)."
        assert unbanned == ["g1", "g2"] and sanctions(c, "bob") == []
    else:
        assert said == "bob: ban lifted; latest strike taken back (2 left); still blacklisted " \
            "in every community: lift that in the console."  # fmt: skip
        assert unbanned == ["g1", "g2"] and sanctions(c, "bob") == [SanctionKind.BLACKLIST]


def test_a_batch_of_staff_commands_reads_no_playbook_for_the_notices(
    store: Store, store_clock: FrozenClock
) -> None:
    """Each /warn, /mute and /ban read the community's playbook from the store again (up to
    three times a /warn: the deletion, the mute, the ban) only to learn the language its
    notices are in, which the engine running that playbook knows; the notices are unchanged."""
    from sqlalchemy import event as sql_event

    c = start(
        store,
        store_clock,
        language="zh-CN",
        rules="  ladder:\n    - {at: 1, do: [warn, mute], mute_for: 1h}\n",
    )
    seen: list[str] = []

    def note(conn: object, cursor: object, statement: str, *args: object) -> None:
        seen.append(statement)

    at = c.clock.now() + timedelta(minutes=1)
    batch = [c.events.message("boss", text, at=at + timedelta(seconds=n))
             for n, text in enumerate(("/警告 @bob 广告", "/禁言 @mei 1h", "/封禁 @bob 刷屏"))]  # fmt: skip
    sql_event.listen(store.engine, "before_cursor_execute", note)
    try:
        c.engine.process(batch)
    finally:
        sql_event.remove(store.engine, "before_cursor_execute", note)
    assert not [s for s in seen if "playbook_versions" in s]
    shown = sorted(p.action.reason for p in performed(c)
                   if p.action.kind in (ActionKind.MUTE, ActionKind.BAN))  # fmt: skip
    assert shown == ["已被管理员封禁：刷屏", "已被管理员禁言", "已被管理员禁言：广告"], (
        "in its language"
    )


def test_a_reply_that_also_mentions_its_author_deletes_the_message_as_a_bare_reply_does(
    store: Store, store_clock: FrozenClock
) -> None:
    """QQ puts an @ of the replied-to member into every reply: staff's `/ban` replying to an
    ad arrived as a mention, so bob was banned but his ad stayed in the group. Now a reply
    whose mention is its author's deletes the message; a mention of someone else acts on
    them and leaves the replied message alone (it is not theirs)."""
    c = start(store, store_clock)
    c.engine.process([c.events.message("bob", "cheap followers", event_id="m-1", at=DAY)])
    c.engine.process([c.events.message("mei", "hi all", event_id="m-2", at=DAY)])
    assert say(c, "boss", "/ban spam", reply_to="m-1", mentions=("bob",)) == [
        "bob is banned from g1 (spam)."
    ]
    assert {(p.action.kind, p.action.target or p.action.member) for p in performed(c)} >= {
        (ActionKind.DELETE, "m-1"), (ActionKind.BAN, "bob")}  # fmt: skip
    assert [(e.text, e.is_spam) for e in store.moderation_examples()] == [("cheap followers", True)]
    say(c, "boss", "/warn", reply_to="m-2", mentions=("bob",))
    done = [(p.action.kind, p.action.target or p.action.member) for p in performed(c)]
    assert (ActionKind.WARN, "bob") in done
    assert ActionKind.DELETE not in [kind for kind, _ in done], "mei's message is not bob's"


def test_a_reply_with_a_name_acts_on_the_replied_to_member_when_the_name_is_theirs(
    store: Store, store_clock: FrozenClock
) -> None:
    """Staff reply to the troublemaker's message and type the name they read, `/ban @Alex`:
    the typed name decided, and two members carry it, so nothing was done (an innocent Alex
    alone would have been banned). Now the reply says which Alex: the replied-to one is
    banned and their message deleted, as a bare reply does; a name that only reads the same
    (`@alex`) is theirs too."""
    c = start(store, store_clock)
    [group] = store.list_groups(c.runtime.community_id)
    for user, shown in (("u7", "Troll"), ("u8", "Alex")):
        store.join(store.member_for("fake", user, shown).id, group.id, at=DAY)
    c.engine.process([c.events.message("u7", "cheap followers", name="Alex", event_id="m-7",
                                       at=DAY + timedelta(minutes=10))])  # fmt: skip
    c.engine.process([c.events.message("u8", "hello", name="Alex", event_id="m-8",
                                       at=DAY + timedelta(minutes=11))])  # fmt: skip
    assert say(c, "boss", "/warn @alex spam", reply_to="m-8")[0].startswith(
        "Alex, a moderator warned you (spam)."
    )
    assert [(p.action.kind, p.action.target or p.action.member) for p in performed(c)][:2] == [
        (ActionKind.DELETE, "m-8"), (ActionKind.WARN, "u8")]  # fmt: skip
    assert say(c, "boss", "/ban @Alex spam", reply_to="m-7") == ["Alex is banned from g1 (spam)."]
    bans = [p.action.member for p in performed(c) if p.action.kind is ActionKind.BAN]
    assert bans == ["u7"]
    assert sanctions(c, "u7") == [SanctionKind.BAN] and sanctions(c, "u8") == []


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)  # a decision, not a query
def test_a_reply_to_one_member_naming_another_acts_on_neither_and_says_both(
    store: Store, store_clock: FrozenClock
) -> None:
    """Staff reply to bob's message and type `@mei`: mei was banned, bob's message stayed,
    and nothing told staff the reply was set aside. Now neither is touched, and the answer
    names both and how to point at one."""
    c = start(store, store_clock)
    c.engine.process([c.events.message("bob", "cheap followers", event_id="m-1", at=DAY)])
    assert say(c, "boss", "/ban @mei spam", reply_to="m-1") == [
        "You replied to a message of bob but typed a name that is not theirs: nothing was done "
        "to anyone. Reply to a message of the one you mean with the command and no name (or @ "
        "them without replying)."
    ]
    for command in ("/warn @mei", "/mute @mei 1h", "/pardon @mei", "/ban @u-unknown"):
        [answer] = say(c, "boss", command, reply_to="m-1")
        assert answer.startswith("You replied to a message of bob but typed a name"), answer
    assert [p.action.kind for p in performed(c)] == [ActionKind.REPLY] * 5
    assert sanctions(c, "bob") == [] and sanctions(c, "mei") == []
    assert store.strikes(member_id=c.member_id("mei")) == []
    assert store.moderation_examples() == [] and audit(c) == []
    # a reply to a message the bot never stored (its own, or from before it) leaves the name
    assert say(c, "boss", "/mute @mei 1h", reply_to="m-unknown") == [
        "mei is muted for 1 hour." + APPEAL
    ]


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)  # a decision, not a query
def test_a_reply_naming_another_is_refused_in_chinese(
    store: Store, store_clock: FrozenClock
) -> None:
    c = start(store, store_clock, language="zh-CN")
    c.engine.process([c.events.message("bob", "加我领红包", event_id="m-1", at=DAY)])
    assert say(c, "boss", "/封禁 @mei", reply_to="m-1") == [
        "你回复的是 bob 的消息，却写了别人的名字，不是同一个人，没有对任何人执行。"
        "请回复要处理的那位成员的消息再发指令，不写名字（或不回复，只 @ 对方）。"
    ]
    assert sanctions(c, "bob") == [] and sanctions(c, "mei") == []


def test_a_reply_to_a_message_of_the_same_batch_finds_it(
    store: Store, store_clock: FrozenClock
) -> None:
    """The ad and staff's reply to it reach the engine together (a backlog after a restart):
    the ad was not stored yet when the command looked for it, so a bare `/ban` reply found
    nobody and `/ban @mei` replying to bob's ad banned mei. Now the batch's messages are
    written before a command reads the one it replies to."""
    c = start(store, store_clock)
    c.clock.advance(timedelta(minutes=1))
    ad = c.events.message("bob", "cheap followers", event_id="m-1", at=c.clock.now())
    crossed = replace(c.events.message("boss", "/ban @mei spam", at=c.clock.now()),
                      reply_to="m-1")  # fmt: skip
    assert said(c.engine.process([ad, crossed]))[0].startswith(
        "You replied to a message of bob but typed a name that is not theirs"
    )
    assert sanctions(c, "mei") == [] and sanctions(c, "bob") == []
    c.clock.advance(timedelta(minutes=1))
    ad = c.events.message("bob", "cheap followers again", event_id="m-2", at=c.clock.now())
    bare = replace(c.events.message("boss", "/ban", at=c.clock.now()), reply_to="m-2")
    assert said(c.engine.process([ad, bare])) == ["bob is banned from g1."]
    assert sanctions(c, "bob") == [SanctionKind.BAN]
    assert (ActionKind.DELETE, "m-2") in {(p.action.kind, p.action.target) for p in performed(c)}
    kept = store.recent_messages(c.member_id("bob"), c.runtime.community_id)
    assert [(m.text, m.deleted_at is not None) for m in kept] == [
        ("cheap followers again", True), ("cheap followers", False)]  # fmt: skip
