"""The report's `matrix` section: every group side by side and the matrix's warnings, as the
console's Matrix page shows them, as of the report's last day (`period.end`, or today if that
is later): members, fill, activity, health, stage and role holders as they were then, as the
heat-death warnings beside it are judged, so that the two sections of a past period's report
agree. Only the staff assigned to a group are today's (assignments keep no history)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from hearthkeeper.analytics.report_reads import Reads
from hearthkeeper.capabilities.grid.decide import GroupLine, matrix_warnings
from hearthkeeper.capabilities.grid.load import load_matrix
from hearthkeeper.playbook import Playbook
from hearthkeeper.store import Store


def _line(line: GroupLine) -> dict[str, Any]:
    return {
        "id": line.group_id, "name": line.name, "members": line.members,
        "capacity": line.capacity, "fill": line.fill, "messages_7d": line.messages_7d,
        "active_members_7d": line.speakers_7d, "health": line.health,
        "stage": line.stage.value,
        "in_charge": [{"member_id": k.member_id, "name": k.name, "assigned": k.assigned}
                      for k in line.keepers],
    }  # fmt: skip


def report_matrix(store: Store, community_id: int, playbook: Playbook | None, zone: ZoneInfo,
                  now: datetime, reads: Reads | None = None,
                  as_of: date | None = None) -> dict[str, Any]:  # fmt: skip
    """The section as of local day `as_of` (default: `now`'s); warnings need the playbook's
    limits: none without one."""
    matrix = load_matrix(store, community_id, playbook, zone, now, reads, as_of)
    warnings = [] if playbook is None else matrix_warnings(matrix.lines, playbook)
    return {
        "as_of": matrix.as_of.isoformat(),
        "groups": [_line(line) for line in matrix.lines],
        "warnings": [{"kind": w.kind.value, "key": w.key, "group_id": w.group_id,
                      "member_id": w.member_id, "text": w.text()} for w in warnings],
    }  # fmt: skip
