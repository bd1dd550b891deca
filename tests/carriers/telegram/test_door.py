"""Join requests at the door of a Telegram group, against the fake Bot API: a live code sends
newcomers to a link that makes join requests; the bot screens each with the community's
threshold (`ServerParts.admission`), approving at once (`open`), declining with the reason in
private, or holding an application until staff approve or refuse it (ADMIT / DECLINE)."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
import pytest_asyncio
from fastapi import FastAPI

from hearthkeeper.capabilities.admission import review
from hearthkeeper.capabilities.admission.applications_repository import SqlApplications
from hearthkeeper.capabilities.admission.codes import create_code
from hearthkeeper.capabilities.admission.records import Application
from hearthkeeper.capabilities.grid.repository import SqlGrid
from hearthkeeper.capabilities.livecodes.records import ChannelKind
from hearthkeeper.capabilities.livecodes.repository import SqlLiveCodes
from hearthkeeper.capabilities.livecodes.stats import channel_stats
from hearthkeeper.capabilities.livecodes.web import router as livecode_router
from hearthkeeper.carriers.telegram.carrier import TelegramCarrier
from hearthkeeper.carriers.telegram.plugin import TelegramSetup
from hearthkeeper.playbook.templates import template_text
from hearthkeeper.store.records import StaffAlert
from hearthkeeper.web.context import Web, WebSettings
from tests.carriers.telegram.fake_bot_api import JSON, ApiError, FakeBotApi
from tests.carriers.telegram.telegram_setup import (
    Hearth,
    bot_message,
    eventually,
    on_sqlite,
    serving,
)
from tests.playbook_samples import open_to_everyone
from tests.webchat_setup import NoPlaybooks

pytestmark = [pytest.mark.telegram, pytest.mark.asyncio]

QUESTION = "你的肤质是？平时怎么护肤？"
APPLICATION = f"  threshold:\n    kind: application\n    questions:\n      - {QUESTION}\n"


def by_application(text: str) -> str:
    start, end = text.index("  threshold:\n"), text.index("  ceremony:\n")
    return text[:start] + APPLICATION + text[end:]


@pytest_asyncio.fixture
async def open_door(tmp_path: Path, migrated_sqlite: Path) -> AsyncIterator[Hearth]:
    async with on_sqlite(tmp_path, migrated_sqlite,
                         open_to_everyone(template_text("skincare"))) as found:  # fmt: skip
        yield found


@pytest_asyncio.fixture
async def applying(tmp_path: Path, migrated_sqlite: Path) -> AsyncIterator[Hearth]:
    async with on_sqlite(tmp_path, migrated_sqlite,
                         by_application(template_text("skincare"))) as found:  # fmt: skip
        yield found


def request_link(community: Hearth, chat: int) -> str:
    """A link to `chat` that makes join requests, as staff make one in Telegram's app."""
    api = community.api
    link: str = api._m_createchatinvitelink(
        api.bots[community.token], {"chat_id": chat, "creates_join_request": True}
    )["invite_link"]
    return link


async def stored_application(community: Hearth) -> Application:
    """The one application the door stored, once stored."""
    applications = SqlApplications.on(community.store)
    [application] = await eventually(
        lambda: list(applications.applications(community.runtime.community_id)),
        "the application to be stored")  # fmt: skip
    return application


def live_codes(community: Hearth) -> FastAPI:
    """The web side's live codes with the Telegram carrier as `hearth serve` builds it, and
    the code `poster` routing to the community's Telegram groups."""
    served = TelegramSetup(community.settings()).serve(community.parts())
    web = Web(store=community.store, clock=community.clock,
              settings=WebSettings(data_dir=community.data_dir),
              carriers={"telegram": served}, playbooks=NoPlaybooks())  # fmt: skip
    app = FastAPI()
    app.include_router(livecode_router(web))
    app.state.carrier = served.carrier
    SqlLiveCodes.on(community.store).add_channel(
        community.runtime.community_id, "poster", "Spring poster", ChannelKind.POSTER, notes="",
        carrier="telegram", by="test", at=community.clock.now())  # fmt: skip
    return app


async def scan(app: FastAPI) -> str:
    """A newcomer opens the live code in their browser; the Telegram link it sends them to."""
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://hearth") as browser:
        sent = await browser.get("/go/poster", follow_redirects=False)
    assert sent.status_code == 303, sent.text
    return str(sent.headers["location"])


