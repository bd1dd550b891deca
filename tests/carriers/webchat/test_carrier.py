"""The web chat carrier without a browser: what members do becomes engine events, and what
the engine asks for is done in the chat."""

from __future__ import annotations

import asyncio
from dataclasses import replace
from datetime import timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, event

from hearthkeeper.capabilities.moderation.ladder import sanction_actions
from hearthkeeper.carriers.webchat import WebChatRefused
from hearthkeeper.carriers.webchat.hub import Hub
from hearthkeeper.carriers.webchat.names import BadNickname
from hearthkeeper.carriers.webchat.plugin import WebChatSetup
from hearthkeeper.carriers.webchat.repository import SqlWebChat
from hearthkeeper.carriers.webchat.settings import WebChatLimits
from hearthkeeper.clock import FrozenClock
from hearthkeeper.engine.actions import Action, ActionKind
from hearthkeeper.engine.carrier import CarrierError
from hearthkeeper.engine.events import Join, JoinMethod, Leave, Message, Sender
from hearthkeeper.playbook import parse_playbook
from hearthkeeper.playbook.positioning import Language
from hearthkeeper.playbook.rules import LadderStep, Sanction
from hearthkeeper.store import Store
from tests.playbook_samples import MINIMAL
from tests.webchat_setup import Chat, build_chat, picture


def _action(kind: ActionKind, **fields: object) -> Action:
    return Action(kind=kind, carrier="webchat", group="tea-1", **fields)  # type: ignore[arg-type]


def _joined(chat: Chat, nickname: str, group: int = 0) -> str:
    user, _ = chat.carrier.create_user(nickname)
    asyncio.run(chat.carrier.join(chat.groups[group].id, user.user_id))
    return user.user_id


def test_joining_is_a_join_event_with_the_nickname(chat: Chat) -> None:
    user_id = _joined(chat, "  小美 ")
    asyncio.run(chat.carrier.join(chat.groups[0].id, user_id))  # already in: nothing new
    [event] = chat.carrier.take_events()
    assert isinstance(event, Join)
    assert (event.carrier, event.group, event.via) == ("webchat", "tea-1", JoinMethod.LINK)
    assert (event.sender.user_id, event.sender.display_name) == (user_id, "小美")
    assert event.event_id.startswith("join-") and event.at == chat.clock.now()


def test_a_full_group_refuses_and_points_to_a_group_with_room(chat: Chat) -> None:
    for n in range(3):
        _joined(chat, f"member {n}")
    with pytest.raises(WebChatRefused) as refused:
        _joined(chat, "latecomer")
    assert refused.value.message == "This group is full (3 of 3)."
    assert refused.value.elsewhere == chat.codes[1]


def test_a_closed_group_seats_nobody_new_and_is_never_pointed_to(chat: Chat) -> None:
    """`hearth groups close Garden --into "Tea room"`: its invite link seats nobody new and
    points to Tea room; once Tea room is full, the closed Garden is not offered instead."""
    stayed = _joined(chat, "stayer", group=1)
    chat.store.close_group(chat.groups[1].id, "ops", into=chat.groups[0].id)
    with pytest.raises(WebChatRefused) as refused:
        _joined(chat, "newcomer", group=1)
    assert refused.value.message == "Garden is closed: it takes no newcomers."
    assert refused.value.elsewhere == chat.codes[0]
    asyncio.run(chat.carrier.join(chat.groups[1].id, stayed))  # a member in it stays
    for n in range(3):
        _joined(chat, f"member {n}")
    with pytest.raises(WebChatRefused) as full:
        _joined(chat, "latecomer")
    assert full.value.message == "This group is full (3 of 3)."
    assert full.value.elsewhere is None  # not the closed Garden, with room as it has


