"""A console request refused before its page ran answers with a console page, not FastAPI's
JSON: a form field too long, missing or of the wrong type (each field named, with what was
wrong), an id in the address that is not a number (404), a form whose CSRF token is out of
date (403, saying to reload), an address no page has (404). Nothing ran, so nothing was
changed. The REST API (`/api/…`), webhooks and the web chat keep JSON."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any
from urllib.parse import quote, urlsplit

from fastapi import FastAPI, Request
from fastapi.exception_handlers import (
    http_exception_handler,
    request_validation_exception_handler,
)
from fastapi.exceptions import RequestValidationError
from fastapi.responses import Response
from starlette.exceptions import HTTPException

from hearthkeeper.text.controls import shown_input
from hearthkeeper.web.auth import SIGN_IN_PATH, signed_in
from hearthkeeper.web.slashed import named
from hearthkeeper.web.templates import render

CONSOLE = "/console"


def problem_of(error: dict[str, Any]) -> str:
    """One refusal, for people: the field by its name, what was wrong, what it must be."""
    where, *names = [str(part) for part in error.get("loc", ())] or ["request"]
    field = names[-1] if names else where
    kind = str(error.get("type", ""))
    given = error.get("input")
    limits = error.get("ctx") or {}
    if where == "path":
        return f"The address names {field.removesuffix('_id').replace('_', ' ')} “{shown_input(given)}”, which is not a number."
    label = f"The field “{field}”"
    if kind == "missing":
        return f"{label} is missing: fill it in."
    if kind == "string_too_long":
        sent = f", and {len(given)} were sent" if isinstance(given, str) else ""
        return f"{label} is too long: at most {limits.get('max_length')} characters{sent}."
    if kind == "string_too_short":
        return f"{label} is too short: at least {limits.get('min_length')} characters."
    if kind in ("int_parsing", "int_type", "int_from_float"):
        return f"{label} must be a whole number, not “{shown_input(given)}”."
    if kind == "literal_error":  # one of the form's own choices: ctx names them, quoted
        choices = str(limits.get("expected", "")).replace("'", "")
        return f"{label} must be {choices}, not “{shown_input(given)}”."
    if kind == "less_than_equal":
        return f"{label} must be at most {limits.get('le')}, not “{shown_input(given)}”."
    if kind == "greater_than_equal":
        return f"{label} must be at least {limits.get('ge')}, not “{shown_input(given)}”."
    if kind in ("float_parsing", "float_type", "decimal_parsing"):
        return f"{label} must be a number, not “{shown_input(given)}”."
    return f"{label}: {error.get('msg', 'not accepted')}."


def _input_shown(error: dict[str, Any]) -> dict[str, Any]:
    """A refusal as the API answers it, its `input` cut by `shown_input` when it is a long
    text or number (a field of 5,000 digits was said back whole)."""
    given = error.get("input")
    if isinstance(given, str | int) and not isinstance(given, bool):
        shown = shown_input(given)
        if shown.endswith("…"):  # cut (or a short text ending so: the same)
            error["input"] = shown
    return error


def _back(request: Request) -> str | None:
    """The console page the form was on (its Referer, when it is one of ours)."""
    referer = urlsplit(request.headers.get("referer", ""))
    if referer.netloc != request.url.netloc or not referer.path.startswith(CONSOLE):
        return None
    return referer.path + (f"?{referer.query}" if referer.query else "")


def community_context(request: Request) -> dict[str, Any]:
    """The layout's community context when the address names one of the communities (for a
    signed-in operator only: a stranger learns no community's name from an address)."""
    if signed_in(request) is None:
        return {}
    slug = request.path_params.get("slug")
    if slug is None and request.url.path.startswith(f"{CONSOLE}/c/"):  # no route matched
        slug = request.url.path.removeprefix(f"{CONSOLE}/c/").split("/")[0]
    web = getattr(request.app.state, "web", None)
    if not isinstance(slug, str) or web is None:
        return {}
    from hearthkeeper.store.records import find_community

    communities = web.store.list_communities()
    found = find_community(communities, named(slug))  # its name or another case, as pages find it
    if found is None:
        return {}
    return {"community": found, "communities": communities,
            "inbox_count": web.store.inbox_count(found.id),
            "base": f"{CONSOLE}/c/{found.slug}"}  # fmt: skip


async def _answer(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, RequestValidationError)
    if not request.url.path.startswith(CONSOLE):  # FastAPI's JSON, a long value cut short
        shown = [_input_shown(dict(error)) for error in exc.errors()]
        return await request_validation_exception_handler(
            request, RequestValidationError(shown, body=exc.body)
        )
    errors: Sequence[dict[str, Any]] = exc.errors()
    in_path = any(str(e.get("loc", ("",))[0]) == "path" for e in errors)
    return render(request, "console/invalid.html", status_code=404 if in_path else 422,
                  heading="Not found" if in_path else "The form was not accepted",
                  problems=[problem_of(dict(e)) for e in errors], fix=not in_path,
                  changed=request.method not in ("GET", "HEAD"),
                  back=_back(request), **community_context(request))  # fmt: skip


async def _refused(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    if not request.url.path.startswith(CONSOLE) or not 400 <= exc.status_code < 500:
        return await http_exception_handler(request, exc)  # a redirect to sign in, the API
    detail = {"Not Found": "There is no console page at this address.",
              "Method Not Allowed": "This address takes a form sent from a console page; it "
              "has no page of its own."}.get(str(exc.detail), exc.detail)  # fmt: skip
    response = render(request, "console/invalid.html", status_code=exc.status_code,
                      heading="Not found" if exc.status_code == 404 else "Refused",
                      problems=[detail], fix=False, back=_back(request),
                      changed=request.method not in ("GET", "HEAD"), sign_in=_sign_in(request),
                      **community_context(request))  # fmt: skip
    for name, value in (exc.headers or {}).items():
        response.headers.setdefault(name, value)
    return response


def _sign_in(request: Request) -> str | None:
    """For a request whose session ended: the sign-in page, coming back to the form's page."""
    if signed_in(request) is not None:
        return None
    return f"{SIGN_IN_PATH}?next={quote(_back(request) or CONSOLE, safe='')}"


def install_invalid(app: FastAPI) -> None:
    """Answer the console's refused requests with a page (the API keeps its JSON)."""
    app.add_exception_handler(RequestValidationError, _answer)
    app.add_exception_handler(HTTPException, _refused)
