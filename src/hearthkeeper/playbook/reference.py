"""The playbook field reference, generated from the schema so the docs cannot drift from it."""

from __future__ import annotations

import json
import types
import typing
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from enum import Enum
from typing import Any

from pydantic import BaseModel
from pydantic.fields import FieldInfo
from pydantic_core import PydanticUndefined

from hearthkeeper.playbook import base
from hearthkeeper.playbook.base import format_duration
from hearthkeeper.playbook.business import parse_period
from hearthkeeper.playbook.model import Playbook


@dataclass(frozen=True)
class FieldDoc:
    """One documented field."""

    path: str
    type: str
    default: str
    description: str


def field_docs(model: type[BaseModel] = Playbook, prefix: str = "") -> list[FieldDoc]:
    """Every field of the playbook, depth first, with its type, default and description."""
    docs: list[FieldDoc] = []
    for name, info in model.model_fields.items():
        path = f"{prefix}{info.alias or name}"
        kind = _label(info.metadata) or describe_type(info.annotation)
        docs.append(FieldDoc(path, kind, _default(info), info.description or ""))
        for suffix, inner in _nested(info.annotation):
            docs.extend(field_docs(inner, f"{path}{suffix}."))
    return docs


def markdown_reference() -> str:
    """The reference as Markdown tables, one per top-level section."""
    out: list[str] = []
    section = None
    for doc in field_docs():
        top = doc.path.split(".")[0].split("[")[0]
        if top != section:
            section = top
            out.append(f"\n### `{top}`\n\n| field | type | default | meaning |\n|---|---|---|---|")
        meaning = doc.description.replace("|", "\\|")
        out.append(f"| `{doc.path}` | {doc.type} | {doc.default} | {meaning} |")
    return "\n".join(out).lstrip("\n") + "\n"


_NAMED: dict[Any, str] = {
    base.check_id: "id",
    base.parse_duration: "duration",
    base.parse_clock_time: "time HH:MM",
    base.check_timezone: "time zone",
    base.check_schedule: "schedule",
    parse_period: "period (e.g. 6 months)",
}


def _label(metadata: list[Any]) -> str | None:
    for item in metadata:
        func = getattr(item, "func", None)
        if func in _NAMED:
            return _NAMED[func]
    return None


_SIMPLE = {
    str: "text",
    int: "integer",
    float: "number",
    bool: "true/false",
    Decimal: "amount",
    date: "date YYYY-MM-DD",
    datetime: "date-time",
    time: "time HH:MM",
}


def describe_type(annotation: Any) -> str:
    """A type as an operator reads it: `list of duration`, `one of: open, paid`."""
    origin = typing.get_origin(annotation)
    args = typing.get_args(annotation)
    if origin in (typing.Union, types.UnionType):
        kept = [describe_type(a) for a in args if a is not type(None)]
        suffix = " or none" if type(None) in args else ""
        return " or ".join(kept) + suffix
    if origin is typing.Annotated:
        return _label(list(annotation.__metadata__)) or describe_type(args[0])
    if origin is list:
        return f"list of {describe_type(args[0])}"
    if origin is dict:
        return f"mapping {describe_type(args[0])} → {describe_type(args[1])}"
    if origin is typing.Literal:
        return "one of: " + ", ".join(str(a) for a in args)
    if isinstance(annotation, type) and issubclass(annotation, Enum):
        return "one of: " + ", ".join(str(m.value) for m in annotation)
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return "section"
    return _SIMPLE.get(annotation, getattr(annotation, "__name__", str(annotation)))


def _nested(annotation: Any) -> list[tuple[str, type[BaseModel]]]:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return [("", annotation)]
    origin = typing.get_origin(annotation)
    args = typing.get_args(annotation)
    if origin in (typing.Union, types.UnionType):
        return [n for a in args for n in _nested(a)]
    if origin is list:
        return [("[]" + s, m) for s, m in _nested(args[0])]
    if origin is dict:
        return [(".<id>" + s, m) for s, m in _nested(args[1])]
    return []


def _default(info: FieldInfo) -> str:
    if info.default is PydanticUndefined and info.default_factory is None:
        return "**required**"
    value = info.default if info.default_factory is None else info.default_factory()  # type: ignore[call-arg]
    return f"`{_show(value)}`"


def _show(value: Any) -> str:
    if isinstance(value, BaseModel):
        return "(section defaults)"
    if isinstance(value, Enum):
        return str(value.value)
    if isinstance(value, timedelta):
        return format_duration(value)
    if isinstance(value, list) and value and isinstance(value[0], BaseModel):
        return f"({len(value)} built-in items)"
    if isinstance(value, dict) and value and isinstance(next(iter(value.values())), BaseModel):
        return "(" + ", ".join(value) + ")"
    if value is None:
        return "none"
    if isinstance(value, str):
        return value.replace("|", "\\|")
    return json.dumps(value, ensure_ascii=False, default=str).replace("|", "\\|")


START, END = "<!-- reference:start -->", "<!-- reference:end -->"


def with_reference(document: str) -> str:
    """`document` with the text between the reference markers replaced by the current reference."""
    head, _, rest = document.partition(START)
    _, _, tail = rest.partition(END)
    return f"{head}{START}\n{markdown_reference()}{END}{tail}"


if (
    __name__ == "__main__"
):  # `make docs`: python -m hearthkeeper.playbook.reference docs/playbook.md
    import sys
    from pathlib import Path

    target = Path(sys.argv[1])
    target.write_text(with_reference(target.read_text(encoding="utf-8")), encoding="utf-8")