async def test_a_live_code_sends_newcomers_to_a_join_request_link_the_bot_approves(
    open_door: Hearth,
) -> None:
    community, api = open_door, open_door.api
    chat = community.group()
    app = live_codes(community)
    async with serving(community, app.state.carrier):
        link = await scan(app)
        assert link.startswith("https://t.me/+")
        invite = api.chats[chat].links[link]
        assert invite["creates_join_request"] is True and invite["creator"]["is_bot"] is True
        assert await scan(app) == link  # one link per group, made once

        mei = community.person("Mei")
        api.request_join(chat, mei, link)
        await eventually(lambda: api.status(chat, mei["id"]) == "member", "her request approved")
        await bot_message(community, chat, "欢迎 Mei")
    assert api.chats[chat].requests == {}


async def test_an_application_waits_for_staff_who_approve_it(applying: Hearth) -> None:
    community, api = applying, applying.api
    chat = community.group()
    link = request_link(community, chat)
    async with serving(community):
        mei = community.person("Mei")
        api.start_private(mei, community.token)
        api.request_join(chat, mei, link, bio="混油皮，早晚洗脸，想学防晒")
        application = await stored_application(community)
        assert application.answers == ("混油皮，早晚洗脸，想学防晒",)
        assert mei["id"] in api.chats[chat].requests  # still asking: staff decide

        review.approve(community.store, application.id, "console:li", community.clock.now())
        await eventually(lambda: api.status(chat, mei["id"]) == "member", "her approval")
        await bot_message(community, chat, "欢迎 Mei")


async def test_a_refused_application_is_declined_and_one_without_answers_is_told_why(
    applying: Hearth,
) -> None:
    community, api = applying, applying.api
    chat = community.group()
    link = request_link(community, chat)
    async with serving(community):
        silent = community.person("Silent")
        api.start_private(silent, community.token)
        api.request_join(chat, silent, link)  # no bio: nothing that answers the question
        await eventually(lambda: silent["id"] not in api.chats[chat].requests, "the decline")
        [told] = await eventually(lambda: api.private_messages(silent["id"], community.token),
                                  "the reason in private")  # fmt: skip
        assert QUESTION in told["text"]
        assert api.status(chat, silent["id"]) == "left"

        lan, _ = await _apply_and_be_refused(community, chat, "Lan", link, started=False)
    assert api.status(chat, lan["id"]) == "left"
    assert [m for m, p in api.calls if m == "declineChatJoinRequest"] == [
        "declineChatJoinRequest"] * 2  # fmt: skip


async def _apply_and_be_refused(community: Hearth, chat: int, name: str, link: str, *,
                                started: bool) -> tuple[JSON, Application]:  # fmt: skip
    """`name` asks to join `chat` by `link`, one that makes join requests (having opened the
    bot's private chat, or not); staff refuse her application, saying 名额已满, and Telegram
    declines her request. She, and her application."""
    api = community.api
    person = community.person(name)
    if started:
        api.start_private(person, community.token)
    api.request_join(chat, person, link, bio="干皮，想学保湿")
    application = await stored_application(community)
    review.refuse(community.store, application.id, "console:li", community.clock.now(), "名额已满")
    await eventually(lambda: person["id"] not in api.chats[chat].requests, "her decline")
    return person, application


async def test_a_refused_applicant_who_opened_the_bots_chat_is_told_why_in_private(
    applying: Hearth,
) -> None:
    """Staff refuse Lan's application. Before, the bot declined her join request and said
    nothing: she was left wondering, though she had opened the bot's private chat. Now she
    is told, in private, once, with staff's words."""
    community, api = applying, applying.api
    chat = community.group()
    async with serving(community):
        lan, _ = await _apply_and_be_refused(community, chat, "Lan", request_link(community, chat),
                                             started=True)  # fmt: skip
        [told] = await eventually(lambda: api.private_messages(lan["id"], community.token),
                                  "the refusal in private")  # fmt: skip
    assert "未通过" in told["text"] and "名额已满" in told["text"]
    assert api.private_messages(lan["id"], community.token) == [told]
    alerts = community.store.staff_alerts(community.runtime.community_id)
    assert not [a for a in alerts if "亲自告知" in a.text]  # staff need not tell her


async def test_staff_hear_when_a_refused_applicant_cannot_be_told(applying: Hearth) -> None:
    """Mei never opened the bot's private chat: Telegram lets the bot not write to her. Her
    request is declined all the same, and staff find in the inbox that she was not told
    why, with the words to tell her themselves."""
    community, api = applying, applying.api
    cid = community.runtime.community_id
    chat = community.group()
    async with serving(community):
        mei, _ = await _apply_and_be_refused(community, chat, "Mei", request_link(community, chat),
                                             started=False)  # fmt: skip
        [alert] = await eventually(
            lambda: [a for a in community.store.staff_alerts(cid) if a.key.endswith(":untold")],
            "the staff to hear she was not told")  # fmt: skip
    assert "Mei" in alert.text and "名额已满" in alert.text and "亲自告知" in alert.text
    assert api.private_messages(mei["id"], community.token) == []
    assert not community.store.outbox_items("failed")


