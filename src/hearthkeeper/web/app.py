"""The FastAPI application: console, REST API and the carriers' own pages, built from a `Web`."""

from __future__ import annotations

from fastapi import FastAPI

from hearthkeeper import __version__
from hearthkeeper.capabilities.installed import CAPABILITIES
from hearthkeeper.web.api import api_router
from hearthkeeper.web.api_docs import api_docs_router
from hearthkeeper.web.assets import VersionedStaticFiles
from hearthkeeper.web.console import console_router
from hearthkeeper.web.context import Web
from hearthkeeper.web.invalid import install_invalid
from hearthkeeper.web.joined import add_routes
from hearthkeeper.web.overflow import install_overflow
from hearthkeeper.web.security import DOCS_PATH, install_security
from hearthkeeper.web.signin import signin_router
from hearthkeeper.web.slashed import install_slashed_names
from hearthkeeper.web.unavailable import install_unavailable


def create_app(web: Web) -> FastAPI:
    """The whole web side of one server. `app.state.web` holds `web`."""
    app = FastAPI(
        title="Hearthkeeper",
        version=__version__,
        docs_url=None,  # served from our own static files: api_docs
        redoc_url=None,
        openapi_url="/api/v1/openapi.json",
    )
    app.state.web = web
    install_security(app)
    install_overflow(app)
    install_unavailable(app)
    install_invalid(app)
    install_slashed_names(app)
    app.mount("/static", VersionedStaticFiles(), name="static")  # versioned: web/assets.py
    # Each router is built for this `web` (its handlers close over it), and its routes are
    # added as they are: see web/joined.py (FastAPI's include_router analyses them again)
    add_routes(app, api_docs_router(app, DOCS_PATH))
    add_routes(app, signin_router(web))
    add_routes(app, console_router(web))
    add_routes(app, api_router(web))
    for capability in CAPABILITIES:  # a live code's link, a payment webhook ...
        own = capability.routes(web)
        if own is not None:
            add_routes(app, own)
    for served in web.carriers.values():
        if served.routes is not None:  # the web chat's /join, /chat, ...
            add_routes(app, served.routes(web))
    return app
