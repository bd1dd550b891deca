"""Applying a playbook: store it as the next version of its community, and say what changed."""

from __future__ import annotations

import functools
import hashlib
from dataclasses import dataclass
from datetime import datetime

from hearthkeeper.playbook import LoadedPlaybook, Playbook, PlaybookError, parse_playbook
from hearthkeeper.playbook.diff import Change, diff_content, playbook_content
from hearthkeeper.store import Community, PlaybookVersion, Store


@dataclass(frozen=True)
class Applied:
    """The outcome of `apply_playbook`."""

    community: Community
    version: PlaybookVersion
    previous: PlaybookVersion | None
    changes: list[Change]
    unchanged: bool
    warnings: tuple[str, ...] = ()  # what the change does to members (a plan they hold dropped)


def apply_playbook(
    store: Store, loaded: LoadedPlaybook, actor: str, *, now: datetime | None = None
) -> Applied:
    """Store `loaded` as a new version (in one transaction) unless identical to the latest.
    With `now`, its warnings name the events still ahead that the change leaves behind."""
    pb = loaded.playbook
    content = playbook_content(pb)
    digest = hashlib.sha256(loaded.source_text.encode("utf-8")).hexdigest()
    with store.transaction() as tx:
        community = tx.ensure_community(pb.community.slug, pb.community.name)
        # Two applies at once take turns from here: each compares with what the other stored
        # (the same file is stored once; the second's diff is against the first's version).
        tx.lock_community(community.id)
        previous = tx.latest_playbook_version(community.id)
        if previous is not None and previous.sha256 == digest:
            return Applied(community, previous, previous, [], unchanged=True)
        changes = diff_content(previous.content, content) if previous is not None else []
        version = tx.add_playbook_version(
            community.id, loaded.source_text, content, applied_by=actor
        )
        tx.audit(
            actor,
            "playbook.apply",
            community_id=community.id,
            target=f"playbook v{version.version}",
            detail={"file": loaded.file, "changes": len(changes), "sha256": digest},
        )
        warnings: list[str] = []
        if previous is not None:
            from hearthkeeper.capabilities.billing.dropped import dropped_plans

            warnings = dropped_plans(tx, community.id, previous.content, pb)
            if now is not None:
                from hearthkeeper.capabilities.activities.left import left_behind

                warnings += left_behind(tx, community.id, pb, now)
    return Applied(community, version, previous, changes, unchanged=False,
                   warnings=tuple(warnings))  # fmt: skip


def community_playbook(store: Store, community_id: int) -> Playbook | None:
    """The playbook the community runs now (None: none applied, or it no longer parses)."""
    version = store.latest_playbook_version(community_id)
    return None if version is None else _parsed(version.source_text)


@functools.lru_cache(maxsize=32)
def _parsed(source_text: str) -> Playbook | None:
    """A stored version parsed once (the report's money figures and the console's pages ask
    for every community's playbook on each load)."""
    try:
        return parse_playbook(source_text).playbook
    except PlaybookError:
        return None