@pytest_asyncio.fixture
async def coded(tmp_path: Path, migrated_sqlite: Path) -> AsyncIterator[Hearth]:
    text = template_text("skincare")
    start, end = text.index("  threshold:\n"), text.index("  ceremony:\n")
    coded = text[:start] + "  threshold:\n    kind: invite_code\n" + text[end:]
    async with on_sqlite(tmp_path, migrated_sqlite, coded) as found:
        yield found


async def test_an_invite_code_in_the_bio_lets_the_requester_in(coded: Hearth) -> None:
    """An `invite_code` community on Telegram: the requester puts the code in their bio (the
    join request has no form), as for an application's answer. Before, the code was never
    read, so every join request was declined, with the code or without."""
    community, api = coded, coded.api
    chat = community.group()
    create_code(community.store, community.runtime.community_id, "test",
                community.clock.now(), label="old customers", code="SPRING26")  # fmt: skip
    link = request_link(community, chat)
    async with serving(community):
        mei = community.person("Mei")
        api.request_join(chat, mei, link, bio=" spring26 ")
        await eventually(lambda: api.status(chat, mei["id"]) == "member", "her approval")
        lan = community.person("Lan")
        api.start_private(lan, community.token)
        api.request_join(chat, lan, link, bio="no code here")
        await eventually(lambda: lan["id"] not in api.chats[chat].requests, "the decline")
    assert api.status(chat, lan["id"]) == "left"


async def test_a_request_approved_by_hand_after_a_restart_is_credited_to_its_live_code(
    applying: Hearth,
) -> None:
    """Mei asks to join by the poster's link; the server restarts while her application waits;
    the owner approves her by hand in Telegram's app, so her join names no link: it is
    credited to the poster all the same (the request's token was kept in the store)."""
    community, api = applying, applying.api
    chat = community.group()
    app = live_codes(community)
    async with serving(community, app.state.carrier):
        link = await scan(app)
        mei = community.person("Mei")
        api.start_private(mei, community.token)
        api.request_join(chat, mei, link, bio="混油皮，早晚洗脸，想学防晒")
        applications = SqlApplications.on(community.store)
        await eventually(lambda: list(applications.applications(community.runtime.community_id)),
                         "the application to be stored")  # fmt: skip

    restarted = TelegramSetup(community.settings()).serve(community.parts()).carrier
    assert isinstance(restarted, TelegramCarrier)  # a new process: nothing in its memory
    async with serving(community, restarted):
        api.approve_in_app(chat, mei)
        await bot_message(community, chat, "欢迎 Mei")
        found = channel_stats(community.store, community.runtime.community_id,
                              community.clock.now())  # fmt: skip
        assert {s.channel.slug: s.arrived for s in found} == {"poster": 1}


async def _refused(community: Hearth, app: FastAPI, name: str, *, started: bool) -> JSON:
    """`name` asks to join by the poster's link (having opened the bot's private chat, or
    not), and staff refuse her application: Telegram declines her request. Then staff let her
    in after all."""
    chat = community.chats[0]
    person, application = await _apply_and_be_refused(community, chat, name, await scan(app),
                                                       started=started)  # fmt: skip
    review.approve(community.store, application.id, "console:li", community.clock.now(),
                   reconsider=True)  # fmt: skip
    return person


def _use(api: FakeBotApi, chat: int, person: JSON, link: str) -> None:
    """`person` opens `link` in Telegram's app: asks to join, or joins, as the link says."""
    if api.chats[chat].links[link]["creates_join_request"]:
        api.request_join(chat, person, link)
    else:
        api.join(chat, person, link=link)


def _one_person_link(text: str) -> str:
    found = re.search(r"https://t\.me/\+\S+", text)
    assert found is not None, text
    return found.group(0)


