"""The whole application as `create_app` builds it: two servers in one process each serve
their own store and carriers; routes are served as their routers built them (not analysed
again by FastAPI's include_router, which made every start-up and first request slow), with
the same routes and OpenAPI document as including them gives."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from fastapi import APIRouter, FastAPI
from fastapi.routing import iter_route_contexts
from fastapi.testclient import TestClient
from starlette.routing import Mount, Route, WebSocketRoute

from hearthkeeper.apply import apply_playbook
from hearthkeeper.capabilities.installed import CAPABILITIES
from hearthkeeper.clock import FrozenClock
from hearthkeeper.playbook import parse_playbook
from hearthkeeper.web.api import api_router
from hearthkeeper.web.api_docs import api_docs_router
from hearthkeeper.web.app import create_app
from hearthkeeper.web.auth import SESSION_COOKIE, new_token, token_hash
from hearthkeeper.web.console import console_router
from hearthkeeper.web.context import Web, WebSettings
from hearthkeeper.web.joined import add_routes, joined
from hearthkeeper.web.security import DOCS_PATH
from hearthkeeper.web.signin import signin_router
from tests.console_setup import SLUG, Console
from tests.playbook_samples import MINIMAL
from tests.web_auth_setup import AppliedPlaybooks, _password_hash, sqlite_store


def _tea_server(migrated: Path, data: Path, clock: FrozenClock) -> tuple[TestClient, str]:
    """The "tea" community on its own store, served with no carrier: a signed-in client and
    an API token."""
    data.mkdir()
    store = sqlite_store(migrated, data, clock)
    apply_playbook(store, parse_playbook(MINIMAL), "setup")
    web = Web(store, clock, WebSettings(data_dir=data), {}, AppliedPlaybooks(store, data))
    client = TestClient(create_app(web))
    operator = store.add_operator("bo", _password_hash("tea tea tea tea"))
    session = new_token()
    store.create_session(operator.id, token_hash(session), new_token(),
                         clock.now() + timedelta(hours=12))  # fmt: skip
    client.cookies.set(SESSION_COOKIE, session)
    api = new_token()
    store.add_api_token(operator.id, "script", token_hash(api))
    return client, api


def test_two_servers_in_one_process_each_serve_their_own_community_and_carriers(
    console: Console, migrated_sqlite: Path, tmp_path: Path, store_clock: FrozenClock
) -> None:
    tea, tea_token = _tea_server(migrated_sqlite, tmp_path / "tea", store_clock)
    skincare = console.client
    skincare_token = console.site.token(console.store.operator_by_name("ann"))  # type: ignore[arg-type]
    invite = console.site.web.invite_url(console.store.get_group(console.group_id))  # type: ignore[arg-type]
    assert invite is not None
    join_path = invite.removeprefix("http://chat.example")

    # the console: each its own community, the other's unknown
    assert skincare.get(f"/console/c/{SLUG}/members").status_code == 200
    assert skincare.get("/console/c/tea/members").status_code == 404
    assert tea.get("/console/c/tea/members").status_code == 200
    missing = tea.get(f"/console/c/{SLUG}/members")
    assert missing.status_code == 404 and "There is no community" in missing.text

    # the REST API: each lists its own communities, and takes only its own tokens
    def listed(client: TestClient, token: str) -> list[str]:
        answer = client.get("/api/v1/communities", headers={"Authorization": f"Bearer {token}"})
        assert answer.status_code == 200, answer.text
        return [c["slug"] for c in answer.json()]

    assert listed(skincare, skincare_token) == [SLUG]
    assert listed(tea, tea_token) == ["tea"]
    refused = tea.get("/api/v1/communities", headers={"Authorization": f"Bearer {skincare_token}"})
    assert refused.status_code == 401

    # the web chat's pages only where the web chat is a carrier
    assert skincare.get(join_path).status_code == 200
    assert tea.get(join_path).status_code == 404
    assert tea.get("/chat").status_code == 404

    # the first server still serves its own after the second was built and used
    assert skincare.get(f"/console/c/{SLUG}/members").status_code == 200
    assert listed(skincare, skincare_token) == [SLUG]


def test_every_route_is_served_as_its_router_built_it(console: Console) -> None:
    """No route sits behind an included router (FastAPI would work out its dependencies and
    models again for each application and on its first request)."""
    app = console.client.app
    assert isinstance(app, FastAPI)
    behind = [
        route for route in app.routes if not isinstance(route, (Route, Mount, WebSocketRoute))
    ]
    assert behind == []


def test_the_routes_and_openapi_document_are_those_including_the_routers_gives(
    console: Console,
) -> None:
    web = console.site.web
    served = console.client.app
    assert isinstance(served, FastAPI)
    included = FastAPI(title=served.title, version=served.version, docs_url=None,
                       redoc_url=None, openapi_url=served.openapi_url)  # fmt: skip
    included.include_router(api_docs_router(included, DOCS_PATH))
    included.include_router(signin_router(web))
    included.include_router(console_router(web))
    included.include_router(api_router(web))
    for capability in CAPABILITIES:
        own = capability.routes(web)
        if own is not None:
            included.include_router(own)
    for carrier in web.carriers.values():
        if carrier.routes is not None:
            included.include_router(carrier.routes(web))

    def listing(app: FastAPI) -> list[tuple[str | None, list[str], str | None, bool]]:
        return [(r.path, sorted(r.methods or []), r.name, bool(getattr(r, "include_in_schema", 1)))
                for r in iter_route_contexts(app.routes) if r.path != "/static"]  # fmt: skip

    assert listing(served) == listing(included)
    assert served.openapi() == included.openapi()
    assert "/console/sign-in" not in str(served.openapi()["paths"]), "console pages stay out"


def test_a_router_with_a_prefix_of_its_include_is_still_served_under_it() -> None:
    inner = APIRouter()

    @inner.get("/ping")
    def ping() -> dict[str, str]:
        return {"pong": "yes"}

    nested = APIRouter()
    nested.include_router(inner, prefix="/v9")  # the include adds the prefix: kept included
    app = FastAPI()
    add_routes(app, joined([nested], include_in_schema=False))
    client = TestClient(app)
    assert client.get("/v9/ping").json() == {"pong": "yes"}
    assert client.get("/ping").status_code == 404
    assert app.openapi()["paths"] == {}, "kept out of the schema, as asked"
