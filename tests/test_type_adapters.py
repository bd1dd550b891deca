"""FastAPI's parameter validators shared by the applications one test process builds
(tests/type_adapters.py): an application built later gets the same validators, which describe
and validate exactly as the ones FastAPI builds for it on its own."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from fastapi import FastAPI
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute
from pydantic import ValidationError

from hearthkeeper.web.app import create_app
from tests import type_adapters
from tests.console_setup import Console

# What a browser or client may send as one parameter.
_PROBES: list[object] = ["12", "", "-1", "x" * 300, "2026-05-01", "true", None, ["a", "b"], 7]


def _fields(dependant: Dependant) -> Iterator[Any]:
    for kind in ("path_params", "query_params", "header_params", "cookie_params", "body_params"):
        yield from getattr(dependant, kind)
    for sub in dependant.dependencies:
        yield from _fields(sub)


def _adapters(app: FastAPI) -> dict[tuple[str, str, str, int], Any]:
    """Each route's parameters' validators, by route, parameter and place."""
    found = {}
    for route in app.routes:
        if isinstance(route, APIRoute):
            for n, field in enumerate(_fields(route.dependant)):
                found[(route.path, ",".join(sorted(route.methods)), field.name, n)] = field
    return found


def _outcome(adapter: Any, value: object) -> object:
    try:
        return ("valid", repr(adapter.validate_python(value)))
    except ValidationError as error:
        return ("invalid", [(e["type"], e["loc"], e["msg"]) for e in error.errors()])


def test_a_second_application_shares_validators_that_behave_as_its_own(console: Console) -> None:
    shared = create_app(console.site.web)  # the console fixture built one before it
    type_adapters.stop_sharing()
    try:
        own = create_app(console.site.web)
    finally:
        type_adapters.share_type_adapters()
    again = create_app(console.site.web)

    assert shared.openapi() == own.openapi()
    ours, theirs, later = _adapters(shared), _adapters(own), _adapters(again)
    assert ours.keys() == theirs.keys() == later.keys() and len(ours) > 100
    reused = [k for k in ours if ours[k]._type_adapter is later[k]._type_adapter]
    assert len(reused) > len(ours) / 2  # most parameters are alike: built once
    for key, field in ours.items():
        own_adapter = theirs[key]._type_adapter
        assert own_adapter is not field._type_adapter  # built by FastAPI itself
        assert field._type_adapter.json_schema() == own_adapter.json_schema(), key
        for probe in _PROBES:
            assert _outcome(field._type_adapter, probe) == _outcome(own_adapter, probe), key