def test_a_closed_group_is_read_only_for_members_but_not_for_staff(chat: Chat) -> None:
    """`hearth groups close Garden --into "Tea room"`: a member still in Garden is refused
    with a line saying it is closed and where its members carry on (the page shows it, with
    the link); a staff member still posts; reopened, the member posts again."""
    member = _joined(chat, "stayer", group=1)
    keeper = _joined(chat, "keeper", group=1)
    garden = chat.groups[1].id
    asyncio.run(chat.carrier.say(garden, member, "before closing"))
    staff = chat.store.member_for("webchat", keeper, "keeper")
    chat.store.set_role(staff.id, garden, "moderator")
    chat.store.close_group(garden, "ops", into=chat.groups[0].id)
    with pytest.raises(WebChatRefused) as refused:
        asyncio.run(chat.carrier.say(garden, member, "still here?"))
    said = "Garden is closed: members can no longer post here. Its members carry on in Tea room."
    assert refused.value.message == said
    assert refused.value.frame == {"type": "closed", "text": said, "other": "Tea room",
                                   "link": f"/join/{chat.codes[0]}", "staff": False}  # fmt: skip
    asyncio.run(chat.carrier.say(garden, keeper, "see you in Tea room"))  # staff still post
    room = chat.carrier.room(chat.codes[1])
    assert room is not None
    user = chat.carrier.platform.user(member)
    assert user is not None
    assert chat.carrier.hello(room, user)["closed"]["text"] == said
    chat.store.reopen_group(garden)
    asyncio.run(chat.carrier.say(garden, member, "open again"))
    room = chat.carrier.room(chat.codes[1])  # as the next connection reads it
    assert room is not None and chat.carrier.hello(room, user)["closed"] is None
    texts = [m.text for m in chat.carrier.platform.history(garden)]
    assert texts == ["before closing", "see you in Tea room", "open again"]


def test_a_member_may_not_pose_as_staff_or_the_system_by_name_staff_may(chat: Chat) -> None:
    """Web chat nicknames `管理员`, `【官方】客服`, `Admin`, `System` … were accepted: a member
    so named reads as staff or the system speaking in every line they post. Refused to
    members (whole, or as a label: `[admin] bob`, `管理员-小王`; look-alikes folded), with
    why; a staff member may take them; a word within a name is fine (`管理学小王`).
    Words are whole words now: `admin1`, `_admin_`, `Admin-2` were let in while `System of
    a Down fan` was refused; a Chinese staff word counts anywhere (`小王管理员`). Camel case
    parts words (`AdminBob` was let in), and a service's word beside a name is an everyday
    word (`Support Ukraine`, `Notice me` were refused), not beside its own (`Support Team`)."""
    for posing in ("管理员", "群主", "系统通知", "【官方】客服", "Admin", "Moderator", "System",
                   "Аdmin", "ＡＤＭＩＮ", "[admin] bob", "管理员-小王", "admin1", "_admin_",
                   "Admin-2", "Bob (mod)", "小王管理员", "官方客服小美", "AdminBob", "ModKim",
                   "SupportTeam", "Tech Support", "系统助手"):  # fmt: skip
        with pytest.raises(BadNickname) as refused:
            chat.carrier.create_user(posing)
        assert "reads as staff or the system speaking" in str(refused.value), posing
        assert "only staff may use such a name" in str(refused.value)
    for fine in ("管理学小王", "System of a Down fan", "administrative assistant",
                 "I am not an admin", "时间管理达人", "Support Ukraine", "Notice me",
                 "Modern Family"):  # fmt: skip
        assert chat.carrier.create_user(fine)[0].nickname == fine
    garden = chat.groups[1].id
    keeper = _joined(chat, "keeper", group=1)
    with pytest.raises(BadNickname):
        chat.carrier.rename(keeper, "Moderator Kim", group_id=garden)
    staff = chat.store.member_for("webchat", keeper, "keeper")
    chat.store.set_role(staff.id, garden, "moderator")
    renamed = chat.carrier.rename(keeper, "Moderator Kim", group_id=garden)
    assert renamed.nickname == "Moderator Kim"


def test_staff_may_wear_the_title_they_hold_and_no_other(chat: Chat) -> None:
    """A staff title (`structure.roles[].title`) was refused to everyone, staff too, while
    authority words were not: the moderator could not be called `Tea Keeper`, the title
    members know her by. Now staff wear their own role's title; a member wears none (whole,
    bracketed or set off by punctuation: a title is often an everyday word, `Tea lover`
    stays fine), and a moderator not the founder's (that is posing as the founder)."""
    garden = chat.groups[1]
    chat.carrier.staff_titles = {garden.community_id: {"moderator": "Tea Keeper",
                                                       "creator": "Founder"}}  # fmt: skip
    for posing in ("Tea Keeper", "Tea Keeper - Kim", "[Founder] Kim", "tea-keeper", "TEAKEEPER2"):
        with pytest.raises(BadNickname, match="the title of this community's staff"):
            chat.carrier.newcomer(posing, group=garden)
    for fine in ("Tea lover", "Founder of a tea shop"):
        assert chat.carrier.newcomer(fine, group=garden)[0].nickname == fine
    keeper = _joined(chat, "keeper", group=1)
    staff = chat.store.member_for("webchat", keeper, "keeper")
    chat.store.set_role(staff.id, garden.id, "moderator")
    assert chat.carrier.rename(keeper, "Tea Keeper: Kim", group_id=garden.id).nickname == (
        "Tea Keeper: Kim"
    )
    with pytest.raises(BadNickname) as founder:
        chat.carrier.rename(keeper, "Founder | Kim", group_id=garden.id)
    assert str(founder.value) == (
        "“Founder | Kim” wears “founder”, the title of this community's staff: only staff "
        "holding it may; choose another nickname."
    )


