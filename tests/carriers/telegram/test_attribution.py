"""Which channel or member brought a Telegram newcomer, against the fake Bot API: each live
code and each member's referral link hands out its own invite link, named after its token
(`code:<slug>`, `ref:<token>`; a digest when the token is longer than Telegram's 32
characters), and the join that link makes is credited to that channel or member, also after
the server restarts."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path

import httpx
import pytest
import pytest_asyncio
from fastapi import FastAPI

from hearthkeeper.capabilities.livecodes.records import ChannelKind
from hearthkeeper.capabilities.livecodes.repository import SqlLiveCodes
from hearthkeeper.capabilities.livecodes.stats import channel_stats
from hearthkeeper.capabilities.livecodes.web import router as livecode_router
from hearthkeeper.capabilities.referrals.links import router as referral_router
from hearthkeeper.capabilities.referrals.repository import SqlReferrals
from hearthkeeper.carriers.telegram.carrier import TelegramCarrier
from hearthkeeper.carriers.telegram.links import CONFIRM_EVERY
from hearthkeeper.carriers.telegram.plugin import TelegramSetup
from hearthkeeper.playbook.templates import template_text
from hearthkeeper.web.context import Web, WebSettings
from tests.carriers.telegram.fake_bot_api import JSON
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

LONG = "spring-poster-2026-metro-line-2-north"  # `code:` + this is over 32 characters


REFERRALS = (
    "mechanisms:\n  referrals: {enabled: true, invites: 2, stay: 7d, reward: {points: 20}}\n"
)


@pytest_asyncio.fixture
async def community(tmp_path: Path, migrated_sqlite: Path) -> AsyncIterator[Hearth]:
    text = open_to_everyone(template_text("skincare"))
    text = text.replace("mechanisms:\n", REFERRALS, 1)
    async with on_sqlite(tmp_path, migrated_sqlite, text) as found:
        yield found


def live_codes(community: Hearth, *slugs: str) -> FastAPI:
    """The web side's live codes with the Telegram carrier as `hearth serve` builds it, and a
    channel per slug routing to the community's Telegram groups."""
    served = TelegramSetup(community.settings()).serve(community.parts())
    web = Web(store=community.store, clock=community.clock,
              settings=WebSettings(data_dir=community.data_dir),
              carriers={"telegram": served}, playbooks=NoPlaybooks())  # fmt: skip
    app = FastAPI()
    app.include_router(livecode_router(web))
    app.include_router(referral_router(web))
    app.state.carrier = served.carrier
    repo = SqlLiveCodes.on(community.store)
    for slug in slugs:
        if repo.channel(slug) is None:
            repo.add_channel(community.runtime.community_id, slug, slug, ChannelKind.POSTER,
                             notes="", carrier="telegram", by="test", at=community.clock.now())  # fmt: skip
    return app


async def scan(app: FastAPI, slug: str, *, path: str = "/go/") -> str:
    """A newcomer opens the live code (or a referral link, `path` `/ref/`) in their browser;
    the Telegram link it sends them to."""
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://hearth") as browser:
        sent = await browser.get(f"{path}{slug}", follow_redirects=False)
    assert sent.status_code == 303, sent.text
    return str(sent.headers["location"])


def arrivals(community: Hearth) -> dict[str, int]:
    """Each channel's arrivals, as the console and `hearth livecodes stats` show them."""
    found = channel_stats(community.store, community.runtime.community_id, community.clock.now())
    return {s.channel.slug: s.arrived for s in found}


async def newcomer(community: Hearth, chat: int, name: str, link: str) -> JSON:
    """`name` asks to join by `link`; the bot approves and welcomes them."""
    person = community.person(name)
    community.api.request_join(chat, person, link)
    await eventually(lambda: community.api.status(chat, person["id"]) == "member",
                     f"{name}'s request approved")  # fmt: skip
    await bot_message(community, chat, f"欢迎 {name}")
    return person


async def test_each_live_code_has_its_own_link_and_its_newcomers_are_credited_to_it(
    community: Hearth,
) -> None:
    api = community.api
    chat = community.group()
    app = live_codes(community, "poster", "partner")
    carrier = app.state.carrier
    assert isinstance(carrier, TelegramCarrier)
    async with serving(community, carrier):
        poster, partner = await scan(app, "poster"), await scan(app, "partner")
        assert poster != partner
        assert api.chats[chat].links[poster]["name"] == "code:poster"  # staff see whose it is
        assert api.chats[chat].links[partner]["name"] == "code:partner"
        assert await scan(app, "poster") == poster  # one link per channel and group

        await newcomer(community, chat, "Mei", poster)
        await newcomer(community, chat, "Lan", partner)
        await newcomer(community, chat, "Bo", poster)
        await eventually(lambda: arrivals(community) == {"poster": 2, "partner": 1},
                         "the arrivals credited to their channels")  # fmt: skip


