"""Staff alerts in the store: who the staff are (with their carrier identities) and the alerts
held during quiet hours. `SqlAlerts.on(tx)` runs in the caller's transaction.

Holding is keyed by the alert's outbox key (held once however often the alert is raised
again), and releasing marks rows released only where they were not: the release that runs
after a restart finds nothing left to send.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from sqlalchemy import select, update

from hearthkeeper.capabilities.alerts.decide import StaffMember
from hearthkeeper.store.columns import utc
from hearthkeeper.store.models import (
    GroupRow,
    HeldAlertRow,
    IdentityRow,
    MemberRow,
    MembershipRow,
    StaffAlertRow,
)
from hearthkeeper.store.scope import StoreBase


@dataclass(frozen=True)
class HeldAlert:
    """An alert waiting for the end of quiet hours."""

    id: int
    key: str
    community_id: int
    group_id: int | None
    text: str
    held_at: datetime
    release_at: datetime
    released_at: datetime | None
    handled: bool = False  # staff handled it in the console while it was held
    recipients: tuple[str, ...] | None = None  # the roles it is for; None: `alerts.recipients`


class Alerts(Protocol):
    """The queries staff alerts need."""

    def staff(self, community_id: int, carriers: Sequence[str]) -> list[StaffMember]: ...
    def hold(self, key: str, community_id: int, group_id: int | None, text: str,
             held_at: datetime, release_at: datetime,
             recipients: Sequence[str] | None = None) -> bool: ...  # fmt: skip
    def due(self, community_id: int, now: datetime) -> list[HeldAlert]: ...
    def waiting(self, community_id: int) -> list[HeldAlert]: ...
    def released(self, ids: Sequence[int], at: datetime) -> int: ...


class SqlAlerts(StoreBase):
    """`Alerts` on SQLAlchemy."""

    def staff(self, community_id: int, carriers: Sequence[str]) -> list[StaffMember]:
        """Members holding a staff role in a group of the community now, with every role they
        hold there and their user ids on `carriers` (those the community's groups are on);
        in the order they became staff."""
        stays = (
            select(MembershipRow.member_id, MembershipRow.role, MemberRow.display_name)
            .join(GroupRow, GroupRow.id == MembershipRow.group_id)
            .join(MemberRow, MemberRow.id == MembershipRow.member_id)
            .where(GroupRow.community_id == community_id, MembershipRow.left_at.is_(None),
                   MembershipRow.role.is_not(None))
            .order_by(MembershipRow.joined_at, MembershipRow.id)
        )  # fmt: skip
        with self._unit(write=False) as session:
            rows = session.execute(stays).all()
            roles: dict[int, set[str]] = defaultdict(set)
            names: dict[int, str] = {}
            for member_id, role, name in rows:
                roles[member_id].add(str(role))
                names.setdefault(member_id, name)
            users: dict[int, dict[str, str]] = defaultdict(dict)
            if roles and carriers:
                found = session.execute(
                    select(IdentityRow.member_id, IdentityRow.carrier, IdentityRow.carrier_user_id)
                    .where(IdentityRow.member_id.in_(sorted(roles)),
                           IdentityRow.carrier.in_(sorted(set(carriers))))
                    .order_by(IdentityRow.created_at)
                )  # fmt: skip
                for member_id, carrier, user in found:
                    users[member_id].setdefault(carrier, user)
        return [StaffMember(m, names[m], frozenset(roles[m]), dict(users[m])) for m in names]

    def hold(self, key: str, community_id: int, group_id: int | None, text: str,
             held_at: datetime, release_at: datetime,
             recipients: Sequence[str] | None = None) -> bool:  # fmt: skip
        """Keep an alert until `release_at`, for the roles `recipients` (None: the
        community's alert recipients); False when it is held already."""
        row = HeldAlertRow(key=key, community_id=community_id, group_id=group_id, text=text,
                           held_at=utc(held_at, "held at"),
                           release_at=utc(release_at, "release at"), released_at=None,
                           recipients=None if recipients is None else list(recipients))  # fmt: skip
        with self._unit(write=True) as session:
            return self._try_insert(session, row)

    def due(self, community_id: int, now: datetime) -> list[HeldAlert]:
        """The held alerts to send at `now`, oldest first, leaving out those staff handled
        in the console meanwhile (they are marked released with the rest)."""
        query = (
            select(HeldAlertRow, StaffAlertRow.handled_at)
            .outerjoin(StaffAlertRow, StaffAlertRow.key == HeldAlertRow.key)
            .where(HeldAlertRow.community_id == community_id,
                   HeldAlertRow.released_at.is_(None),
                   HeldAlertRow.release_at <= utc(now, "now"))
            .order_by(HeldAlertRow.held_at, HeldAlertRow.id)
        )  # fmt: skip
        with self._unit(write=False) as session:
            return [_held(row, handled) for row, handled in session.execute(query)]

    def waiting(self, community_id: int) -> list[HeldAlert]:
        """Every alert still held in the community, oldest first."""
        query = (
            select(HeldAlertRow)
            .where(HeldAlertRow.community_id == community_id, HeldAlertRow.released_at.is_(None))
            .order_by(HeldAlertRow.held_at, HeldAlertRow.id)
        )  # fmt: skip
        with self._unit(write=False) as session:
            return [_held(row, None) for row in session.scalars(query)]

    def restate(self, key: str, text: str) -> bool:
        """Give the alert held under `key`, not released yet, a new text (what it says grew
        while it waited: the digest says it as it stands); False when none is held."""
        with self._unit(write=True) as session:
            done = session.execute(
                update(HeldAlertRow)
                .where(HeldAlertRow.key == key, HeldAlertRow.released_at.is_(None))
                .values(text=text)
            )  # fmt: skip
            return bool(getattr(done, "rowcount", 0))

    def released(self, ids: Sequence[int], at: datetime) -> int:
        """Mark held alerts released (only those not released yet); how many were."""
        if not ids:
            return 0
        with self._unit(write=True) as session:
            done = session.execute(
                update(HeldAlertRow)
                .where(HeldAlertRow.id.in_(list(ids)), HeldAlertRow.released_at.is_(None))
                .values(released_at=utc(at, "released at"))
            )  # fmt: skip
            return int(getattr(done, "rowcount", 0) or 0)


def _held(row: HeldAlertRow, handled: datetime | None) -> HeldAlert:
    roles = None if row.recipients is None else tuple(str(r) for r in row.recipients)
    return HeldAlert(row.id, row.key, row.community_id, row.group_id, row.text, row.held_at,
                     row.release_at, row.released_at, handled is not None, roles)  # fmt: skip