def test_a_member_of_a_closed_group_uploads_no_picture_but_staff_do(chat: Chat) -> None:
    """A member of a closed group was refused sending a picture but its upload was taken and
    kept on disk (uploads the member could never post, up to the hourly allowance); now
    refused at once with the same line, while staff, who still post, still upload."""
    _, member_token = chat.member("stayer", group=1)
    keeper, keeper_token = chat.member("keeper", group=1)
    garden = chat.groups[1].id
    staff = chat.store.member_for("webchat", keeper.user_id, "keeper")
    chat.store.set_role(staff.id, garden, "moderator")
    chat.store.close_group(garden, "ops", into=chat.groups[0].id)
    kept_before = sorted(p.name for p in chat.carrier.uploads_dir.glob("*"))

    def upload(token: str) -> Any:
        client = TestClient(chat.app, cookies={"hearth_member": token})
        return client.post(f"/chat/{chat.codes[1]}/upload",
                           files={"picture": ("p.png", picture(), "image/png")})  # fmt: skip

    refused = upload(member_token)
    assert refused.status_code == 403
    assert refused.json()["detail"] == (
        "Garden is closed: members can no longer post here. Its members carry on in Tea room."
    )
    assert sorted(p.name for p in chat.carrier.uploads_dir.glob("*")) == kept_before
    taken = upload(keeper_token)
    assert taken.status_code == 200, taken.text
    asyncio.run(chat.carrier.say(garden, keeper.user_id, "", picture=taken.json()["picture"]))
    chat.store.reopen_group(garden)
    assert upload(member_token).status_code == 200  # reopened: uploads again


def test_a_banned_member_is_refused_with_the_reason(chat: Chat) -> None:
    user_id = _joined(chat, "spammer")
    asyncio.run(chat.carrier.perform(_action(ActionKind.BAN, member=user_id,
                                             reason="advertising, third time"), "k1"))  # fmt: skip
    with pytest.raises(WebChatRefused, match="banned from Tea room: advertising, third time"):
        asyncio.run(chat.carrier.join(chat.groups[0].id, user_id))
    asyncio.run(chat.carrier.perform(_action(ActionKind.UNBAN, member=user_id), "k2"))
    asyncio.run(chat.carrier.join(chat.groups[0].id, user_id))  # welcome back
    assert chat.carrier.platform.seats_taken(chat.groups[0].id) == 1


def test_a_message_is_an_event_with_mentions_replies_and_the_bot(chat: Chat) -> None:
    ann, anna, me = _joined(chat, "Ann"), _joined(chat, "Anna"), _joined(chat, "Me")
    chat.carrier.take_events()
    group = chat.groups[0].id
    bot_id = asyncio.run(chat.carrier.perform(_action(ActionKind.SEND, text="hello all"), "k"))
    first = asyncio.run(chat.carrier.say(group, me, "@Anna 你好 and @ann!"))
    second = asyncio.run(chat.carrier.say(group, me, "thanks", reply_to=int(bot_id or 0)))
    asking = chat.carrier.say(group, me, "＠hearthkeeper 怎么打卡?", reply_to=first)
    third = asyncio.run(asking)
    one, two, three = chat.carrier.take_events()
    assert isinstance(one, Message) and isinstance(two, Message) and isinstance(three, Message)
    assert (one.event_id, one.kind, one.text) == (str(first), "text", "@Anna 你好 and @ann!")
    assert one.mentions == (anna, ann) and not one.mentions_bot and one.reply_to is None
    assert (two.event_id, two.reply_to, two.mentions_bot) == (str(second), bot_id, True)
    assert (three.event_id, three.mentions_bot, three.reply_to) == (str(third), True, str(first))
    assert three.mentions == ()


def test_a_picture_reaches_the_engine_with_its_bytes(chat: Chat) -> None:
    user_id = _joined(chat, "photographer")
    chat.carrier.take_events()
    data = picture("PNG")
    stored = chat.carrier.keep_picture(data)
    asyncio.run(chat.carrier.say(chat.groups[0].id, user_id, "my shelf", picture=stored.name))
    [event] = chat.carrier.take_events()
    assert isinstance(event, Message) and event.kind == "picture"
    [attachment] = event.attachments
    assert (attachment.kind, attachment.mime, attachment.data) == ("picture", "image/png", data)
    with pytest.raises(WebChatRefused, match="upload it again"):
        asyncio.run(chat.carrier.say(chat.groups[0].id, user_id, "", picture="0" * 64 + ".png"))


