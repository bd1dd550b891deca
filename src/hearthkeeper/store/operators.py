"""Operators of the console and the API: accounts, signed-in sessions and API tokens.

Passwords arrive here already hashed (argon2, by `hearthkeeper.web.auth`); session and API
tokens arrive as their SHA-256, so nothing kept here lets anyone sign in.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta

from sqlalchemy import delete, or_, select, update
from sqlalchemy.orm import Session

from hearthkeeper.store.columns import utc
from hearthkeeper.store.errors import StoreError
from hearthkeeper.store.models import NAME, ApiTokenRow, ConsoleSessionRow, OperatorRow
from hearthkeeper.store.records import ApiToken, ConsoleSession, Operator
from hearthkeeper.store.scope import StoreBase

# ASCII only: a username is typed on any keyboard and cannot hide a look-alike letter.
USERNAME = re.compile(r"[A-Za-z0-9._-]{1,64}")
# A token used again within this long is not written down again (one UPDATE a minute at most).
TOUCH_EVERY = timedelta(minutes=1)


class OperatorQueries(StoreBase):
    # --- accounts ------------------------------------------------------------------------------

    def add_operator(self, username: str, password_hash: str) -> Operator:
        """A new operator who signs in with `username` and the password behind the hash."""
        check_username(username)
        row = OperatorRow(username=username, password_hash=password_hash,
                          created_at=self._clock.now(), disabled=False)  # fmt: skip
        with self._unit(write=True) as session:
            if not self._try_insert(session, row):
                raise StoreError(
                    f"an operator named {username!r} already exists; choose another name, "
                    f"or change their password with `hearth operator password {username}`"
                )
            return _operator(row)

    def operator_by_name(self, username: str) -> Operator | None:
        """The operator called `username` (exactly), if any."""
        with self._unit(write=False) as session:
            row = _by_name(session, username)
            return None if row is None else _operator(row)

    def get_operator(self, operator_id: int) -> Operator | None:
        """The operator with this id, if any."""
        with self._unit(write=False) as session:
            row = session.get(OperatorRow, operator_id)
            return None if row is None else _operator(row)

    def operator_password_hash(self, username: str) -> str | None:
        """The stored password hash of `username` (None: no such operator)."""
        with self._unit(write=False) as session:
            row = _by_name(session, username)
            return None if row is None else row.password_hash

    def list_operators(self) -> list[Operator]:
        """Every operator, by username."""
        with self._unit(write=False) as session:
            rows = session.scalars(select(OperatorRow).order_by(OperatorRow.username))
            return [_operator(row) for row in rows]

    def set_operator_password(
        self, username: str, password_hash: str, *, end_sessions: bool = True
    ) -> Operator:
        """Give `username` a new password hash; unless `end_sessions` is False, every browser
        signed in as them is signed out (a changed password locks out whoever had the old)."""
        with self._unit(write=True) as session:
            row = _existing(session, username)
            row.password_hash = password_hash
            if end_sessions:
                session.execute(
                    delete(ConsoleSessionRow).where(ConsoleSessionRow.operator_id == row.id)
                )
            session.flush()
            return _operator(row)

    def set_operator_disabled(self, username: str, disabled: bool) -> Operator:
        """Disable (or enable again) an operator: a disabled one can neither sign in nor use
        the API, and their sessions end at once."""
        with self._unit(write=True) as session:
            row = _existing(session, username)
            row.disabled = disabled
            if disabled:
                session.execute(
                    delete(ConsoleSessionRow).where(ConsoleSessionRow.operator_id == row.id)
                )
            session.flush()
            return _operator(row)

    # --- console sessions ----------------------------------------------------------------------

    def create_session(
        self, operator_id: int, token_hash: str, csrf_token: str, expires_at: datetime
    ) -> ConsoleSession:
        """A signed-in browser until `expires_at`; also notes the operator's sign-in time."""
        now = self._clock.now()
        with self._unit(write=True) as session:
            operator = session.get(OperatorRow, operator_id)
            if operator is None:
                raise StoreError(f"there is no operator with id {operator_id}")
            operator.last_sign_in_at = now
            row = ConsoleSessionRow(token_hash=token_hash, operator_id=operator_id,
                                    csrf_token=csrf_token, created_at=now,
                                    expires_at=utc(expires_at, "session expiry"))  # fmt: skip
            if not self._try_insert(session, row):
                raise StoreError("a session with this token already exists; sign in again")
            return _session(row, operator)

    def session_for(self, token_hash: str, now: datetime) -> ConsoleSession | None:
        """The session whose token has this hash, unless expired or its operator disabled."""
        query = (
            select(ConsoleSessionRow, OperatorRow)
            .join(OperatorRow, OperatorRow.id == ConsoleSessionRow.operator_id)
            .where(
                ConsoleSessionRow.token_hash == token_hash,
                ConsoleSessionRow.expires_at > utc(now, "now"),
                OperatorRow.disabled.is_(False),
            )
        )
        with self._unit(write=False) as session:
            found = session.execute(query).first()
            return None if found is None else _session(found[0], found[1])

    def delete_session(self, token_hash: str) -> bool:
        """Sign a browser out; False if there was no such session."""
        with self._unit(write=True) as session:
            result = session.execute(
                delete(ConsoleSessionRow).where(ConsoleSessionRow.token_hash == token_hash)
            )
            return bool(result.rowcount)  # type: ignore[attr-defined]

    def delete_expired_sessions(self, now: datetime) -> int:
        """Forget sessions that ended before `now`; how many there were."""
        with self._unit(write=True) as session:
            result = session.execute(
                delete(ConsoleSessionRow).where(ConsoleSessionRow.expires_at <= utc(now, "now"))
            )
            return int(result.rowcount)  # type: ignore[attr-defined]

    # --- API tokens ----------------------------------------------------------------------------

    def add_api_token(self, operator_id: int, name: str, token_hash: str) -> ApiToken:
        """A new API token of the operator, labelled `name` (what it is for)."""
        name = name.strip()
        if not name or len(name) > NAME:
            raise StoreError(f"a token's name is 1 to {NAME} characters, e.g. 'reporting script'")
        with self._unit(write=True) as session:
            operator = session.get(OperatorRow, operator_id)
            if operator is None:
                raise StoreError(f"there is no operator with id {operator_id}")
            row = ApiTokenRow(operator_id=operator_id, name=name, token_hash=token_hash,
                              created_at=self._clock.now())  # fmt: skip
            if not self._try_insert(session, row):
                raise StoreError("a token with this value already exists; create another one")
            return _token(row, operator)

    def api_token_for(self, token_hash: str) -> ApiToken | None:
        """The token with this hash, unless revoked or its operator disabled."""
        query = (
            select(ApiTokenRow, OperatorRow)
            .join(OperatorRow, OperatorRow.id == ApiTokenRow.operator_id)
            .where(
                ApiTokenRow.token_hash == token_hash,
                ApiTokenRow.revoked_at.is_(None),
                OperatorRow.disabled.is_(False),
            )
        )
        with self._unit(write=False) as session:
            found = session.execute(query).first()
            return None if found is None else _token(found[0], found[1])

    def touch_api_token(self, token_id: int, at: datetime) -> bool:
        """Note that the token was used at `at`, unless that was noted less than a minute
        before; True if written."""
        at = utc(at, "use time")
        with self._unit(write=True) as session:
            result = session.execute(
                update(ApiTokenRow)
                .where(
                    ApiTokenRow.id == token_id,
                    or_(
                        ApiTokenRow.last_used_at.is_(None),
                        ApiTokenRow.last_used_at <= at - TOUCH_EVERY,
                    ),
                )
                .values(last_used_at=at)
            )
            return bool(result.rowcount)  # type: ignore[attr-defined]

    def api_tokens(self, *, include_revoked: bool = True) -> list[ApiToken]:
        """Every API token (or only those still valid), oldest first."""
        query = select(ApiTokenRow, OperatorRow).join(
            OperatorRow, OperatorRow.id == ApiTokenRow.operator_id
        )
        if not include_revoked:
            query = query.where(ApiTokenRow.revoked_at.is_(None))
        with self._unit(write=False) as session:
            rows = session.execute(query.order_by(ApiTokenRow.id))
            return [_token(token, operator) for token, operator in rows]

    def revoke_api_token(self, token_id: int, at: datetime) -> ApiToken:
        """Make a token useless from `at` on; it stays listed as revoked."""
        with self._unit(write=True) as session:
            row = session.get(ApiTokenRow, token_id, with_for_update=True)
            if row is None:
                raise StoreError(
                    f"there is no API token with id {token_id} (see `hearth token list`)"
                )
            if row.revoked_at is not None:
                raise StoreError(
                    f"API token {token_id} was already revoked "
                    f"at {row.revoked_at:%Y-%m-%d %H:%M} UTC"
                )
            row.revoked_at = utc(at, "revocation time")
            session.flush()
            operator = session.get(OperatorRow, row.operator_id)
            assert operator is not None
            return _token(row, operator)


