"""Closing a list or poll once: at its deadline (scheduled work names it) or early by staff
(the group's open one), calling off the scheduled closing; the final text is posted once."""

from __future__ import annotations

from datetime import datetime
from typing import TypeVar

from hearthkeeper.capabilities.lists_common.queries import OneOpenPerGroup
from hearthkeeper.engine.effects import Request, schedule_request
from hearthkeeper.store.scheduled import ScheduledQueries
from hearthkeeper.store.scope import StoreBase

R = TypeVar("R")


class NothingOpen:
    """Asked to close the group's open one, and none is open."""


def closing_key(kind: str, row_id: int) -> str:
    """The name of the scheduled closing of a list (`signup:3:close`) or poll (`poll:3:close`)."""
    return f"{kind}:{row_id}:close"


def schedule_closing(scope: StoreBase, kind: str, row_id: int, request: Request, deadline: datetime,
                     *, community_id: int, group_id: int) -> None:  # fmt: skip
    """Run `request` (the closing) at the deadline, once."""
    schedule_request(scope, closing_key(kind, row_id), community_id, request, deadline,
                     group_id=group_id)  # fmt: skip


def close_once(scope: StoreBase, repo: OneOpenPerGroup[R], kind: str, row_id: int | None,
               group_id: int, at: datetime) -> R | NothingOpen | None:  # fmt: skip
    """Close the one named (None: the group's open one); the record once closed, or None when
    it was closed already (its final text was posted then)."""
    if row_id is None:
        current = repo.current_id(group_id)
        if current is None:
            return NothingOpen()
        row_id = current
    if not repo.close(row_id, at):
        return None
    ScheduledQueries.on(scope).cancel_scheduled(closing_key(kind, row_id))
    closed = repo.get(row_id)
    assert closed is not None
    return closed
