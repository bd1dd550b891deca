"""Engagement of scheduled content by kind: what followed each post within the hour, ranked."""

from __future__ import annotations

from datetime import datetime

import pytest

from hearthkeeper.analytics.engagement import rank_content
from hearthkeeper.capabilities.calendar.records import PostResponse
from hearthkeeper.capabilities.calendar.repository import SqlPosts
from hearthkeeper.store import NewReaction, Store
from tests.metrics_setup import Town, at, town


def _post(t: Town, post_id: str, kind: str, when: datetime, receipt: str | None) -> None:
    """A scheduled post that went out at `when`; with a receipt, through the outbox (as sent
    by the outbound queue), else known only by its claim."""
    store, group = t.store, t.group("g")
    ref = SqlPosts.on(store).claim_post(t.community_id, group, post_id, when, item_id=None,
                                        content_kind=kind, mode="auto", status="posted",
                                        posted_at=when)  # fmt: skip
    assert ref is not None
    if receipt is not None:
        item_id, _ = store.enqueue(f"calendar:post:{ref}", "fake", {"kind": "send"}, 5,
                                   group_id=group, at=when)  # fmt: skip
        store.mark_done(item_id, receipt, when)


def _react(t: Town, n: int, target: str, when: datetime) -> None:
    t.store.record_reactions([NewReaction(t.group("g"), t.member("ann"), f"r{n}", target, "👍",
                                          when)])  # fmt: skip


def test_content_kinds_ranked_by_what_followed_within_the_hour(store: Store) -> None:
    t = town(store)
    _post(t, "morning-pack", "text", at("03-02", 8), "bot-1")
    t.say("ann", "g", at("03-02", 8, 10), "thanks", reply_to="bot-1")
    t.say("bob", "g", at("03-02", 8, 30))
    t.say("cat", "g", at("03-02", 9))  # the hour is over at 09:00
    _react(t, 1, "bot-1", at("03-02", 8, 5))
    _react(t, 2, "bot-1", at("03-02", 8, 20))
    _react(t, 3, "bot-1", at("03-02", 10))  # too late
    _post(t, "noon-picture", "picture", at("03-02", 12), "bot-2")
    t.say("ann", "g", at("03-02", 12, 10))
    _post(t, "noon-picture", "picture", at("03-03", 12), "bot-3")
    for name in ("ann", "bob", "cat"):
        t.say(name, "g", at("03-03", 12, 15))
    _react(t, 4, "bot-3", at("03-03", 12, 1))
    _post(t, "evening-video", "video", at("03-03", 18), None)  # no receipt: its claim's time
    for minute in range(5):
        t.say("bob", "g", at("03-03", 18, minute * 10))

    [video, text, picture] = t.metrics("03-02", "03-03").groups[t.group("g")].total.content

    # text: 2 messages (the reply and bob's) + 2 reactions = 4 from one post.
    assert (text.kind, text.posts, text.engagement, text.replies, text.reactions) == (
        "text", 1, 4.0, 1.0, 2.0)  # fmt: skip
    # picture: (1 + 0) and (3 + 1): mean 2.5; video: 5 messages from one post.
    assert (picture.posts, picture.engagement, picture.messages) == (2, 2.5, 2.0)
    assert (video.engagement, video.measured_rank, video.claimed_rank) == (5.0, 1, 3)
    assert [k.claimed_rank for k in (video, text, picture)] == [3, 1, 2]


def test_ties_follow_the_seeds_order() -> None:
    sent = at("03-02")
    ranked = rank_content([PostResponse(1, 1, "a", "link", sent, 2, 0, 0),
                           PostResponse(2, 1, "b", "voice", sent, 1, 0, 1),
                           PostResponse(3, 1, "c", "poll", sent, 2, 0, 0)])  # fmt: skip
    assert [(k.kind, k.engagement, k.claimed_rank) for k in ranked] == [
        ("voice", 2.0, 4), ("link", 2.0, 5), ("poll", 2.0, None)]  # fmt: skip
    assert rank_content([]) == ()
    assert ranked[0].messages == pytest.approx(1.0)


def test_a_post_recorded_in_an_imported_group_is_no_scheduled_content(store: Store) -> None:
    """A firing an earlier version claimed in a group an import registered says "posted", but
    no carrier ever sent it: the content ranking (the Health page's chart, the report) counts
    only the posts that went out, not it with the imported history's talk after it."""
    t = town(store)
    _post(t, "morning-pack", "text", at("03-02", 8), "bot-1")
    t.say("ann", "g", at("03-02", 8, 10))
    history = store.add_group(t.community_id, "微信1群", "import:csv", "club/微信1群").id
    t.groups["微信1群"] = history
    ref = SqlPosts.on(store).claim_post(t.community_id, history, "morning-pack", at("03-03", 8),
                                        item_id=None, content_kind="text", mode="auto",
                                        status="posted", posted_at=at("03-03", 8))  # fmt: skip
    assert ref is not None
    for name in ("bob", "cat", "dan"):  # the imported history's own talk that morning
        t.say(name, "微信1群", at("03-03", 8, 20))

    [text] = t.metrics("03-02", "03-03").community.total.content
    assert (text.kind, text.posts, text.engagement) == ("text", 1, 1.0)
