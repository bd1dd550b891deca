"""A handler's `Context` without an engine or a database, for pure handler tests."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from hearthkeeper.engine.handler import GroupView, Hold

GROUP = GroupView(id=1, name="Tea", carrier="fake", carrier_group_id="g1", capacity=None,
                  community_id=1, community_slug="tea")  # fmt: skip


class State:
    """A community state in which member 9 is blacklisted and nothing else is known."""

    def is_blacklisted(self, community_id: int, member_id: int) -> bool:
        return member_id == 9

    def live_strikes(self, community_id: int, member_id: int, now: datetime) -> int:
        return 0

    def strikes_held(self, community_id: int, member_id: int, now: datetime) -> int:
        return 0

    def hold(self, community_id: int, group_id: int, member_id: int,
             now: datetime) -> Hold | None:  # fmt: skip
        return None

    def member_count(self, group_id: int) -> int:
        return 2

    def moderation_examples(self, community_id: int) -> Sequence[tuple[str, bool]]:
        return ()
