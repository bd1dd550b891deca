"""A live code on Matrix, on a real Synapse, with the carrier built as `hearth serve` builds it:
groups of two; the first two newcomers are sent to the community's room, the third to a room
the bot creates on the spot — named by `copy.naming`, public (the threshold is `open`), the
bot above every power level in it — and the bot welcomes them there at once. A restarted
server serves the room it opened."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, quote, unquote, urlsplit

import httpx
import pytest
import pytest_asyncio
from fastapi import FastAPI

from hearthkeeper.capabilities.admission import review
from hearthkeeper.capabilities.admission.applications_repository import SqlApplications
from hearthkeeper.capabilities.livecodes.records import ChannelKind
from hearthkeeper.capabilities.livecodes.repository import SqlLiveCodes
from hearthkeeper.capabilities.livecodes.web import router as livecode_router
from hearthkeeper.carriers.matrix import MatrixCarrier
from hearthkeeper.carriers.matrix.direct import alias_localpart, server_of
from hearthkeeper.carriers.matrix.join import ASKS_PER_HOUR
from hearthkeeper.carriers.matrix.plugin import MatrixSetup
from hearthkeeper.carriers.matrix.power import RoomAuthority, privileged_creators
from hearthkeeper.carriers.matrix.settings import MatrixSettings
from hearthkeeper.carriers.plugin import ServedCarrier, ServerParts
from hearthkeeper.clock import FrozenClock
from hearthkeeper.engine.admission import Admission
from hearthkeeper.playbook.templates import template_text
from hearthkeeper.store.join_sources import SqlJoinSources
from hearthkeeper.web.context import Web, WebSettings
from tests.carriers.matrix.matrix_setup import (
    CLIENT,
    Hearth,
    Member,
    bot_message,
    eventually,
    hearth,
    real_now,
    serving,
)
from tests.integration.synapse import SynapseServer
from tests.playbook_samples import open_to_everyone
from tests.webchat_setup import NoPlaybooks, sqlite_store

pytestmark = [pytest.mark.matrix, pytest.mark.asyncio]

TEMPLATE_GROUPS = "groups: {capacity: 500, join_by_code_cap: 200, small_circle_size: 20}"
GROUPS_OF_TWO = "groups: {capacity: 2, join_by_code_cap: 2, small_circle_size: 2}"
JOIN_PAGE = "/matrix/join/"
QUESTION = "你的肤质是？平时怎么护肤？"
APPLICATION = f"  threshold:\n    kind: application\n    questions:\n      - {QUESTION}\n"


@contextlib.asynccontextmanager
async def skincare(synapse: SynapseServer, tmp_path: Path, migrated_sqlite: Path,
                   text: str) -> AsyncIterator[Hearth]:  # fmt: skip
    """The skincare community of playbook `text`, in groups of two; no rooms yet."""
    clock = FrozenClock(real_now())
    assert TEMPLATE_GROUPS in text
    with sqlite_store(tmp_path, migrated_sqlite, clock) as store:
        async with hearth(synapse, store, clock, tmp_path / "data",
                          text.replace(TEMPLATE_GROUPS, GROUPS_OF_TWO)) as found:  # fmt: skip
            yield found


@pytest_asyncio.fixture
async def community(synapse: SynapseServer, tmp_path: Path,
                    migrated_sqlite: Path) -> AsyncIterator[Hearth]:  # fmt: skip
    """Open to everyone."""
    text = open_to_everyone(template_text("skincare"))
    async with skincare(synapse, tmp_path, migrated_sqlite, text) as found:
        yield found


@pytest_asyncio.fixture
async def applying(synapse: SynapseServer, tmp_path: Path,
                   migrated_sqlite: Path) -> AsyncIterator[Hearth]:  # fmt: skip
    """Admitting by application: one question."""
    text = template_text("skincare")
    start, end = text.index("  threshold:\n"), text.index("  ceremony:\n")
    async with skincare(synapse, tmp_path, migrated_sqlite,
                        text[:start] + APPLICATION + text[end:]) as found:  # fmt: skip
        yield found


@pytest_asyncio.fixture
async def screened(synapse: SynapseServer, tmp_path: Path,
                   migrated_sqlite: Path) -> AsyncIterator[Hearth]:  # fmt: skip
    """Members only: the template as it is (`paid`)."""
    async with skincare(synapse, tmp_path, migrated_sqlite, template_text("skincare")) as found:
        yield found


def served_matrix(community: Hearth) -> ServedCarrier:
    """The Matrix carrier as `hearth serve` builds it from `[carriers.matrix]`."""
    settings = MatrixSettings(homeserver=community.synapse.base_url, user_id=community.bot.user_id,
                              access_token=community.bot.access_token, password=None,
                              rooms={room: community.runtime.slug for room in community.rooms},
                              sync_position=community.position_file)  # fmt: skip
    store, clock = community.store, community.clock
    parts = ServerParts(store=store, clock=clock, web=WebSettings(data_dir=community.data_dir),
                        communities={c.slug: c for c in store.list_communities()},
                        admission=Admission(store, clock, {
                            community.runtime.community_id: community.runtime}.get))  # fmt: skip
    setup = MatrixSetup(settings)
    setup.adopt(store, community.runtime.community_id, community.runtime.playbook)
    served = setup.serve(parts)
    assert isinstance(served.carrier, MatrixCarrier)
    served.carrier.sync_timeout_ms = 1000
    return served


def live_codes(community: Hearth, served: ServedCarrier) -> FastAPI:
    """The web side's live codes and Matrix join page, and the code `poster` routing to the
    community's rooms."""
    web = Web(store=community.store, clock=community.clock,
              settings=WebSettings(data_dir=community.data_dir),
              carriers={"matrix": served}, playbooks=NoPlaybooks())  # fmt: skip
    app = FastAPI()
    app.include_router(livecode_router(web))
    assert served.routes is not None
    app.include_router(served.routes(web))
    SqlLiveCodes.on(community.store).add_channel(
        community.runtime.community_id, "poster", "Spring poster", ChannelKind.POSTER, notes="",
        carrier="matrix", by="test", at=community.clock.now())  # fmt: skip
    return app


