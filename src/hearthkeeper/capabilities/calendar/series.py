"""A series of firings — a post's, a live session's, the anniversary's — kept as one next piece
of scheduled work per group. Pure: what to schedule next, whether a firing that fell due still
holds, whether it is late and where the series continues; plus the claim in `posts` and the
message a text firing sends, shared by the effects."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from hearthkeeper.capabilities.calendar.repository import Posts
from hearthkeeper.engine.actions import Action, ActionKind
from hearthkeeper.engine.effects import Request, schedule_request
from hearthkeeper.engine.handler import GroupView
from hearthkeeper.store.scope import StoreBase

_SECOND = timedelta(seconds=1)


@dataclass(frozen=True)
class Planned:
    """One next firing to keep scheduled: its scheduled-work key, request and instant."""

    key: str
    request: Request
    at: datetime


def keep(scope: StoreBase, group: GroupView, planned: Planned | None) -> None:
    """Schedule `planned` in `group` (planning the same key twice adds nothing)."""
    keep_in(scope, group.community_id, group.id, planned)


def keep_in(scope: StoreBase, community_id: int, group_id: int, planned: Planned | None) -> None:
    """Schedule `planned` in a group of a community (once per key)."""
    if planned is not None:
        schedule_request(scope, planned.key, community_id, planned.request, planned.at,
                         group_id=group_id)  # fmt: skip


class Lapsed(StrEnum):
    """Why a firing that fell due does nothing."""

    ENDED = "ended"  # its post or session is gone, or no longer goes to this group
    MOVED = "moved"  # the schedule or time zone changed: plan the series again from now


@dataclass(frozen=True)
class Due:
    """A firing that still holds: whether it is late (missed beyond its grace), and the instant
    at or after which the series continues."""

    late: bool
    after: datetime

    def skipped_some(self, at: datetime) -> bool:
        """Whether firings after `at` were missed too (the series jumps over them)."""
        return self.after > at + _SECOND


def due(at: datetime, now: datetime, grace: timedelta) -> Due:
    """The firing at `at`, fallen due at `now`, with `grace` to be late by."""
    # After a long outage, firings older than the grace window are not replayed one by one:
    # the series jumps to the first firing still worth posting.
    return Due(now > at + grace, max(at + _SECOND, now - grace))


def claim_text(posts: Posts, group: GroupView, post_id: str, at: datetime, now: datetime, *,
               skipped: bool = False) -> int | None:  # fmt: skip
    """Claim a text firing (a live-session moment, a ritual): its ref, or None if claimed;
    `skipped`: recorded as not posted (missed, or a recap with nothing to say)."""
    return posts.claim_post(group.community_id, group.id, post_id, at, item_id=None,
                            content_kind="text", mode="auto",
                            status="skipped" if skipped else "posted",
                            posted_at=None if skipped else now)  # fmt: skip


def send_text(group: GroupView, text: str, ref: int, post_id: str, reason: str,
              **more: object) -> Action:  # fmt: skip
    """The message of a claimed text firing; `more` goes to the action's extra."""
    extra: dict[str, object] = {"post_id": post_id, "post_ref": ref, "content_kind": "text",
                                "item_id": None, **more}  # fmt: skip
    return Action(kind=ActionKind.SEND, carrier=group.carrier, group=group.carrier_group_id,
                  text=text, handler="calendar", reason=reason, key=f"calendar:post:{ref}",
                  extra=extra)  # fmt: skip
