"""A scheduled post that fell due, put in the outbox by hand: the slow-upload tests of every
carrier queue their course file and the text after it so, then hold the upload back."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import datetime, time
from pathlib import Path
from typing import Any, Protocol
from zoneinfo import ZoneInfo

from hearthkeeper.capabilities.calendar.content import PostContent
from hearthkeeper.capabilities.calendar.rituals import welcome_key
from hearthkeeper.engine.actions import Action, ActionKind
from hearthkeeper.playbook.output import ScheduledPost
from hearthkeeper.playbook.positioning import Language
from hearthkeeper.store import Store
from hearthkeeper.store.scheduled import WorkOf

POST = ScheduledPost.model_validate(
    {"id": "course", "schedule": "every day 07:30", "content": {"library": "files"}}
)
PDF = b"%PDF-1.4 the course, a large file"


def queue_post(store: Store, carrier: str, group: str, key: str, text: str,
               file: Path | None = None, *, adopted: bool = True,
               at: datetime | None = None) -> None:  # fmt: skip
    """Put a calendar SEND for `group` on `carrier` in the outbox, with `file` attached as the
    post's file, as a post that fell due does. `adopted`: the group must be registered already
    (a Matrix room is adopted only once it speaks, so its posts may go in without a group)."""
    extra: dict[str, Any] = {}
    if file is not None:
        extra = PostContent(text, "file", f"{file.name}.md", str(file)).extra(
            POST, 1, Language.ZH_CN
        )
    action = Action(kind=ActionKind.SEND, carrier=carrier, group=group, text=text,
                    handler="calendar", key=key, extra=extra)  # fmt: skip
    known = store.group_for_carrier(carrier, group)
    if adopted:
        assert known is not None
    with store.transaction() as tx:
        tx.enqueue(key, carrier, action.to_json(), action.priority,
                   group_id=known.id if known else None, at=at)  # fmt: skip


def morning_pack_due(store: Store, community_id: int, carrier: str, group: str) -> datetime:
    """When the skincare template's morning pack (every day 07:30, Shanghai) next goes out in
    `group`, as its calendar planned it. A test moves the clock there rather than working the
    07:30 out from its frozen clock: the plan counts from the group's first event, which QQ
    and Synapse stamp with the wall clock, ahead of the frozen one, so around 07:30 the two
    named different mornings and the post the test waited for was a day away."""
    known = store.group_for_carrier(carrier, group)
    assert known is not None
    planned = store.pending_work(WorkOf(community_id, f"post:{known.id}:morning-pack:"))
    assert planned, f"the morning pack is not planned in {carrier} group {group}"
    due = planned[0].due_at
    assert due.astimezone(ZoneInfo("Asia/Shanghai")).time() == time(7, 30), due
    return due


def welcome_digest_due(store: Store, carrier: str, group: str, user: str) -> datetime:
    """When the welcome-week digest of `user`, who joined `group`, is due, as it was planned
    (from the join as the platform stamped it, not the test's clock)."""
    known = store.group_for_carrier(carrier, group)
    member = store.find_member(carrier, user)
    assert known is not None and member is not None
    planned = store.scheduled(welcome_key(known.id, member.id))
    assert planned is not None, f"no welcome-week digest planned for {user} in {group}"
    return planned.due_at


def course_file(folder: Path, name: str, data: bytes = PDF) -> Path:
    """The course's file, written in `folder` under `name`."""
    path = folder / name
    path.write_bytes(data)
    return path


class Holding(Protocol):
    """A fake carrier API that can keep a call's answer back (`hold`), as a slow upload."""

    hold: Callable[[str, dict[str, Any]], asyncio.Event | None] | None


def hold_back(fake: Holding, method: str) -> asyncio.Event:
    """`fake` keeps its answers to `method` (the file upload) until the event returned is set."""
    gate = asyncio.Event()
    fake.hold = lambda name, params: gate if name == method else None
    return gate
