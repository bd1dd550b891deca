"""Who may use the REST API: bearer tokens, console sessions with their CSRF token; and the
OpenAPI document that lists every endpoint."""

from __future__ import annotations

from datetime import timedelta

import pytest

from hearthkeeper.web.auth import token_hash
from tests.web_auth_setup import Site, Tea, tea


@pytest.fixture
def t(site: Site) -> Tea:
    return tea(site)


def test_without_a_token_the_api_answers_401_and_says_how_to_get_one(t: Tea) -> None:
    answer = t.site.client.get("/api/v1/communities")
    assert answer.status_code == 401
    assert answer.headers["www-authenticate"] == "Bearer"
    assert "hearth token create" in answer.json()["detail"]


@pytest.mark.parametrize("header", ["Bearer nonsense", "Bearer", "Basic bWVpOnB3", "token"])
def test_a_wrong_or_malformed_token_answers_401(t: Tea, header: str) -> None:
    answer = t.site.client.get("/api/v1/communities", headers={"Authorization": header})
    assert answer.status_code == 401 and answer.json()["detail"]


def test_a_revoked_token_stops_working_at_once(t: Tea) -> None:
    assert t.get("/communities").status_code == 200
    found = t.site.store.api_token_for(token_hash(t.token))
    assert found is not None
    t.site.store.revoke_api_token(found.id, t.site.clock.now())
    answer = t.get("/communities")
    assert answer.status_code == 401 and "revoked" in answer.json()["detail"]


def test_a_disabled_operators_token_stops_working(t: Tea) -> None:
    t.site.store.set_operator_disabled("mei", True)
    assert t.get("/communities").status_code == 401


def test_using_a_token_is_noted_at_most_once_a_minute(t: Tea) -> None:
    t.get("/communities")
    first = t.site.store.api_token_for(token_hash(t.token))
    assert first is not None and first.last_used_at == t.site.clock.now()
    t.site.clock.advance(timedelta(seconds=20))
    t.get("/communities")
    again = t.site.store.api_token_for(token_hash(t.token))
    assert again is not None and again.last_used_at == first.last_used_at


def _signed_in(site: Site) -> str:
    """Sign the test client in; the session's CSRF token."""
    assert site.sign_in().status_code == 303
    [cookie] = [c.value for c in site.client.cookies.jar if c.name == "hearth_session"]
    session = site.store.session_for(token_hash(cookie or ""), site.clock.now())
    assert session is not None
    return session.csrf_token


def test_a_console_session_reads_and_writes_with_its_csrf_header(t: Tea) -> None:
    csrf = _signed_in(t.site)
    client = t.site.client
    assert [c["slug"] for c in client.get("/api/v1/communities").json()] == ["tea"]
    [alert] = client.get("/api/v1/communities/tea/inbox").json()["alerts"]
    refused = client.post(f"/api/v1/alerts/{alert['id']}/handle")
    assert refused.status_code == 403 and "X-CSRF-Token" in refused.json()["detail"]
    assert t.site.store.staff_alerts(t.id) != [], "nothing changed"
    done = client.post(f"/api/v1/alerts/{alert['id']}/handle", headers={"X-CSRF-Token": csrf})
    assert done.status_code == 200 and done.json()["handled_by"] == "api:mei"


def test_openapi_documents_every_endpoint(t: Tea) -> None:
    document = t.site.client.get("/openapi.json").json()
    paths = document["paths"]
    expected = {
        ("get", "/api/v1/communities"),
        ("get", "/api/v1/communities/{slug}"),
        ("get", "/api/v1/communities/{slug}/live"),
        ("get", "/api/v1/communities/{slug}/groups"),
        ("get", "/api/v1/communities/{slug}/members"),
        ("get", "/api/v1/communities/{slug}/members/{member_id}"),
        ("get", "/api/v1/communities/{slug}/strikes"),
        ("post", "/api/v1/strikes/{strike_id}/pardon"),
        ("get", "/api/v1/communities/{slug}/sanctions"),
        ("post", "/api/v1/sanctions/{sanction_id}/lift"),
        ("get", "/api/v1/communities/{slug}/inbox"),
        ("post", "/api/v1/alerts/{alert_id}/handle"),
        ("get", "/api/v1/communities/{slug}/reports"),
        ("post", "/api/v1/reports/{reported_id}/{decision}"),
        ("get", "/api/v1/communities/{slug}/audit"),
        ("get", "/api/v1/communities/{slug}/playbook"),
        ("get", "/api/v1/communities/{slug}/playbook/versions"),
        ("post", "/api/v1/communities/{slug}/playbook"),
    }
    found = {(method, path) for path, ops in paths.items() for method in ops}
    assert expected <= found
    for method, path in expected:
        operation = paths[path][method]
        assert operation["tags"] and operation["summary"]
        assert "$ref" in str(operation["responses"]["200"]), f"{method} {path} has a model"
    applying = paths["/api/v1/communities/{slug}/playbook"]["post"]
    assert set(applying["requestBody"]["content"]) == {"text/yaml", "application/json"}
    assert "PlaybookInvalidOut" in str(applying["responses"]["422"])
    assert "/console/sign-in" not in paths and "/" not in paths, "pages are not the API"
