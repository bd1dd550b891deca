"""Points: sharing once a day, staff awards (and refusals), the balance, and rewards redeemed
atomically — not with too few points, not beyond stock."""

from __future__ import annotations

from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from threading import Barrier

from hearthkeeper.capabilities.points.repository import RedeemOutcome, SqlPoints
from hearthkeeper.clock import FrozenClock
from hearthkeeper.engine.actions import ActionKind
from hearthkeeper.engine.events import Attachment
from hearthkeeper.engine.executor import Processed
from hearthkeeper.store import Store
from tests.engine_setup import Community, community, playbook

DAY = datetime(2026, 5, 1, 8, 0, tzinfo=UTC)
REWARDS = """\
mechanisms:
  points:
    share: 3
    event: 10
    rewards:
      - {id: mug, name: A tea mug, cost: 20, stock: 1}
      - {id: sticker, name: A sticker, cost: 5}
"""


def said(processed: Sequence[Processed]) -> list[str]:
    return [a.text for p in processed for a in p.actions
            if a.kind in (ActionKind.REPLY, ActionKind.SEND) and a.text]  # fmt: skip


def say(c: Community, user: str, text: str, at: datetime) -> list[str]:
    return said(c.engine.process([c.events.message(user, text, at=at)]))


def make_staff(c: Community, user: str, role: str = "manager") -> None:
    group = c.store.group_for_carrier("fake", "g1") or c.store.add_group(
        c.runtime.community_id, "g1", "fake", "g1"
    )
    member = c.store.member_for("fake", user, user)
    c.store.join(member.id, group.id, role=role, at=DAY - timedelta(days=30))


def test_sharing_a_picture_earns_points_once_a_day(store: Store, store_clock: FrozenClock) -> None:
    c = community(store, store_clock, playbook(REWARDS))
    first = c.engine.process([c.events.message("mei", "", kind="picture", at=DAY)])
    assert said(first) == ["📸 Thanks for sharing, mei! +3 points"]
    video = c.events.message("mei", "my routine", at=DAY + timedelta(hours=2),
                             attachments=(Attachment(kind="video"),))  # fmt: skip
    assert said(c.engine.process([video])) == [], "once a day"
    assert say(c, "mei", "just text", DAY + timedelta(hours=3)) == []
    later = c.engine.process(
        [c.events.message("mei", "", kind="picture", at=DAY + timedelta(days=1))]
    )
    assert said(later) == ["📸 Thanks for sharing, mei! +3 points"]
    assert SqlPoints.on(store).points_of(c.runtime.community_id, c.member_id("mei")) == 6


def test_a_member_cannot_award_points(store: Store, store_clock: FrozenClock) -> None:
    c = community(store, store_clock, playbook(REWARDS))
    say(c, "bob", "hello", DAY)
    assert say(c, "mei", "/award @bob 50 for being nice", DAY + timedelta(minutes=1)) == [
        "mei, only Creator, Manager can use '/award'."
    ]
    assert SqlPoints.on(store).points_of(c.runtime.community_id, c.member_id("bob")) == 0


def test_staff_award_points_for_an_event(store: Store, store_clock: FrozenClock) -> None:
    c = community(store, store_clock, playbook(REWARDS))
    make_staff(c, "boss")
    say(c, "mei", "hello", DAY)
    assert say(c, "boss", "/award @mei 15 came to the tasting", DAY + timedelta(minutes=1)) == [
        "🎁 mei gets 15 points (came to the tasting); balance 15."
    ]
    assert say(c, "boss", "/award @mei", DAY + timedelta(minutes=2)) == [
        "🎁 mei gets 10 points; balance 25."
    ], "the playbook's points.event when no number is given"
    assert say(c, "boss", "/award @mei -5 typo", DAY + timedelta(minutes=3)) == [
        "mei loses 5 points (typo); balance 20."
    ]
    assert (
        "can't find the member you named"
        in say(c, "boss", "/award @nobody 5", DAY + timedelta(minutes=4))[0]
    )
    assert "Usage: /award" in say(c, "boss", "/award", DAY + timedelta(minutes=5))[0]
    assert say(c, "boss", "/award @boss 5", DAY + timedelta(minutes=6)) == [
        "You cannot change your own points."
    ]