def test_what_a_member_cannot_say(chat: Chat) -> None:
    user_id = _joined(chat, "talker")
    outsider, _ = chat.carrier.create_user("outsider")
    group = chat.groups[0].id
    with pytest.raises(WebChatRefused, match="not in this group"):
        asyncio.run(chat.carrier.say(group, outsider.user_id, "hi"))
    with pytest.raises(WebChatRefused, match="too long: 2001 characters"):
        asyncio.run(chat.carrier.say(group, user_id, "好" * 2001))
    with pytest.raises(WebChatRefused, match="Write something"):
        asyncio.run(chat.carrier.say(group, user_id, "  \n "))


def test_a_reply_performed_twice_with_one_key_is_one_message(chat: Chat) -> None:
    user_id = _joined(chat, "asker")
    reply = _action(ActionKind.REPLY, member=user_id, text="早上好", target="999")
    first = asyncio.run(chat.carrier.perform(reply, "evt:1:0"))
    second = asyncio.run(chat.carrier.perform(reply, "evt:1:0"))
    assert first == second
    [message] = chat.carrier.platform.history(chat.groups[0].id)
    assert (message.nickname, message.user_id, message.text) == ("Hearthkeeper", None, "早上好")
    assert message.mentions == (user_id,) and message.reply_to is None  # 999 does not exist


def test_deleting_keeps_the_row_but_not_in_history(chat: Chat) -> None:
    user_id = _joined(chat, "seller")
    message_id = asyncio.run(chat.carrier.say(chat.groups[0].id, user_id, "cheap bags!"))
    delete = _action(ActionKind.DELETE, member=user_id, target=str(message_id), reason="ad")
    assert asyncio.run(chat.carrier.perform(delete, "d1")) is None
    assert chat.carrier.platform.history(chat.groups[0].id) == []
    kept = chat.carrier.platform.message(message_id)
    assert kept is not None and kept.deleted_reason == "ad"
    with pytest.raises(CarrierError, match="no message '12345'") as failed:
        asyncio.run(chat.carrier.perform(_action(ActionKind.DELETE, target="12345"), "d2"))
    assert failed.value.retry is False


def test_a_muted_member_is_refused_until_the_mute_ends(chat: Chat) -> None:
    user_id = _joined(chat, "flooder")
    group = chat.groups[0].id
    mute = _action(ActionKind.MUTE, member=user_id, duration=timedelta(minutes=10),
                   reason="flooding")  # fmt: skip
    asyncio.run(chat.carrier.perform(mute, "m1"))
    with pytest.raises(WebChatRefused) as refused:
        asyncio.run(chat.carrier.say(group, user_id, "again"))
    assert refused.value.message == "You are muted until Fri 1 May 09:10: flooding."
    chat.clock.advance(timedelta(minutes=10, seconds=1))
    asyncio.run(chat.carrier.say(group, user_id, "I'm back"))
    asyncio.run(chat.carrier.perform(_action(ActionKind.MUTE, member=user_id), "m2"))
    with pytest.raises(WebChatRefused, match="muted until staff lift it"):
        asyncio.run(chat.carrier.say(group, user_id, "hello?"))
    asyncio.run(chat.carrier.perform(_action(ActionKind.UNMUTE, member=user_id), "m3"))
    asyncio.run(chat.carrier.say(group, user_id, "thanks"))


def test_a_muted_member_may_still_send_an_appeal_or_a_report(chat: Chat) -> None:
    """The posts a muted member gets through: `/appeal` (`/申诉`), how they ask staff to
    review the mute, and `/report` (`/举报`); anything else is still refused. Both are shown
    to their sender alone: an appeal was shown to the whole group, the member's plea and
    reasons, until the engine took it down (staff read it in the inbox)."""
    user_id = _joined(chat, "flooder")
    other = _joined(chat, "neighbour")
    group = chat.groups[0].id
    told = chat.carrier.hub = _Told()
    mute = _action(ActionKind.MUTE, member=user_id, duration=timedelta(minutes=10),
                   reason="flooding")  # fmt: skip
    asyncio.run(chat.carrier.perform(mute, "m1"))
    for refused in ("again", "appeal: I was not flooding", "/appealing", "/reporting"):
        with pytest.raises(WebChatRefused, match="muted until"):
            asyncio.run(chat.carrier.say(group, user_id, refused))
    asyncio.run(chat.carrier.say(group, user_id, "/appeal I was answering three questions"))
    asyncio.run(chat.carrier.say(group, user_id, "／申诉 刚才在回答问题"))
    # and `/report`: a member harassed into silence still flags abuse (shown to them alone)
    asyncio.run(chat.carrier.say(group, user_id, "/举报 他一直骂我"))
    said = [m.text for m in chat.carrier.platform.history(group, viewer=user_id)]
    assert said == ["/appeal I was answering three questions", "／申诉 刚才在回答问题",
                    "/举报 他一直骂我"]  # fmt: skip
    assert chat.carrier.platform.history(group, viewer=other) == []
    assert told.everyone == []  # live: nothing to the group, each to its sender alone
    shown = [(whom, frame.get("text")) for whom, frame in told.told if frame["type"] == "message"]
    assert shown == [(user_id, text) for text in said]