async def test_a_long_live_code_is_credited_and_its_link_outlives_a_restart(
    community: Hearth,
) -> None:
    api = community.api
    chat = community.group()
    app = live_codes(community, LONG)
    async with serving(community, app.state.carrier):
        link = await scan(app, LONG)
        name = api.chats[chat].links[link]["name"]
        assert len(name) <= 32 and name.startswith("hk:")  # Telegram takes 32 characters
        await newcomer(community, chat, "Mei", link)
        await eventually(lambda: arrivals(community) == {LONG: 1}, "Mei credited")

    app = live_codes(community, LONG)  # `hearth serve` again: a new process, a new carrier
    async with serving(community, app.state.carrier):
        assert await scan(app, LONG) == link  # the poster's QR still leads to the same link
        await newcomer(community, chat, "Lan", link)
        await eventually(lambda: arrivals(community) == {LONG: 2}, "Lan credited after restart")
    assert [m for m, _ in api.calls].count("createChatInviteLink") == 1


async def test_a_member_s_referral_link_leads_to_telegram_and_credits_them(
    community: Hearth,
) -> None:
    api, store = community.api, community.store
    chat = community.group()
    app = live_codes(community)
    async with serving(community, app.state.carrier):
        ann = store.find_member("telegram", str((await community.newcomer("Ann", chat))["id"]))
        assert ann is not None
        referrals = SqlReferrals.on(store)
        token = referrals.link_of(
            community.runtime.community_id, ann.id, community.clock.now()
        ).token
        link = await scan(app, token, path="/ref/")
        assert api.chats[chat].links[link]["name"] == f"ref:{token}"

        bo = store.find_member("telegram", str((await newcomer(community, chat, "Bo", link))["id"]))
        assert bo is not None
        found = await eventually(
            lambda: referrals.pending_for(community.runtime.community_id, bo.id),
            "Bo recorded as Ann's invitee")  # fmt: skip
        assert found.inviter_id == ann.id


def called(community: Hearth, method: str) -> int:
    return [m for m, _ in community.api.calls].count(method)


async def test_a_link_revoked_behind_the_bot_s_back_is_replaced_and_credits_as_before(
    community: Hearth,
) -> None:
    """The poster's Telegram link is revoked by hand; Telegram tells the bot nothing. Once the
    link was last confirmed `CONFIRM_EVERY` ago, the next newcomer's click has the bot ask
    Telegram about it, and the revoked link is replaced by a new one under the same name:
    newcomers get in again, credited to the poster, also after a restart."""
    api, clock = community.api, community.clock
    chat = community.group()
    app = live_codes(community, "poster")
    async with serving(community, app.state.carrier):
        first = await scan(app, "poster")
        api.revoke_link(chat, first)
        # confirmed a moment ago: Telegram is not asked on every click
        assert await scan(app, "poster") == first
        assert called(community, "editChatInviteLink") == 0

        clock.advance(CONFIRM_EVERY + timedelta(seconds=1))
        second = await scan(app, "poster")
        assert second != first
        link = api.chats[chat].links[second]
        assert link["name"] == "code:poster" and not link["is_revoked"]
        assert link["creates_join_request"]
        assert await scan(app, "poster") == second
        await newcomer(community, chat, "Mei", second)
        await eventually(lambda: arrivals(community) == {"poster": 1}, "Mei credited")
    assert (called(community, "editChatInviteLink"), called(community, "createChatInviteLink")) \
        == (1, 2)  # fmt: skip
    gone = [e for e in community.store.audit_log(community.runtime.community_id)
            if e.action == "telegram.link.gone"]  # fmt: skip
    assert [e.detail["link"] for e in gone] == [first]

    app = live_codes(community, "poster")  # `hearth serve` again
    async with serving(community, app.state.carrier):
        assert await scan(app, "poster") == second  # the replacement, not the revoked link


async def test_a_link_that_still_works_is_kept_and_an_answer_that_cannot_tell_keeps_it(
    community: Hearth,
) -> None:
    api, clock = community.api, community.clock
    chat = community.group()
    app = live_codes(community, "poster")
    async with serving(community, app.state.carrier):
        first = await scan(app, "poster")
        clock.advance(CONFIRM_EVERY + timedelta(seconds=1))
        assert await scan(app, "poster") == first  # Telegram confirms it
        assert await scan(app, "poster") == first  # and is not asked again for a while
        assert called(community, "editChatInviteLink") == 1

        clock.advance(CONFIRM_EVERY + timedelta(seconds=1))
        api.throttle("editChatInviteLink", retry_after=30)
        assert await scan(app, "poster") == first  # flood control says nothing of the link
        assert await scan(app, "poster") == first  # nor is it asked again at once
        assert called(community, "editChatInviteLink") == 2
    assert called(community, "createChatInviteLink") == 1
    assert api.chats[chat].links[first]["name"] == "code:poster"  # the checks changed nothing
    assert not api.chats[chat].links[first]["is_revoked"]
