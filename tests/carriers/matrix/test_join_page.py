"""The Matrix join page (`/matrix/join/<room>?via=<token>`) through the web app as `hearth
serve` mounts it, the bot not signed in: a Matrix ID that is not one is refused with what is
wrong and the form keeps what was typed; the community's threshold screens the newcomer
(an invite code is asked for, a wrong one refused); the bot's invitation goes on the outbound
queue when the bot runs elsewhere; and one client, or one Matrix ID, cannot ask for invitations without end. The
invitation itself, and the join it brings, run on a real Synapse (test_livecode_rooms.py)."""

from __future__ import annotations

from collections.abc import Coroutine, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from hearthkeeper.apply import apply_playbook
from hearthkeeper.assembly import runtime_for
from hearthkeeper.capabilities.admission.codes import create_code
from hearthkeeper.capabilities.livecodes.records import ChannelKind
from hearthkeeper.capabilities.livecodes.repository import SqlLiveCodes
from hearthkeeper.capabilities.livecodes.web import router as livecode_router
from hearthkeeper.capabilities.referrals.links import router as referral_router
from hearthkeeper.capabilities.referrals.repository import SqlReferrals
from hearthkeeper.carriers.matrix.carrier import MatrixCarrier
from hearthkeeper.carriers.matrix.join import ASKS_PER_HOUR, ASKS_PER_ID_PER_HOUR
from hearthkeeper.carriers.matrix.plugin import MatrixSetup
from hearthkeeper.carriers.matrix.settings import MatrixSettings
from hearthkeeper.carriers.plugin import ServerParts
from hearthkeeper.clock import FrozenClock
from hearthkeeper.engine.admission import Admission
from hearthkeeper.engine.carrier import CarrierError
from hearthkeeper.playbook import parse_playbook
from hearthkeeper.store import Store
from hearthkeeper.store.join_sources import SqlJoinSources
from hearthkeeper.web.clientaddr import parse_proxies
from hearthkeeper.web.context import Web, WebSettings
from tests.playbook_samples import MINIMAL
from tests.webchat_setup import NoPlaybooks, sqlite_store

ROOM = "!tea:example.org"
PAGE = "/matrix/join/!tea:example.org"
BY_CODE = "joining:\n  threshold:\n    kind: invite_code\n"


@pytest.fixture
def store(tmp_path: Path, migrated_sqlite: Path, store_clock: FrozenClock) -> Iterator[Store]:
    with sqlite_store(tmp_path, migrated_sqlite, store_clock) as found:
        yield found


def join_page(store: Store, clock: FrozenClock, tmp_path: Path, playbook: str,
              trial_limit_exempt: tuple[str, ...] = ()) -> FastAPI:  # fmt: skip
    """The web app with the Matrix carrier's routes, the room a group of the tea community
    (`trial_limit_exempt`: `[server]`'s)."""
    loaded = parse_playbook(playbook, str(tmp_path / "pb.yaml"))
    apply_playbook(store, loaded, "test")
    runtime = runtime_for(store, loaded.playbook, tmp_path)
    settings = MatrixSettings(homeserver="http://127.0.0.1:9", user_id="@bot:example.org",
                              access_token="secret", password=None,
                              rooms={ROOM: "tea"}, sync_position=tmp_path / "sync.json")  # fmt: skip
    setup = MatrixSetup(settings)
    setup.adopt(store, runtime.community_id, loaded.playbook)
    web_settings = WebSettings(data_dir=tmp_path,
                               trial_limit_exempt=parse_proxies(trial_limit_exempt))  # fmt: skip
    parts = ServerParts(store=store, clock=clock, web=web_settings,
                        communities={c.slug: c for c in store.list_communities()},
                        admission=Admission(store, clock, {runtime.community_id: runtime}.get))  # fmt: skip
    served = setup.serve(parts)
    assert served.routes is not None and served.attributes
    web = Web(store=store, clock=clock, settings=web_settings, carriers={"matrix": served},
              playbooks=NoPlaybooks())  # fmt: skip
    app = FastAPI()
    app.include_router(served.routes(web))
    app.include_router(referral_router(web))
    app.include_router(livecode_router(web))
    return app


def client(app: FastAPI, address: str = "10.0.0.1") -> httpx.AsyncClient:
    transport = httpx.ASGITransport(app=app, client=(address, 40000))
    return httpx.AsyncClient(transport=transport, base_url="http://hearth")


