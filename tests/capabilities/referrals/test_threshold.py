"""The `task` joining threshold: a person with enough credited referrals is admitted, anyone
else refused with how many they have and need, in the community's language."""

from __future__ import annotations

from datetime import timedelta

from hearthkeeper.assembly import runtime_for
from hearthkeeper.clock import FrozenClock
from hearthkeeper.engine.admission import Admission, Entry, JoinRequest
from hearthkeeper.playbook import parse_playbook
from hearthkeeper.store import Store
from tests.capabilities.referrals.referral_setup import DAY, at_day, join, setup
from tests.playbook_samples import MINIMAL

CIRCLE = (
    MINIMAL.replace("slug: tea", "slug: circle").replace("name: Tea Friends", "name: Tea Circle")
    + "joining:\n  threshold:\n    kind: task\n    invite_friends: 2\n"
)


def test_task_threshold_admits_once_enough_friends_stayed(
    store: Store, store_clock: FrozenClock
) -> None:
    c, token = setup(store, store_clock)
    circle = runtime_for(store, parse_playbook(CIRCLE + "    referrals_in: [tea]\n").playbook)
    group = store.add_group(circle.community_id, "Circle 1", "fake", "c1")
    runtimes = {r.community_id: r for r in (c.runtime, circle)}
    admission = Admission(store, store_clock, runtimes.get)
    asking = JoinRequest(carrier="fake", group_id=group.id, user_id="ann", display_name="ann")

    refused = admission.screen(asking)
    assert refused.entry is Entry.REFUSE
    assert refused.reason == (
        "To join this community you first need 2 friends you invited to have stayed. "
        "You have 0; 2 to go."
    )
    join(c, "bob", token)
    join(c, "cat", token, at=DAY + timedelta(days=3))
    at_day(c, 7.5)
    assert "You have 1; 1 to go." in admission.screen(asking).reason
    at_day(c, 10.5)
    assert admission.screen(asking).entry is Entry.ADMIT
    stranger = JoinRequest(carrier="fake", group_id=group.id, user_id="zed")
    assert admission.screen(stranger).entry is Entry.REFUSE


def test_task_threshold_counts_the_community_itself_by_default_in_chinese(
    store: Store, store_clock: FrozenClock
) -> None:
    pb = parse_playbook(CIRCLE.replace("language: en", "language: zh-CN")).playbook
    circle = runtime_for(store, pb)
    group = store.add_group(circle.community_id, "Circle 1", "fake", "c1")
    admission = Admission(store, store_clock, {circle.community_id: circle}.get)
    verdict = admission.screen(JoinRequest(carrier="fake", group_id=group.id, user_id="ann"))
    assert verdict.entry is Entry.REFUSE
    assert verdict.reason == (
        "加入本社群需要先邀请 2 位朋友（留满考察期才计入）。你目前已计入 0 位，还差 2 位。"
    )
