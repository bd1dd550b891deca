"""Staff's invite codes, from the console or the CLI: make one (a random code, or one staff
spell), see them, revoke one. Each change has its audit entry."""

from __future__ import annotations

import re
from datetime import datetime

from hearthkeeper.capabilities.admission import decide
from hearthkeeper.capabilities.admission.codes_repository import SqlInviteCodes
from hearthkeeper.capabilities.admission.records import InviteCode
from hearthkeeper.store import Store, StoreError

_SPELLING = re.compile(r"[A-Z0-9][A-Z0-9_-]{2,63}")
MAX_LABEL = 200
MAX_USES = 2**31 - 1  # the column's INTEGER on PostgreSQL; more is "no limit"


class BadCode(ValueError):
    """A code staff asked for that cannot be used; the message says why and how."""


def create_code(store: Store, community_id: int, by: str, now: datetime, *, label: str = "",
                max_uses: int | None = None, expires_at: datetime | None = None,
                code: str | None = None) -> InviteCode:  # fmt: skip
    """A new code of the community (random unless `code` spells it); BadCode for a code,
    limit or expiry that cannot be used, StoreError if the community has that code."""
    if max_uses is not None and not 1 <= max_uses <= MAX_USES:
        raise BadCode(f"--max-uses must be from 1 to {MAX_USES} (got {max_uses}); leave it out "
                      "for no limit")  # fmt: skip
    if expires_at is not None and expires_at <= now:
        raise BadCode(f"the expiry {expires_at:%Y-%m-%d %H:%M} UTC has passed already")
    spelt = decide.normalise_code(code) if code else decide.new_code()
    if _SPELLING.fullmatch(spelt) is None:
        raise BadCode(f"{code!r} cannot be a code: use 3 to 64 letters, digits, '-' or '_'")
    with store.transaction() as tx:
        made = SqlInviteCodes.on(tx).add_code(community_id, spelt, label.strip()[:MAX_LABEL],
                                              max_uses, expires_at, by, now)  # fmt: skip
        tx.audit(by, "invite_code.create", community_id, target=f"code {made.code}",
                 detail={"label": made.label, "max_uses": max_uses,
                         "expires_at": None if expires_at is None else expires_at.isoformat()})  # fmt: skip
    return made


def revoke_code(store: Store, community_id: int, code: str, by: str, now: datetime) -> InviteCode:
    """Stop a code letting anyone else in (those it let in stay); StoreError if the community
    has no such code or it was revoked already."""
    with store.transaction() as tx:
        codes = SqlInviteCodes.on(tx)
        found = codes.code_named(community_id, decide.normalise_code(code))
        if found is None:
            raise StoreError(f"the community has no code {code!r}")
        revoked = codes.revoke_code(found.id, now)
        tx.audit(by, "invite_code.revoke", community_id, target=f"code {revoked.code}",
                 detail={"uses": revoked.uses})  # fmt: skip
    return revoked
