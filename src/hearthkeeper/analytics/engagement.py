"""Engagement of scheduled content by content kind: the seeds' claimed ranking, measured.

A post's engagement is what followed it within the hour after it was sent: member messages in
the group (replies to it included) plus reactions to it. Kinds are ranked by their mean."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from hearthkeeper.capabilities.calendar.records import PostResponse

# Seed 003's claimed order of how well content spreads, in the playbook's content kinds
# (its "H5 link" and "article link" are both `link`; "net-disk link" has no kind of its own).
CLAIMED_ORDER: tuple[str, ...] = ("text", "picture", "video", "voice", "link", "file")


@dataclass(frozen=True)
class KindEngagement:
    """One content kind: posts sent and what followed them, on average per post."""

    kind: str
    posts: int
    engagement: float  # mean of (messages + reactions) within the hour
    messages: float  # mean member messages in the group within the hour
    replies: float  # mean replies to the post within the hour (part of `messages`)
    reactions: float  # mean reactions to the post within the hour
    measured_rank: int  # 1 = most engaging
    claimed_rank: int | None  # its place in the seeds' order (None: a kind it does not name)


def engagement_of(response: PostResponse) -> int:
    """One post's engagement: member messages within the hour plus reactions to it."""
    return response.messages + response.reactions


def rank_content(responses: Iterable[PostResponse]) -> tuple[KindEngagement, ...]:
    """Content kinds by mean engagement, highest first (ties: in the seeds' order)."""
    by_kind: dict[str, list[PostResponse]] = {}
    for response in responses:
        by_kind.setdefault(response.content_kind, []).append(response)

    def claimed(kind: str) -> int | None:
        return CLAIMED_ORDER.index(kind) + 1 if kind in CLAIMED_ORDER else None

    means = {
        kind: (
            sum(engagement_of(r) for r in posts) / len(posts),
            sum(r.messages for r in posts) / len(posts),
            sum(r.replies for r in posts) / len(posts),
            sum(r.reactions for r in posts) / len(posts),
        )
        for kind, posts in by_kind.items()
    }
    order = sorted(means, key=lambda k: (-means[k][0], claimed(k) or len(CLAIMED_ORDER) + 1, k))
    return tuple(
        KindEngagement(kind, len(by_kind[kind]), *means[kind], rank, claimed(kind))
        for rank, kind in enumerate(order, start=1)
    )