def test_a_muted_member_reads_until_when_on_the_communitys_clock(chat: Chat) -> None:
    """A member of a community in Shanghai used to read "muted until 2026-05-01 09:10 UTC",
    eight hours off their own clock, in the chat and when uploading a picture; now the
    community's clock, written as every moment members read (`format.when_text`)."""
    chat.carrier.zones = {chat.community_id: ZoneInfo("Asia/Shanghai")}
    user, token = chat.member("flooder")
    mute = _action(ActionKind.MUTE, member=user.user_id, duration=timedelta(minutes=10),
                   reason="flooding")  # fmt: skip
    asyncio.run(chat.carrier.perform(mute, "m1"))
    with pytest.raises(WebChatRefused) as refused:
        asyncio.run(chat.carrier.say(chat.groups[0].id, user.user_id, "again"))
    assert refused.value.message == "You are muted until Fri 1 May 17:10: flooding."
    client = TestClient(chat.app, cookies={"hearth_member": token})
    upload = client.post(f"/chat/{chat.codes[0]}/upload",
                         files={"picture": ("p.png", picture(), "image/png")})  # fmt: skip
    assert upload.status_code == 403
    assert upload.json()["detail"] == refused.value.message


def test_a_kick_removes_the_member_who_may_come_back(chat: Chat) -> None:
    user_id = _joined(chat, "rude")
    chat.carrier.take_events()
    asyncio.run(chat.carrier.perform(_action(ActionKind.KICK, member=user_id), "x1"))
    asyncio.run(chat.carrier.perform(_action(ActionKind.KICK, member=user_id), "x2"))  # no-op
    [event] = chat.carrier.take_events()
    assert isinstance(event, Leave) and event.removed_by == "Hearthkeeper"
    assert event.sender.user_id == user_id and event.sender.display_name == "rude"
    with pytest.raises(WebChatRefused, match="not in this group"):
        asyncio.run(chat.carrier.say(chat.groups[0].id, user_id, "hey"))
    asyncio.run(chat.carrier.join(chat.groups[0].id, user_id))
    assert isinstance(chat.carrier.take_events()[0], Join)


def test_leaving_is_a_leave_event(chat: Chat) -> None:
    user_id = _joined(chat, "traveller")
    chat.carrier.take_events()
    asyncio.run(chat.carrier.leave(chat.groups[0].id, user_id))
    asyncio.run(chat.carrier.leave(chat.groups[0].id, user_id))  # not in it any more
    [event] = chat.carrier.take_events()
    assert isinstance(event, Leave) and event.removed_by is None


def test_unknown_groups_and_members_are_not_retried(chat: Chat) -> None:
    elsewhere = Action(kind=ActionKind.SEND, carrier="webchat", group="nowhere", text="hi")
    with pytest.raises(CarrierError, match="no group 'nowhere'") as failed:
        asyncio.run(chat.carrier.perform(elsewhere, "u1"))
    assert failed.value.retry is False
    with pytest.raises(CarrierError, match="no member 'w-ghost'"):
        asyncio.run(chat.carrier.perform(_action(ActionKind.MUTE, member="w-ghost"), "u2"))
    alert = _action(ActionKind.ALERT_STAFF, text="a quarrel")
    assert asyncio.run(chat.carrier.perform(alert, "u3")) is None
    assert chat.carrier.platform.history(chat.groups[0].id) == []  # nothing shown in the group


def test_events_flow_until_disconnected(chat: Chat) -> None:
    async def scenario() -> list[str]:
        await chat.carrier.connect()
        user, _ = chat.carrier.create_user("streamer")
        await chat.carrier.join(chat.groups[0].id, user.user_id)
        await chat.carrier.say(chat.groups[0].id, user.user_id, "one")
        await chat.carrier.disconnect()
        return [event.type.value async for event in chat.carrier.events()]

    assert asyncio.run(scenario()) == ["join", "message"]


