"""What the bot answers a banned member in its private chat (`private.answer`), in the store:
the latest ban among the communities the bot serves (the others named), the appeal window,
staff's decision told there. The Telegram walk through the fake Bot API is
tests/carriers/telegram/test_private_appeals.py."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hearthkeeper.apply import apply_playbook
from hearthkeeper.capabilities.appeals import decisions
from hearthkeeper.capabilities.appeals.private import answer, ban_notice
from hearthkeeper.capabilities.appeals.repository import SqlAppeals
from hearthkeeper.capabilities.moderation import staff
from hearthkeeper.playbook import parse_playbook
from hearthkeeper.playbook.positioning import Language
from hearthkeeper.playbook.rules import Appeals
from hearthkeeper.store import Community, Group, Store
from tests.playbook_samples import MINIMAL

BANNED = datetime(2026, 5, 1, 8, 0, tzinfo=UTC)
LATER = datetime.now(UTC) + timedelta(days=400)  # past whatever clock queued the outcome


def served(
    store: Store, slug: str, name: str, chat: str, group_name: str
) -> tuple[Community, Group]:
    """A community (its playbook applied) with one Telegram group."""
    text = MINIMAL.replace("slug: tea", f"slug: {slug}").replace("Tea Friends", name)
    apply_playbook(store, parse_playbook(text), "test", now=BANNED)
    community = store.get_community(slug)
    assert community is not None
    return community, store.add_group(community.id, group_name, "telegram", chat)


def banned(store: Store, user: str, group: Group, at: datetime) -> int:
    member = store.member_for("telegram", user, user)
    store.join(member.id, group.id, at=at - timedelta(days=1))
    staff.ban_member(store, member.id, group, "console:ops", at, key=f"ban-{user}-{group.id}")
    return member.id


def test_the_latest_ban_among_the_bots_communities_is_appealed_and_the_others_named(
    store: Store,
) -> None:
    tea, tea_room = served(store, "tea", "Tea Friends", "-1001", "Tea room")
    # a group named by its chat id (as a Telegram group is until staff rename it): the
    # member reads the community's name
    coffee, coffee_room = served(store, "coffee", "Coffee Lovers", "-1002", "-1002")
    chats = {"-1001": "tea", "-1002": "coffee"}
    mei = banned(store, "42", tea_room, BANNED)
    assert banned(store, "42", coffee_room, BANNED + timedelta(hours=1)) == mei
    now = BANNED + timedelta(hours=2)
    assert answer(store, "telegram", chats, "42", "hello", now) == (
        "You are banned from Coffee Lovers. To ask staff to review it, send /appeal and why, by "
        "2026-05-08 10:00. (You are also banned in Tea Friends; this is about your latest ban.)"
    )
    assert answer(store, "telegram", chats, "42", "/appeal I sell nothing", now).startswith(
        "Your appeal against your ban from Coffee Lovers is with staff; I will tell you here"
    )
    assert SqlAppeals.on(store).waiting(tea.id) == []
    [appeal] = SqlAppeals.on(store).waiting(coffee.id)
    assert (appeal.group_id, appeal.text) == (coffee_room.id, "I sell nothing")
    [filed] = [e for e in store.audit_log(coffee.id) if e.action == "appeal"]
    assert filed.detail["from"] == "private chat"
    decisions.uphold(store, appeal.id, "console:ops", now, note="three reports")
    [told] = [i.action for i in store.claim(50, LATER) if i.key == f"appeal:{appeal.id}:told"]
    assert (told["kind"], told["carrier"], told["member"]) == ("direct", "telegram", "42")
    assert told["text"] == ("Staff reviewed your appeal and upheld your ban from Coffee Lovers. "
                            "Staff's note: three reports")  # fmt: skip
    assert answer(store, "telegram", chats, "42", "/appeal again", now).startswith(
        "Your appeal against your ban from Coffee Lovers was already decided (upheld); a ban "
        "can be appealed once."
    )
    # someone banned a week and more ago may no longer appeal; someone never banned is told so
    banned(store, "7", tea_room, BANNED)
    late = BANNED + timedelta(days=8)
    assert answer(store, "telegram", chats, "7", "/申诉 sorry", late) == (
        "Your ban from Tea room is older than the 7 days within which a ban can be appealed."
    )
    assert answer(store, "telegram", chats, "99", "/appeal", now).startswith(
        "You are not banned from any group this bot serves"
    )
    assert len(SqlAppeals.on(store).listed(None)) == 1


def test_staff_lifting_the_ban_by_hand_tells_the_appeals_pardon_privately_once(
    store: Store,
) -> None:
    """In-chat `/pardon` lifts what holds the member back without telling them in the group
    (it answers there itself): a member banned from it reads neither, so their appeal's
    outcome is told in the bot's private chat, where they appealed."""
    tea, tea_room = served(store, "tea", "Tea Friends", "-1001", "Tea room")
    mei = banned(store, "42", tea_room, BANNED)
    now = BANNED + timedelta(hours=1)
    answer(store, "telegram", {"-1001": "tea"}, "42", "/appeal I sell nothing", now)
    [appeal] = SqlAppeals.on(store).waiting(tea.id)
    [ban] = store.active_sanctions(member_id=mei, now=now)
    staff.lift(store, ban.id, "chat:boss", now, tell=False)  # as `/pardon @mei` does
    assert SqlAppeals.on(store).waiting(tea.id) == []
    told = [i.action for i in store.claim(50, LATER) if i.key == f"appeal:{appeal.id}:told"]
    assert [(t["kind"], t["member"], t["text"]) for t in told] == [
        ("direct", "42", "Staff reviewed your appeal: your ban from Tea room is lifted, and you "
         "may join again.")
    ]  # fmt: skip


