"""Applications in the store. `Applications` is what the capability needs;
`SqlApplications.on(tx)` runs it in the caller's transaction."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Protocol

from sqlalchemy import case, func, select

from hearthkeeper.capabilities.admission.records import Application
from hearthkeeper.store.columns import clipped_to, utc
from hearthkeeper.store.errors import StoreError
from hearthkeeper.store.inserts import insert_one
from hearthkeeper.store.models import NAME, ApplicationRow
from hearthkeeper.store.records import ApplicationStatus
from hearthkeeper.store.scope import StoreBase

_KEY = ("community_id", "carrier", "user_id")


class Applications(Protocol):
    def application_of(self, community_id: int, carrier: str,
                       user_id: str) -> Application | None: ...  # fmt: skip
    def add_application(self, community_id: int, group_id: int, carrier: str, user_id: str,
                        display_name: str, member_id: int | None, questions: Sequence[str],
                        answers: Sequence[str], at: datetime, *,
                        network: str | None = None) -> tuple[Application, bool]: ...  # fmt: skip
    def get_application(self, application_id: int) -> Application | None: ...
    def pending_from(self, community_id: int, network: str, since: datetime, *,
                     other_than: int) -> int: ...  # fmt: skip
    def waiting_from(self, community_id: int, network: str) -> int: ...
    def made_from(self, community_id: int, network: str, since: datetime) -> int: ...
    def applications(self, community_id: int, *, pending: bool | None = None,
                     limit: int = 200, offset: int = 0) -> list[Application]: ...  # fmt: skip
    def application_counts(self, community_id: int) -> tuple[int, int]: ...
    def review(self, application_id: int, status: ApplicationStatus, by: str,
               message: str | None, at: datetime, *,
               reconsider: bool = False) -> Application: ...  # fmt: skip
    def set_aside_sources(self, application_id: int, sources: Mapping[str, str]) -> None: ...
    def take_set_aside_sources(self, application_id: int) -> dict[str, str]: ...


class SqlApplications(StoreBase):
    """`Applications` on SQLAlchemy."""

    def application_of(self, community_id: int, carrier: str, user_id: str) -> Application | None:
        """This person's application to the community, whatever became of it."""
        query = select(ApplicationRow).where(
            ApplicationRow.community_id == community_id, ApplicationRow.carrier == carrier,
            ApplicationRow.user_id == user_id,
        )  # fmt: skip
        with self._unit(write=False) as session:
            row = session.scalars(query).first()
            return None if row is None else _application(row)

    def add_application(self, community_id: int, group_id: int, carrier: str, user_id: str,
                        display_name: str, member_id: int | None, questions: Sequence[str],
                        answers: Sequence[str], at: datetime, *,
                        network: str | None = None) -> tuple[Application, bool]:  # fmt: skip
        """A pending application, or the one this person has already (and False): one per
        person and community, however often they submit. `network`: the digest of the client
        network it came from (`network_digest`), None where unknown."""
        values = {
            "community_id": community_id, "group_id": group_id, "carrier": carrier,
            "user_id": user_id, "display_name": clipped_to(NAME, display_name),
            "member_id": member_id,
            "questions": list(questions), "answers": list(answers),
            "status": ApplicationStatus.PENDING.value, "created_at": utc(at, "application time"),
            "network": network,
        }  # fmt: skip
        with self._unit(write=True) as session:
            row_id, created = insert_one(session, ApplicationRow, _KEY, values)
            row = session.get(ApplicationRow, row_id)
            assert row is not None
            return _application(row), created

    def get_application(self, application_id: int) -> Application | None:
        with self._unit(write=False) as session:
            row = session.get(ApplicationRow, application_id)
            return None if row is None else _application(row)

    def pending_from(self, community_id: int, network: str, since: datetime, *,
                     other_than: int) -> int:  # fmt: skip
        """How many applications to the community from client network `network` (its
        digest), made since `since`, wait for staff, besides application `other_than`."""
        a = ApplicationRow
        query = select(func.count()).where(
            a.community_id == community_id, a.network == network,
            a.status == ApplicationStatus.PENDING.value,
            a.created_at > utc(since, "since"), a.id != other_than,
        )  # fmt: skip
        with self._unit(write=False) as session:
            return int(session.scalar(query) or 0)

    def waiting_from(self, community_id: int, network: str) -> int:
        """How many applications to the community from client network `network` (its
        digest) wait for staff, however old."""
        a = ApplicationRow
        query = select(func.count()).where(
            a.community_id == community_id, a.network == network,
            a.status == ApplicationStatus.PENDING.value,
        )  # fmt: skip
        with self._unit(write=False) as session:
            return int(session.scalar(query) or 0)

    def made_from(self, community_id: int, network: str, since: datetime) -> int:
        """How many applications to the community came from client network `network` (its
        digest) since `since`, whatever became of them."""
        a = ApplicationRow
        query = select(func.count()).where(
            a.community_id == community_id, a.network == network,
            a.created_at >= utc(since, "since"),
        )  # fmt: skip
        with self._unit(write=False) as session:
            return int(session.scalar(query) or 0)

    def applications(self, community_id: int, *, pending: bool | None = None,
                     limit: int = 200, offset: int = 0) -> list[Application]:  # fmt: skip
        """The community's applications, `limit` from `offset`: pending ones first (oldest
        first, as they wait), then the reviewed ones, most recently reviewed first;
        `pending` True or False: only those."""
        is_pending = ApplicationRow.status == ApplicationStatus.PENDING.value
        waiting = case((is_pending, 0), else_=1)
        query = select(ApplicationRow).where(ApplicationRow.community_id == community_id)
        if pending is not None:
            query = query.where(is_pending if pending else ~is_pending)
        query = (
            query.order_by(
                waiting,
                ApplicationRow.reviewed_at.desc(),
                ApplicationRow.created_at,
                ApplicationRow.id,
            )
            .limit(limit)
            .offset(offset)
        )
        with self._unit(write=False) as session:
            return [_application(row) for row in session.scalars(query)]

    def application_counts(self, community_id: int) -> tuple[int, int]:
        """How many of the community's applications are (pending, reviewed)."""
        query = (
            select(ApplicationRow.status, func.count())
            .where(ApplicationRow.community_id == community_id)
            .group_by(ApplicationRow.status)
        )
        with self._unit(write=False) as session:
            counts = {status: n for status, n in session.execute(query)}
        waiting = counts.pop(ApplicationStatus.PENDING.value, 0)
        return waiting, sum(counts.values())

    def review(self, application_id: int, status: ApplicationStatus, by: str,
               message: str | None, at: datetime, *,
               reconsider: bool = False) -> Application:  # fmt: skip
        """Approve or refuse a pending application; StoreError if unknown or reviewed already
        (a second click, a second operator): the first decision stands. `reconsider`: staff
        approve an application refused before, on purpose (never the other way: someone let
        in is removed from the group, not refused after the fact)."""
        with self._unit(write=True) as session:
            row = session.get(ApplicationRow, application_id, with_for_update=True)
            if row is None:
                raise StoreError(f"there is no application with id {application_id}")
            again = (reconsider and status is ApplicationStatus.APPROVED
                     and row.status == ApplicationStatus.REFUSED.value)  # fmt: skip
            if row.status != ApplicationStatus.PENDING.value and not again:
                raise StoreError(
                    f"application {application_id} was {row.status} already by "
                    f"{row.reviewed_by} at {row.reviewed_at:%Y-%m-%d %H:%M} UTC"
                )
            row.status, row.reviewed_by, row.message = status.value, by, message
            row.reviewed_at = utc(at, "review time")
            session.flush()
            return _application(row)

    def set_aside_sources(self, application_id: int, sources: Mapping[str, str]) -> None:
        """Keep on the refused application the link tokens (by room) its refusal dropped from
        `join_sources`, for `take_set_aside_sources` if staff let the person in after all."""
        with self._unit(write=True) as session:
            row = session.get(ApplicationRow, application_id, with_for_update=True)
            if row is None:
                raise StoreError(f"there is no application with id {application_id}")
            row.refused_sources = dict(sources) or None

    def take_set_aside_sources(self, application_id: int) -> dict[str, str]:
        """The link tokens (by room) set aside when the application was refused, no longer
        kept on it ({}: none, or it was never refused)."""
        with self._unit(write=True) as session:
            row = session.get(ApplicationRow, application_id, with_for_update=True)
            if row is None or not row.refused_sources:
                return {}
            kept = {str(room): str(token) for room, token in row.refused_sources.items()}
            row.refused_sources = None
            return kept


def _application(row: ApplicationRow) -> Application:
    return Application(
        id=row.id, community_id=row.community_id, group_id=row.group_id, carrier=row.carrier,
        user_id=row.user_id, display_name=row.display_name, member_id=row.member_id,
        questions=tuple(row.questions), answers=tuple(row.answers),
        status=ApplicationStatus(row.status), message=row.message, created_at=row.created_at,
        reviewed_by=row.reviewed_by, reviewed_at=row.reviewed_at, network=row.network,
    )  # fmt: skip
