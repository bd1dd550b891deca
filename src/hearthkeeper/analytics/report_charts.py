"""What the charts draw, taken from a report's JSON: one "scope" for the whole community and
one per group, each with the series of the five charts (activity over time, segments, cohort
retention, health components, content-kind ranking). `web/static/console/charts.js` reads
this from the page; a chart whose section is missing is shown as "not measured".
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from typing import Any, Final

ALL: Final = "all"


def scope_key(group_id: int) -> str:
    """The chart scope key of a group."""
    return f"g{group_id}"


def chart_data(
    report: Mapping[str, Any],
    *,
    groups: Collection[int] | None = None,
    selected: str = ALL,
) -> dict[str, Any]:
    """The charts' data for the community and its groups (only `groups` if given)."""
    name = report["community"]["name"]
    scopes = [_scope(ALL, f"{name} (all groups)", report["overall"])]
    for group in report.get("groups", []):
        if groups is None or group["id"] in groups:
            scopes.append(_scope(scope_key(group["id"]), group["name"], group))
    return {"selected": selected, "scopes": scopes}


def _scope(key: str, label: str, section: Mapping[str, Any]) -> dict[str, Any]:
    return {
        "key": key,
        "label": label,
        "daily": [
            {"date": d["date"], "messages": d["messages"], "active_members": d["active_members"]}
            for d in section.get("daily", [])
        ],
        "segments": _segments(section.get("segments")),
        "cohorts": _cohorts(section.get("cohorts")),
        "health": _health(section.get("health")),
        "content": _content(section.get("metrics", {}).get("total", {}).get("content")),
    }


def _segments(found: Any) -> dict[str, Any] | None:
    counts = found.get("counts") if isinstance(found, Mapping) else None
    if not isinstance(counts, Mapping) or not counts:
        return None
    return {"labels": list(counts), "counts": list(counts.values())}


def _cohorts(found: Any) -> dict[str, Any] | None:
    rows = found.get("rows") if isinstance(found, Mapping) else found
    if not isinstance(rows, list) or not rows:
        return None
    weeks = max(len(r.get("retention", [])) for r in rows)
    return {
        "weeks": weeks,
        "rows": [
            {
                "label": f"{r['week']} ({r['size']})",
                "size": r["size"],
                "retention": list(r.get("retention", [])) + [None] * (weeks - len(r["retention"])),
            }
            for r in rows
        ],
    }


def _health(found: Any) -> dict[str, Any] | None:
    if not isinstance(found, Mapping) or not found.get("components"):
        return None
    return {
        "score": found.get("score"),
        "components": [
            {
                "name": str(c.get("key", "")).replace("_", " ").capitalize(),
                "score": c.get("score"),
                "weight": c.get("weight"),
                "explanation": c.get("explanation", ""),
            }
            for c in found["components"]
            if c.get("score") is not None
        ],
    }


def _content(kinds: Any) -> list[dict[str, Any]] | None:
    if not isinstance(kinds, list) or not kinds:
        return None
    return [
        {"kind": k["kind"], "engagement": k["engagement"], "posts": k["posts"],
         "claimed_rank": k.get("claimed_rank")}
        for k in kinds
    ]  # fmt: skip
