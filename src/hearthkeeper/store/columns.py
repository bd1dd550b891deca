"""Column types that behave the same on SQLite and PostgreSQL."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import JSON, DateTime, Dialect, String, Text
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.types import TypeDecorator, TypeEngine

# PostgreSQL refuses NUL in text and neither driver can encode a lone surrogate (which
# json.loads happily produces from chat payloads); both become U+FFFD on both databases.
_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")


def storable(text: str) -> str:
    """`text` with the characters no database can store replaced by U+FFFD."""
    return _UNSTORABLE.sub("\ufffd", text)


def clipped_to(limit: int, text: str) -> str:
    """`text` cut to at most `limit` characters: for display and audit strings we compose
    ("chat:Name (carrier:id)") to fit a bounded column, which PostgreSQL would otherwise refuse
    (failing the whole write). Never for keys, ids or anything unique: two cut alike merge."""
    return text[:limit]


def length_problem(what: str, text: str, limit: int) -> str | None:
    """What is wrong when `text`, typed by someone for `what`, is longer than its column keeps
    (PostgreSQL refuses it and fails the whole write); None when it fits."""
    if len(text) <= limit:
        return None
    return f"the {what} is {len(text)} characters long; at most {limit} fit"


def all_storable(texts: Iterable[str]) -> bool:
    """Whether every text can be stored as it is (one scan of them all; `storable` then has
    nothing to replace, so a bulk write may skip it)."""
    return _UNSTORABLE.search("".join(texts)) is None


def require_aware(value: datetime, what: str) -> datetime:
    """`value`, if it says which time zone it is in; else ValueError naming `what`."""
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"{what} {value.isoformat()} has no time zone; give it one (UTC)")
    return value


def utc(value: datetime, what: str) -> datetime:
    """`value` in UTC, as the database gives it back; ValueError naming `what` if naive."""
    return require_aware(value, what).astimezone(UTC)


# The texts of the UTC times converted lately: the engine writes each event's time to
# several rows of its batch (the event, the message, a question asked ...), converted once.
# Only times in `UTC` itself are kept: two times of one zone compare by their fields alone
# (a repeated hour's two instants would be equal), two UTC times by their instants.
_SQLITE_TIMES: dict[datetime, str] = {}
# More than one batch's times, the one-off ones included (a live clock's "now" for each
# scheduled row is a new time): an event's time is still here when its message is written.
SQLITE_TIMES_KEPT = 16_384  # then the memo starts afresh


def sqlite_time(value: datetime, what: str) -> str:
    """A time as `UTCDateTime` keeps it in SQLite (naive UTC, to the microsecond), for the
    bulk paths that hand rows to the driver themselves; ValueError naming `what` if naive."""
    if value.tzinfo is not UTC:
        value = require_aware(value, what).astimezone(UTC)
    text = _SQLITE_TIMES.get(value)
    if text is None:
        text = value.isoformat(" ", "microseconds")[:26]  # "2018-05-02 19:38:15.000000+00:00"
        if len(_SQLITE_TIMES) >= SQLITE_TIMES_KEPT:
            _SQLITE_TIMES.clear()
        _SQLITE_TIMES[value] = text
    return text


def _storable_json(value: Any) -> Any:
    if isinstance(value, str):
        return storable(value)
    if isinstance(value, dict):
        return {storable(str(k)): _storable_json(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_storable_json(v) for v in value]
    return value


class UTCDateTime(TypeDecorator[datetime]):
    """A point in time: accepts only aware datetimes, always returns aware UTC ones.

    SQLite has no time zones, so UTC is stored there without an offset and put back on
    the way out; PostgreSQL gets a `timestamptz`.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def bind_processor(self, dialect: Dialect) -> Callable[[Any], Any] | None:
        """On SQLite, the text `sqlite_time` writes, in one step: the same text SQLAlchemy's
        DATETIME makes of `process_bind_param`'s naive UTC, without building it field by field
        (every time the engine binds went through both)."""
        if dialect.name != "sqlite":
            return super().bind_processor(dialect)

        def process(value: datetime | None) -> str | None:
            return None if value is None else sqlite_time(value, "time")

        return process

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        value = require_aware(value, "time").astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


class SafeString(TypeDecorator[str]):
    """A bounded string that stores any Python text (see `storable`)."""

    impl = String
    cache_ok = True

    def process_bind_param(self, value: str | None, dialect: Dialect) -> str | None:
        return None if value is None else storable(value)


class SafeText(TypeDecorator[str]):
    """An unbounded text that stores any Python text (see `storable`)."""

    impl = Text
    cache_ok = True

    def process_bind_param(self, value: str | None, dialect: Dialect) -> str | None:
        return None if value is None else storable(value)


class JSONDocument(TypeDecorator[Any]):
    """A JSON document: `jsonb` on PostgreSQL, JSON text on SQLite."""

    impl = JSON
    cache_ok = True

    def load_dialect_impl(self, dialect: Dialect) -> TypeEngine[Any]:
        if dialect.name == "postgresql":
            return dialect.type_descriptor(JSONB())
        return dialect.type_descriptor(JSON())

    def process_bind_param(self, value: Any, dialect: Dialect) -> Any:
        return _storable_json(value)
