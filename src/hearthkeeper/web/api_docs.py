"""The API's documentation page, `/api/docs`: Swagger UI served from this server's own static
files (`static/vendor/swagger-ui-*`), not from a CDN, so it works offline, behind a firewall
and where the CDN is blocked, under the same script policy as every page (no inline script;
Swagger UI sets inline styles, which `security.DOCS_POLICY` allows on this page alone)."""

from __future__ import annotations

from html import escape

from fastapi import APIRouter, FastAPI
from fastapi.responses import HTMLResponse

from hearthkeeper.web.assets import static_url

_PAGE = """<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title} — API</title>
<link rel="icon" href="{favicon}">
<link rel="stylesheet" href="{css}">
<script src="{bundle}" defer></script>
<script src="{script}" defer></script>
</head>
<body>
<div id="swagger-ui" data-openapi="{openapi}"></div>
</body>
</html>
"""


def api_docs_router(app: FastAPI, path: str) -> APIRouter:
    """The page at `path` for `app`'s OpenAPI document."""
    router = APIRouter()
    page = _PAGE.format(title=escape(app.title), openapi=escape(app.openapi_url or ""),
                        favicon=static_url("console/favicon.svg"),
                        css=static_url("vendor/swagger-ui.css"),
                        bundle=static_url("vendor/swagger-ui-bundle.js"),
                        script=static_url("console/api-docs.js"))  # fmt: skip

    @router.get(path, include_in_schema=False)
    def docs() -> HTMLResponse:
        return HTMLResponse(page)

    return router
