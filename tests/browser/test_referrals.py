"""Referrals in a real browser against a real server: a member asks for their invite link in
the chat, a friend opens it, joins, says hello, stays, and the group reads that the task is done."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import expect

from hearthkeeper.capabilities.points.repository import SqlPoints
from hearthkeeper.capabilities.referrals.repository import SqlReferrals, Status
from tests.browser.conftest import OpenPage, Screenshots
from tests.browser.live import LiveServer, start_live_server
from tests.browser.pages import bot_says, eventually, join_chat, say

TASK = """\
  referrals:
    enabled: true
    invites: 1
    stay: 8s
    reward: {points: 30, title: 拉新达人}
"""


def with_task(text: str) -> str:
    """The skincare template, open to anyone (a free community), running the invite task."""
    text = re.sub(r"kind: paid[^\n]*\n\s*plan: half-year[^\n]*\n", "kind: open\n", text)
    return text.replace("\nmechanisms:\n", "\nmechanisms:\n" + TASK, 1)


@pytest.fixture
def server(tmp_path: Path) -> Iterator[LiveServer]:
    running = start_live_server(tmp_path / "data", playbook=with_task)
    try:
        yield running
    finally:
        running.stop()


def test_a_friend_who_joins_by_a_members_link_and_stays_completes_the_task(
    server: LiveServer, open_page: OpenPage, shots: Screenshots
) -> None:
    ann = open_page()
    join_chat(ann, server.invite_url(), "安安")
    say(ann, "同意")
    say(ann, "/邀请")
    reply = bot_says(ann, "专属邀请链接")
    expect(reply).to_contain_text(f"{server.url}/ref/")
    found = re.search(r"(http://\S+/ref/[A-Za-z0-9_-]+)", reply.inner_text())
    assert found is not None
    shots.take(ann, "link")

    bob = open_page()
    join_chat(bob, found[1], "小白")  # the link leads on to the join page, keeping the token
    say(bob, "同意")
    say(bob, "大家好，我是安安的朋友小白")  # a friend who takes part (accepting the rules is not)
    expect(bot_says(ann, "安安 邀请的 1 位朋友都留了下来")).to_be_visible()
    expect(bot_says(bob, "获得 30 积分、头衔「拉新达人」")).to_be_visible()
    shots.take(ann, "rewarded")

    repo = SqlReferrals.on(server.store)
    [named] = eventually(lambda: repo.recent(server.community_id), "the referral")
    assert (named.inviter, named.invitee, named.referral.status) == (
        "安安",
        "小白",
        Status.CREDITED,
    )
    points = SqlPoints.on(server.store).points_of(server.community_id, named.referral.inviter_id)
    assert points >= 30