def check_username(username: str) -> None:
    """Refuse (StoreError) a username an operator may not have."""
    if not USERNAME.fullmatch(username):
        raise StoreError(
            f"username {username!r} is not allowed: use 1 to 64 letters (a-z, A-Z), digits, "
            "dots, dashes or underscores, e.g. 'mei.lin'"
        )


def _by_name(session: Session, username: str) -> OperatorRow | None:
    return session.scalar(select(OperatorRow).where(OperatorRow.username == username))


def _existing(session: Session, username: str) -> OperatorRow:
    row = _by_name(session, username)
    if row is None:
        raise StoreError(f"there is no operator named {username!r} (see `hearth operator list`)")
    return row


def _operator(row: OperatorRow) -> Operator:
    return Operator(id=row.id, username=row.username, created_at=row.created_at,
                    last_sign_in_at=row.last_sign_in_at, disabled=bool(row.disabled))  # fmt: skip


def _session(row: ConsoleSessionRow, operator: OperatorRow) -> ConsoleSession:
    return ConsoleSession(id=row.id, operator=_operator(operator), csrf_token=row.csrf_token,
                          created_at=row.created_at, expires_at=row.expires_at)  # fmt: skip


def _token(row: ApiTokenRow, operator: OperatorRow) -> ApiToken:
    return ApiToken(id=row.id, operator=_operator(operator), name=row.name,
                    created_at=row.created_at, last_used_at=row.last_used_at,
                    revoked_at=row.revoked_at)  # fmt: skip
