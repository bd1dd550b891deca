"""What the calendar's repository returns: recorded firings and what followed them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True)
class PostRecord:
    """One firing of a scheduled post in one group: what was posted (or why not), and when."""

    id: int
    community_id: int
    group_id: int
    post_id: str
    scheduled_for: datetime
    item_id: str | None
    content_kind: str
    mode: str
    status: str  # posted | skipped | reminded | confirmed | cancelled (by staff: `/skip`)
    posted_at: datetime | None
    cancelled_by: str | None = None  # the staff member who called it off, as the audit names them
    cancelled_by_name: str | None = None  # and by their name alone, as the group is shown it


@dataclass(frozen=True)
class PostResponse:
    """What followed one scheduled post within the hour after it was sent."""

    post_ref: int  # posts.id
    group_id: int
    post_id: str
    content_kind: str
    sent_at: datetime
    messages: int  # member messages in the group within the hour (replies included)
    replies: int  # of which replies to the post
    reactions: int  # reactions to the post within the hour
