"""Security headers: no framing, no sniffing, a strict content policy on HTML pages."""

from __future__ import annotations

from hearthkeeper.web.security import content_policy
from tests.web_auth_setup import Site


def test_html_pages_get_every_header_and_a_policy_without_inline_scripts(site: Site) -> None:
    page = site.client.get("/console/sign-in")
    assert page.headers["x-frame-options"] == "DENY"
    assert page.headers["x-content-type-options"] == "nosniff"
    assert page.headers["referrer-policy"] == "same-origin"
    assert page.headers["cache-control"] == "no-store"
    policy = dict(
        (part.split()[0], part.split()[1:])
        for part in page.headers["content-security-policy"].split("; ")
    )
    assert policy["script-src"] == ["'self'"], "no inline or foreign scripts"
    assert policy["style-src"] == ["'self'"] and policy["img-src"] == ["'self'"]
    assert policy["connect-src"] == ["'self'", "ws://testserver", "wss://testserver"]
    assert policy["frame-ancestors"] == ["'none'"]


def test_json_answers_get_the_headers_but_no_page_policy(site: Site) -> None:
    answer = site.client.get("/api/v1/communities")
    assert answer.status_code == 401
    assert answer.headers["x-frame-options"] == "DENY"
    assert answer.headers["x-content-type-options"] == "nosniff"
    assert "content-security-policy" not in answer.headers


def test_a_strange_host_header_is_left_out_of_the_policy() -> None:
    assert "wss://" not in content_policy("evil.example; script-src *")
    assert "ws://[::1]:8470" in content_policy("[::1]:8470")