class _Seen(Hub):
    """A hub that notes each frame with whether the store already showed it then."""

    def __init__(self, chat: Chat) -> None:
        super().__init__()
        self.chat = chat
        self.frames: list[tuple[str, bool]] = []

    def broadcast(self, group_id: int, frame: dict[str, Any]) -> int:
        self.frames.append((frame["type"], self._stored(group_id, frame)))
        return super().broadcast(group_id, frame)

    def send_to(self, group_id: int, user_id: str, frame: dict[str, Any]) -> int:
        self.frames.append((frame["type"], self._stored(group_id, frame, user_id)))
        return super().send_to(group_id, user_id, frame)

    def _stored(self, group_id: int, frame: dict[str, Any], user_id: str = "") -> bool:
        platform = self.chat.carrier.platform  # a fresh transaction: only what was committed
        if frame["type"] == "message":
            return any(m.id == frame["id"] for m in platform.history(group_id))
        if frame["type"] == "deleted":
            kept = platform.message(frame["id"])
            return kept is not None and kept.deleted_at is not None
        if frame["type"] == "muted":
            seat = platform.seat(group_id, user_id)
            return seat is not None and seat.muted_until is not None
        return True


def test_a_run_of_actions_is_shown_only_once_stored_and_a_refusal_stops_nothing(
    chat: Chat,
) -> None:
    user_id = _joined(chat, "seller")
    group = chat.groups[0].id
    ad = asyncio.run(chat.carrier.say(group, user_id, "cheap bags!"))
    seen = chat.carrier.hub = _Seen(chat)
    outcomes = asyncio.run(chat.carrier.perform_together([
        (_action(ActionKind.DELETE, member=user_id, target=str(ad), reason="ad"), "r:0"),
        (_action(ActionKind.DELETE, target="12345"), "r:1"),  # no such message
        (_action(ActionKind.MUTE, member=user_id, reason="advertising"), "r:2"),
        (_action(ActionKind.WARN, member=user_id, text="No ads here, please."), "r:3"),
    ]))  # fmt: skip
    assert outcomes[0] is None and outcomes[2] is None
    assert isinstance(outcomes[1], CarrierError) and outcomes[1].retry is False
    [warning] = chat.carrier.platform.history(group)
    assert outcomes[3] == str(warning.id) and warning.text == "No ads here, please."
    assert seen.frames == [("deleted", True), ("muted", True), ("message", True)]


class _SeenIds(_Seen):
    """A hub that notes each frame's type and the message it names, in order."""

    def __init__(self, chat: Chat) -> None:
        super().__init__(chat)
        self.named: list[tuple[str, object]] = []

    def broadcast(self, group_id: int, frame: dict[str, Any]) -> int:
        self.named.append((frame["type"], frame.get("id")))
        return super().broadcast(group_id, frame)


