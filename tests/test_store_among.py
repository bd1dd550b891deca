"""`among`: `column IN values` with the values in one bound parameter finds exactly the rows
`in_` finds, on SQLite and PostgreSQL, and the statement text does not depend on how many
values there are (one statement for every batch). `among_pairs` likewise for pairs."""

from __future__ import annotations

import pytest
from sqlalchemy import select, tuple_

from hearthkeeper.store import Store
from hearthkeeper.store.among import among, among_pairs
from hearthkeeper.store.inserts import table_of
from hearthkeeper.store.models import IdentityRow, MemberRow, MembershipRow

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


@pytest.mark.parametrize("size", [0, 1, 3, 1500])
def test_among_pairs_finds_what_a_row_value_in_finds(
    store: Store, members: dict[str, int], size: int
) -> None:
    """Only the pairs asked: a member of one group asked about with another group is not
    among them (the groups and the members each asked for would find it)."""
    community = store.ensure_community("tea", "Tea Friends")
    groups = [store.add_group(community.id, f"Room {n}", "fake", f"g{n}").id for n in range(3)]
    ids = sorted(members.values())
    for n, member in enumerate(ids):
        store.join(member, groups[n % 3])
    stays = table_of(MembershipRow)
    columns = (stays.c.group_id, stays.c.member_id)
    real = [(groups[n % 3], m) for n, m in enumerate(ids)]
    crossed = [(groups[(n + 1) % 3], m) for n, m in enumerate(ids)]
    asked = [(real + crossed)[k % (2 * len(ids))] for k in range(size)]
    with store.engine.connect() as db:
        query = select(*columns)
        found = {(g, m) for g, m in db.execute(query.where(among_pairs(*columns, asked)))}
        expected = {(g, m) for g, m in db.execute(query.where(tuple_(*columns).in_(asked)))} \
            if asked else set()  # fmt: skip
    assert found == expected == set(asked) & set(real)
    assert len(found) == min(size, len(ids))


def test_one_statement_text_for_any_number_of_pairs(store: Store) -> None:
    members = table_of(MemberRow)
    dialect = store.engine.dialect
    texts = {str(select(members.c.id).where(among_pairs(members.c.id, members.c.id,
                                                        [(k, k) for k in range(n)]))
                 .compile(dialect=dialect)) for n in (1, 7, 999)}  # fmt: skip
    assert len(texts) == 1, texts
