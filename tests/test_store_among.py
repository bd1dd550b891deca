"""`among`: `column IN values` with the values in one bound parameter finds exactly the rows
`in_` finds, on SQLite and PostgreSQL, and the statement text does not depend on how many
values there are (one statement for every batch)."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from hearthkeeper.store import Store
from hearthkeeper.store.among import among
from hearthkeeper.store.inserts import table_of
from hearthkeeper.store.models import IdentityRow, MemberRow

NAMES = ["alice", "Bob", "", "張三", "o'neil", 'say "hi"', "back\\slash", "tab\there", "🙂",
         "nul\x00byte", "lone\ud800surrogate", "1", "01", "[1]", "null"]  # fmt: skip


@pytest.fixture
def members(store: Store) -> dict[str, int]:
    """A member for each of `NAMES`, with an identity on carrier "fake" named after it."""
    with store.transaction() as tx:
        return {name: tx.member_for("fake", name, name or "nameless").id
                for name in NAMES}  # fmt: skip


def _both(store: Store, column: object, values: list[object]) -> tuple[set[int], set[int]]:
    identities = table_of(IdentityRow)
    with store.engine.connect() as db:
        query = select(identities.c.member_id)
        found = set(db.scalars(query.where(among(column, values))))  # type: ignore[arg-type]
        expected = set(db.scalars(query.where(column.in_(values))))  # type: ignore[attr-defined]
    return found, expected


@pytest.mark.parametrize("size", [0, 1, 3, 1500])
def test_among_ids_finds_what_in_finds(store: Store, members: dict[str, int], size: int) -> None:
    ids = sorted(members.values())
    values: list[object] = [ids[i % len(ids)] + (i // len(ids)) * 1000 for i in range(size)]
    found, expected = _both(store, table_of(IdentityRow).c.member_id, values)
    assert found == expected
    assert len(found) == min(size, len(ids))


def test_among_texts_finds_what_in_finds_whatever_the_characters(
    store: Store, members: dict[str, int]
) -> None:
    column = table_of(IdentityRow).c.carrier_user_id
    for values in ([*NAMES, "nobody"], ["nul\x00byte"], ["lone\ud800surrogate"], ["'; --"], []):
        found, expected = _both(store, column, list(values))
        # the characters no database stores are kept as U+FFFD: asked as written, found
        assert found == {members[v] for v in values if v in members}, values
        if all("\x00" not in v and "\ud800" not in v for v in values):
            assert found == expected, values


def test_one_statement_text_for_any_number_of_values(store: Store) -> None:
    members = table_of(MemberRow)
    dialect = store.engine.dialect
    texts = {str(select(members.c.id).where(among(members.c.id, list(range(n))))
                 .compile(dialect=dialect)) for n in (1, 7, 999)}  # fmt: skip
    assert len(texts) == 1, texts