def test_an_amount_too_large_is_refused_not_taken_for_a_reason(
    store: Store, store_clock: FrozenClock
) -> None:
    """'/award @mei 1000000 …' gave the playbook's 10 points with '1000000 …' as the reason: an
    extra zero typed by mistake became a silent, wrong award. A reason on the next line, and
    full-width digits, are read as meant."""
    c = community(store, store_clock, playbook(REWARDS))
    make_staff(c, "boss")
    say(c, "mei", "hello", DAY)
    assert say(c, "boss", "/award @mei 1000000 big help", DAY + timedelta(minutes=1)) == [
        "An award is from -999999 to 999999 points."
    ]
    assert say(c, "boss", "/award @mei -99999999", DAY + timedelta(minutes=2)) == [
        "An award is from -999999 to 999999 points."
    ]
    # a member picked in the chat is their display name in the text (Telegram, Matrix): a
    # phone number there was repeated as the amount refused
    picked = c.events.message("boss", "/award 13812345678 5", at=DAY + timedelta(minutes=2),
                              mentions=("mei",))  # fmt: skip
    assert said(c.engine.process([picked])) == ["An award is from -999999 to 999999 points."]
    assert say(c, "boss", "/award @mei 15\ncame to the tasting", DAY + timedelta(minutes=3)) == [
        "🎁 mei gets 15 points (came to the tasting); balance 15."
    ]
    assert say(c, "boss", "/award @mei １５ \u202etasting", DAY + timedelta(minutes=4)) == [
        "🎁 mei gets 15 points (tasting); balance 30."
    ]


def test_staff_can_award_by_replying_or_mentioning(store: Store, store_clock: FrozenClock) -> None:
    c = community(store, store_clock, playbook(REWARDS))
    make_staff(c, "boss")
    c.engine.process([c.events.message("mei", "my first tea", at=DAY, event_id="m-1")])
    mention = c.events.message("boss", "/award 5 nice", at=DAY + timedelta(minutes=1),
                               mentions=("mei",))  # fmt: skip
    assert said(c.engine.process([mention])) == ["🎁 mei gets 5 points (nice); balance 5."]
    answer = replace(c.events.message("boss", "/award 2", at=DAY + timedelta(minutes=2)),
                     reply_to="m-1")  # fmt: skip
    assert said(c.engine.process([answer])) == ["🎁 mei gets 2 points; balance 7."]


def test_redeeming_needs_enough_points_and_stock(store: Store, store_clock: FrozenClock) -> None:
    c = community(store, store_clock, playbook(REWARDS))
    make_staff(c, "boss")
    say(c, "mei", "hi", DAY)
    say(c, "bob", "hi", DAY + timedelta(seconds=10))
    assert say(c, "mei", "/redeem mug", DAY + timedelta(minutes=1)) == [
        "Not enough points: 'A tea mug' costs 20, mei has 0."
    ]
    say(c, "boss", "/award @mei 30 event", DAY + timedelta(minutes=2))
    say(c, "boss", "/award @bob 30 event", DAY + timedelta(minutes=3))
    [redeemed] = c.engine.process(
        [c.events.message("mei", "/兑换 MUG", at=DAY + timedelta(minutes=4))]
    )
    kinds = [a.kind for a in redeemed.actions]
    assert ActionKind.ALERT_STAFF in kinds, "staff are told to hand it over"
    assert said([redeemed]) == [
        "🎁 mei redeemed A tea mug for 20 points; 10 left. Staff will be in touch."
    ]
    assert say(c, "bob", "/redeem mug", DAY + timedelta(minutes=5)) == [
        "'A tea mug' is all gone; send /points to see the other rewards."
    ]
    assert SqlPoints.on(store).points_of(c.runtime.community_id, c.member_id("bob")) == 30, (
        "nothing taken"
    )
    [balance] = say(c, "mei", "/points", DAY + timedelta(minutes=6))
    assert balance.splitlines() == [
        "💰 mei's points: 10", "Rewards (/redeem <id>):",
        "· mug A tea mug — 20 points (0 left)", "· sticker A sticker — 5 points",
    ]  # fmt: skip


def test_redeem_explains_what_it_needs(store: Store, store_clock: FrozenClock) -> None:
    c = community(store, store_clock, playbook(REWARDS))
    assert say(c, "mei", "/redeem", DAY)[0].startswith(
        "Usage: /redeem <reward id>. Rewards:\n· mug"
    )
    assert say(c, "mei", "/redeem teapot", DAY + timedelta(minutes=1))[0].startswith(
        "/redeem: there is no such reward. Rewards:\n· mug"
    )


def test_the_last_reward_goes_to_exactly_one_of_two_at_once(
    store: Store, store_clock: FrozenClock
) -> None:
    c = community(store, store_clock, playbook(REWARDS))
    say(c, "mei", "hi", DAY)
    say(c, "bob", "hi", DAY + timedelta(seconds=10))
    community_id = c.runtime.community_id
    members = [c.member_id("mei"), c.member_id("bob")]
    for member in members:
        store.award_points(community_id, member, 50, "event", DAY)
    start = Barrier(2)

    def redeem(member: int) -> RedeemOutcome:
        start.wait()
        return SqlPoints.on(store).redeem(community_id, member, "mug", 20, 1, DAY).outcome

    with ThreadPoolExecutor(2) as pool:
        outcomes = sorted(pool.map(redeem, members))
    assert outcomes == [RedeemOutcome.REDEEMED, RedeemOutcome.SOLD_OUT]
    assert SqlPoints.on(store).redeemed(community_id) == {"mug": 1}
    assert sorted(SqlPoints.on(store).points_of(community_id, m) for m in members) == [30, 50]


