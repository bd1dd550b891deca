"""A bare import of the benchmark's CSV straight through the store's bulk methods.

Used only while `hearthkeeper.importers` is not there (or with `--fallback-import`): it shows
what the store alone can take, the floor any importer sits on. It trusts the file (the
generator wrote it): no bad-row checks, no progress bar.
"""

from __future__ import annotations

import csv
import itertools
from datetime import datetime
from pathlib import Path

from hearthkeeper.store import NewMessage, Store

CARRIER = "import:csv"
CHUNK = 5_000


def import_csv(store: Store, community_id: int, path: Path) -> int:
    """Import every row of `path` into the community; the number of messages added."""
    added = 0
    groups: dict[str, int] = {}
    with path.open(encoding="utf-8", newline="") as source:
        rows = csv.DictReader(source)
        while chunk := list(itertools.islice(rows, CHUNK)):
            for name in {row["group"] for row in chunk} - groups.keys():
                found = store.group_for_carrier(CARRIER, name)
                group = found or store.add_group(community_id, name, CARRIER, name)
                groups[name] = group.id
            with store.transaction() as tx:
                members = tx.member_ids(
                    {(CARRIER, row["sender"]): row["sender_name"] for row in chunk}
                )
                tx.store_messages(
                    [
                        NewMessage(
                            group_id=groups[row["group"]],
                            carrier_event_id=row["id"],
                            member_id=members[(CARRIER, row["sender"])],
                            kind=row["kind"],
                            text=row["text"],
                            sent_at=datetime.fromisoformat(row["timestamp"]),
                            reply_to_event_id=row["reply_to"] or None,
                        )
                        for row in chunk
                    ]
                )
            added += len(chunk)
    rebuild = getattr(store, "rebuild_rollups", None)
    if rebuild is not None:
        rebuild(list(groups.values()))
    return added
