"""One cache of compiled SQL statements for every engine a test process builds.

SQLAlchemy keeps the statements it compiled per engine, keyed by that engine's dialect object,
so each test's new engine compiled every statement it ran again (~25 ms a store test). Here the
engines of one test process share one cache, keyed by what a dialect compiles from: its class,
its preparer and type compiler classes, and every plain setting it holds after connecting
(SQLite or PostgreSQL, the server's version, the placeholder style ...), not the memos
SQLAlchemy adds to it once it is used. Two engines whose
dialects differ in any of these never share a statement; a dialect holding a setting this key
cannot read (an object) keeps its own entries, as SQLAlchemy would. Production engines keep
SQLAlchemy's own per-engine cache: a server builds its engine once."""

from __future__ import annotations

import threading
import types
from collections import OrderedDict
from collections.abc import Hashable
from typing import Any
from weakref import WeakKeyDictionary

from sqlalchemy import event
from sqlalchemy.engine import Connection, Dialect, Engine

# The dialect attributes that are helpers built per dialect object, read by their class
# (psycopg's adapters are handed to each new connection; statements are compiled without them).
_HELPERS = ("identifier_preparer", "type_compiler", "type_compiler_instance",
            "_psycopg_adapters_map")  # fmt: skip
# Compared by identity, and the same object in every dialect that has them.
_SHARED_OBJECTS = (type, types.ModuleType, types.FunctionType, types.BuiltinFunctionType)
_MAX_ENTRIES = 4000


def dialect_signature(dialect: Dialect) -> Hashable | None:
    """What `dialect` compiles statements from, or None when a setting cannot be compared."""
    settings: list[tuple[str, Hashable]] = []
    for name, value in sorted(vars(dialect).items()):
        if name in _HELPERS:
            settings.append((name, type(value)))
        elif name in ("_type_memos", "dispatch") or hasattr(
            getattr(type(dialect), name, None), "__get__"
        ):
            # SQLAlchemy's memos, computed from the rest once a dialect is used, and its
            # event listeners (tests/integration/reused.py's `do_connect` puts them on every
            # dialect): nothing a statement is compiled from
            continue
        elif isinstance(value, _SHARED_OBJECTS) or _compared_by_value(value):
            settings.append((name, value))
        else:
            return None
    return (type(dialect), tuple(settings))


def _compared_by_value(value: object) -> bool:
    """Whether `value` is a plain setting: hashable and equal to another by what it holds."""
    if type(value).__eq__ is object.__eq__:
        return value is None
    try:
        hash(value)
    except TypeError:
        return False
    return True


class SharedCompiledCache:
    """A bounded least-recently-used cache that SQLAlchemy reads as its `compiled_cache`, with
    each key's dialect replaced by the first dialect seen with the same signature."""

    def __init__(self, max_entries: int = _MAX_ENTRIES) -> None:
        self._entries: OrderedDict[Hashable, Any] = OrderedDict()
        self._max = max_entries
        self._canonical: dict[Hashable, Dialect] = {}
        self._of_dialect: WeakKeyDictionary[Dialect, Dialect] = WeakKeyDictionary()
        self._lock = threading.Lock()

    def _key(self, key: Hashable) -> Hashable:
        if not isinstance(key, tuple) or not key or not isinstance(key[0], Dialect):
            return key
        dialect: Dialect = key[0]
        canonical = self._of_dialect.get(dialect)
        if canonical is None:
            signature = dialect_signature(dialect)
            canonical = (
                dialect if signature is None else self._canonical.setdefault(signature, dialect)
            )
            self._of_dialect[dialect] = canonical
        return key if canonical is dialect else (canonical, *key[1:])

    def get(self, key: Hashable, default: Any = None) -> Any:
        with self._lock:
            shared = self._key(key)
            found = self._entries.get(shared, default)
            if found is not default:
                self._entries.move_to_end(shared)
            return found

    def __setitem__(self, key: Hashable, value: Any) -> None:
        with self._lock:
            self._entries[self._key(key)] = value
            while len(self._entries) > self._max:
                self._entries.popitem(last=False)

    def __getitem__(self, key: Hashable) -> Any:
        with self._lock:
            return self._entries[self._key(key)]

    def __contains__(self, key: object) -> bool:
        with self._lock:
            return isinstance(key, Hashable) and self._key(key) in self._entries

    def __len__(self) -> int:
        return len(self._entries)


SHARED = SharedCompiledCache()


def _use_shared_cache(connection: Connection) -> None:
    if "compiled_cache" not in connection.get_execution_options():
        connection.execution_options(compiled_cache=SHARED)


def share_compiled_statements() -> None:
    """Every engine this process builds from now on compiles into `SHARED`."""
    if not event.contains(Engine, "engine_connect", _use_shared_cache):
        event.listen(Engine, "engine_connect", _use_shared_cache)