def test_words_naming_no_reward_are_never_repeated_to_the_group(
    store: Store, store_clock: FrozenClock
) -> None:
    """`/redeem` repeated up to 40 characters of what a member typed, in the bot's name:
    `/兑换 问问 8823` put the member's words in the group again (a right-to-left override
    reversed the bot's line before that). The answer names the command and the rewards."""
    c = community(store, store_clock, playbook(REWARDS))
    for n, words in enumerate(("\u202egum\u200b aet", "ask me 8823", "z" * 5000)):
        [text] = say(c, "mei", f"/redeem {words}", DAY + timedelta(minutes=n))
        assert text == (
            "/redeem: there is no such reward. Rewards:\n"
            "· mug A tea mug — 20 points\n· sticker A sticker — 5 points"
        ), text


def test_a_name_two_members_carry_gets_nobody_points_and_a_reply_picks_the_one_meant(
    store: Store, store_clock: FrozenClock
) -> None:
    """Two members are called Alex (one took the other's name): `/award @Alex` gave the newest
    Alex the points, perhaps the wrong one; now it gives nobody any and says the name is two
    members', with when each last posted, as `/ban @Alex` does. A reply awards the one meant."""
    c = community(store, store_clock, playbook(REWARDS))
    make_staff(c, "boss")
    c.engine.process([c.events.message("u7", "hi", name="Alex", at=DAY, event_id="m-7")])
    c.engine.process([c.events.message("u8", "hello", name="Alex", at=DAY + timedelta(minutes=5))])
    assert say(c, "boss", "/award @Alex 15 tasting", DAY + timedelta(minutes=6)) == [
        "The name you typed is the name of 2 members here: nothing was done to anyone. Reply "
        "to a message of the one you mean with the command (or @-mention them by picking them "
        "in the chat).\n1. last posted 2026-05-01 09:05\n2. last posted 2026-05-01 09:00"
    ]
    points = SqlPoints.on(store)
    assert [points.points_of(c.runtime.community_id, c.member_id(u)) for u in ("u7", "u8")] == [
        0,
        0,
    ]
    meant = replace(c.events.message("boss", "/award 15", at=DAY + timedelta(minutes=7)),
                    reply_to="m-7")  # fmt: skip
    assert said(c.engine.process([meant])) == ["🎁 Alex gets 15 points; balance 15."]
    assert [points.points_of(c.runtime.community_id, c.member_id(u)) for u in ("u7", "u8")] == [
        15,
        0,
    ]


def test_an_award_replying_to_one_member_and_naming_another_gives_nobody_points(
    store: Store, store_clock: FrozenClock
) -> None:
    """`/award @bob 5` sent as a reply to mei's message gave bob the points, the reply set
    aside unsaid; now nobody gets any and staff read both names. Naming the replied-to
    member (`@Alex`, which another member also carries) awards that one."""
    c = community(store, store_clock, playbook(REWARDS))
    make_staff(c, "boss")
    c.engine.process([c.events.message("mei", "my first tea", at=DAY, event_id="m-1")])
    c.engine.process([c.events.message("bob", "hi", at=DAY + timedelta(minutes=1))])
    crossed = replace(c.events.message("boss", "/award @bob 5", at=DAY + timedelta(minutes=2)),
                      reply_to="m-1")  # fmt: skip
    [answer] = said(c.engine.process([crossed]))
    assert answer.startswith("You replied to a message of mei but typed a name that is not")
    points = SqlPoints.on(store)
    assert [points.points_of(c.runtime.community_id, c.member_id(u)) for u in ("mei", "bob")] == [
        0, 0]  # fmt: skip
    c.engine.process([c.events.message("u7", "hi", name="Alex", at=DAY, event_id="m-7")])
    c.engine.process([c.events.message("u8", "hello", name="Alex", at=DAY + timedelta(minutes=5))])
    meant = replace(c.events.message("boss", "/award @Alex 15", at=DAY + timedelta(minutes=7)),
                    reply_to="m-7")  # fmt: skip
    assert said(c.engine.process([meant])) == ["🎁 Alex gets 15 points; balance 15."]
    assert [points.points_of(c.runtime.community_id, c.member_id(u)) for u in ("u7", "u8")] == [
        15, 0]  # fmt: skip
