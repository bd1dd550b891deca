"""Public addresses people reach by a link (a live code's `/go/…`, a member's `/ref/…`, a join
page): one that is truncated or mangled — `/go/` with nothing after it, a segment too many —
answers the readable page its router shows for an unknown code (in zh-CN and English), not
the app's JSON 404, which stays for the REST API. An address with a single trailing slash
still leads to the one without it, as everywhere else in the app."""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import quote

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

# What may stay unescaped in a path segment (RFC 3986 pchar): a Matrix room's `!…:server` too.
_SEGMENT_SAFE = "!$&'()*+,;=:@-._~"


def missing_below(routes: APIRouter, prefix: str, page: Callable[[], Response]) -> None:
    """Answer `prefix` itself and every address below it that no route of `routes` takes with
    `page()`. Add it after the router's own routes (the first route that matches answers)."""

    async def missing(request: Request, rest: str = "") -> Response:
        segment = rest[:-1] if rest.endswith("/") else ""
        if segment and "/" not in segment:  # `/go/poster/`: on to `/go/poster`
            target = request.url.replace(path=f"{prefix}/{quote(segment, safe=_SEGMENT_SAFE)}")
            return RedirectResponse(str(target), status_code=307)
        return page()

    for path in (prefix, prefix + "/{rest:path}"):
        routes.add_api_route(path, missing, methods=["GET", "POST"], include_in_schema=False,
                             response_model=None)  # fmt: skip