@pytest.mark.asyncio
async def test_a_matrix_id_that_is_not_one_is_refused_and_the_form_keeps_it(
    store: Store, store_clock: FrozenClock, tmp_path: Path
) -> None:
    app = join_page(store, store_clock, tmp_path, MINIMAL)
    async with client(app) as newcomer:
        page = await newcomer.get(PAGE, params={"via": "code:poster"})
        assert page.status_code == 200
        assert 'name="source" value="code:poster"' in page.text
        assert "Type your Matrix ID and the bot invites you to the room" in page.text
        assert 'href="https://matrix.to/#/!tea:example.org?via=example.org"' in page.text
        assert (await newcomer.get("/matrix/join/!other:example.org")).status_code == 404

        wrong = await newcomer.post(PAGE, data={"user_id": "mei:matrix.org",
                                                "source": "code:poster"})  # fmt: skip
        assert wrong.status_code == 400
        assert "A Matrix ID starts with @, such as @alice:matrix.org" in wrong.text
        assert 'value="mei:matrix.org"' in wrong.text
        assert 'name="source" value="code:poster"' in wrong.text
    assert SqlJoinSources.on(store).kept("matrix", ROOM, "mei:matrix.org") is None


@pytest.mark.asyncio
async def test_a_closed_room_invites_nobody_new(
    store: Store, store_clock: FrozenClock, tmp_path: Path
) -> None:
    """`hearth groups close` on a Matrix room: its join page invited newcomers all the same."""
    app = join_page(store, store_clock, tmp_path, MINIMAL)
    room = store.group_for_carrier("matrix", ROOM)
    assert room is not None
    other = store.add_group(room.community_id, "Tea 2", "matrix", "!tea2:example.org")
    store.close_group(room.id, "ops", into=other.id)
    async with client(app) as newcomer:
        page = await newcomer.get(PAGE)
        assert page.status_code == 410 and "This Matrix room is closed" in page.text
        # closed into Tea 2: the page says so, and links to Tea 2's own join page
        there = "/matrix/join/!tea2:example.org"
        assert f'Its members carry on in Tea 2: <a href="{there}">{there}</a>' in page.text
        assert "成员们移步「Tea 2」继续交流" in page.text
        asked = await newcomer.post(PAGE, data={"user_id": "@mei:matrix.org"})
        assert asked.status_code == 410 and "carry on in Tea 2" in asked.text
    assert not [i for i in store.outbox_items() if i.action.get("kind") == "admit"]


@pytest.mark.asyncio
async def test_the_threshold_screens_the_newcomer_before_any_invitation(
    store: Store, store_clock: FrozenClock, tmp_path: Path
) -> None:
    app = join_page(store, store_clock, tmp_path, MINIMAL + BY_CODE)
    [tea] = store.list_communities()
    create_code(store, tea.id, "test", store_clock.now(), code="SPRING")
    async with client(app) as newcomer:
        page = await newcomer.get(PAGE, params={"via": "code:poster"})
        assert 'id="invite_code"' in page.text  # the threshold asks for a code
        refused = await newcomer.post(PAGE, data={"user_id": "@mei:matrix.org",
                                                  "invite_code": "WINTER",
                                                  "source": "code:poster"})  # fmt: skip
        assert refused.status_code == 403
        assert 'value="WINTER"' in refused.text and 'value="@mei:matrix.org"' in refused.text
        assert SqlJoinSources.on(store).kept("matrix", ROOM, "@mei:matrix.org") is None
        # The right code admits her. The bot does not run in this process (`--role web`, or
        # it is restarting): the invitation goes on the outbound queue, for whichever process
        # runs the bot, and the page says it is coming.
        admitted = await newcomer.post(PAGE, data={"user_id": "@mei:matrix.org",
                                                   "invite_code": "SPRING",
                                                   "source": "code:poster"})  # fmt: skip
        assert admitted.status_code == 202
        assert "The bot will invite @mei:matrix.org to" in admitted.text
    assert SqlJoinSources.on(store).kept("matrix", ROOM, "@mei:matrix.org") == "code:poster"
    [queued] = [i.action for i in store.outbox_items() if i.action["kind"] == "admit"]
    assert (queued["group"], queued["member"]) == (ROOM, "@mei:matrix.org")


