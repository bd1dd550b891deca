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
from typing import Any


def jsonable(value: Any) -> Any:
    """`value` as nested dicts, lists, strings, numbers, booleans and None."""
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
        return {f.name: jsonable(getattr(value, f.name)) for f in dataclasses.fields(value)}
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
