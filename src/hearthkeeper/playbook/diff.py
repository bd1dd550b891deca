"""What changed between two versions of a playbook, field by field."""

from __future__ import annotations

import functools
import json
import re
from dataclasses import dataclass
from difflib import SequenceMatcher
from enum import StrEnum
from typing import Any

from hearthkeeper.playbook.loader import Loc, format_path
from hearthkeeper.playbook.model import Playbook


class ChangeKind(StrEnum):
    """Added, removed or changed."""

    ADDED = "+"
    REMOVED = "-"
    CHANGED = "~"


@dataclass(frozen=True)
class Change:
    """One difference at one field path."""

    kind: ChangeKind
    path: str
    old: Any
    new: Any

    def __str__(self) -> str:
        plain = _written_plain(self.path)
        if self.kind is ChangeKind.ADDED:
            return f"+ {self.path}: {_show(self.new, plain)}"
        if self.kind is ChangeKind.REMOVED:
            return f"- {self.path}: {_show(self.old, plain)}"
        return f"~ {self.path}: {_show(self.old, plain)} → {_show(self.new, plain)}"


# Field types whose values are shown as written in the playbook, without the quotes a text
# gets: `~ rules.ladder[1].mute_for: 1h → 2h`, `~ monetisation.plans[id=year].price: 299 → 399`
# (the store keeps them as strings, and quoted they read as texts).
_PLAIN_TYPES = ("amount", "duration", "time HH:MM", "schedule", "time zone", "period (e.g. 6 months)",
                "date YYYY-MM-DD", "date-time", "integer", "number")  # fmt: skip


@functools.cache
def _plain_fields() -> tuple[re.Pattern[str], ...]:
    """The reference's paths of fields of a type in `_PLAIN_TYPES`, as patterns of a change's
    path (`rules.ladder[1].mute_for`, `activities[id=salon].price`, `groups.9群.capacity`)."""
    from hearthkeeper.playbook.reference import field_docs  # the reference reads the model

    found = []
    for doc in field_docs():
        kinds = doc.type.removesuffix(" or none").split(" or ")
        if any(kind in _PLAIN_TYPES for kind in kinds):
            pattern = re.escape(doc.path).replace(re.escape("[]"), r"\[[^\]]*\]")
            found.append(re.compile(pattern.replace(re.escape("<id>"), r"[^.]+") + "$"))
    return tuple(found)


def _written_plain(path: str) -> bool:
    return any(p.match(path) for p in _plain_fields())


def playbook_content(playbook: Playbook) -> dict[str, Any]:
    """The normalised playbook as plain data (defaults filled in), as the store keeps it."""
    return playbook.model_dump(mode="json", by_alias=True)


def diff_content(old: Any, new: Any) -> list[Change]:
    """Changes from `old` to `new` (normalised playbooks); lists of items with ids match by id."""
    changes: list[Change] = []
    _diff(old, new, (), changes)
    return changes


def _diff(old: Any, new: Any, loc: Loc, out: list[Change]) -> None:
    if isinstance(old, dict) and isinstance(new, dict):
        for key in old:
            if key not in new:
                out.append(Change(ChangeKind.REMOVED, format_path((*loc, key)), old[key], None))
            else:
                _diff(old[key], new[key], (*loc, key), out)
        for key in new:
            if key not in old:
                out.append(Change(ChangeKind.ADDED, format_path((*loc, key)), None, new[key]))
    elif isinstance(old, list) and isinstance(new, list):
        if _keyed(old) and _keyed(new):
            _diff_by_id(old, new, loc, out)
        else:  # plain values too: a rule text added is one addition, shown whole
            _diff_aligned(old, new, loc, out)
    elif old != new:
        out.append(Change(ChangeKind.CHANGED, format_path(loc), old, new))


def _diff_aligned(old: list[Any], new: list[Any], loc: Loc, out: list[Change]) -> None:
    """Items without ids (FAQ entries, milestones, rule texts, keywords) matched by content: an entry put in the
    middle is one addition, not a change to every entry after it. Paths name the item's
    place in the new version (in the old one for a removal)."""
    shapes = SequenceMatcher(a=[_shape(v) for v in old], b=[_shape(v) for v in new],
                             autojunk=False)  # fmt: skip
    for tag, i1, i2, j1, j2 in shapes.get_opcodes():
        if tag == "equal":
            continue
        paired = min(i2 - i1, j2 - j1) if tag == "replace" else 0
        for k in range(paired):  # edited in place
            _diff(old[i1 + k], new[j1 + k], (*loc, j1 + k), out)
        for i in range(i1 + paired, i2):
            out.append(Change(ChangeKind.REMOVED, format_path((*loc, i)), old[i], None))
        for j in range(j1 + paired, j2):
            out.append(Change(ChangeKind.ADDED, format_path((*loc, j)), None, new[j]))


def _shape(value: Any) -> str:
    return json.dumps(value, sort_keys=True, ensure_ascii=False, default=str)


def _keyed(items: list[Any]) -> bool:
    ids = [i.get("id") for i in items if isinstance(i, dict)]
    return len(ids) == len(items) and None not in ids and len(set(ids)) == len(ids)


def _diff_by_id(old: list[Any], new: list[Any], loc: Loc, out: list[Change]) -> None:
    old_by_id = {item["id"]: item for item in old}
    new_by_id = {item["id"]: item for item in new}
    for ident, item in old_by_id.items():
        path = format_path(loc) + f"[id={ident}]"
        if ident not in new_by_id:
            out.append(Change(ChangeKind.REMOVED, path, item, None))
        else:
            sub: list[Change] = []
            _diff(item, new_by_id[ident], (), sub)
            out.extend(
                Change(c.kind, f"{path}.{c.path}" if c.path else path, c.old, c.new) for c in sub
            )
    for ident, item in new_by_id.items():
        if ident not in old_by_id:
            out.append(Change(ChangeKind.ADDED, format_path(loc) + f"[id={ident}]", None, item))


def _show(value: Any, plain: bool = False) -> str:
    if value is None:  # what the reference calls an empty value (`null` in the playbook)
        return "none"
    if isinstance(value, dict):
        label = (value.get("id") or value.get("name") or value.get("title")
                 or value.get("question"))  # fmt: skip
        if label:  # and when and where, for a post, session or activity added or removed
            parts = [str(label), *(str(value[k]) for k in ("schedule", "when") if value.get(k))]
            if isinstance(value.get("groups"), list):
                parts.append(", ".join(map(str, value["groups"])) or "every group")
            return "{" + ", ".join(parts) + ", …}"
        # an entry without a name (a `groups:` override, a role): what it sets, field by field
        fields = ", ".join(f"{k}: {_show(v)}" for k, v in value.items() if v is not None)
        return f"{{{fields}}}"
    if isinstance(value, list) and any(isinstance(v, dict | list) for v in value):
        return f"[{len(value)} items]"
    text = repr(value) if isinstance(value, str) and not plain else str(value)
    return text if len(text) <= 80 else text[:77] + "…"