async def test_a_refused_applicant_let_in_after_all_gets_a_link_of_her_own_in_private(
    applying: Hearth,
) -> None:
    """Staff refused Lan, then let her in after all. Telegram cannot approve the join request
    the bot already declined (HIDE_REQUESTER_MISSING): before, the approval failed there and
    Lan never got in. Now the bot sends her, in private, a link of her own; her request by it
    is let in at once, her join credited to the poster she first came by. Someone she passed
    the link to first asks the door like anyone else (a link that admitted directly let the
    first to use it in, whoever they were)."""
    community, api = applying, applying.api
    chat = community.group()
    app = live_codes(community)
    async with serving(community, app.state.carrier):
        lan = await _refused(community, app, "Lan", started=True)
        told = await eventually(
            lambda: [m for m in api.private_messages(lan["id"], community.token)
                     if "t.me/+" in str(m.get("text"))], "the link in private")  # fmt: skip
        link = _one_person_link(told[-1]["text"])
        assert "重新审核" in told[-1]["text"]
        # the queue learns a link went instead, so a note on an approval that waited for
        # room says she was sent one, not that she is in (engine/no_room.py)
        [approved] = [i for i in community.store.outbox_items(limit=10_000)
                      if i.key.startswith("admission:approved")]  # fmt: skip
        assert app.state.carrier.let_in_link(approved.key) == link
        stranger = community.person("Stranger")
        api.start_private(stranger, community.token)
        _use(api, chat, stranger, link)  # passed on to a friend, who tries it first
        assert api.status(chat, stranger["id"]) != "member"
        await eventually(lambda: [m for m in api.private_messages(stranger["id"], community.token)
                                  if QUESTION in str(m.get("text"))], "the door's question")  # fmt: skip
        _use(api, chat, lan, link)
        await bot_message(community, chat, "欢迎 Lan")
        assert api.status(chat, lan["id"]) == "member"
        found = channel_stats(community.store, community.runtime.community_id,
                              community.clock.now())  # fmt: skip
        assert {s.channel.slug: s.arrived for s in found} == {"poster": 1}
        assert api.status(chat, stranger["id"]) != "member"
    assert ("approveChatJoinRequest", 400, "Bad Request: HIDE_REQUESTER_MISSING") in api.refused


async def test_staff_get_the_link_when_the_bot_cannot_write_to_the_person_let_in(
    applying: Hearth,
) -> None:
    """Lan never opened the bot's private chat, so the bot cannot send her the link: staff
    find it in the console inbox, saying to send it to her themselves, and it lets her in."""
    community, api = applying, applying.api
    chat = community.group()
    app = live_codes(community)
    async with serving(community, app.state.carrier):
        lan = await _refused(community, app, "Lan", started=False)
        cid = community.runtime.community_id
        [alert] = await eventually(
            lambda: [a for a in community.store.staff_alerts(cid) if "t.me/+" in a.text],
            "the link in the staff inbox")  # fmt: skip
        assert "Lan" in alert.text and "亲自" in alert.text
        _use(api, chat, lan, _one_person_link(alert.text))
        await bot_message(community, chat, "欢迎 Lan")


async def test_letting_in_someone_banned_meanwhile_fails_saying_to_lift_the_ban(
    applying: Hearth,
) -> None:
    """Staff refused Lan and banned her, then let her in after all. No link lets a banned
    person in: instead of handing out a link that cannot work, the
    approval fails, and the outbox says to lift the ban first."""
    community, api = applying, applying.api
    chat = community.group()
    app = live_codes(community)
    bot = api.bots[community.token]
    async with serving(community, app.state.carrier):
        lan = community.person("Lan")
        api.start_private(lan, community.token)
        api.request_join(chat, lan, await scan(app), bio="干皮，想学保湿")
        application = await stored_application(community)
        review.refuse(community.store, application.id, "console:li", community.clock.now())
        await eventually(lambda: lan["id"] not in api.chats[chat].requests, "her decline")
        api._m_banchatmember(bot, {"chat_id": chat, "user_id": lan["id"]})  # by staff, later
        review.approve(community.store, application.id, "console:li", community.clock.now(),
                       reconsider=True)  # fmt: skip
        [failed] = await eventually(
            lambda: [i for i in community.store.outbox_items("failed")
                     if i.key.startswith("admission:approved")], "the approval to fail")  # fmt: skip
    assert "hearth sanctions lift" in str(failed.last_error)
    # told she was refused; no link that cannot work
    told = [m["text"] for m in api.private_messages(lan["id"], community.token)]
    assert len(told) == 1 and "未通过" in told[0] and "t.me/+" not in told[0]
    assert not [p for m, p in api.calls
                if m == "createChatInviteLink" and str(p.get("name")).startswith("let in")]  # fmt: skip