def browser(app: FastAPI) -> httpx.AsyncClient:
    """A newcomer's browser. The web app runs on the test's loop, as in `hearth serve`: the
    route's thread asks the carrier."""
    transport = httpx.ASGITransport(app=app)
    return httpx.AsyncClient(transport=transport, base_url="http://hearth")


async def scan(app: FastAPI) -> str:
    """A newcomer opens the live code in their own browser; the path of the join page it sends
    them to (the room's, carrying the code's token)."""
    async with browser(app) as newcomer:
        sent = await newcomer.get("/go/poster", follow_redirects=False)
    assert sent.status_code == 303, sent.text
    link = urlsplit(sent.headers["location"])
    assert link.path.startswith(JOIN_PAGE) and parse_qs(link.query) == {"via": ["code:poster"]}
    return f"{link.path}?{link.query}"


async def scan_room(app: FastAPI) -> str:
    """The room the live code sends a newcomer to."""
    return unquote(urlsplit(await scan(app)).path.removeprefix(JOIN_PAGE))


async def state(member: Member, room: str, event_type: str) -> dict[str, Any]:
    response = await member.http.get(f"{CLIENT}/rooms/{quote(room)}/state/{event_type}/")
    response.raise_for_status()
    return dict(response.json())


async def create_event(member: Member, room: str) -> dict[str, Any]:
    response = await member.http.get(f"{CLIENT}/rooms/{quote(room)}/state")
    response.raise_for_status()
    return next(e for e in response.json() if e["type"] == "m.room.create")


