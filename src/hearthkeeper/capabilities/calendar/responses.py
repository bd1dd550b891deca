"""What followed each scheduled post within the hour it was sent: member messages in the group,
replies to the post, reactions to it (for the engagement metrics of docs/metrics.md)."""

from __future__ import annotations

import bisect
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import Session

from hearthkeeper.capabilities.calendar.records import PostResponse
from hearthkeeper.store.metric_reads import _chunks
from hearthkeeper.store.models import MessageRow, OutboxRow, ReactionRow

ENGAGEMENT_WINDOW = timedelta(hours=1)
Receipts = dict[int, tuple[str | None, datetime | None]]  # per post ref: message id, sent at


def sent_receipts(session: Session, refs: list[int]) -> Receipts:
    """Per post ref, the carrier's id of the message the outbox sent and when it was sent."""
    keys = {f"calendar:post:{ref}": ref for ref in refs}
    found: Receipts = {}
    for chunk in _chunks(sorted(keys)):
        query = select(OutboxRow.key, OutboxRow.receipt, OutboxRow.done_at).where(
            OutboxRow.key.in_(chunk)
        )
        for key, receipt, done_at in session.execute(query):
            found[keys[key]] = (receipt, done_at)
    return found


def responses(session: Session, group_id: int, rows: list[Any],
              sent: Receipts) -> list[PostResponse]:  # fmt: skip
    """Count what followed each of one group's posts, a few hundred windows per query."""
    windows = []
    for ref, _, post_id, kind, posted_at in rows:
        receipt, done_at = sent.get(int(ref), (None, None))
        windows.append((done_at or posted_at, int(ref), post_id, kind, receipt))
    windows.sort()
    starts = [w[0] for w in windows]
    messages = [0] * len(windows)
    replies = [0] * len(windows)
    reactions = [0] * len(windows)
    m = MessageRow
    for chunk in _chunks(windows):
        spans = [and_(m.sent_at >= w[0], m.sent_at < w[0] + ENGAGEMENT_WINDOW) for w in chunk]
        query = select(m.sent_at, m.reply_to_event_id).where(
            m.group_id == group_id, m.member_id.is_not(None), m.deleted_at.is_(None), or_(*spans)
        )
        for at, reply_to in session.execute(query):
            for i in _windows_holding(starts, at):
                messages[i] += 1
                replies[i] += int(reply_to is not None and reply_to == windows[i][4])
    receipts = {w[4]: i for i, w in enumerate(windows) if w[4] is not None}
    r = ReactionRow
    for targets in _chunks(sorted(receipts)):
        found = select(r.target_event_id, r.at).where(
            r.group_id == group_id, r.target_event_id.in_(targets)
        )
        for target, reacted_at in session.execute(found):
            i = receipts[target]
            reactions[i] += int(windows[i][0] <= reacted_at < windows[i][0] + ENGAGEMENT_WINDOW)
    return [
        PostResponse(ref, group_id, post_id, kind, at, messages[i], replies[i], reactions[i])
        for i, (at, ref, post_id, kind, _) in enumerate(windows)
    ]


def _windows_holding(starts: list[datetime], at: datetime) -> range:
    """Indexes of the windows [start, start + 1 h) that hold `at` (starts sorted)."""
    last = bisect.bisect_right(starts, at)
    first = bisect.bisect_right(starts, at - ENGAGEMENT_WINDOW)
    return range(first, last)
