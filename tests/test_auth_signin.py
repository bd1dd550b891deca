"""Signing in and out of the console: sessions, cookies, CSRF, throttling, redirects."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from hearthkeeper.clock import FrozenClock
from hearthkeeper.store import Store, create_engine_for
from hearthkeeper.web.signin import safe_next
from tests.web_auth_setup import PASSWORD, Site, build_site, sqlite_store


def test_a_console_page_without_a_session_sends_the_browser_to_sign_in(site: Site) -> None:
    answer = site.client.get("/console/c/tea/members?query=li", follow_redirects=False)
    assert answer.status_code == 303
    assert (
        answer.headers["location"]
        == "/console/sign-in?next=%2Fconsole%2Fc%2Ftea%2Fmembers%3Fquery%3Dli"
    )


def test_signing_in_opens_the_page_asked_for_and_the_console_knows_who(site: Site) -> None:
    site.add_operator("mei")
    answer = site.sign_in("mei", PASSWORD, next_url="/console/c/tea/members")
    assert answer.status_code == 303
    assert answer.headers["location"] == "/console/c/tea/members"
    page = site.client.get("/console/c/tea/members", follow_redirects=False)
    assert page.status_code == 200 and page.text == "members of tea for mei"
    operator = site.store.operator_by_name("mei")
    assert operator is not None and operator.last_sign_in_at == site.clock.now()


def test_the_session_cookie_is_httponly_lax_and_lasts_the_configured_hours(site: Site) -> None:
    site.add_operator()
    answer = site.sign_in()
    cookie = next(c for c in answer.headers.get_list("set-cookie")
                  if c.startswith("hearth_session="))  # fmt: skip
    flags = [part.strip().lower() for part in cookie.split(";")]
    assert "httponly" in flags and "samesite=lax" in flags and "path=/" in flags
    assert f"max-age={12 * 3600}" in flags
    assert "secure" not in flags, "plain HTTP unless secure_cookies is set"


def test_cookies_are_secure_when_configured(
    migrated_sqlite: Path, tmp_path: Path, store_clock: FrozenClock
) -> None:
    store = sqlite_store(migrated_sqlite, tmp_path, store_clock)
    site = build_site(store, store_clock, tmp_path, secure=True)
    site.add_operator()
    form = site.client.get("/console/sign-in")
    assert "secure" in form.headers["set-cookie"].lower()
    # The test client speaks plain HTTP, so it would not send a Secure cookie back: post
    # the form cookie by hand.
    token = form.text.split('name="signin_token" value="')[1].split('"')[0]
    answer = site.client.post("/console/sign-in", follow_redirects=False,
                              data={"username": "mei", "password": PASSWORD,
                                    "signin_token": token},
                              headers={"cookie": f"hearth_signin={token}"})  # fmt: skip
    assert answer.status_code == 303
    session = next(c for c in answer.headers.get_list("set-cookie") if "hearth_session=" in c)
    assert "secure" in [p.strip().lower() for p in session.split(";")]
    store.engine.dispose()


def test_a_wrong_password_and_an_unknown_user_get_the_same_answer(site: Site) -> None:
    site.add_operator("mei")
    wrong = site.sign_in("mei", "not the password")
    unknown = site.sign_in("nobody", PASSWORD)
    for answer in (wrong, unknown):
        assert answer.status_code == 401
        assert "Wrong username or password" in answer.text
        assert "hearth_session" not in answer.headers.get("set-cookie", "")
    assert site.client.get("/console/c/tea/members", follow_redirects=False).status_code == 303


def test_five_failures_for_a_username_lock_it_for_the_rest_of_five_minutes(site: Site) -> None:
    site.add_operator("mei")
    for _ in range(5):
        assert site.sign_in("mei", "guess").status_code == 401
    refused = site.sign_in("mei", PASSWORD)
    assert refused.status_code == 429
    assert "Too many failed sign-ins; try again in 5 minutes" in refused.text
    site.clock.advance(timedelta(minutes=5, seconds=1))
    assert site.sign_in("mei", PASSWORD).status_code == 303


def test_five_failures_from_one_address_lock_every_username_from_it(site: Site) -> None:
    site.add_operator("mei")
    for name in ("a", "b", "c", "d", "e"):
        site.sign_in(name, "guess")
    refused = site.sign_in("mei", PASSWORD)
    assert refused.status_code == 429


def test_failed_sign_ins_are_counted_across_processes_and_restarts(
    store: Store, store_clock: FrozenClock, tmp_path: Path
) -> None:
    """Each process counted failed sign-ins in its own memory: behind a balancer with two
    processes a guesser tried ten passwords in five minutes, and every restart gave five more."""
    engines = [create_engine_for(store.engine.url.render_as_string(hide_password=False))
               for _ in range(2)]  # fmt: skip
    try:
        first = build_site(store, store_clock, tmp_path)
        second, restarted = (build_site(Store(engine, store_clock), store_clock, tmp_path)
                             for engine in engines)  # fmt: skip
        first.add_operator("mei")
        for n in range(5):
            assert (first if n % 2 else second).sign_in("mei", f"guess {n}").status_code == 401
        for site in (first, second, restarted):
            refused = site.sign_in("mei", PASSWORD)
            assert refused.status_code == 429
            assert "Too many failed sign-ins; try again in 5 minutes" in refused.text
        store_clock.advance(timedelta(minutes=5, seconds=1))
        assert restarted.sign_in("mei", PASSWORD).status_code == 303
    finally:
        for engine in engines:
            engine.dispose()


def test_a_sign_in_that_succeeds_is_not_counted_against_the_address(
    site: Site,
) -> None:
    """An attempt is counted before its password is checked: one that signs in is given back
    (counted, the second sign-in here would be the address's sixth attempt: refused)."""
    site.add_operator("mei")
    for _ in range(4):
        assert site.sign_in("mei", "guess").status_code == 401
    for _ in range(2):
        assert site.sign_in("mei", PASSWORD).status_code == 303
        site.client.cookies.clear()  # signed out


def test_a_sign_in_form_posted_without_its_cookie_is_refused(site: Site) -> None:
    site.add_operator()
    token = site.sign_in_form()
    site.client.cookies.clear()
    answer = site.client.post("/console/sign-in", follow_redirects=False,
                              data={"username": "mei", "password": PASSWORD,
                                    "signin_token": token})  # fmt: skip
    assert answer.status_code == 403
    assert "sign-in form expired or came from another site" in answer.text


@pytest.mark.parametrize(
    "target",
    ["https://evil.example/", "//evil.example/console", "/\\evil.example", "/api/v1/communities",
     "/console/../api", "/consolex", "javascript:alert(1)", "/console/%2e%2e/x"],
)  # fmt: skip
def test_next_never_leaves_the_console(site: Site, target: str) -> None:
    assert safe_next(target) == "/console"
    site.add_operator()
    answer = site.sign_in(next_url=target)
    assert answer.headers["location"] == "/console"


def test_next_keeps_a_console_page_with_its_query() -> None:
    assert safe_next("/console/c/tea/members?tag=oily") == "/console/c/tea/members?tag=oily"


def test_a_disabled_operator_cannot_sign_in(site: Site) -> None:
    site.add_operator("mei")
    site.store.set_operator_disabled("mei", True)
    answer = site.sign_in("mei", PASSWORD)
    assert answer.status_code == 403
    assert "disabled" in answer.text


def test_a_session_ends_after_its_hours(site: Site) -> None:
    site.add_operator()
    site.sign_in()
    assert site.client.get("/console/c/tea/members", follow_redirects=False).status_code == 200
    site.clock.advance(timedelta(hours=12, seconds=1))
    assert site.client.get("/console/c/tea/members", follow_redirects=False).status_code == 303


def csrf_of(site: Site) -> str:
    [session] = [c for c in site.client.cookies.jar if c.name == "hearth_session"]
    from hearthkeeper.web.auth import token_hash

    found = site.store.session_for(token_hash(session.value or ""), site.clock.now())
    assert found is not None
    return found.csrf_token


def test_console_posts_need_the_sessions_csrf_token(site: Site) -> None:
    site.add_operator()
    site.sign_in()
    missing = site.client.post("/console/c/tea/act", data={"x": "1"})
    wrong = site.client.post("/console/c/tea/act", data={"csrf_token": "forged"})
    for answer in (missing, wrong):
        assert answer.status_code == 403
        assert "CSRF token does not match your session" in answer.json()["detail"]
    token = csrf_of(site)
    by_form = site.client.post("/console/c/tea/act", data={"csrf_token": token})
    by_header = site.client.post("/console/c/tea/act", headers={"X-CSRF-Token": token})
    assert by_form.text == "done in tea" and by_header.text == "done in tea"


def test_a_console_post_without_a_session_is_refused(site: Site) -> None:
    answer = site.client.post("/console/c/tea/act", data={"csrf_token": "x"})
    assert answer.status_code == 403 and "not signed in" in answer.json()["detail"]


def test_signing_out_ends_the_session_for_good(site: Site) -> None:
    site.add_operator()
    site.sign_in()
    [cookie] = [c.value for c in site.client.cookies.jar if c.name == "hearth_session"]
    refused = site.client.post("/console/sign-out", data={"csrf_token": "forged"})
    assert refused.status_code == 403, "another site cannot sign the operator out"
    out = site.client.post("/console/sign-out", data={"csrf_token": csrf_of(site)},
                           follow_redirects=False)  # fmt: skip
    assert out.status_code == 303 and out.headers["location"] == "/console/sign-in"
    assert (
        'hearth_session=""' in out.headers["set-cookie"] or "Max-Age=0" in out.headers["set-cookie"]
    )
    # Even a copy of the old cookie no longer opens anything.
    site.client.cookies.set("hearth_session", cookie or "")
    assert site.client.get("/console/c/tea/members", follow_redirects=False).status_code == 303


def test_a_password_change_signs_the_operator_out_everywhere(site: Site) -> None:
    site.add_operator()
    site.sign_in()
    site.store.set_operator_password("mei", "$argon2id$new")
    assert site.client.get("/console/c/tea/members", follow_redirects=False).status_code == 303


def test_the_root_leads_to_the_console(site: Site) -> None:
    answer = site.client.get("/", follow_redirects=False)
    assert answer.status_code == 303 and answer.headers["location"] == "/console"


def test_the_sign_in_page_escapes_what_was_typed(site: Site) -> None:
    site.sign_in_form()
    answer = site.sign_in('<script>alert("x")</script>', "pw")
    assert "<script>alert" not in answer.text
    assert "&lt;script&gt;" in answer.text


def test_a_cross_site_sign_out_without_the_token_leaves_the_operator_signed_in(
    site: Site,
) -> None:
    site.add_operator()
    site.sign_in()
    no_field = site.client.post("/console/sign-out", data={}, follow_redirects=False)
    plain = site.client.post("/console/sign-out", content=b"csrf_token=x",
                             headers={"Content-Type": "text/plain"}, follow_redirects=False)  # fmt: skip
    assert no_field.status_code == plain.status_code == 403
    assert "set-cookie" not in no_field.headers and "set-cookie" not in plain.headers
    assert site.client.get("/console/c/tea/members", follow_redirects=False).status_code == 200