async def test_the_third_newcomer_gets_a_room_the_bot_opens_and_serves(community: Hearth) -> None:
    first = await community.create_room()
    served = served_matrix(community)
    app = live_codes(community, served)
    assert isinstance(served.carrier, MatrixCarrier)
    async with serving(community, served.carrier):
        await community.bot_joined(first)
        for _ in range(2):
            assert await scan_room(app) == first
            newcomer = community.member()
            (await newcomer.join(first)).raise_for_status()
            await bot_message(newcomer, first, community.bot.user_id,
                              f"欢迎 {newcomer.user.localpart}")  # fmt: skip

        opened = await scan_room(app)
        assert opened != first
        mei = community.member()
        (await mei.join(opened)).raise_for_status()
        # What Mei sees: the room's name by copy.naming, anyone may join, the bot above all.
        assert (await state(mei, opened, "m.room.name"))["name"] == "颜学院护肤社 2群"
        assert (await state(mei, opened, "m.room.join_rules"))["join_rule"] == "public"
        authority = RoomAuthority(levels=await state(mei, opened, "m.room.power_levels"),
                                  creators=privileged_creators(await create_event(mei, opened)))  # fmt: skip
        assert authority.level_of(community.bot.user_id) >= 100
        assert authority.level_of(mei.user_id) < authority.action_level("kick")
        # ... and the bot serves it at once: Mei is welcomed there.
        await bot_message(mei, opened, community.bot.user_id, f"欢迎 {mei.user.localpart}")

    [group] = [g for g in community.store.list_groups(community.runtime.community_id)
               if g.carrier_group_id == opened]  # fmt: skip
    assert (group.name, group.carrier, group.capacity) == ("颜学院护肤社 2群", "matrix", 2)
    # A restarted server serves the room it opened, though no [carriers.matrix.rooms] names it.
    again = served_matrix(community)
    assert isinstance(again.carrier, MatrixCarrier)
    assert again.carrier.rooms.accepts(opened) and again.carrier.rooms.accepts(first)
    assert any("1 opened by the bot" in line for line in again.status)


async def test_a_community_that_screens_joiners_gets_a_room_to_knock_on(screened: Hearth) -> None:
    served = served_matrix(screened)
    assert served.opens is not None and isinstance(served.carrier, MatrixCarrier)
    community_id = screened.runtime.community_id
    playbook = screened.runtime.playbook
    async with serving(screened, served.carrier):
        carrier = served.carrier

        async def connected() -> bool:
            await asyncio.sleep(0.05)
            return carrier._client is not None

        await eventually(connected, "the bot to sign in")
        group = await asyncio.to_thread(served.opens.open_group, screened.store, community_id,
                                        playbook)  # fmt: skip
    assert group.name == "颜学院护肤社 1群"
    bot = Member(screened.bot, screened.synapse.base_url)
    try:
        room = group.carrier_group_id
        assert (await state(bot, room, "m.room.join_rules"))["join_rule"] == "knock"
        assert (await state(bot, room, "m.room.name"))["name"] == "颜学院护肤社 1群"
    finally:
        await bot.close()


async def membership(community: Hearth, room: str, user_id: str) -> str | None:
    path = f"{CLIENT}/rooms/{quote(room)}/state/m.room.member/{quote(user_id)}"
    response = await community.owner.http.get(path)
    return str(response.json()["membership"]) if response.status_code == 200 else None


async def test_a_newcomer_the_bot_invites_from_the_join_page_is_credited_to_the_live_code(
    community: Hearth,
) -> None:
    """Mei scans the poster, types her Matrix ID on the join page and the bot invites her; the
    server restarts before she accepts; her join still says the poster brought her."""
    room = await community.create_room()
    served = served_matrix(community)
    app = live_codes(community, served)
    mei = community.member()
    assert isinstance(served.carrier, MatrixCarrier)
    async with serving(community, served.carrier):
        await community.bot_joined(room)
        await community.empower_bot(room)  # the bot may invite (it may in a room it created)
        page = await scan(app)
        async with browser(app) as newcomer:
            form = await newcomer.get(page)
            assert form.status_code == 200
            assert f'href="https://matrix.to/#/{quote(room, safe="!:")}?via=localhost"' in form.text
            invited = await newcomer.post(urlsplit(page).path, data={
                "user_id": f" {mei.user_id} ", "source": "code:poster"})  # fmt: skip
        assert invited.status_code == 200, invited.text
        assert f"机器人已邀请 {mei.user_id} 加入" in invited.text

        async def invitation() -> bool:
            return await membership(community, room, mei.user_id) == "invite"

        await eventually(invitation, "Mei's invitation")

    restarted = served_matrix(community)  # nothing of the invitation is in its memory
    assert isinstance(restarted.carrier, MatrixCarrier)
    async with serving(community, restarted.carrier):
        (await mei.join(room)).raise_for_status()
        await bot_message(mei, room, community.bot.user_id, f"欢迎 {mei.user.localpart}")

    store = community.store
    poster = SqlLiveCodes.on(store).channel("poster")
    member = store.find_member("matrix", mei.user_id)
    assert poster is not None and member is not None
    [arrival] = SqlLiveCodes.on(store).arrivals([poster.id])
    assert arrival.member_id == member.id