@pytest.mark.asyncio
async def test_one_client_or_one_matrix_id_cannot_ask_for_invitations_without_end(
    store: Store, store_clock: FrozenClock, tmp_path: Path
) -> None:
    app = join_page(store, store_clock, tmp_path, MINIMAL)
    async with client(app, "10.0.0.1") as venue:
        for n in range(ASKS_PER_HOUR):
            asked = await venue.post(PAGE, data={"user_id": f"@guest{n}:matrix.org"})
            assert asked.status_code == 202  # screened, admitted, the invitation queued
        limited = await venue.post(PAGE, data={"user_id": "@one-more:matrix.org"})
        assert limited.status_code == 429 and int(limited.headers["Retry-After"]) > 0
        assert "Too many invitations asked from here" in limited.text
        assert 'value="@one-more:matrix.org"' in limited.text
    for n in range(ASKS_PER_ID_PER_HOUR):
        async with client(app, f"10.0.1.{n}") as someone:
            asked = await someone.post(PAGE, data={"user_id": "@lan:matrix.org"})
            assert asked.status_code == 202
    async with client(app, "10.0.2.1") as elsewhere:
        limited = await elsewhere.post(PAGE, data={"user_id": "@lan:matrix.org"})
        assert limited.status_code == 429
        assert "@lan:matrix.org was asked for too often" in limited.text
        other = await elsewhere.post(PAGE, data={"user_id": "@mei:matrix.org"})
        assert other.status_code == 202  # another ID from a fresh address is still served


@pytest.mark.asyncio
async def test_a_member_s_referral_link_leads_to_the_join_page_of_a_matrix_room(
    store: Store, store_clock: FrozenClock, tmp_path: Path
) -> None:
    """A community whose groups are Matrix rooms: a member's invite link leads to the join
    page, keeping the member's token for the invitation and the join it brings."""
    app = join_page(store, store_clock, tmp_path, MINIMAL)
    [tea] = store.list_communities()
    [room] = store.list_groups(tea.id)
    ann = store.member_for("matrix", "@ann:example.org", "Ann")
    store.join(ann.id, room.id, at=store_clock.now())
    token = SqlReferrals.on(store).link_of(tea.id, ann.id, store_clock.now()).token
    async with client(app) as friend:
        sent = await friend.get(f"/ref/{token}", follow_redirects=False)
        assert sent.status_code == 303
        assert sent.headers["location"] == (f"http://127.0.0.1:8470{PAGE}?via=ref%3A{token}")
        page = await friend.get(PAGE, params={"via": f"ref:{token}"})
        assert f'name="source" value="ref:{token}"' in page.text


@pytest.mark.asyncio
async def test_a_join_page_address_naming_no_room_shows_the_page_not_json(
    store: Store, store_clock: FrozenClock, tmp_path: Path
) -> None:
    app = join_page(store, store_clock, tmp_path, MINIMAL)
    async with client(app) as newcomer:
        for path in ("/matrix/join/", "/matrix/join", f"{PAGE}/more"):
            for method in ("GET", "POST"):
                page = await newcomer.request(method, path)
                assert page.status_code == 404, (method, path)
                assert "This link leads to no Matrix room run here." in page.text
                assert "这个链接指向的 Matrix 群不在这里运营。" in page.text
        slashed = await newcomer.get(PAGE + "/", params={"via": "code:poster"})
        assert slashed.status_code == 307
        assert slashed.headers["location"] == f"http://hearth{PAGE}?via=code%3Aposter"


PAID_WITH_TRIAL = """\
joining:
  threshold:
    kind: paid
    plan: monthly
monetisation:
  plans:
    - id: monthly
      name: Tea Club
      price: 9
      currency: EUR
      period: 1 month
      trial: 3d
"""


@pytest.mark.asyncio
async def test_the_join_page_of_a_paid_community_with_a_trial_says_so(
    store: Store, store_clock: FrozenClock, tmp_path: Path
) -> None:
    """The web chat's join page said a paid community's trial ends in removal unless the
    newcomer pays; the Matrix join page hid it (it showed only what kept people out)."""
    app = join_page(store, store_clock, tmp_path, MINIMAL + PAID_WITH_TRIAL)
    async with client(app) as newcomer:
        page = await newcomer.get(PAGE)
        assert page.status_code == 200 and 'name="user_id"' in page.text
        said = "Tea Friends is a paid community: newcomers try it free for 3 days"
        assert said in page.text and "Tea Club" in page.text and "9 EUR" in page.text
        wrong = await newcomer.post(PAGE, data={"user_id": "mei"})
        assert wrong.status_code == 400 and said in wrong.text
        assert 'class="note" id="admission"' in wrong.text, "the offer is no error"


