"""The range of the store's ids, without importing the store (the CLI's arguments and the web
chat's frames check it at the edge)."""

MAX_ID = 2**63 - 1  # the largest id a row can have (SQLite's INTEGER, PostgreSQL's bigint)
