"""Members: one person per row, named by each carrier they use, with tags and notes."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from sqlalchemy import bindparam, delete, select, text, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from hearthkeeper.store.among import among
from hearthkeeper.store.columns import sqlite_time, storable
from hearthkeeper.store.errors import StoreError
from hearthkeeper.store.inserts import (
    insert_ignoring,
    inserted_ids,
    stored_pair,
    table_of,
    where_pairs,
)
from hearthkeeper.store.models import IdentityRow, MemberRow, TagRow
from hearthkeeper.store.records import Identity, Member, MemberTag
from hearthkeeper.store.scope import StoreBase
from hearthkeeper.text.controls import shown_name

TAG_LENGTH = 64


class MemberQueries(StoreBase):
    def member_for(self, carrier: str, carrier_user_id: str, display_name: str) -> Member:
        """The member a carrier calls `carrier_user_id`: created on first sight, and its
        display name kept up to date as it is shown (`shown_name`; a name with nothing visible
        leaves the known one, and a new member without one is named by the carrier's id)."""
        display_name = shown_name(display_name)
        with self._unit(write=True) as session:
            row = _member_by_identity(session, carrier, carrier_user_id)
            if row is None:
                named = kept_name(display_name, carrier_user_id)
                row = self._new_member(session, carrier, carrier_user_id, named)
            elif display_name and row.display_name != display_name:
                row.display_name = display_name
            return _member(row)

    def follow_names(self, names: Mapping[int, str]) -> int:
        """Rename each member in `names` (member id → the name their carrier shows now) to it
        as it is shown (`shown_name`): one read of their names, and a write only for those
        whose name changed (a name with nothing visible leaves the known one; an unknown id is
        skipped). The number of members renamed."""
        wanted = {member_id: shown for member_id, name in names.items()
                  if (shown := shown_name(name))}  # fmt: skip
        if not wanted:
            return 0
        members = table_of(MemberRow)
        with self._unit(write=True) as session:
            now = session.execute(
                select(members.c.id, members.c.display_name).where(among(members.c.id, wanted))
            )
            changed = [{"member": member_id, "name": wanted[member_id]}
                       for member_id, name in now if name != storable(wanted[member_id])]  # fmt: skip
            if changed:
                session.connection().execute(
                    update(members)
                    .where(members.c.id == bindparam("member"))
                    .values(display_name=bindparam("name")),
                    changed,
                )
            return len(changed)

    def find_member(self, carrier: str, carrier_user_id: str) -> Member | None:
        """The member a carrier calls `carrier_user_id`, if seen before."""
        with self._unit(write=False) as session:
            row = _member_by_identity(session, carrier, carrier_user_id)
            return None if row is None else _member(row)

    def member_ids(
        self, users: Mapping[tuple[str, str], str], created: set[tuple[str, str]] | None = None
    ) -> dict[tuple[str, str], int]:
        """The member id of each (carrier, carrier_user_id) in `users`, in one query; users
        never seen are created at once, named by their value in `users` as `member_for` keeps
        it, and added to `created` when given (known members keep their name: `follow_names`
        or `member_for` renames)."""
        wanted = list(users)
        with self._unit(write=True) as session:
            found = _identity_ids(session, wanted)
            missing = [user for user in wanted if user not in found]
            if missing:
                new, lost = self._new_members_bulk(session,
                                                   {user: users[user] for user in missing})  # fmt: skip
                found |= new
                if created is not None:
                    created.update(set(missing) - set(lost))
            return found

    def get_member(self, member_id: int) -> Member | None:
        """The member with this id, if there is one."""
        with self._unit(write=False) as session:
            row = session.get(MemberRow, member_id)
            return None if row is None else _member(row)

    def update_member(
        self,
        member_id: int,
        *,
        profile: Mapping[str, Any] | None = None,
        notes: str | None = None,
    ) -> Member:
        """Replace the member's profile and/or notes."""
        with self._unit(write=True) as session:
            row = _existing_member(session, member_id)
            if profile is not None:
                row.profile = dict(profile)
            if notes is not None:
                row.notes = notes
            return _member(row)

    def link_identity(self, member_id: int, carrier: str, carrier_user_id: str) -> None:
        """Record that the member is also `carrier_user_id` on `carrier`."""
        with self._unit(write=True) as session:
            _existing_member(session, member_id)
            identity = IdentityRow(
                carrier=carrier,
                carrier_user_id=carrier_user_id,
                member_id=member_id,
                created_at=self._clock.now(),
            )
            if self._try_insert(session, identity):
                return
            owner = session.get(IdentityRow, (carrier, carrier_user_id))
            if owner is not None and owner.member_id != member_id:
                raise StoreError(
                    f"{carrier} user {carrier_user_id!r} is already member {owner.member_id}; "
                    f"it cannot also be member {member_id}"
                )

    def user_on(self, member_id: int, carrier: str) -> str | None:
        """The member's user id on `carrier`, if they have an identity there."""
        return next((i.carrier_user_id for i in self.identities(member_id) if i.carrier == carrier),
                    None)  # fmt: skip

    def identities(self, member_id: int) -> list[Identity]:
        """Every carrier identity of the member."""
        with self._unit(write=False) as session:
            rows = session.scalars(
                select(IdentityRow)
                .where(IdentityRow.member_id == member_id)
                .order_by(IdentityRow.carrier, IdentityRow.carrier_user_id)
            )
            return [Identity(row.member_id, row.carrier, row.carrier_user_id) for row in rows]

    def add_tag(self, member_id: int, tag: str, set_by: str) -> bool:
        """Tag the member; False if it already had the tag."""
        tag = _valid_tag(tag)
        with self._unit(write=True) as session:
            _existing_member(session, member_id)
            if session.get(TagRow, (member_id, tag)) is not None:
                return False
            row = TagRow(member_id=member_id, tag=tag, set_by=set_by, set_at=self._clock.now())
            return self._try_insert(session, row)

    def remove_tag(self, member_id: int, tag: str) -> bool:
        """Take a tag off the member; False if it did not have it."""
        with self._unit(write=True) as session:
            row = session.get(TagRow, (member_id, tag.strip()))
            if row is None:
                return False
            session.delete(row)
            return True

    def set_member_tags(self, member_id: int, tags: Iterable[str], set_by: str) -> None:
        """Make the member's tags exactly `tags` (tags it keeps keep who set them and when)."""
        wanted = {_valid_tag(tag) for tag in tags}
        with self._unit(write=True) as session:
            _existing_member(session, member_id)
            session.execute(
                delete(TagRow).where(TagRow.member_id == member_id, TagRow.tag.not_in(wanted))
            )
            have = set(session.scalars(select(TagRow.tag).where(TagRow.member_id == member_id)))
            now = self._clock.now()
            session.add_all(
                TagRow(member_id=member_id, tag=tag, set_by=set_by, set_at=now)
                for tag in sorted(wanted - have)
            )
            session.flush()

    def member_tags(self, member_id: int) -> list[MemberTag]:
        """The member's tags, alphabetically."""
        with self._unit(write=False) as session:
            rows = session.scalars(
                select(TagRow).where(TagRow.member_id == member_id).order_by(TagRow.tag)
            )
            return [MemberTag(row.tag, row.set_by, row.set_at) for row in rows]

    def tags_of(self, member_ids: Iterable[int]) -> dict[int, set[str]]:
        """The tags of many members in one query (members without tags are left out)."""
        ids = sorted(set(member_ids))
        if not ids:
            return {}
        found: dict[int, set[str]] = {}
        with self._unit(write=False) as session:
            for member_id, tag in session.execute(
                select(TagRow.member_id, TagRow.tag).where(among(TagRow.member_id, ids))
            ):
                found.setdefault(member_id, set()).add(tag)
        return found

    def _new_members_bulk(
        self, session: Session, users: Mapping[tuple[str, str], str]
    ) -> tuple[dict[tuple[str, str], int], list[tuple[str, str]]]:
        """The ids of the members of `users`, created now but for those another worker
        created at the same moment (theirs stand; listed second)."""
        now = self._clock.now()
        members, identities = table_of(MemberRow), table_of(IdentityRow)
        connection = session.connection()
        if connection.dialect.name == "sqlite":
            return _new_members_prepared(session, users, sqlite_time(now, "created_at"))
        rows = [
            {"display_name": kept_name(name, user), "profile": {}, "notes": "", "created_at": now}
            for (_, user), name in users.items()
        ]
        new_ids = inserted_ids(connection, members, rows)
        ids = dict(zip(users, new_ids, strict=True))
        claimed = connection.execute(
            insert_ignoring(session, IdentityRow, ("carrier", "carrier_user_id")).returning(
                identities.c.carrier, identities.c.carrier_user_id
            ),
            [
                {"carrier": c, "carrier_user_id": u, "member_id": ids[(c, u)], "created_at": now}
                for c, u in users
            ],
        )
        kept = {(c, u) for c, u in claimed}
        lost = [user for user in users if stored_pair(user) not in kept]
        if lost:
            # Seen for the first time by another worker at the same moment: theirs stands.
            connection.execute(delete(members).where(members.c.id.in_([ids[u] for u in lost])))
            ids |= _identity_ids(session, lost)
        return ids, lost

    def _new_member(
        self, session: Session, carrier: str, carrier_user_id: str, display_name: str
    ) -> MemberRow:
        now = self._clock.now()
        member = MemberRow(display_name=display_name, profile={}, notes="", created_at=now)
        try:
            with session.begin_nested():
                session.add(member)
                session.flush()
                session.add(
                    IdentityRow(
                        carrier=carrier,
                        carrier_user_id=carrier_user_id,
                        member_id=member.id,
                        created_at=now,
                    )
                )
                session.flush()
        except IntegrityError:
            # Seen for the first time by two workers at once: the other one won.
            winner = _member_by_identity(session, carrier, carrier_user_id)
            if winner is None:
                raise
            return winner
        return member


def kept_name(name: str, carrier_user_id: str) -> str:
    """A member's name as the store keeps it: as shown (`shown_name`), or the carrier's id
    when nothing visible is left (a name of only spaces or invisible characters)."""
    return shown_name(name) or shown_name(carrier_user_id)


def _valid_tag(tag: str) -> str:
    tag = tag.strip()
    if not tag or len(tag) > TAG_LENGTH:
        raise ValueError(f"a tag is 1 to {TAG_LENGTH} characters, not {tag!r}")
    return tag


# SQLite: members seen for the first time, as the driver takes them (see
# `_new_members_prepared`); the profile is the empty JSON document, as `JSONDocument` writes it.
_SQLITE_MEMBER = (
    "INSERT INTO members (display_name, profile, notes, created_at) VALUES (?, '{}', '', ?)"
)
_SQLITE_IDENTITY = (
    "INSERT INTO member_identities (carrier, carrier_user_id, member_id, created_at) "
    "VALUES (?, ?, ?, ?) ON CONFLICT (carrier, carrier_user_id) DO NOTHING"
)


def _new_members_prepared(
    session: Session, users: Mapping[tuple[str, str], str], now: str
) -> tuple[dict[tuple[str, str], int], list[tuple[str, str]]]:
    """SQLite: the members and their identities each in one prepared INSERT stepped over the
    rows (no per-row parameter processing). The transaction holds the write lock, so the new
    members are the rows past the largest id before, in the order inserted; an identity some
    other row of `users` already claimed (two ids the database stores alike) is the only one
    that can be refused, and its member goes again, as on PostgreSQL."""
    connection = session.connection()
    newest = connection.exec_driver_sql("SELECT max(id) FROM members").scalar() or 0
    connection.exec_driver_sql(
        _SQLITE_MEMBER,
        [(storable(kept_name(name, user)), now) for (_, user), name in users.items()],
    )
    new_ids = [row[0] for row in connection.exec_driver_sql(
        "SELECT id FROM members WHERE id > ? ORDER BY id", (newest,)
    )]  # fmt: skip
    assert len(new_ids) == len(users), "the write lock is held: only these rows are new"
    ids = dict(zip(users, new_ids, strict=True))
    connection.exec_driver_sql(
        _SQLITE_IDENTITY,
        [(storable(c), storable(u), ids[(c, u)], now) for c, u in users],
    )
    # the identities written now: those of the new members (as RETURNING would give them)
    claimed = connection.exec_driver_sql(
        "SELECT carrier, carrier_user_id FROM member_identities WHERE member_id > ?", (newest,)
    )
    kept = {(c, u) for c, u in claimed}
    lost = [user for user in users if stored_pair(user) not in kept]
    if lost:
        members = table_of(MemberRow)
        connection.execute(delete(members).where(members.c.id.in_([ids[u] for u in lost])))
        ids |= _identity_ids(session, lost)
    return ids, lost


def _identity_ids(session: Session, users: list[tuple[str, str]]) -> dict[tuple[str, str], int]:
    if session.get_bind().dialect.name == "postgresql" and len(users) > _PAIRS_JOINED:
        return _identity_ids_joined(session, users)
    identities = table_of(IdentityRow)
    return where_pairs(
        session,
        select(identities.c.carrier, identities.c.carrier_user_id, identities.c.member_id),
        identities.c.carrier,
        identities.c.carrier_user_id,
        users,
    )


# PostgreSQL: past this many users, the pairs are joined as two arrays (one index lookup per
# pair). Two IN lists let the planner scan every identity of the carrier and filter them,
# which an import with tens of thousands of members pays on every chunk.
_PAIRS_JOINED = 50
_JOINED = text(
    "SELECT i.carrier, i.carrier_user_id, i.member_id FROM member_identities AS i "
    "JOIN unnest(CAST(:carriers AS text[]), CAST(:users AS text[])) AS w (carrier, user_id) "
    "ON i.carrier = w.carrier AND i.carrier_user_id = w.user_id"
)


def _identity_ids_joined(
    session: Session, users: list[tuple[str, str]]
) -> dict[tuple[str, str], int]:
    # Keyed by what the database keeps, answered by what was asked (as `where_pairs`).
    asked = {stored_pair(pair): pair for pair in dict.fromkeys(users)}
    found: dict[tuple[str, str], int] = {}
    params = {"carriers": [c for c, _ in asked], "users": [u for _, u in asked]}
    for carrier, user_id, member_id in session.connection().execute(_JOINED, params):
        pair = asked.get((carrier, user_id))
        if pair is not None:
            found[pair] = int(member_id)
    return found


def _member_by_identity(session: Session, carrier: str, carrier_user_id: str) -> MemberRow | None:
    return session.scalar(
        select(MemberRow)
        .join(IdentityRow, IdentityRow.member_id == MemberRow.id)
        .where(IdentityRow.carrier == carrier, IdentityRow.carrier_user_id == carrier_user_id)
    )


def _existing_member(session: Session, member_id: int) -> MemberRow:
    row = session.get(MemberRow, member_id)
    if row is None:
        raise StoreError(f"there is no member with id {member_id}")
    return row


def _member(row: MemberRow) -> Member:
    return Member(
        id=row.id,
        display_name=row.display_name,
        profile=dict(row.profile),
        notes=row.notes,
        created_at=row.created_at,
    )
