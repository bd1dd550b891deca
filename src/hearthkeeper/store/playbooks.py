"""Every playbook version a community ever applied, and the audit log of who did what."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import func, insert, select

from hearthkeeper.store.columns import clipped_to, storable, utc
from hearthkeeper.store.errors import StoreError
from hearthkeeper.store.models import KEY, NAME, AuditRow, CommunityRow, PlaybookVersionRow
from hearthkeeper.store.records import AuditEntry, NewAudit, PlaybookVersion
from hearthkeeper.store.scope import StoreBase

# Each retry means another apply took the number we wanted; more than this is a stampede.
_NUMBERING_ATTEMPTS = 8


class PlaybookQueries(StoreBase):
    def add_playbook_version(
        self, community_id: int, source_text: str, content: Mapping[str, Any], applied_by: str
    ) -> PlaybookVersion:
        """Keep a newly applied playbook as the community's next version (the first is 1)."""
        source_text = storable(source_text)  # the hash must match what is kept
        sha256 = hashlib.sha256(source_text.encode("utf-8")).hexdigest()
        with self._unit(write=True) as session:
            if session.get(CommunityRow, community_id) is None:
                raise StoreError(f"there is no community with id {community_id}")
            for _ in range(_NUMBERING_ATTEMPTS):
                latest = session.execute(
                    select(PlaybookVersionRow.version, PlaybookVersionRow.posts_added)
                    .where(PlaybookVersionRow.community_id == community_id)
                    .order_by(PlaybookVersionRow.version.desc())
                    .limit(1)
                ).first()
                number, before = (0, {}) if latest is None else (latest[0], latest[1])
                applied_at = self._clock.now()
                row = PlaybookVersionRow(
                    community_id=community_id,
                    version=number + 1,
                    source_text=source_text,
                    content=dict(content),
                    sha256=sha256,
                    applied_at=applied_at,
                    applied_by=applied_by,
                    posts_added=posts_added_by(before, content, applied_at),
                )
                # Two applies racing for the same number: the unique constraint refuses
                # the loser, which takes the next number.
                if self._try_insert(session, row):
                    return _version(row)
        raise StoreError(
            f"could not number a new playbook version for community {community_id}: "
            f"{_NUMBERING_ATTEMPTS} other applies got there first; try again"
        )

    def latest_playbook_version(self, community_id: int) -> PlaybookVersion | None:
        """The version the community applied last, if any."""
        with self._unit(write=False) as session:
            row = session.scalar(
                select(PlaybookVersionRow)
                .where(PlaybookVersionRow.community_id == community_id)
                .order_by(PlaybookVersionRow.version.desc())
                .limit(1)
            )
            return None if row is None else _version(row)

    def playbook_versions(self, community_id: int) -> list[PlaybookVersion]:
        """Every version the community applied, first one first."""
        with self._unit(write=False) as session:
            rows = session.scalars(
                select(PlaybookVersionRow)
                .where(PlaybookVersionRow.community_id == community_id)
                .order_by(PlaybookVersionRow.version)
            )
            return [_version(row) for row in rows]

    def posts_added(self, community_id: int) -> dict[str, datetime]:
        """Each scheduled post of the community's latest playbook version → when it was
        added: the version from which every version has held it (a post taken out and put
        back counts from its return). Read from the latest version's row alone, however many
        versions the community has stored (each row keeps it, `posts_added_by`)."""
        with self._unit(write=False) as session:
            found = session.scalar(
                select(PlaybookVersionRow.posts_added)
                .where(PlaybookVersionRow.community_id == community_id)
                .order_by(PlaybookVersionRow.version.desc())
                .limit(1)
            )
        return {post: datetime.fromisoformat(at) for post, at in (found or {}).items()}

    def playbook_version_by_digest(self, sha256: str) -> PlaybookVersion | None:
        """The version, of whichever community, whose text has this SHA-256 (a playbook file
        too large to read is known by it), if any."""
        with self._unit(write=False) as session:
            row = session.scalar(
                select(PlaybookVersionRow)
                .where(PlaybookVersionRow.sha256 == sha256)
                .order_by(PlaybookVersionRow.id)
                .limit(1)
            )
            return None if row is None else _version(row)

    def longest_playbook_text(self) -> int:
        """The characters of the longest playbook version stored, of any community (0: none)."""
        with self._unit(write=False) as session:
            found = session.scalar(select(func.max(func.length(PlaybookVersionRow.source_text))))
            return int(found or 0)

    def audit(
        self,
        actor: str,
        action: str,
        community_id: int | None = None,
        target: str = "",
        detail: Mapping[str, Any] | None = None,
    ) -> AuditEntry:
        """Write down that `actor` did `action` to `target`, now (both cut to their columns:
        they are composed from names people chose, "chat:Name (carrier:id)")."""
        row = AuditRow(
            at=self._clock.now(),
            actor=clipped_to(NAME, actor),
            community_id=community_id,
            action=action,
            target=clipped_to(KEY, target),
            detail=dict(detail or {}),
        )
        with self._unit(write=True) as session:
            if not self._try_insert(session, row):
                raise StoreError(f"there is no community with id {community_id}")
            return _entry(row)

    def audit_bulk(self, entries: Sequence[NewAudit]) -> None:
        """Write many audit entries in one statement (the engine's decisions of a batch)."""
        if not entries:
            return
        rows = [
            {"at": utc(e.at, "audit time"), "actor": clipped_to(NAME, e.actor),
             "community_id": e.community_id, "action": e.action,
             "target": clipped_to(KEY, e.target), "detail": dict(e.detail)}
            for e in entries
        ]  # fmt: skip
        with self._unit(write=True) as session:
            session.execute(insert(AuditRow), rows)

    def audit_log(self, community_id: int | None = None, limit: int = 100) -> list[AuditEntry]:
        """The latest entries, newest first: one community's, or everyone's."""
        query = select(AuditRow)
        if community_id is not None:
            query = query.where(AuditRow.community_id == community_id)
        query = query.order_by(AuditRow.at.desc(), AuditRow.id.desc()).limit(limit)
        with self._unit(write=False) as session:
            return [_entry(row) for row in session.scalars(query)]


