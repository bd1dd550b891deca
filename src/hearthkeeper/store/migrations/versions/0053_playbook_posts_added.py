"""Each playbook version keeps when each of its scheduled posts was added (`posts_added`:
post id → the applied_at, an ISO instant, of the version from which every version has held
it). The console's Health and Matrix pages and the daily watch read it from the latest
version's row to count only the firings a post was due; before, every load read every stored
version's whole content (about 12 KB each, more with every edit of the playbook). Versions
stored before get theirs here, walked in order per community as the store now keeps them.

Revision ID: 0053
Revises: 0052
Create Date: 2026-12-07 21:00:00.000000
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

JSON = sa.JSON().with_variant(JSONB(), "postgresql")

revision = "0053"
down_revision = "0052"
branch_labels = None
depends_on = None

_VERSIONS = sa.table(
    "playbook_versions",
    sa.column("id", sa.Integer),
    sa.column("community_id", sa.Integer),
    sa.column("version", sa.Integer),
    sa.column("applied_at", sa.DateTime(timezone=True)),
    sa.column("content", JSON),
    sa.column("posts_added", JSON),
)


# The rule as of this revision, written out: a migration must not change with the code.
def _post_ids(content: Any) -> list[str]:
    calendar = content.get("calendar") if isinstance(content, Mapping) else None
    posts = calendar.get("posts") if isinstance(calendar, Mapping) else None
    if not isinstance(posts, list):
        return []
    return sorted({str(p["id"]) for p in posts if isinstance(p, Mapping) and "id" in p})


def _instant(applied_at: datetime | str) -> str:
    if isinstance(applied_at, str):  # SQLite's text, should the driver hand it back as such
        applied_at = datetime.fromisoformat(applied_at)
    if applied_at.tzinfo is None:  # SQLite keeps UTC without an offset
        applied_at = applied_at.replace(tzinfo=UTC)
    return applied_at.astimezone(UTC).isoformat()


def upgrade() -> None:
    with op.batch_alter_table("playbook_versions") as batch:
        batch.add_column(sa.Column("posts_added", JSON, nullable=False,
                                   server_default=sa.text("'{}'")))  # fmt: skip
    bind = op.get_bind()
    rows = bind.execute(
        sa.select(_VERSIONS.c.id, _VERSIONS.c.community_id, _VERSIONS.c.applied_at,
                  _VERSIONS.c.content)
        .order_by(_VERSIONS.c.community_id, _VERSIONS.c.version)
    )  # fmt: skip
    kept: list[dict[str, Any]] = []
    community: int | None = None
    added: dict[str, str] = {}
    for version_id, community_id, applied_at, content in rows:
        if community_id != community:
            community, added = community_id, {}
        now = _instant(applied_at)
        added = {post: added.get(post, now) for post in _post_ids(content)}
        if added:
            kept.append({"row": version_id, "added": added})
    if kept:
        bind.execute(
            _VERSIONS.update()
            .where(_VERSIONS.c.id == sa.bindparam("row"))
            .values(posts_added=sa.bindparam("added")),
            kept,
        )


def downgrade() -> None:
    with op.batch_alter_table("playbook_versions") as batch:
        batch.drop_column("posts_added")
