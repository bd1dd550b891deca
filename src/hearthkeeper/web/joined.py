"""Routers joined as plain lists of routes, not through FastAPI's `include_router`.

`include_router` keeps a reference to the included router and works out every route's
dependencies, parameter models and handler again for each inclusion (lazily: when the
application is built and again on the first request through it, once per level of nesting).
The application is built for every server (and every console test), so that was most of the
time `create_app` took. A router whose include adds nothing (no prefix, dependencies, tags,
responses or start-up handlers of its own: each route already carries its router's) has its
routes added as they are instead; any other router is still included.

One difference: FastAPI's `app.dependency_overrides` does not reach routes added this way
(their provider is their own router's). Hearthkeeper overrides no dependency."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from fastapi import APIRouter, FastAPI
from fastapi.routing import APIRoute
from starlette.routing import BaseRoute, Mount, Route, WebSocketRoute

_PLAIN = (Route, Mount, WebSocketRoute)  # APIRoute is a Route; an included router is neither


def joined(routers: Iterable[APIRouter], *, include_in_schema: bool = True) -> APIRouter:
    """One router with the routes of `routers`, in order; `include_in_schema=False` keeps
    them all out of the OpenAPI document (as including them into such a router did)."""
    into = APIRouter(include_in_schema=include_in_schema)
    for router in routers:
        if not _plain(router):
            into.include_router(router)
            continue
        for route in router.routes:
            if not include_in_schema and isinstance(route, APIRoute):
                route.include_in_schema = False
        _append(into, router.routes)
    return into


def add_routes(app: FastAPI, router: APIRouter) -> None:
    """`router`'s routes served by `app`, after those it has: as `app.include_router(router)`
    does, without analysing them again."""
    if _plain(router):
        _append(app.router, router.routes)
    else:
        app.include_router(router)


def _plain(router: APIRouter) -> bool:
    """Including `router` would add nothing to its routes but where they are."""
    return (
        not router.on_startup
        and not router.on_shutdown
        and all(isinstance(route, _PLAIN) for route in router.routes)
    )


def _append(into: APIRouter, routes: Sequence[BaseRoute]) -> None:
    # A router's routes are a plain list (Starlette's `Router.routes`, what its documented
    # `routes=` argument fills). Only routers no other router includes yet are added to.
    into.routes.extend(routes)