async def test_an_application_from_the_join_page_waits_for_staff_and_is_credited_once_approved(
    applying: Hearth,
) -> None:
    """Mei and Lan answer the question on the join page: their applications wait for staff.
    Staff refuse Lan: no invitation, nothing fails, and the bot tells her why in a direct
    message (before, the refusal was a kick of someone not in the room: she never heard).
    Staff approve Mei: the bot invites her, and her join is credited to the poster."""
    community, store = applying, applying.store
    room = await community.create_room()
    served = served_matrix(community)
    app = live_codes(community, served)
    mei, lan = community.member(), community.member()
    assert isinstance(served.carrier, MatrixCarrier)
    async with serving(community, served.carrier):
        await community.bot_joined(room)
        await community.empower_bot(room)
        page = await scan(app)
        async with browser(app) as newcomer:
            form = await newcomer.get(page)
            assert QUESTION in form.text and 'name="answer_1"' in form.text
            # the Matrix ID first, then the application under its heading, sent as one
            questions = form.text.index('<fieldset class="questions"')
            assert form.text.index('name="user_id"') < questions < form.text.index(QUESTION)
            assert "入群申请：每个问题都要回答" in form.text and ">提交申请</button>" in form.text
            for person in (mei, lan):
                held = await newcomer.post(urlsplit(page).path, data={
                    "user_id": person.user_id, "source": "code:poster",
                    "answer_1": "混油皮，早晚洗脸"})  # fmt: skip
                assert held.status_code == 202, held.text
                assert "你的申请正在等待" in held.text
        applications = SqlApplications.on(store)
        waiting = {a.user_id: a for a in applications.applications(community.runtime.community_id)}
        assert waiting.keys() == {mei.user_id, lan.user_id}
        assert await membership(community, room, mei.user_id) is None  # not invited yet

        review.refuse(store, waiting[lan.user_id].id, "console:li", community.clock.now(),
                      "本期名额已满")  # fmt: skip
        review.approve(store, waiting[mei.user_id].id, "console:li", community.clock.now())

        async def invitation() -> bool:
            return await membership(community, room, mei.user_id) == "invite"

        await eventually(invitation, "Mei's invitation")
        (await mei.join(room)).raise_for_status()
        await bot_message(mei, room, community.bot.user_id, f"欢迎 {mei.user.localpart}")

        async def settled() -> bool:
            decisions = [i.status for i in store.outbox_items()
                         if i.action.get("kind") in ("admit", "decline")]  # fmt: skip
            return len(decisions) == 2 and "pending" not in decisions and "sending" not in decisions

        await eventually(settled, "the staff decisions performed")
        bot = community.bot.user_id
        alias = quote(f"#{alias_localpart(bot, lan.user_id)}:{server_of(bot)}")

        async def told_room() -> str | None:
            found = await lan.http.get(f"{CLIENT}/directory/room/{alias}")
            return str(found.json()["room_id"]) if found.status_code == 200 else None

        dm = await eventually(told_room, "the bot's direct room with Lan")

        async def accepted() -> bool:
            return (await lan.join(dm)).status_code == 200

        await eventually(accepted, "Lan to accept the direct room's invitation")
        group = store.group_for_carrier("matrix", room)
        assert group is not None
        told = await bot_message(lan, dm, bot, "申请未通过")
        assert told["content"]["body"] == f"你加入「{group.name}」的申请未通过：本期名额已满"
    assert await membership(community, room, lan.user_id) is None
    assert store.outbox_items("failed") == []
    poster = SqlLiveCodes.on(store).channel("poster")
    member = store.find_member("matrix", mei.user_id)
    assert poster is not None and member is not None
    assert [a.member_id for a in SqlLiveCodes.on(store).arrivals([poster.id])] == [member.id]