def posts_added_by(before: Mapping[str, str], content: Mapping[str, Any],
                   applied_at: datetime) -> dict[str, str]:  # fmt: skip
    """What a new version applied at `applied_at` keeps as its posts' dates added: each
    scheduled post its `content` holds → the date the previous version kept for it
    (`before`), else `applied_at` (ISO instants). A post the previous version did not hold is
    new from this version on, even if an older one held it."""
    now = applied_at.astimezone(UTC).isoformat()
    return {post: str(before.get(post, now)) for post in sorted(_post_ids(content))}


def _post_ids(content: Mapping[str, Any]) -> set[str]:
    """The ids of the scheduled posts (`calendar.posts[].id`) in a version's content."""
    calendar = content.get("calendar")
    posts = calendar.get("posts") if isinstance(calendar, Mapping) else None
    if not isinstance(posts, list):
        return set()
    return {str(p["id"]) for p in posts if isinstance(p, Mapping) and "id" in p}


def _version(row: PlaybookVersionRow) -> PlaybookVersion:
    return PlaybookVersion(
        id=row.id,
        community_id=row.community_id,
        version=row.version,
        source_text=row.source_text,
        content=dict(row.content),
        sha256=row.sha256,
        applied_at=row.applied_at,
        applied_by=row.applied_by,
    )


def _entry(row: AuditRow) -> AuditEntry:
    return AuditEntry(
        id=row.id,
        at=row.at,
        actor=row.actor,
        community_id=row.community_id,
        action=row.action,
        target=row.target,
        detail=dict(row.detail),
    )