def test_a_ban_from_several_groups_is_told_once_naming_the_community(store: Store) -> None:
    """Staff's ban reaches every group the member is in: one private notice (dropped by the
    carrier if they never opened the bot's chat), naming the community and staff's reason;
    a community that takes no appeals names whom to contact instead."""
    tea, tea_room = served(store, "tea", "Tea Friends", "-1001", "Tea room")
    garden = store.add_group(tea.id, "Garden", "telegram", "-1003")
    mei = store.member_for("telegram", "42", "42")
    for group in (tea_room, garden):
        store.join(mei.id, group.id, at=BANNED - timedelta(days=1))
    staff.ban_member(store, mei.id, tea_room, "console:ops", BANNED, key="ban-mei",
                     reason="selling accounts")  # fmt: skip
    queued = [i for i in store.claim(50, LATER) if i.action["kind"] == "direct"]
    assert [(i.key, i.action["member"], i.action["text"]) for i in queued] == [
        ("ban-mei:told:telegram", "42", "You are banned from Tea Friends by a moderator: selling "
         "accounts. To ask staff to review it, send /appeal and why here within 7 days.")
    ]  # fmt: skip
    assert queued[0].action["extra"] == {"unless_unreachable": True}
    closed = Appeals(enabled=False, contact="@tea_ops")
    assert ban_notice(Language.ZH_CN, "Tea room", closed, reason="卖号！") == (
        "你已被管理员封禁，无法再进入「Tea room」。原因：卖号！如需申诉，请联系 @tea_ops。"
    )


def test_a_blacklisting_without_a_ban_on_record_here_is_appealed_privately(store: Store) -> None:
    """A blacklisting keeps the member out of every group of the community whether or not a
    ban from one of them is on record (one lifted by hand, the blacklisting kept; one across
    communities, given where they were): they appeal it to the bot, the community named."""
    tea, tea_room = served(store, "tea", "Tea Friends", "-1001", "Tea room")
    coffee, coffee_room = served(store, "coffee", "Coffee Lovers", "-1002", "Coffee room")
    chats = {"-1001": "tea"}  # this bot serves Tea Friends alone
    mei = store.member_for("telegram", "42", "42")
    store.join(mei.id, tea_room.id, at=BANNED - timedelta(days=1))
    staff.blacklist_member(store, mei.id, tea_room, "console:ops", BANNED, everywhere=False,
                           key="bl-mei")  # fmt: skip
    [ban] = [s for s in store.active_sanctions(member_id=mei.id) if s.group_id == tea_room.id]
    now = BANNED + timedelta(hours=1)
    staff.lift(store, ban.id, "console:ops", now)  # the blacklisting still keeps her out
    assert answer(store, "telegram", chats, "42", "/appeal I sell nothing", now) == (
        "Your appeal against your ban from Tea Friends is with staff; I will tell you here what "
        "they decide."
    )
    [appeal] = SqlAppeals.on(store).waiting(tea.id)
    decided = decisions.pardon(store, appeal.id, "console:ops", now)
    assert decided.lifted and store.active_sanctions(member_id=mei.id, now=now) == []
    [told] = [i.action for i in store.claim(50, LATER) if i.key == f"appeal:{appeal.id}:told"]
    assert told["text"] == (
        "Staff reviewed your appeal: your ban from Tea Friends is lifted, and you may join again."
    )
    # blacklisted across communities from Coffee Lovers, never in a group of Tea Friends
    lan = store.member_for("telegram", "7", "7")
    store.join(lan.id, coffee_room.id, at=BANNED - timedelta(days=1))
    staff.blacklist_member(store, lan.id, coffee_room, "console:ops", BANNED, everywhere=True,
                           key="bl-lan")  # fmt: skip
    assert answer(store, "telegram", chats, "7", "hello", now).startswith(
        "You are banned from Tea Friends. To ask staff to review it, send /appeal and why"
    )
    assert SqlAppeals.on(store).waiting(coffee.id) == []
