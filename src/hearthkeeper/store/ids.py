"""The range of the store's ids, without importing the store (the CLI's arguments and the web
chat's frames check it at the edge)."""

MAX_ID = 2**63 - 1  # the largest id a row can have (SQLite's INTEGER, PostgreSQL's bigint)


def split_reference(text: str) -> tuple[str, str, bool]:
    """`text` as `member:ID` or `CARRIER:USER_ID` reads it: (prefix, id, whether there was a
    colon), the prefix in lower case (carrier kinds are) and both without the spaces around
    them: `Member: 42`, `WebChat : w-1`. One reading for every command that takes a member."""
    prefix, colon, rest = text.partition(":")
    return prefix.strip().casefold(), rest.strip(), bool(colon)