def test_a_runs_deletions_are_one_statement_and_each_is_told_in_its_place(
    store: Store, store_clock: FrozenClock, tmp_path: Path
) -> None:
    """A run's deletions are done by one statement before it (not one each); each deletion
    still tells its outcome and the browsers in its place in the run: two deletions of one
    message delete it once (the first one's reason kept), a message named in the wrong group
    or not at all is refused, and the frames come in the run's order."""
    chat = build_chat(store, store_clock, tmp_path)
    seller, other = _joined(chat, "seller"), _joined(chat, "gardener", group=1)
    tea, garden = chat.groups[0], chat.groups[1]
    ads = [asyncio.run(chat.carrier.say(tea.id, seller, f"cheap bags {n}!")) for n in range(2)]
    flower = asyncio.run(chat.carrier.say(garden.id, other, "cheap flowers!"))
    in_garden = Action(kind=ActionKind.DELETE, carrier="webchat", group=garden.carrier_group_id,
                       target=str(flower), reason="flower ad")  # fmt: skip
    seen = chat.carrier.hub = _SeenIds(chat)
    statements: list[str] = []

    def note(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        if statement.lstrip().upper().startswith("UPDATE WEBCHAT_MESSAGES"):
            statements.append(statement)

    event.listen(Engine, "before_cursor_execute", note)
    try:
        outcomes = asyncio.run(chat.carrier.perform_together([
            (_action(ActionKind.DELETE, target=str(ads[0]), reason="ad"), "d:0"),
            (_action(ActionKind.WARN, member=seller, text="No ads here, please."), "d:1"),
            (_action(ActionKind.DELETE, target=str(ads[1]), reason="second ad"), "d:2"),
            (_action(ActionKind.DELETE, target=str(ads[0]), reason="again"), "d:3"),
            (in_garden, "d:4"),
            (_action(ActionKind.DELETE, target="999999"), "d:5"),  # no such message
            (_action(ActionKind.DELETE, target=str(flower), reason="wrong group"), "d:6"),
        ]))  # fmt: skip
    finally:
        event.remove(Engine, "before_cursor_execute", note)
    refused = [i for i, o in enumerate(outcomes) if isinstance(o, CarrierError)]
    assert refused == [5, 6] and outcomes[0] is None and outcomes[2:5] == [None, None, None]
    [warning] = chat.carrier.platform.history(tea.id)
    assert seen.named == [("deleted", ads[0]), ("message", warning.id), ("deleted", ads[1]),
                          ("deleted", flower)]  # fmt: skip
    reasons = {m: chat.carrier.platform.message(m) for m in (*ads, flower)}
    assert {m: k.deleted_reason for m, k in reasons.items() if k is not None} == {
        ads[0]: "ad",
        ads[1]: "second ad",
        flower: "flower ad",
    }
    assert len(statements) == 1, f"the run's deletions in one statement, not {len(statements)}"


def test_a_runs_replies_read_what_they_answer_at_once_and_answer_only_in_its_group(
    store: Store, store_clock: FrozenClock, tmp_path: Path
) -> None:
    """The messages a run's replies answer are read in one statement before it, not one
    each; a reply still answers only a message of its own group, and comes in its place."""
    chat = build_chat(store, store_clock, tmp_path)
    mei, ana = _joined(chat, "mei"), _joined(chat, "ana", group=1)
    tea = chat.groups[0]
    asks = [asyncio.run(chat.carrier.say(tea.id, mei, f"question {n}?")) for n in range(2)]
    elsewhere = asyncio.run(chat.carrier.say(chat.groups[1].id, ana, "in the garden?"))
    reads: list[str] = []

    def note(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        said = statement.lstrip().upper()
        if said.startswith("SELECT") and "FROM WEBCHAT_MESSAGES" in said:
            reads.append(statement)

    jobs = [
        (_action(ActionKind.REPLY, target=target, text=f"answer {n}"), f"a:{n}")
        for n, target in enumerate([str(asks[1]), str(elsewhere), "999999", str(asks[0])])
    ]
    event.listen(Engine, "before_cursor_execute", note)
    try:
        outcomes = asyncio.run(chat.carrier.perform_together(jobs))
    finally:
        event.remove(Engine, "before_cursor_execute", note)
    posted = [m for m in chat.carrier.platform.history(tea.id) if m.user_id is None]
    assert [str(m.id) for m in posted] == outcomes
    assert [(m.text, m.reply_to) for m in posted] == [
        ("answer 0", asks[1]),
        ("answer 1", None),
        ("answer 2", None),
        ("answer 3", asks[0]),
    ]
    assert len(reads) == 1, f"the replied messages read in one statement, not {len(reads)}"


def test_a_run_whose_transaction_fails_is_done_again_one_by_one_up_to_the_failure(
    chat: Chat, monkeypatch: pytest.MonkeyPatch
) -> None:
    user_id, other = _joined(chat, "seller"), _joined(chat, "bystander")
    group = chat.groups[0].id
    mute = SqlWebChat.mute

    def breaks_on_seller(self: SqlWebChat, *args: Any, **kwargs: Any) -> Any:
        if args[1] == user_id:
            raise RuntimeError("the database went away")
        return mute(self, *args, **kwargs)

    monkeypatch.setattr(SqlWebChat, "mute", breaks_on_seller)
    seen = chat.carrier.hub = _Seen(chat)
    outcomes = asyncio.run(chat.carrier.perform_together([
        (_action(ActionKind.SEND, text="Welcome!"), "w:0"),
        (_action(ActionKind.MUTE, member=other, reason="flood"), "w:1"),
        (_action(ActionKind.MUTE, member=user_id, reason="ad"), "w:2"),
        (_action(ActionKind.SEND, text="Never said"), "w:3"),
    ]))  # fmt: skip
    assert len(outcomes) == 3 and isinstance(outcomes[2], RuntimeError)
    [welcome] = chat.carrier.platform.history(group)  # kept once, though performed twice
    assert outcomes[:2] == [str(welcome.id), None] and welcome.text == "Welcome!"
    seat = chat.carrier.platform.seat(group, other)
    assert seat is not None and seat.mute_reason == "flood"
    assert seen.frames == [("message", True), ("muted", True)]


def test_a_raid_banned_in_one_run_tells_the_group_its_size_once(chat: Chat) -> None:
    raiders = [_joined(chat, f"raider {n}") for n in range(3)]
    chat.carrier.take_events()
    seen = chat.carrier.hub = _Seen(chat)
    outcomes = asyncio.run(chat.carrier.perform_together([
        (_action(ActionKind.BAN, member=raider, reason="raid"), f"b:{n}")
        for n, raider in enumerate(raiders)
    ]))  # fmt: skip
    assert outcomes == [None, None, None]
    assert [kind for kind, _ in seen.frames] == ["removed"] * 3 + ["members"]
    assert chat.carrier.platform.seats_taken(chat.groups[0].id) == 0
    leaves = chat.carrier.take_events()
    assert [type(e) for e in leaves] == [Leave] * 3


def test_applying_a_playbook_gives_the_web_chat_its_communitys_clock(store: Store) -> None:
    """What `hearth serve` wires: the web chat's setup learns each community's zone as it
    adopts the community's playbook, as it learns its language."""
    playbook = parse_playbook(MINIMAL).playbook
    community = store.ensure_community(playbook.community.slug, playbook.community.name)
    setup = WebChatSetup(WebChatLimits())
    setup.adopt(store, community.id, playbook)
    assert setup.zones[community.id] == ZoneInfo("Europe/London")
    assert setup.languages[community.id] is playbook.community.language


class _Told(Hub):
    """A hub that keeps what each member was told, frame by frame."""

    def __init__(self) -> None:
        super().__init__()
        self.told: list[tuple[str, dict[str, Any]]] = []
        self.everyone: list[dict[str, Any]] = []  # what the whole group was told

    def send_to(self, group_id: int, user_id: str, frame: dict[str, Any]) -> int:
        self.told.append((user_id, frame))
        return super().send_to(group_id, user_id, frame)

    def broadcast(self, group_id: int, frame: dict[str, Any]) -> int:
        self.everyone.append(frame)
        return super().broadcast(group_id, frame)


def test_a_ladder_kick_that_comes_with_a_blacklisting_is_told_as_a_ban(chat: Chat) -> None:
    """The skincare template's fourth strike (delete, kick, blacklist): the kick reaches the
    member before the blacklisting's ban, and its notice must not offer a rejoin link the
    join page would refuse."""
    user_id = _joined(chat, "seller")
    chat.carrier.take_events()
    ad = Message(carrier="webchat", group="tea-1", event_id="m9", at=chat.clock.now(),
                 sender=Sender(user_id=user_id, display_name="seller"), text="加我微信 wx99880 兼职日结")  # fmt: skip
    fourth = LadderStep(at=4, do=[Sanction.DELETE, Sanction.KICK, Sanction.BLACKLIST])
    actions = sanction_actions(ad, [fourth], 4, "ads", "ad: wx99880", Language.ZH_CN, "moderation")
    [kick] = [a for a in actions if a.kind is ActionKind.KICK]
    told = chat.carrier.hub = _Told()
    asyncio.run(chat.carrier.perform(Action.from_json(kick.to_json()), "k4"))  # via the outbox
    [(whom, frame)] = told.told
    assert whom == user_id and frame["type"] == "removed" and frame["banned"] is True
    # a kick on its own still lets them come back
    again = _joined(chat, "chatty")
    alone = LadderStep(at=3, do=[Sanction.KICK])
    [kick] = [a for a in sanction_actions(replace(ad, sender=Sender(user_id=again, display_name="chatty")), [alone], 3,
                                          "ads", "ad", Language.ZH_CN, "moderation")
              if a.kind is ActionKind.KICK]  # fmt: skip
    asyncio.run(chat.carrier.perform(kick, "k3"))
    assert told.told[-1][1]["banned"] is False


def test_a_post_reads_whether_its_group_is_closed_with_the_seat(chat: Chat) -> None:
    """Each member post checks, fresh, whether its group was closed (by another process
    too): the closed state comes with the member's seat in one statement, not in a read of
    the group of its own (about a fifth of a post's CPU time in `webchat_post_read.py`)."""
    member = _joined(chat, "talker")
    tea = chat.groups[0].id
    asyncio.run(chat.carrier.say(tea, member, "warm up"))  # the carrier's own caches filled
    selects: list[str] = []

    def note(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        if statement.lstrip().upper().startswith("SELECT"):
            selects.append(" ".join(statement.split()))

    event.listen(Engine, "before_cursor_execute", note)
    try:
        asyncio.run(chat.carrier.say(tea, member, "hello"))
    finally:
        event.remove(Engine, "before_cursor_execute", note)
    alone = [s for s in selects if "FROM groups" in s and "webchat_seats" not in s]
    assert alone == [], alone
    chat.store.close_group(tea, "ops")  # as another process would: the next post knows
    with pytest.raises(WebChatRefused):
        asyncio.run(chat.carrier.say(tea, member, "still here?"))
