"""Turning the analytics' records into plain JSON values, one way for every section.

A record with a `to_json()` method is asked for its own form; other dataclasses become
objects with their field names, dates and times ISO 8601 strings, durations seconds, enums
their values, sets sorted lists; a float that is not a number (an undefined ratio) becomes
null, since JSON has no NaN.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Mapping
from datetime import date, datetime, time, timedelta, tzinfo
from decimal import Decimal
from enum import Enum
from typing import Any, Final

_PLAIN: Final = frozenset({type(None), bool, int, str})
_FIELDS: dict[type, tuple[str, ...]] = {}  # dataclass without to_json → its field names


def jsonable(value: Any) -> Any:
    """`value` as nested dicts, lists, strings, numbers, booleans and None."""
    # The types a report is mostly made of first, by exact type (a report at 1M messages
    # has hundreds of thousands of values); anything else takes the general way below.
    kind = type(value)
    if kind in _PLAIN:
        return value
    if kind is float:
        return value if math.isfinite(value) else None
    if kind is date or kind is datetime:
        return value.isoformat()
    names = _FIELDS.get(kind)
    if names is not None:
        return {name: jsonable(getattr(value, name)) for name in names}
    if kind is dict:
        return {k if type(k) is str else _key(k): jsonable(v) for k, v in value.items()}
    if kind is list or kind is tuple:
        return [jsonable(v) for v in value]
    return _general(value)


def _general(value: Any) -> Any:
    if value is None or isinstance(value, bool | int | str):
        return value
    if isinstance(value, Enum):
        return jsonable(value.value)
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, Decimal):
        return float(value) if value.is_finite() else None
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    if isinstance(value, timedelta):
        return value.total_seconds()
    if isinstance(value, tzinfo):
        return str(value)
    own = getattr(value, "to_json", None)
    if callable(own) and not isinstance(value, type):
        return jsonable(own())
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        names = tuple(f.name for f in dataclasses.fields(value))
        if own is None and not hasattr(type(value), "to_json"):
            _FIELDS[type(value)] = names
        return {name: jsonable(getattr(value, name)) for name in names}
    if isinstance(value, Mapping):
        return {_key(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, set | frozenset):
        return [jsonable(v) for v in sorted(value, key=repr)]
    if isinstance(value, list | tuple):
        return [jsonable(v) for v in value]
    raise TypeError(f"cannot put a {type(value).__name__} in a report: {value!r}")


def _key(key: Any) -> str:
    converted = jsonable(key)
    return converted if isinstance(converted, str) else str(converted)
