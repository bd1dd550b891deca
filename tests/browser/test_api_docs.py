"""The API's documentation page works with no internet: Swagger UI is served by Hearthkeeper
itself (a CDN is out of reach offline, behind a firewall, or where it is blocked), under the
same strict policy as every page, with no inline script."""

from __future__ import annotations

from playwright.sync_api import Request, expect

from tests.browser.conftest import OpenPage, Screenshots
from tests.browser.live import LiveServer


def test_the_api_docs_list_the_endpoints_without_reaching_another_site(
    live_server: LiveServer, open_page: OpenPage, shots: Screenshots
) -> None:
    page = open_page(locale="en-US")
    elsewhere: list[str] = []
    refused: list[str] = []

    def note(request: Request) -> None:
        if not request.url.startswith(live_server.url):
            elsewhere.append(request.url)

    page.on("request", note)
    page.on("console", lambda m: refused.append(m.text) if "Content Security" in m.text else None)
    answer = page.goto(f"{live_server.url}/api/docs")
    assert answer is not None and answer.status == 200
    assert "script-src 'self';" in (answer.headers.get("content-security-policy") or "")
    expect(page.locator(".swagger-ui .info .title")).to_contain_text("Hearthkeeper")
    expect(page.locator(".opblock-summary-path").first).to_be_visible()
    expect(
        page.locator(".opblock-summary-path", has_text="/api/v1/communities").first
    ).to_be_visible()
    shots.take(page, "api-docs")
    assert elsewhere == []
    assert refused == []