async def test_a_matrix_id_nobody_registered_is_refused_and_nobody_is_invited(
    community: Hearth,
) -> None:
    """Mei mistypes her Matrix ID. Synapse would accept an invitation to it (an ID on its own
    server that nobody registered) and she would wait for nothing: the page asks the homeserver
    first and says, beside the field, that there is no such account; nothing is invited or
    kept or counted for it (not even against the invitations one address may ask for). Her
    real ID is invited as before."""
    room = await community.create_room()
    served = served_matrix(community)
    app = live_codes(community, served)
    mei = community.member()
    typo = f"@{mei.user.localpart}x:{community.synapse.server_name}"
    assert isinstance(served.carrier, MatrixCarrier)
    async with serving(community, served.carrier):
        await community.bot_joined(room)
        await community.empower_bot(room)
        path = urlsplit(await scan(app)).path
        async with browser(app) as newcomer:
            for _ in range(ASKS_PER_HOUR):  # she tries again and again: none of it counts
                refused = await newcomer.post(path, data={"user_id": typo,
                                                          "source": "code:poster"})  # fmt: skip
                assert refused.status_code == 400, refused.text
                assert f"localhost 上没有 {typo} 这个 Matrix 账号" in refused.text
                assert f'value="{typo}" ' in refused.text and 'aria-invalid="true"' in refused.text
            invited = await newcomer.post(path, data={"user_id": mei.user_id,
                                                      "source": "code:poster"})  # fmt: skip
            assert invited.status_code == 200, invited.text

        async def invitation() -> bool:
            return await membership(community, room, mei.user_id) == "invite"

        await eventually(invitation, "Mei's invitation")
    assert await membership(community, room, typo) is None
    sources = SqlJoinSources.on(community.store)
    assert sources.kept("matrix", room, typo) is None
    assert sources.kept("matrix", room, mei.user_id) == "code:poster"


async def test_the_page_asks_even_when_the_bot_runs_elsewhere_and_a_server_it_cannot_ask_passes(
    applying: Hearth,
) -> None:
    """`--role web`: the bot does not run in this process, yet the page asks the homeserver.
    A mistyped ID leaves no application for staff; an ID on a server ours cannot ask (the
    test homeserver federates with no one: its lookup is refused) is not turned away: the
    application waits for staff as before."""
    community, store = applying, applying.store
    room = await community.create_room()
    served = served_matrix(community)  # never connected
    app = live_codes(community, served)
    typo = f"@nobody-{community.bot.localpart}:{community.synapse.server_name}"
    remote = "@lan:elsewhere.example"
    path = urlsplit(await scan(app)).path
    async with browser(app) as newcomer:
        for person in (typo, remote):
            answered = await newcomer.post(path, data={"user_id": person, "source": "code:poster",
                                                       "answer_1": "混油皮"})  # fmt: skip
            if person == typo:
                assert answered.status_code == 400, answered.text
                assert f"localhost 上没有 {typo} 这个 Matrix 账号" in answered.text
                assert "混油皮" in answered.text  # the answer is kept for the corrected ID
            else:
                assert answered.status_code == 202, answered.text
                assert "你的申请正在等待" in answered.text
    waiting = SqlApplications.on(store).applications(community.runtime.community_id)
    assert [a.user_id for a in waiting] == [remote]
    assert SqlJoinSources.on(store).kept("matrix", room, typo) is None


async def test_a_mistyped_id_leaves_no_warning_in_the_operators_log(
    applying: Hearth, caplog: pytest.LogCaptureFixture
) -> None:
    """A newcomer mistypes their Matrix ID: the page says so beside the field, and the
    operator's log stays free of warnings (a typo is ordinary, not a problem to look into);
    the lookup of a real account says nothing either."""
    community = applying
    room = await community.create_room()
    app = live_codes(community, served_matrix(community))  # the bot runs elsewhere
    mei = community.member()
    typo = f"@{mei.user.localpart}x:{community.synapse.server_name}"
    path = urlsplit(await scan(app)).path
    caplog.set_level(logging.DEBUG)
    async with browser(app) as newcomer:
        refused = await newcomer.post(path, data={"user_id": typo, "source": "code:poster",
                                                  "answer_1": "混油皮"})  # fmt: skip
        assert refused.status_code == 400, refused.text
        assert f"localhost 上没有 {typo} 这个 Matrix 账号" in refused.text
        waiting = await newcomer.post(path, data={"user_id": mei.user_id, "source": "code:poster",
                                                  "answer_1": "混油皮"})  # fmt: skip
        assert waiting.status_code == 202, waiting.text
    warnings = [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING]
    assert warnings == []
    assert SqlJoinSources.on(community.store).kept("matrix", room, typo) is None
