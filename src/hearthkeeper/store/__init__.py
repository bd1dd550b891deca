"""Storage: SQLAlchemy models, Alembic migrations and the `Store` the rest of Hearthkeeper uses."""

from hearthkeeper.store.database import (
    URL_VARIABLE,
    create_engine_for,
    sqlite_url,
)
from hearthkeeper.store.errors import StoreError
from hearthkeeper.store.migrate import current_revision, head_revision, require_current, upgrade
from hearthkeeper.store.records import (
    AuditEntry,
    Community,
    Group,
    Identity,
    Member,
    Membership,
    MemberTag,
    Message,
    MessageKind,
    PlaybookVersion,
)
from hearthkeeper.store.repository import Store

__all__ = [
    "URL_VARIABLE",
    "AuditEntry",
    "Community",
    "Group",
    "Identity",
    "Member",
    "MemberTag",
    "Membership",
    "Message",
    "MessageKind",
    "PlaybookVersion",
    "Store",
    "StoreError",
    "create_engine_for",
    "current_revision",
    "head_revision",
    "require_current",
    "sqlite_url",
    "upgrade",
]