async def test_someone_banned_cannot_ask_to_join_again(applying: Hearth) -> None:
    """As in Telegram, a person banned from the group sends no join request: the fake refuses
    it, so no test can have the bot screen a request that Telegram would never deliver."""
    community, api = applying, applying.api
    chat = community.group()
    link = request_link(community, chat)
    lan = community.person("Lan")
    api._m_banchatmember(api.bots[community.token], {"chat_id": chat, "user_id": lan["id"]})
    with pytest.raises(ApiError, match="USER_BANNED_IN_CHANNEL"):
        api.request_join(chat, lan, link)
    assert lan["id"] not in api.chats[chat].requests


async def test_an_approval_with_every_group_full_waits_until_a_member_leaves(
    applying: Hearth,
) -> None:
    """The group holds one and Ann is in it when staff approve Mei: the web chat told staff
    that she waits outside, Telegram approved her request beyond the group's capacity
    without a word. She waits now, staff told once; Ann leaving lets her in."""
    community, api = applying, applying.api
    chat = community.group()
    link = request_link(community, chat)
    async with serving(community):
        ann = await community.newcomer("Ann", chat)
        group = community.store.group_for_carrier("telegram", str(chat))
        assert group is not None
        SqlGrid.on(community.store).sync_capacities({group.id: 1}, [group.id])
        mei = community.person("Mei")
        api.request_join(chat, mei, link, bio="混油皮，早晚洗脸，想学防晒")
        application = await stored_application(community)
        review.approve(community.store, application.id, "console:li", community.clock.now())
        [told] = await eventually(
            lambda: [a for a in community.store.staff_alerts(community.runtime.community_id)
                     if "所有群都已满员" in a.text], "staff to be told there is no room")  # fmt: skip
        assert "Mei" in told.text and "hearth groups open" in told.text
        assert api.status(chat, mei["id"]) != "member" and mei["id"] in api.chats[chat].requests

        api.leave(chat, ann)
        await eventually(lambda: api.status(chat, mei["id"]) == "member", "her approval")

        def settled() -> list[StaffAlert] | None:
            # the queue marks the alert handled once Telegram answered the approval, which
            # may be a moment after the fake Bot API let her in
            alerts = community.store.staff_alerts(community.runtime.community_id, open_only=False)
            handled = [a.handled_at is not None for a in alerts if a.key == told.key]
            return alerts if handled == [True] else None

        alerts = await eventually(settled, "the no-room alert marked handled")
        assert [a for a in alerts if a.text.startswith("Mei 在所有群满员时获批")]


async def test_a_member_leaving_lets_in_one_of_two_approvals_waiting(applying: Hearth) -> None:
    """Mei and Lan, approved while the group holding one was full, wait outside; Ann leaving
    frees one seat. Someone counts on Telegram once their join arrives, so both requests
    were approved: Mei is let in now, Lan waits on for the next seat, staff not told again."""
    community, api = applying, applying.api
    chat = community.group()
    link = request_link(community, chat)
    async with serving(community):
        ann = await community.newcomer("Ann", chat)
        group = community.store.group_for_carrier("telegram", str(chat))
        assert group is not None
        SqlGrid.on(community.store).sync_capacities({group.id: 1}, [group.id])
        mei, lan = community.person("Mei"), community.person("Lan")
        api.request_join(chat, mei, link, bio="混油皮，早晚洗脸，想学防晒")
        api.request_join(chat, lan, link, bio="干皮，只用面霜")
        applications = SqlApplications.on(community.store)

        def both() -> list[Application] | None:
            found = sorted(applications.applications(community.runtime.community_id),
                           key=lambda a: a.id)  # fmt: skip
            return found if len(found) == 2 else None

        stored = await eventually(both, "both applications to be stored")
        for application in stored:  # Mei's first: she asked first
            review.approve(community.store, application.id, "console:li", community.clock.now())
        await eventually(
            lambda: len([a for a in community.store.staff_alerts(community.runtime.community_id)
                         if "所有群都已满员" in a.text]) == 2, "staff to be told of both")  # fmt: skip

        api.leave(chat, ann)
        await eventually(lambda: api.status(chat, mei["id"]) == "member", "her approval")
        lans = f"admission:approved:{stored[1].id}"
        await eventually(
            lambda: community.store.outbox_statuses([lans])[lans] in ("failed", "done"),
            "Lan's approval to be tried again")  # fmt: skip
        assert community.store.outbox_statuses([lans])[lans] == "failed"  # no room for her
        assert api.status(chat, lan["id"]) != "member" and lan["id"] in api.chats[chat].requests
        alerts = community.store.staff_alerts(community.runtime.community_id, open_only=False)
        no_room = [a for a in alerts if "所有群都已满员" in a.text]
        assert [a.handled_at for a in no_room if a.text.startswith("已同意 Lan")] == [None]
        assert len(no_room) == 2  # one each: Lan's, still open, was not written again
