"""FastAPI's parameter validators built once per test process, not once per application.

Every `create_app` (each console test, live server and site) builds ~100 routes, and FastAPI
makes a pydantic `TypeAdapter` for each of their ~340 parameters (`ModelField.__post_init__`):
pydantic generates the type's schema and builds its validator anew each time, about a third
of `create_app`'s CPU. Most parameters are alike (`csrf_token: str = Form()`, an `int` in the
path, an optional query string), so the test process keeps the adapters it built by what
FastAPI builds them from — the annotation, its metadata, the field's attributes with their
types, and the config — and an application built later gets the same adapter for an equal
field. A field with anything unhashable (a default list, a `json_schema_extra` dict) is built
as before, and so is every body model (`create_body_model` makes a new class per route, so its
annotation is never equal to another's). Production builds its application once and is not
touched. `tests/test_type_adapters.py` checks that the OpenAPI documents and validation
errors are those of an application built without the cache.
"""

from __future__ import annotations

import threading
from typing import Any

from fastapi._compat import v2

_built: dict[object, Any] = {}
_lock = threading.Lock()
_original = v2.ModelField.__post_init__
_installed: list[bool] = []


def _key(field: Any) -> object | None:
    """What the field's adapter is built from, hashable and compared with types; None when
    some part cannot be compared that way."""
    try:
        info = v2.asdict(field.field_info)
        attributes = tuple(
            sorted((name, type(value), value) for name, value in info["attributes"].items())
        )
        key = (
            info["annotation"],
            tuple((type(item), item) for item in info["metadata"]),
            attributes,
            field.mode,
            repr(field.config),
        )
        hash(key)
    except TypeError:
        return None
    return key


def _post_init(field: Any) -> None:
    key = _key(field)
    if key is None:
        _original(field)
        return
    with _lock:
        adapter = _built.get(key)
    if adapter is None:
        _original(field)
        with _lock:
            _built.setdefault(key, field._type_adapter)
        return
    field._type_adapter = adapter


def share_type_adapters() -> None:
    """Build each FastAPI parameter's validator once per process (see the module's text)."""
    if not _installed:
        v2.ModelField.__post_init__ = _post_init  # type: ignore[method-assign]
        _installed.append(True)


def stop_sharing() -> None:
    """Back to FastAPI's own (for the test comparing the two)."""
    if _installed:
        v2.ModelField.__post_init__ = _original  # type: ignore[method-assign]
        _installed.clear()
