"""Invite codes in the store. `InviteCodes` is what the capability needs;
`SqlInviteCodes.on(tx)` runs it in the caller's transaction."""

from __future__ import annotations

from datetime import datetime
from typing import Protocol

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from hearthkeeper.capabilities.admission.records import InviteCode
from hearthkeeper.store.columns import utc
from hearthkeeper.store.errors import StoreError
from hearthkeeper.store.inserts import insert_one
from hearthkeeper.store.models import InviteCodeRow, InviteCodeUseRow
from hearthkeeper.store.scope import StoreBase


class InviteCodes(Protocol):
    def add_code(self, community_id: int, code: str, label: str, max_uses: int | None,
                 expires_at: datetime | None, by: str, at: datetime) -> InviteCode: ...  # fmt: skip
    def codes(self, community_id: int) -> list[InviteCode]: ...
    def code_named(self, community_id: int, code: str, *,
                   lock: bool = False) -> InviteCode | None: ...  # fmt: skip
    def revoke_code(self, code_id: int, at: datetime) -> InviteCode: ...
    def used(self, code_id: int, carrier: str, user_id: str) -> bool: ...
    def use_code(self, code_id: int, carrier: str, user_id: str, group_id: int,
                 at: datetime) -> bool: ...  # fmt: skip


class SqlInviteCodes(StoreBase):
    """`InviteCodes` on SQLAlchemy."""

    def add_code(self, community_id: int, code: str, label: str, max_uses: int | None,
                 expires_at: datetime | None, by: str, at: datetime) -> InviteCode:  # fmt: skip
        """A new code; StoreError if the community has one spelt the same already."""
        row = InviteCodeRow(community_id=community_id, code=code, label=label, max_uses=max_uses,
                            uses=0, expires_at=None if expires_at is None else utc(expires_at, "expiry"),
                            created_by=by, created_at=utc(at, "creation time"))  # fmt: skip
        with self._unit(write=True) as session:
            try:
                with session.begin_nested():
                    session.add(row)
                    session.flush()
            except IntegrityError:
                raise StoreError(f"the community already has a code {code!r}") from None
            return _code(row)

    def codes(self, community_id: int) -> list[InviteCode]:
        """The community's codes, newest first."""
        query = (
            select(InviteCodeRow)
            .where(InviteCodeRow.community_id == community_id)
            .order_by(InviteCodeRow.created_at.desc(), InviteCodeRow.id.desc())
        )
        with self._unit(write=False) as session:
            return [_code(row) for row in session.scalars(query)]

    def code_named(self, community_id: int, code: str, *, lock: bool = False) -> InviteCode | None:
        """The community's code spelt `code` (locked for this transaction with `lock`: two
        people racing for its last use cannot both get it)."""
        query = select(InviteCodeRow).where(
            InviteCodeRow.community_id == community_id, InviteCodeRow.code == code
        )
        if lock:
            query = query.with_for_update()
        with self._unit(write=lock) as session:
            row = session.scalars(query).first()
            return None if row is None else _code(row)

    def revoke_code(self, code_id: int, at: datetime) -> InviteCode:
        """Stop a code letting anyone else in; StoreError if unknown or revoked already."""
        with self._unit(write=True) as session:
            row = session.get(InviteCodeRow, code_id, with_for_update=True)
            if row is None:
                raise StoreError(f"there is no invite code with id {code_id}")
            if row.revoked_at is not None:
                raise StoreError(f"code {row.code} was revoked already")
            row.revoked_at = utc(at, "revocation time")
            session.flush()
            return _code(row)

    def used(self, code_id: int, carrier: str, user_id: str) -> bool:
        """Whether the code let this person in before."""
        query = select(InviteCodeUseRow.id).where(
            InviteCodeUseRow.code_id == code_id, InviteCodeUseRow.carrier == carrier,
            InviteCodeUseRow.user_id == user_id,
        )  # fmt: skip
        with self._unit(write=False) as session:
            return session.scalar(query) is not None

    def use_code(self, code_id: int, carrier: str, user_id: str, group_id: int,
                 at: datetime) -> bool:  # fmt: skip
        """Count this person's use of the code; False (nothing counted) if counted before."""
        values = {
            "code_id": code_id,
            "carrier": carrier,
            "user_id": user_id,
            "group_id": group_id,
            "at": utc(at, "use time"),
        }
        with self._unit(write=True) as session:
            _, created = insert_one(session, InviteCodeUseRow, ("code_id", "carrier", "user_id"),
                                    values)  # fmt: skip
            if not created:
                return False
            session.execute(
                update(InviteCodeRow)
                .where(InviteCodeRow.id == code_id)
                .values(uses=InviteCodeRow.uses + 1)
            )
            return True


def _code(row: InviteCodeRow) -> InviteCode:
    return InviteCode(row.id, row.community_id, row.code, row.label, row.max_uses, row.uses,
                      row.expires_at, row.revoked_at, row.created_by, row.created_at)  # fmt: skip