@pytest.mark.asyncio
async def test_one_free_trial_per_connection_on_the_matrix_join_page(
    store: Store, store_clock: FrozenClock, tmp_path: Path
) -> None:
    """The web chat's join page gives one trial per connection in 30 days; on the Matrix
    join page each Matrix ID typed from the same connection got a trial of its own."""
    app = join_page(store, store_clock, tmp_path, MINIMAL + PAID_WITH_TRIAL)
    used = "A free trial was already used from this connection in the last 30 days"
    async with client(app, "203.0.113.9") as home:
        first = await home.post(PAGE, data={"user_id": "@mei:example.org"})
        assert first.status_code < 400 and used not in first.text
        second = await home.post(PAGE, data={"user_id": "@mei2:example.org"})
        assert second.status_code == 403 and used in second.text
        assert used in (await home.get(PAGE)).text
    async with client(app, "198.51.100.4") as elsewhere:
        assert used not in (await elsewhere.get(PAGE)).text


@pytest.mark.asyncio
async def test_a_network_the_operator_exempts_gives_each_matrix_id_a_trial(
    store: Store, store_clock: FrozenClock, tmp_path: Path
) -> None:
    """`[server] trial_limit_exempt` counts on the Matrix join page as on the web chat's: an
    operator trying it out from this machine gets a trial for each Matrix ID typed."""
    app = join_page(store, store_clock, tmp_path, MINIMAL + PAID_WITH_TRIAL, ("127.0.0.1",))
    used = "A free trial was already used from this connection in the last 30 days"
    async with client(app, "127.0.0.1") as here:
        for who in ("@mei:example.org", "@mei2:example.org", "@mei3:example.org"):
            joined = await here.post(PAGE, data={"user_id": who})
            assert joined.status_code < 400 and used not in joined.text, who
    async with client(app, "203.0.113.9") as home:
        assert (await home.post(PAGE, data={"user_id": "@bo:example.org"})).status_code < 400
        second = await home.post(PAGE, data={"user_id": "@bo2:example.org"})
        assert second.status_code == 403 and used in second.text


@pytest.mark.asyncio
async def test_a_newcomer_the_door_refuses_gives_the_live_code_s_seat_back(
    store: Store, store_clock: FrozenClock, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The partner's live code held the room's last seat for a blacklisted newcomer, sent to
    the join page; the page refused them, but the seat stayed held for 15 minutes, so the
    code said the room was full to the next person. Now the refusal gives the seat back, and
    so does an admitted newcomer whose invitation the homeserver refuses for good."""
    two_seats = MINIMAL + "structure:\n  groups: {capacity: 2, join_by_code_cap: 2}\n"
    app = join_page(store, store_clock, tmp_path, two_seats)
    [tea] = store.list_communities()
    [room] = store.list_groups(tea.id)
    store.join(store.member_for("matrix", "@mei:example.org", "Mei").id, room.id)
    SqlLiveCodes.on(store).add_channel(tea.id, "partner", "Partner", ChannelKind.PARTNER,
                                       notes="", carrier="matrix", by="test",
                                       at=store_clock.now())  # fmt: skip
    spam = store.member_for("matrix", "@spam:example.org", "Spam")
    store.add_sanction("blacklist", spam.id, "spam", store_clock.now(), community_id=tea.id)
    async with client(app, "10.0.0.1") as spammer:
        sent = await spammer.get("/go/partner")
        assert sent.status_code == 303
        assert sent.headers["location"] == f"http://127.0.0.1:8470{PAGE}?via=code%3Apartner"
        refused = await spammer.post(PAGE, data={"user_id": "@spam:example.org",
                                                 "source": "code:partner"})  # fmt: skip
        assert refused.status_code == 403 and "You cannot join this community." in refused.text
    async with client(app, "10.0.0.2") as next_one:
        sent = await next_one.get("/go/partner")
        assert sent.status_code == 303, "the room's seat is free again"
        assert sent.headers["location"] == f"http://127.0.0.1:8470{PAGE}?via=code%3Apartner"
        # admitted, but the homeserver refuses the bot's invitation for good (not a retry)
        monkeypatch.setattr(MatrixCarrier, "call", refuse_invitation)
        stuck = await next_one.post(PAGE, data={"user_id": "@lan:example.org",
                                                "source": "code:partner"})  # fmt: skip
        assert stuck.status_code == 503 and "The bot could not invite @lan:example.org" in (
            stuck.text
        )
        monkeypatch.undo()
    async with client(app, "10.0.0.3") as third:
        sent = await third.get("/go/partner")
        assert sent.status_code == 303, "the seat held for @lan is free again"


def refuse_invitation(_carrier: MatrixCarrier, work: Coroutine[Any, Any, Any],
                      _timeout: float) -> None:  # fmt: skip
    """The homeserver answering the bot's invitation with a refusal trying again cannot turn."""
    work.close()
    raise CarrierError("matrix: inviting: M_FORBIDDEN: the bot may not invite", retry=False)
